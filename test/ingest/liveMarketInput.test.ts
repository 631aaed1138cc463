import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { Engine } from '../../src/engine/engine.ts';
import { liveMarketInput } from '../../src/ingest/live/liveMarketInput.ts';
import { NO_INTENTS, type MarketUpdate, type Strategy, type StrategyContext } from '../../src/strategy/types.ts';
import { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { loadVenueFixtures } from '../venues/support/fixtureFiles.ts';
import { startLoopbackServer, type LoopbackServer } from '../venues/support/loopbackServer.ts';

// The fixtures' clock (src/venues/ccxt/fixtures): 2024-06-03T00:00Z.
const NOW_MS = Date.UTC(2024, 5, 3);
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer([...loadVenueFixtures('okx')]);
});
afterAll(async () => {
  await server?.close();
});

/** Watches the OKX perp and records what the engine shows it. */
class Watcher implements Strategy {
  readonly name = 'watcher';
  readonly seen: string[] = [];
  snapshot: { bid: number; ask: number; predicted: number; next: number } | null = null;
  instruments() {
    return [{ venue: 'okx', symbol: 'BTC/USDT:USDT' }];
  }
  onEvent(update: MarketUpdate, context: StrategyContext) {
    this.seen.push(update.kind);
    const s = context.market.get('okx', 'BTC/USDT:USDT')!;
    this.snapshot = { bid: s.bid, ask: s.ask, predicted: s.predictedFundingRatePerInterval, next: s.nextFundingTimeMs };
    return NO_INTENTS;
  }
}

describe('the live market input (ccxt over loopback) drives the engine like a replay', () => {
  it('books become quotes events and the funding poll the predicted rate, with venue and receipt times', async () => {
    const venue = new CcxtMarketDataVenue('okx', { loopbackBaseUrl: server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1, now: () => NOW_MS });
    try {
      const [perp] = await venue.loadInstruments({ symbols: ['BTC/USDT:USDT'] });
      expect(perp.symbol).toBe('BTC/USDT:USDT');
      const controller = new AbortController();
      const reports: string[] = [];
      const input = liveMarketInput({ feeds: [{ venue, instruments: [perp] }], signal: controller.signal, now: () => NOW_MS, forcePolling: true, pollIntervalMs: 50, fundingPollMs: 50, depth: 5, onReport: (line) => reports.push(line) });
      expect(input.keys.map((k) => `${k.table}/${k.venue}/${k.symbol}`)).toEqual(['quotes/okx/BTC/USDT:USDT', 'funding_quotes/okx/BTC/USDT:USDT', 'funding/okx/BTC/USDT:USDT']);
      const strategy = new Watcher();
      const sim = new SimulatedVenue({ venue: 'okx', instruments: [perp], balances: { USDT: 1_000 } });
      const engine = new Engine({ venues: [sim], instruments: [perp], strategy, deposits: [{ venue: 'okx', asset: 'USDT', amount: 1_000 }] });
      const times: { table: string; ts: number; receivedAt: number; time: number }[] = [];
      engine.events.subscribe(
        (e) => {
          if (e.type !== 'market') return;
          times.push({ table: e.cursor.key.table, ts: e.cursor.columns.ts[0], receivedAt: e.cursor.columns.received_at[0], time: e.cursor.time });
          if (times.filter((t) => t.table === 'quotes').length >= 2 && times.some((t) => t.table === 'funding_quotes')) controller.abort();
        },
        { name: 'test', types: ['market'] },
      );
      const result = await engine.run(input);
      expect(result.stats.events).toBe(times.length);
      // OKX books-BTC-USDT-SWAP: best bid 67750.1, ask 67750.2; the funding-rate fixture: 0.0001 next at +8 h.
      expect(strategy.snapshot).toEqual({ bid: 67750.1, ask: 67750.2, predicted: 0.0001, next: NOW_MS + 8 * HOUR_MS });
      const quote = times.find((t) => t.table === 'quotes')!;
      expect(quote.receivedAt).toBe(NOW_MS);
      expect(quote.time).toBe(NOW_MS);
      expect(Number.isFinite(quote.ts)).toBe(true);
      expect(strategy.seen.every((k) => k === 'price')).toBe(true);
      expect(reports).toEqual([]);
      expect(result.fills).toEqual([]);
    } finally {
      await venue.close();
    }
  });
});
