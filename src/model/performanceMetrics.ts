import { annualised, compoundedAnnual, periodsPerYear as periodsPerYearOf } from './annualisation.ts';

/**
 * Performance metrics of a run, pure functions of its equity curve and trade lists (model layer:
 * plain float math, no ledger; the portfolio hands over USD floats from its exact balances).
 *
 * Definitions (E_0..E_n the equity samples at times t_0 < ... < t_n):
 * - periodic returns r_i = E_i / E_{i-1} - 1, i = 1..n (a period whose E_{i-1} <= 0 has no return
 *   and is left out);
 * - totalReturn = E_n / E_0 - 1; apr = totalReturn * 365 d / (t_n - t_0) (simple, not compounded,
 *   as funding APRs are quoted: 0.01% per 8h = 10.95%); cagr = (1 + totalReturn)^(365 d / span) - 1;
 * - period = median of t_i - t_{i-1}; periodsPerYear = 365 d / period;
 *   rf = riskFreeRatePerYear / periodsPerYear (per period, simple); excess x_i = r_i - rf;
 * - sharpe = mean(x) / sd(x) * sqrt(periodsPerYear), sd with n - 1 (null when n < 2 or sd = 0);
 * - sortino = mean(x) / dd * sqrt(periodsPerYear), downside deviation dd = sqrt(sum(min(x_i, 0)^2) / n)
 *   (null when no period is below rf);
 * - drawdown at i: (M_i - E_i) / M_i with M_i = max_{j<=i} E_j; maxDrawdown its maximum (0.25 = 25% below the peak);
 *   the episode runs from the peak (last time the running max was set before the trough) to the
 *   trough, then to the recovery (first t_i after the trough with E_i >= peak equity; null if never);
 *   maxDrawdownDurationMs = (recovery or t_n) - peak; longestDrawdownMs = the longest time spent
 *   below a previous peak (any episode);
 * - historical VaR / CVaR at level a (0.95, 0.99) of the periodic returns, as positive losses:
 *   sort r ascending, m = max(1, floor(n (1 - a))); VaR = -r_(m) (the m-th worst return),
 *   CVaR = -mean(r_(1)..r_(m)) (the mean of the m worst). With 100 returns: VaR95 = minus the 5th
 *   worst, CVaR95 = minus the mean of the 5 worst; VaR99 = minus the worst;
 * - turnover = sum |fill notional| / mean(E_i) (arithmetic mean of the samples);
 * - trades = number of round trips; winRate = round trips with pnl > 0 / round trips;
 * - timeInMarket = length of the union of [entryTs, exitTs ?? t_n] over round trips, clipped to
 *   [t_0, t_n], divided by t_n - t_0;
 * - fundingCollectedUsd = sum of funding amounts (received > 0, paid < 0); feesPaidUsd = sum of fill fees.
 */

export interface EquityPoint {
  ts: number;
  equityUsd: number;
}

export interface FillRecord {
  ts: number;
  /** |quantity| * contractSize * price in USD. */
  notionalUsd: number;
  /** Fee paid (rebate < 0), USD. */
  feeUsd: number;
}

export interface RoundTrip {
  entryTs: number;
  /** Null while still open (counts as in the market until the end of the curve). */
  exitTs: number | null;
  /** Net PnL of the round trip, USD (the caller decides what it nets: fees, funding). */
  pnlUsd: number;
}

export interface FundingCashFlow {
  ts: number;
  /** Received > 0, paid < 0, USD. */
  amountUsd: number;
}

export interface MetricsInput {
  equity: readonly EquityPoint[];
  fills?: readonly FillRecord[];
  roundTrips?: readonly RoundTrip[];
  funding?: readonly FundingCashFlow[];
  /** Annual risk-free rate, fraction (default 0). */
  riskFreeRatePerYear?: number;
}

export interface DrawdownStats {
  maxDrawdown: number;
  peakTs: number | null;
  troughTs: number | null;
  recoveryTs: number | null;
  maxDrawdownDurationMs: number;
  longestDrawdownMs: number;
}

export interface TailRisk {
  var95: number | null;
  cvar95: number | null;
  var99: number | null;
  cvar99: number | null;
}

export interface PerformanceMetrics extends DrawdownStats, TailRisk {
  startTs: number;
  endTs: number;
  spanMs: number;
  startEquityUsd: number;
  endEquityUsd: number;
  totalReturn: number;
  apr: number | null;
  cagr: number | null;
  periodMs: number | null;
  periodsPerYear: number | null;
  sharpe: number | null;
  sortino: number | null;
  fundingCollectedUsd: number;
  feesPaidUsd: number;
  tradedNotionalUsd: number;
  turnover: number | null;
  fills: number;
  trades: number;
  winRate: number | null;
  timeInMarket: number | null;
}

export function checkEquityCurve(equity: readonly EquityPoint[]): void {
  if (equity.length === 0) throw new Error('metrics need at least one equity point');
  for (let i = 0; i < equity.length; i++) {
    const p = equity[i];
    if (!Number.isFinite(p.ts) || !Number.isFinite(p.equityUsd)) throw new Error(`equity point ${i} is not finite (ts ${p.ts}, equity ${p.equityUsd})`);
    if (i > 0 && p.ts <= equity[i - 1].ts) throw new Error(`equity point ${i}: ts ${p.ts} does not increase (previous ${equity[i - 1].ts})`);
  }
}

/** r_i = E_i / E_{i-1} - 1, skipping periods that start at equity <= 0. */
export function periodicReturns(equity: readonly EquityPoint[]): number[] {
  const returns: number[] = [];
  for (let i = 1; i < equity.length; i++) {
    if (equity[i - 1].equityUsd > 0) returns.push(equity[i].equityUsd / equity[i - 1].equityUsd - 1);
  }
  return returns;
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n - 1). */
export function sampleStd(values: readonly number[]): number {
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function sharpeRatio(returns: readonly number[], periodsPerYear: number, riskFreeRatePerYear = 0): number | null {
  if (returns.length < 2) return null;
  const rf = riskFreeRatePerYear / periodsPerYear;
  const excess = returns.map((r) => r - rf);
  const sd = sampleStd(excess);
  // A constant series has sd 0 up to rounding (1e-18); report no ratio rather than 1e16.
  if (!(sd > 1e-15 * Math.max(1, Math.abs(mean(excess))))) return null;
  return (mean(excess) / sd) * Math.sqrt(periodsPerYear);
}

export function sortinoRatio(returns: readonly number[], periodsPerYear: number, riskFreeRatePerYear = 0): number | null {
  if (returns.length === 0) return null;
  const rf = riskFreeRatePerYear / periodsPerYear;
  let downside = 0;
  let sum = 0;
  for (const r of returns) {
    const x = r - rf;
    sum += x;
    if (x < 0) downside += x * x;
  }
  if (downside === 0) return null;
  return (sum / returns.length / Math.sqrt(downside / returns.length)) * Math.sqrt(periodsPerYear);
}

export function drawdownStats(equity: readonly EquityPoint[]): DrawdownStats {
  checkEquityCurve(equity);
  let peakEquity = equity[0].equityUsd;
  let peakTs = equity[0].ts;
  let best = { maxDrawdown: 0, peakTs: null as number | null, troughTs: null as number | null, peakEquity: 0 };
  let underwaterSince: number | null = null;
  let longest = 0;
  for (const p of equity) {
    if (p.equityUsd >= peakEquity) {
      if (underwaterSince !== null) longest = Math.max(longest, p.ts - underwaterSince);
      underwaterSince = null;
      peakEquity = p.equityUsd;
      peakTs = p.ts;
      continue;
    }
    if (underwaterSince === null) underwaterSince = peakTs;
    const drawdown = peakEquity > 0 ? (peakEquity - p.equityUsd) / peakEquity : Number.POSITIVE_INFINITY;
    if (drawdown > best.maxDrawdown) best = { maxDrawdown: drawdown, peakTs, troughTs: p.ts, peakEquity };
  }
  const endTs = equity[equity.length - 1].ts;
  if (underwaterSince !== null) longest = Math.max(longest, endTs - underwaterSince);
  let recoveryTs: number | null = null;
  if (best.troughTs !== null) {
    for (const p of equity) {
      if (p.ts > best.troughTs && p.equityUsd >= best.peakEquity) {
        recoveryTs = p.ts;
        break;
      }
    }
  }
  return {
    maxDrawdown: best.maxDrawdown,
    peakTs: best.peakTs,
    troughTs: best.troughTs,
    recoveryTs,
    maxDrawdownDurationMs: best.peakTs === null ? 0 : (recoveryTs ?? endTs) - best.peakTs,
    longestDrawdownMs: longest,
  };
}

/** Historical VaR and CVaR at `level` (e.g. 0.95) as positive losses; null without returns. */
export function historicalVar(returns: readonly number[], level: number): { var: number | null; cvar: number | null } {
  if (!(level > 0 && level < 1)) throw new Error(`VaR level must be in (0, 1) (got ${level})`);
  if (returns.length === 0) return { var: null, cvar: null };
  const sorted = [...returns].sort((a, b) => a - b);
  // The epsilon guards against n (1 - level) landing a hair below a whole number in floating point.
  const m = Math.max(1, Math.floor(sorted.length * (1 - level) + 1e-9));
  let tail = 0;
  for (let i = 0; i < m; i++) tail += sorted[i];
  return { var: -sorted[m - 1], cvar: -tail / m };
}

/** Fraction of [start, end] covered by the union of the round trips' [entryTs, exitTs ?? end]. */
export function timeInMarket(roundTrips: readonly RoundTrip[], startTs: number, endTs: number): number | null {
  if (!(endTs > startTs)) return null;
  const intervals = roundTrips
    .map((t) => [Math.max(startTs, t.entryTs), Math.min(endTs, t.exitTs ?? endTs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let currentStart = Number.NaN;
  let currentEnd = Number.NEGATIVE_INFINITY;
  for (const [a, b] of intervals) {
    if (a > currentEnd) {
      if (currentEnd > currentStart) covered += currentEnd - currentStart;
      currentStart = a;
      currentEnd = b;
    } else if (b > currentEnd) currentEnd = b;
  }
  if (currentEnd > currentStart) covered += currentEnd - currentStart;
  return covered / (endTs - startTs);
}

export function performanceMetrics(input: MetricsInput): PerformanceMetrics {
  const equity = input.equity;
  checkEquityCurve(equity);
  const first = equity[0];
  const last = equity[equity.length - 1];
  const spanMs = last.ts - first.ts;
  const totalReturn = first.equityUsd > 0 ? last.equityUsd / first.equityUsd - 1 : Number.NaN;
  const returns = periodicReturns(equity);
  const periodMs = equity.length >= 2 ? median(equity.slice(1).map((p, i) => p.ts - equity[i].ts)) : null;
  const periodsPerYear = periodMs === null ? null : periodsPerYearOf(periodMs);
  const rf = input.riskFreeRatePerYear ?? 0;
  const var95 = historicalVar(returns, 0.95);
  const var99 = historicalVar(returns, 0.99);
  const fills = input.fills ?? [];
  const roundTrips = input.roundTrips ?? [];
  let tradedNotionalUsd = 0;
  let feesPaidUsd = 0;
  for (const f of fills) {
    tradedNotionalUsd += Math.abs(f.notionalUsd);
    feesPaidUsd += f.feeUsd;
  }
  let fundingCollectedUsd = 0;
  for (const f of input.funding ?? []) fundingCollectedUsd += f.amountUsd;
  const meanEquity = mean(equity.map((p) => p.equityUsd));
  return {
    startTs: first.ts,
    endTs: last.ts,
    spanMs,
    startEquityUsd: first.equityUsd,
    endEquityUsd: last.equityUsd,
    totalReturn,
    apr: spanMs > 0 ? annualised(totalReturn, spanMs) : null,
    cagr: spanMs > 0 && totalReturn > -1 ? compoundedAnnual(totalReturn, spanMs) : null,
    periodMs,
    periodsPerYear,
    sharpe: periodsPerYear === null ? null : sharpeRatio(returns, periodsPerYear, rf),
    sortino: periodsPerYear === null ? null : sortinoRatio(returns, periodsPerYear, rf),
    ...drawdownStats(equity),
    var95: var95.var,
    cvar95: var95.cvar,
    var99: var99.var,
    cvar99: var99.cvar,
    fundingCollectedUsd,
    feesPaidUsd,
    tradedNotionalUsd,
    turnover: meanEquity > 0 ? tradedNotionalUsd / meanEquity : null,
    fills: fills.length,
    trades: roundTrips.length,
    winRate: roundTrips.length > 0 ? roundTrips.filter((t) => t.pnlUsd > 0).length / roundTrips.length : null,
    timeInMarket: timeInMarket(roundTrips, first.ts, last.ts),
  };
}
