import type { FundingRate, FundingRateHistory, OrderBook } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { toBookSnapshot } from '../../../src/venues/ccxt/books.ts';
import { toFundingQuote, toFundingSettlement } from '../../../src/venues/ccxt/funding.ts';

const NOW = Date.UTC(2024, 5, 3);

const thrown = (call: () => unknown): Error => {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
};

/** Found by test/fuzz/ccxtBooks.test.ts and ccxtFunding.test.ts (seed 20240603 and long runs). */
describe('ccxt mappers at the boundary', () => {
  const book = (bids: unknown, asks: unknown = [[101, 1]]) => ({ symbol: 'BTC/USDT:USDT', bids, asks, timestamp: NOW, nonce: 1 }) as unknown as OrderBook;

  it('a book side that is not a list, or a level that is not one, is an InputError (was: TypeError ... reading entries / not iterable)', () => {
    for (const bids of [undefined, null, 5, { 0: [100, 1] }]) {
      const error = thrown(() => toBookSnapshot('okx', 'BTC/USDT:USDT', book(bids), NOW));
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(/^okx orderBook BTC\/USDT:USDT: bids is not a list of \[price, size\] levels: /);
    }
    expect(thrown(() => toBookSnapshot('okx', 'BTC/USDT:USDT', book([7]), NOW)).message).toBe('okx orderBook BTC/USDT:USDT: bids[0] is not [price > 0, size >= 0]: 7');
    expect(thrown(() => toBookSnapshot('okx', 'BTC/USDT:USDT', book([null]), NOW))).toBeInstanceOf(InputError);
  });

  it('a size that overflows when turned into base units is an InputError, not an Infinity size', () => {
    const error = thrown(() => toBookSnapshot('okx', 'BTC/USDT:USDT', book([[100, 1.7976931348623157e308]]), NOW, undefined, 100));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('okx orderBook BTC/USDT:USDT: bids[0] size 1.7976931348623157e+308 x contract size 100 is not a finite amount');
  });

  it('a symbol or value with a line break or escape code gives a one-line message, and such a symbol is refused', () => {
    const rate = { symbol: '\n', fundingRate: 0.0001, timestamp: NOW - 1000 } as unknown as FundingRate;
    const error = thrown(() => toFundingQuote('binance', rate, NOW));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe("binance fetchFundingRate: the answer names the symbol '\\x0a', which holds control characters");
    const row = { symbol: 'BTC/USD:BTC', fundingRate: 0.0001, timestamp: '\n\u001b[2J' } as unknown as FundingRateHistory;
    expect(thrown(() => toFundingSettlement('deribit', row, null, undefined, NOW)).message).toBe('deribit fetchFundingRateHistory: BTC/USD:BTC timestamp is not a finite number (\\x0a\\x1b[2J)');
  });
});
