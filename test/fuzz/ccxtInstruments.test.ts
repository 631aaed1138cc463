import ccxt, { type MarketInterface } from 'ccxt';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseManifest } from '../../src/data/store/manifest.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import { isSkipped, marketToInstrument, type SkippedMarket } from '../../src/venues/ccxt/instruments.ts';
import { ccxtShaped } from './support/ccxtShaped.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { expectMapped } from './support/mapperContract.ts';
import { Tally } from './support/tally.ts';

const FUTURE = {
  id: 'BTCUSDT_240628', symbol: 'BTC/USDT:USDT-240628', base: 'BTC', quote: 'USDT', settle: 'USDT', type: 'future', spot: false, swap: false, future: true, option: false,
  contract: true, linear: true, inverse: false, contractSize: 1, expiry: Date.UTC(2024, 5, 28, 8), precision: { price: 0.1, amount: 0.001 }, maker: 0.0002, taker: 0.0005, active: true,
};
const PERP = { ...FUTURE, id: 'BTC-USDT-SWAP', symbol: 'BTC/USDT:USDT', type: 'swap', swap: true, future: false, contractSize: 0.01, expiry: undefined };
const SPOT = { ...FUTURE, id: 'BTCUSDT', symbol: 'BTC/USDT', type: 'spot', spot: true, future: false, contract: false, settle: undefined, linear: undefined, inverse: undefined, contractSize: undefined, expiry: undefined };

/** What a store manifest must be able to hold (the store's own schema), and the numbers the sim venue divides by. */
function instrumentProblem(result: Instrument | SkippedMarket): string | null {
  if (isSkipped(result)) return typeof result.reason === 'string' ? null : `skipped without a reason: ${String(result.reason)}`;
  const manifest = JSON.stringify({ format: 'perp-arb-store', version: 1, txid: 1, partitions: [], instruments: [result] });
  try {
    parseManifest(manifest, 'manifest.json');
  } catch (error) {
    return `a store could not read it back: ${(error as Error).message}`;
  }
  for (const field of ['contractSize', 'tickSize', 'lotSize'] as const) {
    const v = result[field];
    if (v !== null && !(Number.isFinite(v) && v > 0)) return `${field} ${v} is not a positive step`;
  }
  for (const field of ['makerFeeRate', 'takerFeeRate', 'expiryMs'] as const) {
    if (result[field] !== null && !Number.isFinite(result[field])) return `${field} ${result[field]} is not finite`;
  }
  return null;
}

describe('fuzz: ccxt markets', () => {
  it('marketToInstrument: an odd market is skipped with a reason, or an instrument a store can hold', async () => {
    const tally = new Tally('marketToInstrument');
    const market = fc.constantFrom(SPOT, PERP, FUTURE).chain((m) => ccxtShaped('Market', m as Record<string, unknown>));
    const mode = fc.constantFrom(ccxt.TICK_SIZE, ccxt.DECIMAL_PLACES, ccxt.SIGNIFICANT_DIGITS);
    await checkProperty(
      fc.asyncProperty(market, mode, async (m, precisionMode) => {
        await expectMapped(tally, () => marketToInstrument('okx', m as unknown as MarketInterface, precisionMode), instrumentProblem);
      }),
      400,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
