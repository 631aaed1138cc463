import { DAY_MS } from '../core/time.ts';
import { historicalVar, mean, sampleStd } from '../model/performanceMetrics.ts';
import type { RiskAction } from './riskTypes.ts';

/** Portfolio risk figures of a run (the backtest summary's `risk`, the report). */
export interface RiskSummary {
  /** Whether a `risk` section was configured (false: only the safety minimum). */
  configured: boolean;
  /** One-day VaR and CVaR as fractions of equity (losses positive), from the daily returns of the equity curve. */
  var: {
    days: number;
    historical: { var95: number | null; cvar95: number | null; var99: number | null; cvar99: number | null };
    parametric: { var95: number | null; cvar95: number | null; var99: number | null; cvar99: number | null };
  };
  /** Exposure at the end, USD: per venue and asset, gross (sum of |legs|) and net (signed). */
  exposure: { venue: string; asset: string; grossUsd: number; netUsd: number }[];
  /** Largest gross notional over equity seen at an equity point. */
  maxGrossLeverage: number | null;
  /** Smallest distance of a mark to its liquidation price seen (fraction of the mark); null: no derivative position. */
  minLiquidationDistance: number | null;
  /** Largest initial margin / collateral of a venue wallet seen. */
  maxMarginUse: number | null;
  /** Risk actions by kind and rule, e.g. { "shrink:liquidationRisk": 2 }. */
  actionCounts: Record<string, number>;
  /** The actions themselves (the first 1000). */
  actions: RiskAction[];
}

/** Daily returns of an equity curve: the last point of each UTC day against the last of the day before. */
export function dailyReturns(equity: readonly { ts: number; equityUsd: number }[]): number[] {
  const closes: number[] = [];
  let day = Number.NaN;
  for (const p of equity) {
    const d = Math.floor(p.ts / DAY_MS);
    if (d === day) closes[closes.length - 1] = p.equityUsd;
    else {
      closes.push(p.equityUsd);
      day = d;
    }
  }
  const out: number[] = [];
  for (let i = 1; i < closes.length; i++) if (closes[i - 1] > 0) out.push(closes[i] / closes[i - 1] - 1);
  return out;
}

/** Standard normal quantiles and densities at the 95% and 99% levels. */
const Z = { 0.95: 1.6448536269514722, 0.99: 2.3263478740408408 } as const;
const phi = (z: number) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);

/**
 * Parametric (normal) one-period VaR and CVaR of returns with mean mu and deviation sigma, losses
 * positive: VaR = -(mu - z sigma), CVaR = -(mu - sigma phi(z) / (1 - level)).
 */
export function parametricVar(returns: readonly number[], level: 0.95 | 0.99): { var: number | null; cvar: number | null } {
  if (returns.length < 2) return { var: null, cvar: null };
  const mu = mean(returns);
  const sigma = sampleStd(returns);
  const z = Z[level];
  return { var: -(mu - z * sigma), cvar: -(mu - (sigma * phi(z)) / (1 - level)) };
}

export function varFigures(equity: readonly { ts: number; equityUsd: number }[]): RiskSummary['var'] {
  const r = dailyReturns(equity);
  const h95 = historicalVar(r, 0.95);
  const h99 = historicalVar(r, 0.99);
  const p95 = parametricVar(r, 0.95);
  const p99 = parametricVar(r, 0.99);
  return {
    days: r.length,
    historical: { var95: h95.var, cvar95: h95.cvar, var99: h99.var, cvar99: h99.cvar },
    parametric: { var95: p95.var, cvar95: p95.cvar, var99: p99.var, cvar99: p99.cvar },
  };
}
