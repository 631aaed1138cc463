import { z } from 'zod';
import { withCrossChecks, type CrossProblem } from '../../domain/config/crossChecks.ts';
import { assetNameSchema } from '../../domain/config/keys.ts';
import { numberIn } from '../../domain/config/range.ts';
import { LATEST_CONFIG_TIME_MS, RANGES } from '../../domain/config/ranges.ts';

/** The synthetic generator's options (SyntheticMarketOptions, src/data/synthetic/market.ts), each with its documented range. */
export const syntheticOptionShape = {
  seed: numberIn(RANGES.seed),
  /** Open time of the first spot bar, ms UTC. */
  startMs: numberIn(RANGES.generatorStartMs),
  barIntervalMs: numberIn(RANGES.barIntervalMs),
  /** Number of spot bars. */
  bars: numberIn(RANGES.bars),
  /** Perp bars: the LAST perpBars bars of the spot span (a later listing); null = bars. */
  perpBars: numberIn(RANGES.bars).nullable(),
  stepsPerBar: numberIn(RANGES.stepsPerBar),
  fundingIntervalMs: numberIn(RANGES.fundingIntervalMs),
  initialPrice: numberIn(RANGES.initialPrice),
  gbmDriftAnnual: numberIn(RANGES.driftAnnual),
  gbmVolAnnual: numberIn(RANGES.volAnnual),
  /** OU basis s = perp / spot - 1: ds = theta (mu - s) dt + sigma dW, t in seconds. */
  thetaPerSecond: numberIn(RANGES.thetaPerSecond),
  mu: numberIn(RANGES.basisFraction),
  sigmaPerSqrtSecond: numberIn(RANGES.basisSigma),
  /** Basis at the start; null: drawn from the stationary law. */
  initialBasis: numberIn(RANGES.basisFraction).nullable(),
  interestRatePerInterval: numberIn(RANGES.fundingRatePerInterval),
  capRatePerInterval: numberIn(RANGES.capRatePerInterval),
  meanVolume: numberIn(RANGES.meanVolume),
  /** Expiry of a dated future on the same mid, ms UTC (its symbol BASE/QUOTE:QUOTE-YYMMDD); null: none. */
  futureExpiryMs: numberIn(RANGES.generatorStartMs).nullable(),
  /** The future's annualised carry over the mid, decaying linearly to 0 at its expiry (0.1 = 10% a year). */
  futureBasisAnnual: numberIn(RANGES.apr),
  base: assetNameSchema,
  quote: assetNameSchema,
};

type Options = z.output<z.ZodObject<typeof syntheticOptionShape>>;

/** Problems between options; `at` maps a field to the path reported (the backtest reports bars as data.days). */
export function syntheticOptionPairProblems(o: Options, at: (field: keyof Options) => PropertyKey[] = (f) => [f]): CrossProblem[] {
  const problems: CrossProblem[] = [];
  const problem = (field: keyof Options, message: string) => problems.push({ path: at(field), message });
  if (o.perpBars !== null && o.perpBars > o.bars) problem('perpBars', `must be at most bars (${o.bars}) (got ${o.perpBars})`);
  if (o.barIntervalMs % 1000 !== 0) problem('barIntervalMs', `must be whole seconds (got ${o.barIntervalMs})`);
  if (o.fundingIntervalMs < o.barIntervalMs) problem('fundingIntervalMs', `must be at least barIntervalMs (${o.barIntervalMs}) (got ${o.fundingIntervalMs})`);
  if (o.futureExpiryMs !== null && !(o.futureExpiryMs >= o.startMs + o.barIntervalMs)) problem('futureExpiryMs', `must be at least one bar after startMs (${o.startMs + o.barIntervalMs}) (got ${o.futureExpiryMs})`);
  const endMs = o.startMs + o.bars * o.barIntervalMs;
  if (endMs > LATEST_CONFIG_TIME_MS) problem('bars', `the market would end after 2100-01-01 (startMs + bars x barIntervalMs = ${endMs})`);
  return problems;
}

/** Every option, all required (the generator fills its defaults first). */
export const SyntheticMarketOptionsSchema = withCrossChecks(z.strictObject(syntheticOptionShape), (o) => syntheticOptionPairProblems(o));
