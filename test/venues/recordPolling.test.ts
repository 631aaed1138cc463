import { describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { FundingRateEvent } from '../../src/domain/events.ts';
import { FundingRecording } from '../../src/ingest/record/fundingRecording.ts';
import { ccxtMarkBarSource, MarkBarRecording, type MarkBarSource } from '../../src/ingest/record/markBars.ts';
import { Recorder } from '../../src/ingest/record/recorder.ts';
import type { MarkBarRecord } from '../../src/ingest/record/recordTypes.ts';
import type { FundingRateQuoteEvent, MarketDataVenue } from '../../src/venues/types.ts';
import { VenueError } from '../../src/venues/types.ts';
import { useTempDirs } from '../support/tempDir.ts';
import { useVenueHarness } from './support/venueHarness.ts';

const SYMBOL = 'BTC/USDT:USDT';
const MIN = 60_000;
const EIGHT_H = 8 * 3_600_000;

/** A venue with scripted funding: `nextFundingMs()` says the announced settlement, `history` what the venue has settled. */
function fundingVenue(state: { now: number; nextFundingMs: number; predictedRate: number; history: FundingRateEvent[]; historyCalls: [number, number][] }): MarketDataVenue {
  const quote = (): FundingRateQuoteEvent => ({
    type: 'fundingQuote',
    tsSource: 'venue',
    venue: 'okx',
    symbol: SYMBOL,
    ts: state.now,
    receivedAt: state.now,
    fundingRatePerInterval: state.predictedRate,
    nextFundingTimeMs: state.nextFundingMs,
    fundingIntervalMs: EIGHT_H,
    markPrice: 67_000,
    indexPrice: 66_990,
  });
  return {
    venue: 'okx',
    fetchFundingRates: async () => [quote()],
    fetchFundingHistory: async (_symbol: string, sinceMs: number, untilMs: number) => {
      state.historyCalls.push([sinceMs, untilMs]);
      return state.history.filter((r) => r.ts >= sinceMs && r.ts < untilMs);
    },
    close: async () => undefined,
  } as unknown as MarketDataVenue;
}

const settlement = (ts: number, rate: number): FundingRateEvent => ({ type: 'funding', venue: 'okx', symbol: SYMBOL, ts, receivedAt: null, fundingRatePerInterval: rate, fundingIntervalMs: EIGHT_H, markPrice: null });

const bar = (ts: number, close: number, receivedAt: number): MarkBarRecord => ({ kind: 'markBar', symbol: SYMBOL, ts, receivedAt, open: close - 1, high: close + 1, low: close - 2, close });

describe('funding while recording', () => {
  it('records a settlement only once its time has passed and the venue reports it; the predicted rate is never one', async () => {
    const T = 1_717_401_600_000; // 2024-06-03T08:00Z
    const state = { now: T - 2 * MIN, nextFundingMs: T, predictedRate: 0.00031, history: [] as FundingRateEvent[], historyCalls: [] as [number, number][] };
    const funding = new FundingRecording({ venue: fundingVenue(state), symbols: [SYMBOL], now: () => state.now });

    const first = await funding.poll();
    expect(first.map((e) => e.type)).toEqual(['fundingQuote']);
    expect(state.historyCalls).toEqual([]);

    // The settlement time passes; the venue announces the next one but its history lacks the settlement yet.
    state.now = T + 1_000;
    state.nextFundingMs = T + EIGHT_H;
    state.predictedRate = 0.00012;
    expect((await funding.poll()).map((e) => e.type)).toEqual(['fundingQuote']);
    expect(state.historyCalls).toEqual([[T - MIN, T + 1_001]]);

    // Next poll: the venue has settled (stamped 4 ms late) at a rate that is neither predicted value.
    state.now = T + 61_000;
    state.history = [settlement(T - EIGHT_H, 0.0002), settlement(T + 4, 0.000285)];
    const third = await funding.poll();
    expect(third.map((e) => e.type)).toEqual(['fundingQuote', 'settlement']);
    expect(third[1]).toEqual({ type: 'settlement', record: { kind: 'funding', symbol: SYMBOL, ts: T + 4, receivedAt: T + 61_000, rate: 0.000285, intervalMs: EIGHT_H, markPrice: null } });

    // Nothing more is asked for that settlement.
    state.now = T + 121_000;
    expect((await funding.poll()).map((e) => e.type)).toEqual(['fundingQuote']);
    expect(state.historyCalls).toHaveLength(2);
  });

  it('reports a settlement the venue never shows after maxPolls, and stops asking', async () => {
    const T = 1_717_401_600_000;
    const state = { now: T - MIN, nextFundingMs: T, predictedRate: 0.0001, history: [] as FundingRateEvent[], historyCalls: [] as [number, number][] };
    const funding = new FundingRecording({ venue: fundingVenue(state), symbols: [SYMBOL], now: () => state.now, maxPolls: 2 });
    await funding.poll();
    state.now = T + 1;
    state.nextFundingMs = T + EIGHT_H;
    expect((await funding.poll()).map((e) => e.type)).toEqual(['fundingQuote']);
    expect(await funding.poll()).toContainEqual({ type: 'settlementMissing', symbol: SYMBOL, settlementMs: T, polls: 2 });
    await funding.poll();
    expect(state.historyCalls).toHaveLength(2);
  });
});

describe('a funding history row without the venue time', () => {
  it('is refused and reported, never stored as a settlement; the venue-stamped row is stored when it comes', async () => {
    const T = 1_717_401_600_000;
    const state = { now: T - MIN, nextFundingMs: T, predictedRate: 0.0001, history: [] as FundingRateEvent[], historyCalls: [] as [number, number][] };
    const funding = new FundingRecording({ venue: fundingVenue(state), symbols: [SYMBOL], now: () => state.now });
    await funding.poll();
    state.now = T + 1_000;
    state.nextFundingMs = T + EIGHT_H;
    // Stamped only with its receipt time, which falls inside the settlement's tolerance.
    state.history = [{ ...settlement(T + 900, 0.00025), tsSource: 'receipt' }];
    const refused = await funding.poll();
    expect(refused.map((e) => e.type)).toEqual(['fundingQuote', 'settlementWithoutVenueTime']);
    expect(refused[1]).toEqual({ type: 'settlementWithoutVenueTime', symbol: SYMBOL, settlementMs: T, receiptTs: T + 900 });
    state.now = T + 61_000;
    state.history = [settlement(T + 4, 0.00025)];
    const stored = await funding.poll();
    expect(stored[1]).toEqual({ type: 'settlement', record: { kind: 'funding', symbol: SYMBOL, ts: T + 4, receivedAt: T + 61_000, rate: 0.00025, intervalMs: EIGHT_H, markPrice: null } });
  });
});

describe('mark candles while recording', () => {

  it('keeps closed candles from the minute recording started, each once; the open candle waits for a later poll', async () => {
    const M = 1_717_372_800_000;
    const calls: number[] = [];
    let answer: MarkBarRecord[] = [];
    const source: MarkBarSource = {
      fetchMarkBars: async (_symbol, sinceMs) => {
        calls.push(sinceMs);
        return answer;
      },
    };
    const marks = new MarkBarRecording(source, [SYMBOL], M + 25_000);
    answer = [bar(M - MIN, 9, M + 130_000), bar(M + MIN, 11, M + 130_000), bar(M, 10, M + 130_000), bar(M + 2 * MIN, 12, M + 130_000)];
    expect((await marks.poll()).map((b) => [b.ts, b.close])).toEqual([
      [M, 10],
      [M + MIN, 11],
    ]);
    answer = [bar(M + MIN, 11, M + 190_000), bar(M + 2 * MIN, 12.5, M + 190_000)];
    expect((await marks.poll()).map((b) => [b.ts, b.close])).toEqual([[M + 2 * MIN, 12.5]]);
    expect(calls).toEqual([M, M + 2 * MIN]);
  });

  const harness = useVenueHarness('okx');

  it("reads okx's mark-price candles through ccxt, and names a bad candle", async () => {
    const M = 1_717_372_800_000;
    let candles = [
      [String(M + MIN), '67010.1', '67020', '67000', '67015.5', '0'],
      [String(M), '67000', '67012', '66990.5', '67010.1', '1'],
    ];
    harness.server().override((request, res) => {
      if (!request.path.includes('mark-price-candles')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: '0', msg: '', data: candles }));
      return true;
    });
    const venue = harness.venue();
    await venue.exchange.loadMarkets();
    const source = ccxtMarkBarSource(venue.exchange, 'okx', () => M + 2 * MIN);
    expect(await source.fetchMarkBars(SYMBOL, M)).toEqual([
      { kind: 'markBar', symbol: SYMBOL, ts: M, receivedAt: M + 2 * MIN, open: 67000, high: 67012, low: 66990.5, close: 67010.1 },
      { kind: 'markBar', symbol: SYMBOL, ts: M + MIN, receivedAt: M + 2 * MIN, open: 67010.1, high: 67020, low: 67000, close: 67015.5 },
    ]);
    const markRequest = harness.server().requests.find((r) => r.path.includes('mark-price-candles'));
    expect(markRequest?.query).toMatchObject({ instId: 'BTC-USDT-SWAP', bar: '1m' });
    candles = [[String(M), '67000', '66000', '66990.5', '67010.1', '1']];
    await expect(source.fetchMarkBars(SYMBOL, M)).rejects.toThrow(/^okx fetchMarkOHLCV BTC\/USDT:USDT: candle 0 is not \[ts, open, high, low, close\] with high >= open, close >= low > 0: \[1717372800000,67000,66000,66990.5,67010.1/);
  });

  it('a venue without mark candles is refused with the method named', () => {
    const venue = harness.venue({}) as unknown as { exchange: { has: Record<string, unknown>; id: string } };
    venue.exchange.has = { ...venue.exchange.has, fetchMarkOHLCV: false };
    expect(() => ccxtMarkBarSource(venue.exchange as never, 'okx', Date.now)).toThrow(VenueError);
    expect(() => ccxtMarkBarSource(venue.exchange as never, 'okx', Date.now)).toThrow("okx fetchMarkOHLCV: unsupported: ccxt 'okx' has no fetchMarkOHLCV");
  });
});

describe('Recorder with funding and mark candles (in process)', () => {
  const tempDir = useTempDirs();

  it('stores settlements in funding and mark candles in mark_bars, logs the funding quotes, and leaves no journal', async () => {
    const store = tempDir();
    const start = Date.now();
    const T = start + 150; // a settlement due while recording
    const state = { now: start, nextFundingMs: T, predictedRate: 0.00031, history: [settlement(T, 0.000285)], historyCalls: [] as [number, number][] };
    const venue = fundingVenue(state);
    (venue as { fetchFundingRates: unknown }).fetchFundingRates = async () => {
      state.now = Date.now();
      if (state.now > T) state.nextFundingMs = T + EIGHT_H;
      return [{ type: 'fundingQuote', tsSource: 'venue', venue: 'okx', symbol: SYMBOL, ts: state.now, receivedAt: state.now, fundingRatePerInterval: state.predictedRate, nextFundingTimeMs: state.nextFundingMs, fundingIntervalMs: EIGHT_H, markPrice: 67_000, indexPrice: null }];
    };
    const M = Math.floor(start / MIN) * MIN;
    const markBars: MarkBarSource = {
      fetchMarkBars: async () => [bar(M, 67_010, M + 2 * MIN), bar(M + MIN, 67_020, M + 2 * MIN)].map((b) => ({ ...b })),
    };
    const recorder = await Recorder.start({ venue, symbols: [SYMBOL], kinds: ['funding', 'mark'], depth: null, store: new MarketStore(store), markBars, fundingPollMs: 40, markPollMs: 40 });
    while (state.historyCalls.length === 0 || Date.now() < T + 200) await new Promise((r) => setTimeout(r, 20));
    const summary = await recorder.stop('test');
    expect(summary.error).toBeNull();
    expect(summary.health.pollErrors).toBe(0);
    expect(summary.counts.fundingSettlements).toBe(1);
    expect(summary.counts.fundingQuotes).toBeGreaterThanOrEqual(2);
    expect(summary.journalLeft).toBeNull();

    const funding = await new MarketStore(store).read({ table: 'funding', venue: 'okx', symbol: SYMBOL, timeframe: null });
    expect(Array.from(funding.columns.ts as Float64Array)).toEqual([T]);
    expect(Array.from(funding.columns.rate as Float64Array)).toEqual([0.000285]); // never the predicted 0.00031
    const mark = await new MarketStore(store).read({ table: 'mark_bars', venue: 'okx', symbol: SYMBOL, timeframe: '1m' });
    expect(Array.from(mark.columns.ts as Float64Array)).toEqual([M, M + MIN]);
    expect(Array.from(mark.columns.close as Float64Array)).toEqual([67_010, 67_020]);
    expect(Array.from(mark.columns.volume as Float64Array).every(Number.isNaN)).toBe(true);
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(summary.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; fundingRatePerInterval?: number });
    expect(log.filter((e) => e.type === 'fundingQuote')[0]).toMatchObject({ fundingRatePerInterval: 0.00031, nextFundingTimeMs: T });
  });
});
