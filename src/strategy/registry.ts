import { z } from 'zod';
import { CalendarSpreadConfigSchema, CalendarSpreadStrategy } from './calendarSpread.ts';
import { CrossVenueSpreadConfigSchema, CrossVenueSpreadStrategy } from './crossVenueSpread.ts';
import { FundingCarryConfigSchema, FundingCarryStrategy } from './fundingCarry.ts';
import { FundingFlipConfigSchema, FundingFlipStrategy } from './fundingFlip.ts';
import { FundingDifferentialConfigSchema, FundingDifferentialStrategy } from './fundingDifferential.ts';
import { OuBasisConfigSchema, OuBasisStrategy } from './ouBasis.ts';
import type { Strategy } from './types.ts';

/** One strategy as configs name it: its `type`, its params schema, what it does and where it is documented. */
export interface StrategyEntry<T extends string = string, P extends z.ZodType = z.ZodType> {
  type: T;
  summary: string;
  /** Where the strategy and its params are explained. */
  docs: string;
  /** A backtest config that runs it (relative to the package), the start of `perp-arb config init`. */
  example: string;
  paramsSchema: P;
  create(params: z.output<P>): Strategy;
}

const defineStrategy = <T extends string, P extends z.ZodType>(e: StrategyEntry<T, P>) => e;

/**
 * Every strategy a config can name. backtest, sweep, start and the trading runtime read strategies
 * only through here, so a new strategy is one file plus one line below.
 */
export const STRATEGIES = [
  defineStrategy({ type: 'fundingCarry', summary: 'long spot / short perp while the annualised funding beats the round-trip cost', docs: 'src/strategy/fundingCarry.ts; README "perp-arb backtest"', example: 'examples/backtest-carry-synthetic.json', paramsSchema: FundingCarryConfigSchema, create: (p) => new FundingCarryStrategy(p) }),
  defineStrategy({ type: 'ouBasis', summary: 'the spot/perp basis as an OU process: enter beyond the fee-aware bands, close at the mean or before funding', docs: 'src/strategy/ouBasis.ts; docs/spread-model.md', example: 'examples/backtest-ou-synthetic.json', paramsSchema: OuBasisConfigSchema, create: (p) => new OuBasisStrategy(p) }),
  defineStrategy({ type: 'fundingDifferential', summary: 'short the perp with the high funding, long the one with the low, across venues', docs: 'src/strategy/fundingDifferential.ts; README "Cross-venue funding differential"', example: 'examples/backtest-fundingdiff-aha.json', paramsSchema: FundingDifferentialConfigSchema, create: (p) => new FundingDifferentialStrategy(p) }),
  defineStrategy({ type: 'crossVenueSpread', summary: 'long the cheaper perp on one venue, short the dearer on another: enter when the price spread beats fees and both legs\' funding, close at convergence, a stop or a maximum holding', docs: 'src/strategy/crossVenueSpread.ts; README "Cross-venue perp spread"', example: 'examples/backtest-perp-spread-aha.json', paramsSchema: CrossVenueSpreadConfigSchema, create: (p) => new CrossVenueSpreadStrategy(p) }),
  defineStrategy({ type: 'calendarSpread', summary: 'a dated future against its perp or spot: enter on the annualised basis net of costs and the hedge\'s funding, hold to the expiry settlement or close on convergence', docs: 'src/strategy/calendarSpread.ts; README "Calendar spread"', example: 'examples/backtest-calendar-synthetic.json', paramsSchema: CalendarSpreadConfigSchema, create: (p) => new CalendarSpreadStrategy(p) }),
  defineStrategy({ type: 'fundingFlip', summary: "carry the sign of funding's next reversal: enter or flip when the forecast (or the venue's quote) turns the sign and the expected funding over the next windows beats the round trip; exit when it turns against", docs: 'src/strategy/fundingFlip.ts; docs/funding-forecast.md', example: 'examples/backtest-fundingflip-aha.json', paramsSchema: FundingFlipConfigSchema, create: (p) => new FundingFlipStrategy(p) }),
] as const;

type Entries = typeof STRATEGIES;
export type StrategyType = Entries[number]['type'];
type OptionOf<E> = E extends StrategyEntry<infer T, infer P> ? z.ZodObject<{ type: z.ZodLiteral<T>; params: P }, z.core.$strict> : never;
type Option = OptionOf<Entries[number]>;

/** `{ "type": ..., "params": { ... } }` of a config: the type picks the params schema. */
export const StrategyConfigSchema = z.discriminatedUnion('type', STRATEGIES.map((e) => z.strictObject({ type: z.literal(e.type), params: e.paramsSchema })) as unknown as [Option, ...Option[]]);

export type StrategyConfig = z.output<typeof StrategyConfigSchema>;

export function strategyEntry(type: string): StrategyEntry {
  const found = STRATEGIES.find((e) => e.type === type);
  if (!found) throw new Error(`unknown strategy type '${type}' (one of ${STRATEGIES.map((e) => e.type).join(', ')})`);
  return found as unknown as StrategyEntry;
}

/** The strategy of a validated config. */
export function createStrategy(config: StrategyConfig): Strategy {
  return strategyEntry(config.type).create(config.params);
}
