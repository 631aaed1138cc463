/**
 * Scanner configuration: one schema (zod, unknown keys rejected at every level), every field
 * documented, the seed's thresholds as defaults (funding 0.01% per 8 h, spread 0.1%, basis 0.2%).
 * Units are in the names: fractions are `...Rate`/`...Fraction`, basis points `...Bps`, times `...Ms`.
 */
import { editorSchemaField, readConfigFile } from '../../domain/config/configFile.ts';
import { z } from 'zod';
import { DAY_MS, MINUTE_MS } from '../../core/time.ts';
import { parseConfig } from '../../domain/config/issue.ts';
import { venueIdSchema } from '../../domain/config/keys.ts';
import { numberIn } from '../../domain/config/range.ts';
import { RANGES } from '../../domain/config/ranges.ts';

const feeRate = () => numberIn(RANGES.feeRate);

const venueFeesSchema = z.strictObject({
  /** Taker fee on this venue, fraction of notional per trade (0.0005 = 5 bps). */
  takerFeeRate: feeRate().optional(),
  /** Maker fee on this venue (may be negative: a rebate). */
  makerFeeRate: feeRate().optional(),
});

export const scannerConfigSchema = z.strictObject({
  $schema: editorSchemaField,
  /** Target size of every leg, in quote currency (USD, or the USD stablecoin the market is quoted in). */
  notionalUsd: numberIn(RANGES.notionalUsd).default(10_000),
  /** How long a carry, basis, spread or funding-differential position is assumed to be held (calendar spreads are held to expiry). */
  holdingPeriodMs: numberIn(RANGES.holdingPeriodMs).default(7 * DAY_MS),
  /** 'taker': cross the book (walk it where depth is known) at taker fees; 'maker': rest at the own side of the touch at maker fees. */
  feeMode: z.enum(['taker', 'maker']).default('taker'),
  /** Default taker fee, fraction per trade, when neither the venue entry below nor the instrument gives one. */
  takerFeeRate: feeRate().default(0.0005),
  /** Default maker fee, fraction per trade. */
  makerFeeRate: feeRate().default(0.0002),
  /** When set, this fee applies to every leg, whatever the mode, venue or instrument. */
  feeRate: feeRate().nullable().default(null),
  /** Fee overrides per venue id (they win over the instrument's own fees). */
  venueFees: z.record(venueIdSchema, venueFeesSchema).default({}),
  /** Borrow cost of a short spot leg, fraction per year (the seed's 0.01% per day = 0.0365). */
  spotBorrowRatePerYear: numberIn(RANGES.scannerBorrowRatePerYear).default(0.0365),
  /** A price older than this at the scan time is not used at all (a bar counts from its close). */
  maxPriceAgeMs: numberIn(RANGES.maxAgeMs).default(DAY_MS),
  /** A funding rate whose settlement is older than this at the scan time is not used (a predicted rate is always used). */
  maxFundingAgeMs: numberIn(RANGES.maxAgeMs).default(DAY_MS),
  /**
   * Legs whose prices were observed further apart than this are not compared (a price gap between
   * two instants is no spread); null: half the shorter bar when a leg is priced from bars, else quoteLegSkewMs.
   */
  maxLegSkewMs: numberIn(RANGES.legSkewMs).nullable().default(null),
  /** The tolerance between two quotes or books (live venues, stored quotes) when maxLegSkewMs is null. */
  quoteLegSkewMs: numberIn(RANGES.legSkewMs).default(5_000),
  suspect: z
    .strictObject({
      /** An edge at least this many times its pair's median absolute edge over the history before the scan... */
      multipleOfMedian: numberIn(RANGES.suspectMultipleOfMedian).default(10),
      /** ...that has existed for at most this many consecutive observations (the current one included) is flagged suspect and ranked after clean ones; 0: never. */
      maxObservations: numberIn(RANGES.suspectObservations).default(1),
      /** Observations per series read before the scan time as the pair's history (store and snapshot scans; live scans have none). */
      historyPoints: numberIn(RANGES.historyPoints).default(1000),
      /** Pairs with fewer aligned observations in their history are not judged. */
      minHistoryPoints: numberIn(RANGES.minHistoryPoints).default(20),
      /**
       * Legs whose history implies one is observed more than this fraction of a bar before the other
       * (model/leadLag.ts; legs observed together show 0 to 0.02) are flagged legsMisaligned and ranked after clean ones.
       */
      maxImpliedLagFraction: numberIn(RANGES.impliedLagFraction).default(0.25),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      /** Funding carry and funding differentials: |rate| (or the difference), scaled to an 8 h interval, at least this fraction (seed: 0.0001 = 0.01%). */
      minFundingRatePer8h: numberIn(RANGES.fundingRatePer8h).default(0.0001),
      /** Cross-venue perp spreads: the mid-price gap at least this many bps (seed: 0.1% = 10 bps). */
      minSpreadBps: numberIn(RANGES.thresholdBps).default(10),
      /** Basis and calendar spreads: |basis| at mids at least this many bps (seed: 0.2% = 20 bps). */
      minBasisBps: numberIn(RANGES.thresholdBps).default(20),
      /** When set, list only opportunities whose net bps reach this. */
      minNetBps: numberIn(RANGES.netBps).nullable().default(null),
    })
    .prefault({}),
  flags: z
    .strictObject({
      /** A quote older than this (against the scan time) is flagged stale (and not used past maxPriceAgeMs). */
      staleQuoteMs: numberIn(RANGES.staleQuoteMs).default(MINUTE_MS),
      /** A dated future expiring sooner than this is flagged. */
      minTimeToExpiryMs: numberIn(RANGES.timeToExpiryMs).default(3 * DAY_MS),
    })
    .prefault({}),
});

export type ScannerConfig = z.output<typeof scannerConfigSchema>;
export type ScannerConfigInput = z.input<typeof scannerConfigSchema>;

export const DEFAULT_SCANNER_CONFIG: ScannerConfig = scannerConfigSchema.parse({});

/** Validates a config object; an unknown key or a bad value is a ConfigError (exit 2) naming it with its path (and the source). */
export function parseScannerConfig(value: unknown, source = 'config'): ScannerConfig {
  return parseConfig(scannerConfigSchema, value, source);
}

/** Reads and validates a JSON config file. */
export function loadScannerConfigFile(path: string): ScannerConfig {
  return parseScannerConfig(readConfigFile(path), path);
}

/** A config with some fields replaced (e.g. from command-line options), validated again. */
export function withOverrides(config: ScannerConfig, overrides: ScannerConfigInput, source = 'options'): ScannerConfig {
  return parseScannerConfig(
    {
      ...config,
      ...overrides,
      thresholds: { ...config.thresholds, ...overrides.thresholds },
      flags: { ...config.flags, ...overrides.flags },
      suspect: { ...config.suspect, ...overrides.suspect },
      venueFees: { ...config.venueFees, ...overrides.venueFees },
    },
    source,
  );
}
