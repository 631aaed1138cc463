import { z } from 'zod';
import { parseConfig } from '../../domain/config/issue.ts';
import { assetNameSchema, venueIdSchema } from '../../domain/config/keys.ts';
import { numberIn } from '../../domain/config/range.ts';
import { RANGES } from '../../domain/config/ranges.ts';
import { parseSymbol } from '../../domain/symbol.ts';
import type { SimulatedVenueConfig } from './simConfig.ts';

/**
 * The settings of a simulated venue (SimulatedVenueConfig without its instruments), each number
 * with the documented range of the backtest config field it comes from; checked when the venue is
 * made, so a venue built in code is held to the same bounds as one from a config file.
 */

const symbolKey = z.string().superRefine((text, ctx) => {
  try {
    parseSymbol(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const feeRates = z.strictObject({ makerFeeRate: numberIn(RANGES.feeRate).optional(), takerFeeRate: numberIn(RANGES.feeRate).optional() });

const fillSettings = {
  halfSpreadBps: numberIn(RANGES.halfSpreadBps).optional(),
  slippageCoefficientBps: numberIn(RANGES.slippageBps).optional(),
  slippageExponent: numberIn(RANGES.slippageExponent).optional(),
  maxSlippageBps: numberIn(RANGES.slippageBps).optional(),
  limitFillRequiresTradeThrough: z.boolean().optional(),
};

const marginSettings = z.strictObject({
  leverage: numberIn(RANGES.leverage).optional(),
  maintenanceMarginRate: numberIn(RANGES.maintenanceMarginRate).optional(),
  marginMode: z.enum(['cross', 'isolated']).optional(),
});

const latency = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('fixed'), latencyMs: numberIn(RANGES.latencyMs) }),
  z.strictObject({ kind: z.literal('uniform'), minLatencyMs: numberIn(RANGES.latencyMs), maxLatencyMs: numberIn(RANGES.latencyMs), seed: numberIn(RANGES.seed) }),
]);

export const SimVenueSettingsSchema = z.strictObject({
  venue: venueIdSchema,
  balances: z.record(assetNameSchema, numberIn(RANGES.balance)),
  derivativesBalances: z.record(assetNameSchema, numberIn(RANGES.balance)).optional(),
  fees: z.strictObject({ default: feeRates.optional(), bySymbol: z.record(symbolKey, feeRates).optional() }).optional(),
  fill: z.strictObject({ ...fillSettings, bySymbol: z.record(symbolKey, z.strictObject(fillSettings)).optional() }).optional(),
  latency: latency.optional(),
  margin: z
    .strictObject({
      defaults: marginSettings.optional(),
      bySymbol: z.record(symbolKey, marginSettings).optional(),
      liquidationFeeRate: numberIn(RANGES.liquidationFeeRate).optional(),
    })
    .optional(),
  borrow: z
    .strictObject({
      borrowRateAnnualByAsset: z.record(assetNameSchema, numberIn(RANGES.borrowRateAnnual)).optional(),
      spotShortMarginRate: numberIn(RANGES.spotShortMarginRate).optional(),
    })
    .optional(),
});

/** Throws a ConfigError naming the venue and every setting out of range or unknown. */
export function checkSimVenueSettings(config: SimulatedVenueConfig): void {
  const { instruments: _instruments, ...settings } = config;
  parseConfig(SimVenueSettingsSchema, settings, `simulated venue ${JSON.stringify(config.venue)}`);
}
