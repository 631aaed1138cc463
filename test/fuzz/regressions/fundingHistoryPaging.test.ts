import type { Exchange, FundingRateHistory } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/core/time.ts';
import { fetchFundingHistoryPaged } from '../../../src/venues/ccxt/fundingHistory.ts';

const NOW = Date.UTC(2024, 5, 3);
const row = (timestamp: number) => ({ symbol: 'BTC/USDT:USDT', timestamp, fundingRate: 0.0001, info: {} }) as unknown as FundingRateHistory;

/** Found by test/fuzz/ccxtFundingHistory.test.ts (seed 20240603). */
describe('funding history paging against a venue that ignores its parameters', () => {
  it('numbered pages stop when a page brings no new settlement (it asked 10,000 times)', async () => {
    let requests = 0;
    const full = [0, 1, 2, 3, 4].map((k) => row(NOW - (k + 2) * 8 * HOUR_MS));
    const exchange = { fetchFundingRateHistory: async () => (requests++, full) } as unknown as Exchange;
    const rows = await fetchFundingHistoryPaged(exchange, 'BTC/USDT:USDT', NOW - 30 * 24 * HOUR_MS, NOW, { mode: 'pageNumber', pageParam: 'pageNo' }, { pageLimit: 5, maxPages: 10_000 }, NOW);
    expect(requests).toBe(2);
    expect(rows).toHaveLength(5);
  });

  it('a row without a finite time (kept for the mapper to name) does not unsort the others', async () => {
    const exchange = { fetchFundingRateHistory: async () => [row(NOW - 2 * HOUR_MS + 1), row(Number.NaN), row(NOW - 2 * HOUR_MS)] } as unknown as Exchange;
    const rows = await fetchFundingHistoryPaged(exchange, 'BTC/USDT:USDT', NOW - 24 * HOUR_MS, NOW, { mode: 'forward' }, { pageLimit: 5, maxPages: 10 }, NOW);
    expect(rows.map((r) => r.timestamp)).toEqual([NOW - 2 * HOUR_MS, NOW - 2 * HOUR_MS + 1, Number.NaN]);
  });
});
