/** Metrics a sweep can rank by; maxDrawdown ranks lowest first, the others highest first. */
export const RANK_METRICS = ['sharpe', 'sortino', 'totalReturn', 'apr', 'pnlUsd', 'maxDrawdown', 'winRate'] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

/** The figures ranking needs (a job summary, or the joined out-of-sample result). */
export interface RankedFigures {
  sharpe: number | null;
  sortino: number | null;
  totalReturn: number;
  apr: number | null;
  pnlUsd: number;
  maxDrawdown: number;
  winRate: number | null;
  trades: number;
}

export const lowerIsBetter = (metric: RankMetric) => metric === 'maxDrawdown';

export function scoreOf(figures: RankedFigures, metric: RankMetric): number | null {
  const value = figures[metric];
  return value === null || !Number.isFinite(value) ? null : value;
}

export interface Candidate {
  /** Combination index: breaks ties (lower first), so the order never depends on run order. */
  combo: number;
  figures: RankedFigures;
}

export interface RankEntry<C extends Candidate> {
  rank: number;
  candidate: C;
  score: number | null;
  eligible: boolean;
  /** Why an entry cannot be chosen (too few trades, no score). */
  reason: string | null;
}

/**
 * Orders candidates: eligible ones (at least `minTrades` round trips and a finite score) by score,
 * then the rest; ties by combination index. rank is 1-based.
 */
export function rankCandidates<C extends Candidate>(candidates: readonly C[], metric: RankMetric, minTrades: number): RankEntry<C>[] {
  const sign = lowerIsBetter(metric) ? 1 : -1;
  const entries = candidates.map((candidate) => {
    const score = scoreOf(candidate.figures, metric);
    let reason: string | null = null;
    if (candidate.figures.trades < minTrades) reason = `${candidate.figures.trades} trade(s) < minTrades ${minTrades}`;
    else if (score === null) reason = `${metric} is undefined`;
    return { rank: 0, candidate, score, eligible: reason === null, reason };
  });
  entries.sort((a, b) => {
    if (a.eligible !== b.eligible) return a.eligible ? -1 : 1;
    if (a.score !== null && b.score !== null && a.score !== b.score) return sign * (a.score - b.score);
    if ((a.score === null) !== (b.score === null)) return a.score === null ? 1 : -1;
    return a.candidate.combo - b.candidate.combo;
  });
  entries.forEach((e, k) => (e.rank = k + 1));
  return entries;
}
