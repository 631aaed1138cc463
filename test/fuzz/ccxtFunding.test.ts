import fc from 'fast-check';
import type { FundingRate, FundingRateHistory } from 'ccxt';
import { describe, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { toFundingQuote, toFundingSettlement } from '../../src/venues/ccxt/funding.ts';
import { ccxtShaped } from './support/ccxtShaped.ts';
import { fundingQuoteProblem, fundingSettlementProblem } from './support/eventInvariants.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { expectMapped } from './support/mapperContract.ts';
import { Tally } from './support/tally.ts';

const NOW = Date.UTC(2024, 5, 3);

/** fetchFundingRate's structure as ccxt builds it from a Binance premiumIndex answer. */
const RATE = {
  info: { symbol: 'BTCUSDT', lastFundingRate: '0.00010000' },
  symbol: 'BTC/USDT:USDT',
  markPrice: 67800.1,
  indexPrice: 67781.8,
  interestRate: 0.0001,
  estimatedSettlePrice: 67790.2,
  timestamp: NOW - 1000,
  datetime: new Date(NOW - 1000).toISOString(),
  fundingRate: 0.0001,
  fundingTimestamp: NOW + 8 * HOUR_MS,
  fundingDatetime: new Date(NOW + 8 * HOUR_MS).toISOString(),
  nextFundingRate: undefined,
  nextFundingTimestamp: undefined,
  previousFundingRate: undefined,
  interval: '8h',
};

/** One fetchFundingRateHistory row (Deribit's carries interest_1h in info, read instead of fundingRate). */
const ROW = { info: { interest_1h: '0.0000125', interest_8h: '0.0001' }, symbol: 'BTC/USD:BTC', fundingRate: 0.0001, timestamp: NOW - 8 * HOUR_MS, datetime: new Date(NOW - 8 * HOUR_MS).toISOString() };

describe('fuzz: ccxt funding mappers', () => {
  it('toFundingQuote: an odd funding-rate structure is a plausible quote or an InputError naming venue and method', async () => {
    const tally = new Tally('toFundingQuote');
    await checkProperty(
      fc.asyncProperty(ccxtShaped('FundingRate', RATE), fc.constantFrom('fetchFundingRate', 'fetchFundingRates'), async (rate, method) => {
        await expectMapped(tally, () => toFundingQuote('binance', rate as unknown as FundingRate, NOW, method), (q) => fundingQuoteProblem(q, NOW), `binance ${method}`);
      }),
      400,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);

  it('toFundingSettlement: an odd history row is a plausible settlement or an InputError naming venue and method', async () => {
    const tally = new Tally('toFundingSettlement');
    const interval = fc.constantFrom(null, HOUR_MS, 8 * HOUR_MS);
    const infoField = fc.constantFrom(undefined, 'interest_1h', 'missing_field');
    await checkProperty(
      fc.asyncProperty(ccxtShaped('FundingRateHistory', ROW), interval, infoField, async (row, intervalMs, field) => {
        await expectMapped(tally, () => toFundingSettlement('deribit', row as unknown as FundingRateHistory, intervalMs, field, NOW), (s) => fundingSettlementProblem(s, NOW), 'deribit fetchFundingRateHistory');
      }),
      400,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
