import type { Exchange, FundingRateHistory } from 'ccxt';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { eventTimeProblem } from '../../src/domain/plausibility.ts';
import { fetchFundingHistoryPaged, type FundingHistoryMode } from '../../src/venues/ccxt/fundingHistory.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';

const NOW = Date.UTC(2024, 5, 3);
const SINCE = NOW - 30 * 24 * HOUR_MS;
const UNTIL = NOW - 24 * HOUR_MS;
const PAGE_LIMIT = 5;

/** A venue that answers whatever it likes: each request gets the next scripted page (then the last one again), ignoring the paging parameters. */
function scriptedExchange(pages: FundingRateHistory[][]): { exchange: Exchange; requests: () => number } {
  let requests = 0;
  const exchange = { fetchFundingRateHistory: async () => pages[Math.min(requests++, pages.length - 1)] ?? [] } as unknown as Exchange;
  return { exchange, requests: () => requests };
}

const settlement = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: SINCE - 5 * 8 * HOUR_MS, max: UNTIL + 5 * 8 * HOUR_MS }) },
  { weight: 1, arbitrary: fc.constantFrom(253_402_300_800_000, 0, -1, Number.NaN) },
);
const row = settlement.map((timestamp) => ({ symbol: 'BTC/USDT:USDT', timestamp, fundingRate: 0.0001, info: {} }) as unknown as FundingRateHistory);
const pages = fc.array(fc.array(row, { maxLength: PAGE_LIMIT + 1 }), { minLength: 1, maxLength: 6 });
const modes: FundingHistoryMode[] = [{ mode: 'forward' }, { mode: 'backward', endParam: 'until', endExclusive: false }, { mode: 'backward', endParam: 'after', endExclusive: true, endAsString: true }, { mode: 'pageNumber', pageParam: 'pageNo' }];

describe('fuzz: ccxt funding history paging', () => {
  it('whatever pages a venue answers, paging stops soon, and the rows come back once each, oldest first', async () => {
    await checkProperty(
      fc.asyncProperty(pages, fc.constantFrom(...modes), async (script, mode) => {
        const { exchange, requests } = scriptedExchange(script);
        const rows = await fetchFundingHistoryPaged(exchange, 'BTC/USDT:USDT', SINCE, UNTIL, mode, { pageLimit: PAGE_LIMIT, maxPages: 10_000 }, NOW);
        // Every page after the first must bring a new row to go on: at most one request per distinct row, plus the last.
        const distinct = new Set(script.flat().map((r) => r.timestamp)).size;
        if (requests() > distinct + 2) throw new Error(`${requests()} requests for ${distinct} distinct settlement times (${mode.mode}): a venue that ignores the paging parameters keeps it asking`);
        // Rows with an implausible time come back too, for toFundingSettlement to name (fundingHistory.ts): the others are ordered.
        const times = rows.map((r) => r.timestamp ?? Number.NaN).filter((t) => eventTimeProblem('ts', t, NOW) === null);
        for (let k = 1; k < times.length; k++) if (!(times[k] > times[k - 1])) throw new Error(`rows not strictly increasing at ${k}: ${times[k - 1]}, ${times[k]}`);
      }),
      300,
    );
  }, PROPERTY_TIMEOUT_MS);
});
