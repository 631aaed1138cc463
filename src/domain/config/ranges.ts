import { EARLIEST_EVENT_MS, LATEST_EXPIRY_MS, MAX_ABS_FUNDING_RATE_PER_INTERVAL, MAX_FUNDING_INTERVAL_MS, MAX_PRICE, MIN_FUNDING_INTERVAL_MS } from '../plausibility.ts';
import type { NumberRange } from './range.ts';

/**
 * The documented ranges of the config fields, one place for all of them and the reason of each.
 * The bounds are far outside real use: they exist so that a typo (a percent typed as a fraction, an
 * extra three zeros, days: 1e9) is an error naming the field before any work starts, instead of a
 * run that never ends or runs out of memory. docs/config-reference.md lists them per field.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Minutes in a day: data.days is counted in 1-minute bars. */
const BARS_PER_DAY = 1440;

/** 10 years: the longest data span of any config. */
export const MAX_DAYS = 3650;

/** Genesis block of Bitcoin: no crypto market data is older (the plausibility bound of event times). */
export const EARLIEST_MARKET_MS = EARLIEST_EVENT_MS;
/** Four-digit years in ISO-8601 times and in the store's month partitions; far past any run (as for expiries). */
export const LATEST_CONFIG_TIME_MS = LATEST_EXPIRY_MS;
const HOUR_MS = 3_600_000;

const days = (why: string): NumberRange => ({ min: 1 / BARS_PER_DAY, max: MAX_DAYS, unit: 'days', why });

export const RANGES = {
  days: days(
    'one 1-minute bar to 10 years: perps exist since 2016, so no real history is longer; a 10-year synthetic backtest replays 10.5M events in 7 to 10 s (18 s and 700 MB at the peak with its report)',
  ),
  windowDays: days('a walk-forward window lies inside the data, which spans at most 10 years'),
  holdingDays: days('the round trip cost is amortised over at most 10 years (the longest data span)'),
  seed: {
    min: -Number.MAX_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    integer: true,
    unit: '',
    why: 'safe integers: past 2^53 two different seeds written in JSON can be the same double',
  },
  notionalUsd: {
    min: 0,
    minExclusive: true,
    max: 1e9,
    unit: 'USD',
    why: 'a leg of a billion USD is beyond the open interest of all but the largest perps; more is a typo',
  },
  balance: {
    min: 0,
    max: 1e12,
    unit: 'asset units',
    why: 'a trillion units is more than the supply of most assets; the ledger books them exactly to 1e-8',
  },
  sizeIncrement: {
    min: 0,
    minExclusive: true,
    max: 1e9,
    unit: 'base units or price',
    why: 'lot and tick sizes on venues range from 1e-8 to 1e6 (lots of meme coins)',
  },
  leverage: { min: 1, max: 200, unit: 'x', why: 'venues offer at most 100x to 200x on perps' },
  maintenanceMarginRate: {
    min: 0,
    max: 0.5,
    unit: 'fraction',
    why: "venues' tiers run from 0.4% for small positions to 50% for the largest; it must also stay below 1/leverage",
  },
  liquidationFeeRate: { min: 0, max: 0.2, unit: 'fraction', why: 'venues charge 0.5% to 1.5% of the liquidated notional; 20% is no venue' },
  feeRate: {
    min: -0.001,
    max: 0.01,
    unit: 'fraction per fill',
    why: 'maker rebates reach -0.03% and retail spot fees 0.6%; 1% or more per fill is a percent typed as a fraction (0.07 for 0.07%)',
  },
  halfSpreadBps: {
    min: 0,
    max: 1000,
    unit: 'bps',
    why: 'half of a 20% spread, wider than any traded pair; a negative half-spread would pay the taker for crossing',
  },
  slippageBps: { min: 0, max: 10_000, unit: 'bps', why: '10,000 bps is 100% of the price: no fill slips further' },
  slippageExponent: { min: 0, max: 2, unit: '', why: 'impact laws use 0.5 (square root) to 1 (linear); 2 is already steeper than any' },
  latencyMs: {
    min: 0,
    max: MINUTE_MS,
    integer: true,
    unit: 'ms',
    why: 'orders take milliseconds to a few seconds to reach a venue; a minute is an outage, not latency',
  },
  borrowRateAnnual: {
    min: 0,
    max: 10,
    unit: 'fraction per year',
    why: 'spot borrow costs 2% to 50% a year; 1000% a year is beyond the worst short squeezes',
  },
  spotShortMarginRate: { min: 0, max: 10, unit: 'fraction', why: 'collateral of 0.5 to 1.5 times the borrowed value is usual; 10 times is no venue' },
  equitySampleMinutes: {
    min: 1,
    max: 10_080,
    unit: 'minutes',
    why: 'bars are 1 minute at the finest (10 years at 1 minute is 5.3M points); a sample a week is the coarsest a curve shows anything',
  },
  apr: {
    min: -10,
    max: 10,
    unit: 'fraction per year',
    why: '±1000% a year; funding beyond ±300% APR lasts hours at most (-10 or 10 also serve as "always" and "never")',
  },
  roundTripCostRate: { min: 0, max: 0.1, unit: 'fraction of notional', why: 'four fees and crossing: 10% of the notional per round trip leaves no arbitrage' },
  forecastWindows: { min: 1, max: 500, integer: true, unit: 'settlements', why: 'the gain is summed over the next windows: 500 is half a year at 8 h, three weeks at 1 h' },
  forecastTrainPoints: { min: 30, max: 100_000, integer: true, unit: 'settlements', why: 'an AR(3) needs a few dozen settlements; 100,000 is 11 years of hourly funding' },
  forecastMinHistory: { min: 2, max: 100_000, integer: true, unit: 'settlements', why: 'persistence needs two settlements; more than the train window would never forecast' },
  crossingCostRate: { min: 0, max: 0.05, unit: 'fraction of notional', why: 'crossing four spreads costs bps; 5% is no liquid market' },
  fundingIntervalHours: {
    min: MIN_FUNDING_INTERVAL_MS / HOUR_MS,
    max: MAX_FUNDING_INTERVAL_MS / HOUR_MS,
    unit: 'hours',
    why: 'the plausibility bounds of a funding interval (src/domain/plausibility.ts): venues settle every 1, 4 or 8 hours; 1 minute to 7 days leaves room for any',
  },
  fitWindowPoints: {
    min: 10,
    max: 525_600,
    integer: true,
    unit: 'points',
    why: 'at least MIN_FIT_POINTS for an AR(1) fit; at most a year of 1-minute points (the window is kept and refitted in memory)',
  },
  refitEveryPoints: { min: 1, max: 525_600, integer: true, unit: 'points', why: 'from every point to once a year of 1-minute points' },
  sampleSeconds: { min: 0, minExclusive: true, max: 86_400, unit: 's', why: 'a basis point per bar: bars are 1 s to 1 day' },
  closeBeforeFundingSeconds: { min: 0, max: 86_400, unit: 's', why: 'longer than a funding interval (24 h at most) would close every position at once' },
  priceSkewSeconds: { min: 0, max: 86_400, unit: 's', why: 'legs priced up to a day apart: 0 for bars of one clock, seconds for live quotes; beyond a day the prices describe different markets' },
  daysToExpiry: { min: 0, max: 365, unit: 'days', why: 'dated futures are listed at most about a year ahead' },
  expectedProfitFraction: { min: -1, max: 1, unit: 'fraction of notional', why: 'a profit or loss beyond the whole notional is no threshold' },
  speed: { min: 0, minExclusive: true, max: 1_000_000, unit: 'x wall time', why: 'a replay from slower than real time up to a million times faster (a year in 32 s); max replays as fast as the engine goes' },
  legTimeoutMs: { min: 100, max: 10 * MINUTE_MS, integer: true, unit: 'ms', why: 'a leg answered in milliseconds to seconds; after 10 minutes a naked leg has been naked too long' },
  reconcileEveryMs: { min: 1_000, max: DAY_MS, integer: true, unit: 'ms', why: 'from every second (rate limits allow it) to once a day' },
  minTrades: { min: 0, max: 1_000_000, integer: true, unit: 'round trips', why: 'a million round trips is more than any backtest here makes' },

  // Scanner
  holdingPeriodMs: { min: 1, max: MAX_DAYS * DAY_MS, integer: true, unit: 'ms', why: 'from 1 ms to 10 years (the longest data span)' },
  maxAgeMs: { min: 1, max: 365 * DAY_MS, integer: true, unit: 'ms', why: 'a price or rate older than a year describes another market' },
  staleQuoteMs: { min: 1, max: DAY_MS, integer: true, unit: 'ms', why: 'a quote a day old is stale by any measure' },
  timeToExpiryMs: { min: 1, max: 365 * DAY_MS, integer: true, unit: 'ms', why: 'dated futures are listed at most about a year ahead' },
  fundingRatePer8h: { min: 0, max: MAX_ABS_FUNDING_RATE_PER_INTERVAL, unit: 'fraction', why: 'the plausibility bound of a funding rate (src/domain/plausibility.ts): |rate| <= 10% per interval' },
  thresholdBps: { min: 0, max: 10_000, unit: 'bps', why: '10,000 bps is 100% of the price' },
  netBps: { min: -10_000, max: 10_000, unit: 'bps', why: '±100% of the notional' },
  scannerBorrowRatePerYear: { min: 0, max: 10, unit: 'fraction per year', why: 'spot borrow costs 2% to 50% a year; 1000% a year is beyond the worst short squeezes' },
  legSkewMs: { min: 0, max: DAY_MS, integer: true, unit: 'ms', why: 'from prices taken at the same instant to a day apart (half of the longest bars venues publish)' },
  suspectMultipleOfMedian: { min: 1, max: 1_000_000, unit: 'times the median', why: 'a multiple below 1 would flag the ordinary; a million times the median is no bound at all' },
  suspectObservations: { min: 0, max: 1000, integer: true, unit: 'observations', why: '0 turns the flag off; past a thousand consecutive observations an edge is the pair\'s own history' },
  historyPoints: { min: 0, max: 100_000, integer: true, unit: 'observations', why: '0 reads no history; 100,000 rows per series (70 days of 1-minute bars) keeps a store scan to seconds' },
  impliedLagFraction: { min: 0.01, max: 1, unit: 'fraction of a bar', why: 'legs observed together imply 0 to 0.02 (noise); a lag of a whole bar is the neighbouring bar, and 1 turns the check off in practice' },
  minHistoryPoints: { min: 1, max: 100_000, integer: true, unit: 'observations', why: 'a median of fewer than a handful of points says nothing; at most historyPoints' },

  // Synthetic market generator (src/data/synthetic/market.ts)
  startMs: {
    min: EARLIEST_MARKET_MS,
    max: LATEST_CONFIG_TIME_MS,
    integer: true,
    unit: 'ms UTC',
    why: 'from the first Bitcoin block (2009-01-03) to 2100: four-digit years, as ISO-8601 and the store partitions need',
  },
  generatorStartMs: {
    min: 0,
    max: LATEST_CONFIG_TIME_MS,
    integer: true,
    unit: 'ms UTC',
    why: 'the generator alone also makes toy markets at the epoch (tests); a backtest config holds data.options.startMs to 2009-01-03 or later',
  },
  barIntervalMs: { min: 1000, max: DAY_MS, integer: true, unit: 'ms', why: 'bars of 1 s to 1 day, as venues publish' },
  bars: {
    min: 1,
    max: MAX_DAYS * BARS_PER_DAY,
    integer: true,
    unit: 'bars',
    why: '10 years of 1-minute bars (the longest data span); generateSyntheticMarket holds them all in memory',
  },
  stepsPerBar: { min: 1, max: 1000, integer: true, unit: 'points', why: 'points per bar for its high and low; the cost grows with it, and 1000 already draws a path every 60 ms of a minute bar' },
  fundingIntervalMs: {
    min: MIN_FUNDING_INTERVAL_MS,
    max: MAX_FUNDING_INTERVAL_MS,
    integer: true,
    unit: 'ms',
    why: 'the plausibility bounds of a funding interval (src/domain/plausibility.ts): 1 minute to 7 days',
  },
  initialPrice: { min: 1e-8, max: MAX_PRICE, unit: 'quote units', why: 'from one satoshi to the plausibility bound of a price (src/domain/plausibility.ts)' },
  driftAnnual: { min: -10, max: 10, unit: 'fraction per year', why: '±1000% a year of drift' },
  volAnnual: { min: 0, max: 10, unit: 'fraction per sqrt(year)', why: 'BTC runs at 0.5 to 0.8, small caps at 1 to 3; 10 is no market' },
  thetaPerSecond: { min: 1e-9, max: 1, unit: '1/s', why: 'half-lives from 0.7 s to 22 years; the stationary law needs theta > 0' },
  basisFraction: { min: -0.5, max: 0.5, unit: 'fraction', why: 'perps trade within a few percent of spot; 50% is a broken market' },
  basisSigma: { min: 0, max: 0.1, unit: 'fraction per sqrt(s)', why: 'a basis moving 10% in a second is no perp' },
  fundingRatePerInterval: {
    min: -MAX_ABS_FUNDING_RATE_PER_INTERVAL,
    max: MAX_ABS_FUNDING_RATE_PER_INTERVAL,
    unit: 'fraction per interval',
    why: 'the plausibility bound of a funding rate (src/domain/plausibility.ts): |rate| <= 10% per interval',
  },
  capRatePerInterval: { min: 0, max: MAX_ABS_FUNDING_RATE_PER_INTERVAL, unit: 'fraction per interval', why: 'venues cap funding at 0.75% to 4% per interval; 10% is the plausibility bound' },
  meanVolume: { min: 0, minExclusive: true, max: 1e12, unit: 'base units', why: 'a positive mean bar volume, at most a trillion units' },
} satisfies Record<string, NumberRange>;

/** Limits of a sweep, checked before anything runs (src/engine/sweep/sweepLimits.ts). */
export const SWEEP_LIMITS = {
  /** Values listed for one grid path. */
  valuesPerPath: 1000,
  /** Paths in one grid. */
  paths: 20,
  /** Grid combinations (the product of the values per path). */
  combinations: 10_000,
  /** Walk-forward folds. */
  folds: 5000,
  /**
   * Days simulated by all the backtests together: at about 500 simulated days per second per core
   * (measured: a 10-year synthetic backtest in 7 s), a million days is 30 to 60 minutes of one core.
   */
  simulatedDays: 1_000_000,
} as const;

export const WORKER_RANGE: NumberRange = {
  min: 1,
  max: 64,
  integer: true,
  unit: 'threads',
  why: 'each worker replays one backtest on its own core; beyond 64 they only wait for each other',
};
