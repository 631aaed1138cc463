import { ConfigError } from '../../core/errors.ts';
import { formatConfigIssue } from '../../domain/config/issue.ts';
import { HOUR_MS, MINUTE_MS, msToTimeframe } from '../../core/time.ts';
import type { SeriesKey } from '../../domain/series.ts';
import { utcMsToExpiryCode } from '../../domain/symbol.ts';
import type { SeriesData } from '../import/types.ts';
import { sourceFromColumns } from '../replay/sources.ts';
import type { ReplaySource } from '../replay/types.ts';
import { fundingFromPremium } from './funding.ts';
import { barColumns, SyntheticBarPath, type BarPathOptions } from './barPath.ts';
import { SyntheticMarketOptionsSchema } from './optionsSchema.ts';

/** Every synthetic series is labelled so it can never pass for market data. */
export const SYNTHETIC_VENUE = 'synthetic';
export type SyntheticLabel = 'synthetic';

/** The generator's options: the path's (barPath.ts) and the market's own. */
export interface SyntheticMarketOptions extends Omit<BarPathOptions, 'perpBars'> {
  /** Number of perp bars: the perp covers the LAST perpBars bars of the spot span (a later listing); null = bars. */
  perpBars: number | null;
  fundingIntervalMs: number;
  interestRatePerInterval: number;
  capRatePerInterval: number;
  base: string;
  quote: string;
}

export const DEFAULT_SYNTHETIC_OPTIONS: Readonly<SyntheticMarketOptions> = {
  seed: 1,
  startMs: Date.UTC(2024, 0, 1),
  barIntervalMs: MINUTE_MS,
  bars: 10_080,
  perpBars: null,
  stepsPerBar: 4,
  fundingIntervalMs: 8 * HOUR_MS,
  initialPrice: 50_000,
  gbmDriftAnnual: 0,
  gbmVolAnnual: 0.6,
  thetaPerSecond: Math.LN2 / (2 * 3600), // half-life 2 h
  mu: 0.0002,
  sigmaPerSqrtSecond: 0.0005 * Math.sqrt(2 * (Math.LN2 / (2 * 3600))), // stationary sd 5 bps
  initialBasis: null,
  interestRatePerInterval: 0.0001, // 0.01% per 8 h
  capRatePerInterval: 0.0075,
  meanVolume: 10,
  futureExpiryMs: null,
  futureBasisAnnual: 0.1,
  base: 'SYN',
  quote: 'USDT',
};

export interface SyntheticSeries extends SeriesData {
  label: SyntheticLabel;
  columns: Record<string, Float64Array>;
}

export interface SyntheticMarket {
  label: SyntheticLabel;
  /** The options used, with defaults filled in. */
  options: SyntheticMarketOptions & { perpBars: number };
  spot: SyntheticSeries;
  perp: SyntheticSeries;
  funding: SyntheticSeries;
  /** The dated future's bars (with futureExpiryMs), null without one. */
  future: SyntheticSeries | null;
}

/** Checks every option against its documented range (src/data/synthetic/optionsSchema.ts). */
function checkOptions(o: SyntheticMarketOptions): void {
  const parsed = SyntheticMarketOptionsSchema.safeParse(o, { reportInput: true });
  if (!parsed.success) throw new ConfigError('synthetic market', parsed.error.issues.map((issue) => formatConfigIssue(issue)));
}

function series(key: SeriesKey, source: string, rows: number, columns: Record<string, Float64Array>): SyntheticSeries {
  const lines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = i + 1;
  return { key, label: 'synthetic', source, rows, columns, lines };
}

/**
 * A seeded synthetic spot/perp market: a GBM mid price, an OU basis simulated exactly (no
 * discretisation error), spot bars on the mid, perp bars on mid * (1 + s), and funding that follows
 * the premium. The same options give the same arrays bit for bit.
 */
export function generateSyntheticMarket(overrides: Partial<SyntheticMarketOptions> = {}): SyntheticMarket {
  const o = resolveSyntheticOptions(overrides);
  const spot = barColumns(o.bars);
  const perp = barColumns(o.perpBars);
  const premium = new Float64Array(o.perpBars);
  const path = new SyntheticBarPath(o);
  const future = o.futureExpiryMs === null ? undefined : barColumns(path.futureBars);
  const firstPerpBar = path.firstPerpBar;
  path.next(o.bars, spot, perp, premium, future);

  const funding = fundingFromPremium({
    perpStartMs: o.startMs + firstPerpBar * o.barIntervalMs,
    barIntervalMs: o.barIntervalMs,
    premium,
    perpClose: perp.close,
    fundingIntervalMs: o.fundingIntervalMs,
    interestRatePerInterval: o.interestRatePerInterval,
    capRatePerInterval: o.capRatePerInterval,
  });
  const keys = syntheticKeys(o);
  const source = syntheticSourceName(o);
  return {
    label: 'synthetic',
    options: o,
    spot: series(keys.spot, source, o.bars, spot),
    perp: series(keys.perp, source, o.perpBars, perp),
    funding: series(keys.funding, source, funding.rows, funding.columns),
    future: future && keys.future ? series(keys.future, source, path.futureBars, future) : null,
  };
}

/** The options with defaults filled in, checked. */
export function resolveSyntheticOptions(overrides: Partial<SyntheticMarketOptions> = {}): SyntheticMarketOptions & { perpBars: number } {
  const given = { ...DEFAULT_SYNTHETIC_OPTIONS, ...overrides };
  checkOptions(given);
  return { ...given, perpBars: given.perpBars ?? given.bars };
}

export const syntheticSourceName = (o: SyntheticMarketOptions): string => `synthetic(seed=${o.seed})`;

/** Symbol of the synthetic dated future, e.g. SYN/USDT:USDT-240301 (null without futureExpiryMs). */
export function syntheticFutureSymbol(o: Pick<SyntheticMarketOptions, 'base' | 'quote' | 'futureExpiryMs'>): string | null {
  return o.futureExpiryMs === null ? null : `${o.base}/${o.quote}:${o.quote}-${utcMsToExpiryCode(o.futureExpiryMs)}`;
}

/** Series keys of the market: spot and perp bars, the perp's funding, and the dated future's bars (null without one). */
export function syntheticKeys(o: SyntheticMarketOptions): { spot: SeriesKey; perp: SeriesKey; funding: SeriesKey; future: SeriesKey | null } {
  const spot: SeriesKey = { table: 'bars', venue: SYNTHETIC_VENUE, symbol: `${o.base}/${o.quote}`, timeframe: msToTimeframe(o.barIntervalMs) };
  const perpSymbol = `${o.base}/${o.quote}:${o.quote}`;
  const futureSymbol = syntheticFutureSymbol(o);
  return { spot, perp: { ...spot, symbol: perpSymbol }, funding: { table: 'funding', venue: SYNTHETIC_VENUE, symbol: perpSymbol, timeframe: null }, future: futureSymbol === null ? null : { ...spot, symbol: futureSymbol } };
}

/** The market as replay sources, in the order [spot, perp, funding, future when there is one] (which is also the tie order). */
export function syntheticSources(market: SyntheticMarket, chunkRows = 65_536): ReplaySource[] {
  const all = market.future ? [market.spot, market.perp, market.funding, market.future] : [market.spot, market.perp, market.funding];
  return all.map((s) => sourceFromColumns(s.key, s.columns, s.rows, chunkRows));
}
