import fc from 'fast-check';
import { describe, it } from 'vitest';
import { instrumentFromSymbol } from '../../src/domain/instrument.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import type { SimulatedVenueConfig } from '../../src/venues/sim/simConfig.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { configMutation } from './support/mutateConfig.ts';
import { expectContract, outcomeOf } from './support/outcome.ts';
import { expectNoPollution } from './support/prototypes.ts';
import { Tally } from './support/tally.ts';

const instruments = [
  { ...instrumentFromSymbol('sim', 'BTC/USDT'), makerFeeRate: 0.001, takerFeeRate: 0.001, lotSize: 0.00001, tickSize: 0.01 },
  { ...instrumentFromSymbol('sim', 'BTC/USDT:USDT'), contractSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, fundingIntervalMs: 8 * 3_600_000 },
];
/** Every setting of a simulated venue, set (SimVenueSettingsSchema). */
const settings = {
  venue: 'sim',
  balances: { USDT: 100_000, BTC: 1 },
  fees: { default: { makerFeeRate: 0.0002, takerFeeRate: 0.0005 }, bySymbol: { 'BTC/USDT': { takerFeeRate: 0.001 } } },
  fill: { halfSpreadBps: 1, slippageCoefficientBps: 0.5, slippageExponent: 1, maxSlippageBps: 50, limitFillRequiresTradeThrough: true, bySymbol: { 'BTC/USDT:USDT': { halfSpreadBps: 0.5 } } },
  latency: { kind: 'uniform', minLatencyMs: 5, maxLatencyMs: 50, seed: 3 },
  margin: { defaults: { leverage: 3, maintenanceMarginRate: 0.005, marginMode: 'cross' }, bySymbol: { 'BTC/USDT:USDT': { leverage: 2 } }, liquidationFeeRate: 0.001 },
  borrow: { borrowRateAnnualByAsset: { BTC: 0.05 }, spotShortMarginRate: 0.1 },
};

describe('fuzz: simulated venue settings', () => {
  it('damaged settings make a venue or a ConfigError, never a crash', async () => {
    const tally = new Tally('simVenueSettings 1');
    await checkProperty(
      fc.asyncProperty(configMutation('sim venue settings', settings), async ({ value }) => {
        const config = { ...(value as object), instruments } as SimulatedVenueConfig;
        const outcome = await outcomeOf(() => new SimulatedVenue(config));
        tally.add(outcome);
        expectNoPollution();
        expectContract(outcome);
      }),
      300,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
