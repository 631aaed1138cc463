import { editorSchemaField, readConfigFile } from '../domain/config/configFile.ts';
import { z } from 'zod';
import { MINUTE_MS, parseTimeArg, timeframeToMs } from '../core/time.ts';
import { DEFAULT_SYNTHETIC_OPTIONS, SYNTHETIC_VENUE, syntheticFutureSymbol } from '../data/synthetic/market.ts';
import { syntheticOptionPairProblems, syntheticOptionShape } from '../data/synthetic/optionsSchema.ts';
import { withCrossChecks, type CrossProblem } from '../domain/config/crossChecks.ts';
import { parseConfig } from '../domain/config/issue.ts';
import { assetNameSchema, VENUE_ID_RE, venueIdSchema } from '../domain/config/keys.ts';
import { numberIn } from '../domain/config/range.ts';
import { EARLIEST_MARKET_MS, LATEST_CONFIG_TIME_MS, RANGES } from '../domain/config/ranges.ts';
import { parseInstrumentId } from '../domain/instrument.ts';
import { StrategyConfigSchema } from '../strategy/registry.ts';
import { RiskConfigSchema } from '../risk/riskConfig.ts';

/**
 * The backtest config file (JSON), validated once, before any work: unknown keys are rejected at
 * every level and every number has a documented range (src/domain/config/ranges.ts,
 * docs/config-reference.md); a problem is a ConfigError (exit 2) naming the path and the range.
 *
 * {
 *   "strategy":    { "type": "fundingCarry", "params": { ...FundingCarryConfig (src/strategy/fundingCarry.ts) } }
 *                | { "type": "ouBasis", "params": { ...OuBasisConfig (src/strategy/ouBasis.ts) } }
 *                | { "type": "fundingDifferential", "params": { ...FundingDifferentialConfig (src/strategy/fundingDifferential.ts) } },
 *   "data":        { "source": "synthetic", "seed": 7, "days": 30, "options": { ...SyntheticMarketOptions but seed, bars, barIntervalMs } }
 *                | { "source": "store", "from": "2025-05-26", "to": "2025-06-24", "barTimeframe": "1m" },
 *   "instruments": [ { "id": "venue:SYMBOL", "makerFeeRate", "takerFeeRate", "lotSize", "tickSize" } ],
 *   "venues":      [ { "venue", "balances": { "USDT": 100000 }, "leverage", "maintenanceMarginRate",
 *                      "marginMode", "halfSpreadBps", "maxSlippageBps", "slippageCoefficientBps",
 *                      "latencyMs", "borrowRateAnnualByAsset" } ],
 *   "equitySampleMinutes": 60,
 *   "risk":        { "preTrade", "liquidation", "delta", "basis", "exits", "breakers" } (optional; src/risk/riskConfig.ts)
 * }
 * Instruments: from the store when the data is a store (facts it lacks, such as fees, must be given
 * here), from the symbol for synthetic data (venue 'synthetic', symbols SYN/USDT and SYN/USDT:USDT
 * by default). Fee rates in the config win over stored ones.
 */

/** Markets of one backtest: each is a replay series per table; a hundred covers any strategy here. */
const MAX_INSTRUMENTS = 100;
/** Simulated venues of one backtest. */
const MAX_VENUES = 20;

const instrumentIdText = z
  .string()
  .max(100)
  .superRefine((text, ctx) => {
    try {
      const { venue } = parseInstrumentId(text);
      if (!VENUE_ID_RE.test(venue)) ctx.addIssue({ code: 'custom', message: `'${venue}' is not a venue id (lower case letters, digits, _ and -)` });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

const InstrumentConfig = z.strictObject({
  /** 'venue:SYMBOL', e.g. binance:BTC/USDT:USDT. */
  id: instrumentIdText,
  makerFeeRate: numberIn(RANGES.feeRate).optional(),
  takerFeeRate: numberIn(RANGES.feeRate).optional(),
  /** Lot size in base units (null or absent: as stored / unchecked). */
  lotSize: numberIn(RANGES.sizeIncrement).nullable().optional(),
  tickSize: numberIn(RANGES.sizeIncrement).nullable().optional(),
});

const VenueConfig = withCrossChecks(
  z.strictObject({
    venue: venueIdSchema,
    /** Starting wallet per asset (with derivativesBalances: the spot wallet). */
    balances: z.record(assetNameSchema, numberIn(RANGES.balance)),
    /** A derivatives wallet apart from the spot one (as Binance's USDⓈ-M): the derivatives' margin comes only from it; a transfer moves money in. Absent: one wallet. */
    derivativesBalances: z.record(assetNameSchema, numberIn(RANGES.balance)).optional(),
    /** Leverage of every derivative (initial margin 1/leverage). */
    leverage: numberIn(RANGES.leverage).default(1),
    maintenanceMarginRate: numberIn(RANGES.maintenanceMarginRate).optional(),
    marginMode: z.enum(['cross', 'isolated']).default('cross'),
    /** Crossing cost against bars, bps of the close (half the spread). */
    halfSpreadBps: numberIn(RANGES.halfSpreadBps).optional(),
    slippageCoefficientBps: numberIn(RANGES.slippageBps).optional(),
    maxSlippageBps: numberIn(RANGES.slippageBps).optional(),
    /** Fixed order latency, ms (0: orders fill on the event that sent them). */
    latencyMs: numberIn(RANGES.latencyMs).default(0),
    /** Annual borrow rate per asset that may be shorted on spot, e.g. { "BTC": 0.05 }. */
    borrowRateAnnualByAsset: z.record(assetNameSchema, numberIn(RANGES.borrowRateAnnual)).optional(),
  }),
  (v) =>
    v.maintenanceMarginRate !== undefined && !(1 / v.leverage > v.maintenanceMarginRate)
      ? [{ path: ['maintenanceMarginRate'], message: `must be below the initial margin rate 1/leverage = ${1 / v.leverage} (got ${v.maintenanceMarginRate})` }]
      : [],
);

/** data.options: the generator's options but those data gives (seed) or sets (bars from days, 1-minute bars). */
const { seed: _seed, bars: _bars, barIntervalMs: _barIntervalMs, ...optionFields } = syntheticOptionShape;
const SyntheticDataOptions = z.strictObject({
  ...(Object.fromEntries(Object.entries(optionFields).map(([k, s]) => [k, s.optional()])) as { [K in keyof typeof optionFields]: z.ZodOptional<(typeof optionFields)[K]> }),
  /** A backtest replays market time: it starts no earlier than any real market. */
  startMs: numberIn(RANGES.startMs).optional(),
});

const SyntheticData = withCrossChecks(
  z.strictObject({
    source: z.literal('synthetic'),
    seed: numberIn(RANGES.seed),
    /** Length of the market, days of 1m bars. */
    days: numberIn(RANGES.days).default(30),
    /** Further generator options (src/data/synthetic/market.ts), e.g. interestRatePerInterval. */
    options: SyntheticDataOptions.default({}),
  }),
  (d) => {
    const resolved = { ...DEFAULT_SYNTHETIC_OPTIONS, ...d.options, seed: d.seed, bars: Math.round(d.days * 1440), barIntervalMs: MINUTE_MS };
    return syntheticOptionPairProblems(resolved, (field) => (field === 'bars' ? ['days'] : ['options', field]));
  },
);

const TIME_TEXT = 'a time from 2009-01-03 to 2100-01-01 (ISO-8601 like 2025-06-01T00:00Z, or epoch ms)';

/** Text that `parse` reads (it throws on bad text) into a value `ok` accepts; anything else is `message`. */
const parsedText = (maxLength: number, parse: (text: string) => number, ok: (value: number) => boolean, message: string) =>
  z
    .string()
    .max(maxLength)
    .superRefine((text, ctx) => {
      let value = Number.NaN;
      try {
        value = parse(text);
      } catch {
        // Reported below with the expected form.
      }
      if (!ok(value)) ctx.addIssue({ code: 'custom', message });
    });

/** A data.from / data.to time: parsed and inside the span any market data can have. */
const storeTime = parsedText(40, parseTimeArg, (ms) => ms >= EARLIEST_MARKET_MS && ms <= LATEST_CONFIG_TIME_MS, `must be ${TIME_TEXT}`);

/** Bars of 1 second to 1 week, as venues publish them. */
const barTimeframe = parsedText(10, timeframeToMs, (ms) => ms >= 1000 && ms <= 7 * 86_400_000, 'must be a timeframe from 1s to 1w, e.g. 1m, 1h, 8h, 1d');

const StoreData = withCrossChecks(
  z.strictObject({
    source: z.literal('store'),
    /** Inclusive start and exclusive end (ISO-8601 or epoch ms); absent: everything stored. */
    from: storeTime.optional(),
    to: storeTime.optional(),
    /** Timeframe of the trade bars to replay. */
    barTimeframe: barTimeframe.default('1m'),
  }),
  (d) => (d.from !== undefined && d.to !== undefined && parseTimeArg(d.from) >= parseTimeArg(d.to) ? [{ path: ['to'], message: `must be after data.from (${d.from})` }] : []),
);

/**
 * Problems between instruments, venues and the data that a run would otherwise only meet after it
 * started (found by fuzzing the schema): every instrument's venue is configured and every venue
 * trades an instrument; synthetic data has only its two markets, on venue 'synthetic', and no
 * fees of its own, so both fee rates must be given.
 */
export function instrumentProblems(c: { data: { source: string; options?: { base?: string; quote?: string } }; instruments: { id: string; makerFeeRate?: number; takerFeeRate?: number }[]; venues: { venue: string }[] }): CrossProblem[] {
  const problems: CrossProblem[] = [];
  const ids = c.instruments.map((i) => parseInstrumentId(i.id));
  const configured = new Set(c.venues.map((v) => v.venue));
  ids.forEach(({ venue }, k) => {
    if (!configured.has(venue)) problems.push({ path: ['instruments', k, 'id'], message: `venue '${venue}' is not configured under "venues"` });
  });
  c.venues.forEach((v, k) => {
    if (!ids.some((id) => id.venue === v.venue)) problems.push({ path: ['venues', k, 'venue'], message: `no instrument of the config is on venue '${v.venue}'` });
  });
  if (c.data.source !== 'synthetic') return problems;
  const base = c.data.options?.base ?? DEFAULT_SYNTHETIC_OPTIONS.base;
  const quote = c.data.options?.quote ?? DEFAULT_SYNTHETIC_OPTIONS.quote;
  const futureExpiryMs = (c.data.options as { futureExpiryMs?: number | null } | undefined)?.futureExpiryMs ?? null;
  const future = syntheticFutureSymbol({ base, quote, futureExpiryMs });
  const markets = [`${base}/${quote}`, `${base}/${quote}:${quote}`, ...(future === null ? [] : [future])];
  ids.forEach(({ venue, symbol }, k) => {
    if (venue !== SYNTHETIC_VENUE) problems.push({ path: ['instruments', k, 'id'], message: `synthetic data lives on venue '${SYNTHETIC_VENUE}' (got '${venue}')` });
    else if (!markets.includes(symbol)) problems.push({ path: ['instruments', k, 'id'], message: `the synthetic market has ${markets.join(' and ')} (got ${symbol})` });
    for (const field of ['makerFeeRate', 'takerFeeRate'] as const) {
      if (c.instruments[k][field] === undefined) problems.push({ path: ['instruments', k, field], message: 'is required with synthetic data (the synthetic market has no fees)' });
    }
  });
  return problems;
}

/** The backtest config's fields (a paper or live session's config extends them: runtime/runConfig.ts). */
export const BacktestConfigFields = z.strictObject({
  $schema: editorSchemaField,
  strategy: StrategyConfigSchema,
  data: z.discriminatedUnion('source', [SyntheticData, StoreData]),
  instruments: z.array(InstrumentConfig).min(1).max(MAX_INSTRUMENTS),
  venues: z.array(VenueConfig).min(1).max(MAX_VENUES),
  /** Equity curve sampling interval, minutes. */
  equitySampleMinutes: numberIn(RANGES.equitySampleMinutes).default(60),
  /** Pre-trade checks, monitors and breakers (src/risk/riskConfig.ts, README "Risk"); absent: only the safety minimum. */
  risk: RiskConfigSchema.optional(),
});

export const BacktestConfigSchema = withCrossChecks(BacktestConfigFields, instrumentProblems);

export type BacktestConfig = z.output<typeof BacktestConfigSchema>;
export type InstrumentOverrides = z.output<typeof InstrumentConfig>;

/** Validates a backtest config; a problem is a ConfigError naming `where` and the path after `pathPrefix` (e.g. 'base'). */
export function parseBacktestConfig(value: unknown, where = 'config', pathPrefix = ''): BacktestConfig {
  return parseConfig(BacktestConfigSchema, value, where, pathPrefix);
}

export function loadBacktestConfig(file: string): BacktestConfig {
  return parseBacktestConfig(readConfigFile(file), file);
}
