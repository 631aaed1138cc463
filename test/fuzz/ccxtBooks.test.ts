import fc from 'fast-check';
import type { OrderBook } from 'ccxt';
import { describe, it } from 'vitest';
import { toBookSnapshot } from '../../src/venues/ccxt/books.ts';
import { ccxtLevels, ccxtShaped } from './support/ccxtShaped.ts';
import { bookProblem } from './support/eventInvariants.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { expectMapped } from './support/mapperContract.ts';
import { Tally } from './support/tally.ts';

const NOW = Date.UTC(2024, 5, 3);

describe('fuzz: ccxt order books', () => {
  it('toBookSnapshot: an odd book is a sorted, uncrossed, plausible snapshot or an InputError naming venue and symbol', async () => {
    const tally = new Tally('toBookSnapshot');
    const book = fc
      .record({ bids: ccxtLevels(67750.1, -0.1, 5), asks: ccxtLevels(67750.2, 0.1, 5) })
      .chain(({ bids, asks }) => ccxtShaped('OrderBook', { symbol: 'BTC/USDT:USDT', bids, asks, timestamp: NOW - 50, datetime: new Date(NOW - 50).toISOString(), nonce: 123456 }));
    const depth = fc.constantFrom(undefined, 0, 1, 3, 50);
    // 1: base units; a linear contract's size (OKX 0.01 BTC, Gate 0.0001 BTC); an inverse one stays 1.
    const multiplier = fc.constantFrom(1, 0.01, 0.0001, 100, 1e6);
    await checkProperty(
      fc.asyncProperty(book, depth, multiplier, async (b, d, m) => {
        await expectMapped(tally, () => toBookSnapshot('okx', 'BTC/USDT:USDT', b as unknown as OrderBook, NOW, d, m), (s) => bookProblem(s, NOW), 'okx orderBook BTC/USDT:USDT');
      }),
      400,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
