import type { z } from 'zod';
import { SyntheticMarketOptionsSchema } from '../../data/synthetic/optionsSchema.ts';
import { BacktestConfigSchema } from '../../engine/backtestConfig.ts';
import { RunConfigSchema } from '../../engine/runtime/runConfig.ts';
import { SweepConfigSchema } from '../../engine/sweep/sweepConfig.ts';
import { scannerConfigSchema } from '../../strategy/scanner/config.ts';
import { SimVenueSettingsSchema } from '../../venues/sim/simSettingsSchema.ts';

/** Every config schema of the project: walked by test/config/schemaBounds.test.ts and rendered to docs/config-reference.md. */
export interface ConfigSchemaEntry {
  title: string;
  /** Where it is read (command and file). */
  readBy: string;
  source: string;
  schema: z.core.$ZodType;
}

export const CONFIG_SCHEMAS: readonly ConfigSchemaEntry[] = [
  { title: 'Backtest config', readBy: '`perp-arb backtest --config FILE`, the `base` of a sweep', source: 'src/engine/backtestConfig.ts', schema: BacktestConfigSchema },
  { title: 'Sweep file', readBy: '`perp-arb sweep --config FILE`', source: 'src/engine/sweep/sweepConfig.ts', schema: SweepConfigSchema },
  { title: 'Scanner config', readBy: '`perp-arb scan --config FILE` and its options', source: 'src/strategy/scanner/config.ts', schema: scannerConfigSchema },
  { title: 'Synthetic market generator', readBy: 'generateSyntheticMarket / syntheticMarketStream (a backtest sets seed, bars and barIntervalMs from `data`)', source: 'src/data/synthetic/optionsSchema.ts', schema: SyntheticMarketOptionsSchema },
  { title: 'Simulated venue', readBy: 'new SimulatedVenue(config) (a backtest builds it from `venues`)', source: 'src/venues/sim/simSettingsSchema.ts', schema: SimVenueSettingsSchema },
  { title: 'Session config', readBy: '`perp-arb run --config FILE` (a backtest config plus these)', source: 'src/engine/runtime/runConfig.ts', schema: RunConfigSchema },
];
