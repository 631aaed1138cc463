import ccxt, { type MarketInterface } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/data/store/manifest.ts';
import { marketToInstrument } from '../../../src/venues/ccxt/instruments.ts';
import { precisionToStep } from '../../../src/venues/ccxt/precision.ts';

/**
 * Found by test/fuzz/ccxtInstruments.test.ts (seed 20240603): a market whose settle (or base,
 * quote) was not a string became an instrument the store's manifest schema cannot read, and
 * `data download` and `record` note loaded instruments in the manifest: one odd venue answer
 * would have made the whole store unreadable.
 */
describe('ccxt market fields', () => {
  const perp = { id: 'BTC-USDT-SWAP', symbol: 'BTC/USDT:USDT', base: 'BTC', quote: 'USDT', settle: {}, type: 'swap', swap: true, contract: true, linear: true, contractSize: 0.01, precision: { price: 0.1, amount: 1 }, maker: 0.0002, taker: 0.0005 };

  it('base, quote and settle come from the unified symbol, so a store can always read the instrument back', () => {
    const instrument = marketToInstrument('okx', { ...perp, base: 7, quote: null } as unknown as MarketInterface, ccxt.TICK_SIZE);
    expect(instrument).toMatchObject({ base: 'BTC', quote: 'USDT', settle: 'USDT' });
    const manifest = JSON.stringify({ format: 'perp-arb-store', version: 1, txid: 1, partitions: [], instruments: [instrument] });
    expect(parseManifest(manifest, 'manifest.json').manifest.instruments).toHaveLength(1);
  });

  it('a precision of decimal places that is no double step (1e-400 is 0, 1e400 Infinity) gives no step', () => {
    expect(precisionToStep(400, ccxt.DECIMAL_PLACES)).toBeNull();
    expect(precisionToStep(-400, ccxt.DECIMAL_PLACES)).toBeNull();
    expect(precisionToStep(8, ccxt.DECIMAL_PLACES)).toBe(1e-8);
  });
});
