import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/core/time.ts';
import { importPath } from '../../src/data/import/importPath.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { parseScannerConfig } from '../../src/strategy/scanner/config.ts';
import { applyLiveLoad, loadLive, type LiveVenueLoad, type LiveVenueReport } from '../../src/ingest/scanner/liveSource.ts';
import { LIVE_RETRY_INITIAL_MS, LIVE_RETRY_MAX_MS, liveRetryDelayMs, watchLive } from '../../src/ingest/scanner/liveWatch.ts';
import { Scanner } from '../../src/strategy/scanner/scanner.ts';
import { applyLoad, loadStoreState } from '../../src/ingest/scanner/stateSources.ts';
import { CcxtMarketDataVenue } from '../../src/venues/ccxt/ccxtMarketDataVenue.ts';
import { CLI, runCli } from '../support/cli.ts';
import { blockedConnections } from '../support/noInternet.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { loadVenueFixtures } from '../venues/support/fixtureFiles.ts';
import { describeRequest, startLoopbackServer, type LoggedRequest, type LoopbackServer } from '../venues/support/loopbackServer.ts';
import { NOW_MS } from '../venues/support/venueCases.ts';

/**
 * `perp-arb scan --live` over the loopback server serving the recorded payloads of
 * src/venues/ccxt/fixtures (binance, okx). The clock is the fixtures' 2024-06-03T00:00Z. The CLI runs
 * with the record command's loopback hook and, through NODE_OPTIONS, the same network guard as the
 * tests (test/support/noInternet.ts), so a request to any other host fails the scan.
 */

interface Leg {
  venue: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: number | null;
  fundingRatePerInterval?: number | null;
  fundingIntervalMs?: number | null;
  nextFundingTime?: string | null;
}
interface Opp {
  id: string;
  type: string;
  legs: Leg[];
  grossBps: number;
  netBps: number;
  apr: number;
  expectedProfitUsd: number;
  horizonMs: number;
  components: { convergenceBps: number; fundingBps: number; feesBps: number; crossingBps: number; borrowBps: number };
  flags: string[];
}
interface LiveJson {
  source: { kind: string; venues: string[]; assets: string[]; quotes: string[]; depth: number };
  asOf: string;
  venues: LiveVenueReport[];
  notes: string[];
  rejections: { source: string; line: number | null; reason: string }[];
  opportunities: Opp[];
}

const EIGHT_HOURS = 8 * HOUR_MS;
const YEAR_MS = 365 * 24 * HOUR_MS;
const GUARD = pathToFileURL(join(PROJECT_ROOT, 'test', 'support', 'noInternet.ts')).href;

// From the fixtures (src/venues/ccxt/fixtures/{binance,okx}/...): best bid / ask.
const BOOK = {
  binanceSpot: [67770.01, 67770.02], // spot-depth-BTCUSDT
  binancePerp: [67750.1, 67750.2], // usdm-depth-BTCUSDT
  binanceFuture: [68090.5, 68091.2], // usdm-depth-BTCUSDT_240628
  okxSpot: [67769.9, 67770], // books-BTC-USDT
  okxPerp: [67750.1, 67750.2], // books-BTC-USDT-SWAP
} as const;
const mid = ([bid, ask]: readonly number[]) => (bid + ask) / 2;

/** The recorded OKX BTC-USDT-SWAP books answer with every price moved by `delta` (an answer written by the test). */
function okxSwapBookMovedBy(delta: number): unknown {
  const swap = loadVenueFixtures('okx').find((f) => f.name === 'okx/books-BTC-USDT-SWAP.json')!;
  const body = structuredClone(swap.response.body) as { data: { asks: string[][]; bids: string[][] }[] };
  for (const side of [body.data[0].asks, body.data[0].bids]) for (const level of side) level[0] = String(Math.round((Number(level[0]) + delta) * 10) / 10);
  return body;
}
/** Round-trip crossing of one leg at the touch: (ask - bid) / mid. */
const crossing = (book: readonly number[]) => (book[1] - book[0]) / mid(book);
/** Settlements every 8 h from 2024-06-03T08:00Z in (now, now + 7 days]: 08:00 on day 0, then 3 a day: 21. */
const SETTLEMENTS_7D = 21;

let server: LoopbackServer;
const savedEnv: Record<string, string | undefined> = {};
const setEnv = (values: Record<string, string | undefined>) => {
  for (const [k, v] of Object.entries(values)) {
    if (!(k in savedEnv)) savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
};

beforeAll(async () => {
  server = await startLoopbackServer([...loadVenueFixtures('binance'), ...loadVenueFixtures('okx')]);
  setEnv({
    PERP_ARB_TEST_LOOPBACK_URL: server.baseUrl,
    PERP_ARB_TEST_LOOPBACK_WS_URL: undefined,
    PERP_ARB_TEST_NOW_MS: String(NOW_MS),
    NODE_OPTIONS: `--import tsx --import ${GUARD}`,
  });
});
afterEach(() => {
  server.clearOverrides();
  const unmatched = server.unmatched.splice(0).map(describeRequest);
  server.requests.splice(0);
  expect(unmatched, 'requests with no fixture').toEqual([]);
});
afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await server?.close();
});

/** Answers the first `n` requests that `matches` selects with a 503 (a venue that is down, then recovers); the later ones go to the fixtures. */
function failFirst(n: number, matches: (request: LoggedRequest) => boolean): { seen: () => number } {
  let seen = 0;
  server.override((request, res) => {
    if (!matches(request) || ++seen > n) return false;
    request.fixture = `test: 503 (${seen} of ${n})`;
    res.writeHead(503, { 'content-type': 'text/html' });
    res.end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    return true;
  });
  return { seen: () => seen };
}
const okxSpotInstruments = (r: LoggedRequest) => r.host === 'www.okx.com' && r.path === '/api/v5/public/instruments' && r.query.instType === 'SPOT';
const okxSwapBook = (r: LoggedRequest) => r.host === 'www.okx.com' && r.path === '/api/v5/market/books' && r.query.instId === 'BTC-USDT-SWAP';

const byHost = (requests: LoggedRequest[], hosts: string[]) => requests.filter((r) => hosts.includes(r.host));
const find = (out: LiveJson, id: string) => {
  const found = out.opportunities.find((o) => o.id === id);
  if (!found) throw new Error(`no opportunity ${id} among ${out.opportunities.map((o) => o.id).join(', ')}`);
  return found;
};

async function scanJson(args: string[]): Promise<LiveJson> {
  const { stdout, stderr, code } = await runCli(['scan', '--live', '--depth', '5', '--json', '--top', '0', ...args]);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as LiveJson;
}

describe('perp-arb scan --live (binance and okx over loopback)', () => {
  it('one-shot --json: the carry and the perp/future calendar are computed from the recorded books and predicted funding', async () => {
    const out = await scanJson(['--venues', 'binance,okx', '--assets', 'BTC']);
    expect(out.source).toEqual({ kind: 'live', venues: ['binance', 'okx'], assets: ['BTC'], quotes: ['USDT'], depth: 5 });
    expect(out.asOf).toBe('2024-06-03T00:00:00.000Z');
    expect(out.rejections).toEqual([]);
    expect(out.venues).toEqual([
      // Binance's spot depth carries no time: that book is timed at receipt.
      { venue: 'binance', failed: null, instruments: 3, books: 3, booksWithVenueTime: 2, fundingRates: 1, errors: 0 },
      { venue: 'okx', failed: null, instruments: 3, books: 3, booksWithVenueTime: 3, fundingRates: 1, errors: 0 },
    ]);
    expect(out.notes).toContain("funding: each perp's current rate is the venue's prediction for its next settlement, held for every settlement in the horizon");

    // Funding carry on binance: buy spot at the ask, sell the perp at the bid; premiumIndex lastFundingRate 0.0001 for
    // the settlement at nextFundingTime 08:00Z (8 h interval from the settlement history), 21 settlements in 7 days.
    // Fees from the markets: spot taker 0.1%, USDT-M taker 0.05%, each paid to open and to close.
    const carry = find(out, 'fundingCarry:binance:BTC/USDT~binance:BTC/USDT:USDT');
    expect(carry.legs.map((l) => [l.symbol, l.side, l.price])).toEqual([['BTC/USDT', 'buy', BOOK.binanceSpot[1]], ['BTC/USDT:USDT', 'sell', BOOK.binancePerp[0]]]);
    expect(carry.legs[1]).toMatchObject({ fundingRatePerInterval: 0.0001, fundingIntervalMs: EIGHT_HOURS, nextFundingTime: '2024-06-03T08:00:00.000Z' });
    const carryFunding = SETTLEMENTS_7D * 0.0001;
    const carryFees = 2 * (0.001 + 0.0005);
    const carryCross = crossing(BOOK.binanceSpot) + crossing(BOOK.binancePerp);
    const carryNet = carryFunding - carryFees - carryCross;
    expect(carry.grossBps).toBeCloseTo(carryFunding * 1e4, 6);
    expect(carry.components.feesBps).toBeCloseTo(carryFees * 1e4, 6);
    expect(carry.components.crossingBps).toBeCloseTo(carryCross * 1e4, 3);
    expect(carry.netBps).toBeCloseTo(carryNet * 1e4, 3);
    expect(carry.apr).toBeCloseTo((carryNet * 365) / 7, 5);
    expect(carry.expectedProfitUsd).toBeCloseTo(carryNet * 10_000, 2);
    // premiumIndex: mark 67754.1 below index 67781.85 while the rate is positive.
    expect(carry.flags).toEqual(['fundingMayChangeSign']);

    // OKX's carry: OKX spot taker 0.15%; its perp book is in contracts of 0.01 BTC (327.1 = 3.271 BTC), which cover 10,000 USD.
    const okxCarry = find(out, 'fundingCarry:okx:BTC/USDT~okx:BTC/USDT:USDT');
    const okxNet = carryFunding - 2 * (0.0015 + 0.0005) - crossing(BOOK.okxSpot) - crossing(BOOK.okxPerp);
    expect(okxCarry.netBps).toBeCloseTo(okxNet * 1e4, 3);
    expect(okxCarry.flags).not.toContain('thinBook');

    // Calendar: buy the binance perp, sell the June future; the long perp pays 0.0001 at each of the 76 settlements from
    // 2024-06-03T08:00Z to the expiry 2024-06-28T08:00Z (25 days x 3 + 1).
    const calendar = find(out, 'calendarSpread:binance:BTC/USDT:USDT~binance:BTC/USDT:USDT-240628');
    const gap = (mid(BOOK.binanceFuture) - mid(BOOK.binancePerp)) / mid(BOOK.binancePerp);
    const calendarNet = gap - 76 * 0.0001 - 2 * (0.0005 + 0.0005) - crossing(BOOK.binancePerp) - crossing(BOOK.binanceFuture);
    expect(calendar.legs.map((l) => [l.symbol, l.side, l.price])).toEqual([['BTC/USDT:USDT', 'buy', BOOK.binancePerp[1]], ['BTC/USDT:USDT-240628', 'sell', BOOK.binanceFuture[0]]]);
    expect(calendar.components.fundingBps).toBeCloseTo(-76, 6);
    expect(calendar.netBps).toBeCloseTo(calendarNet * 1e4, 3);
    expect(calendar.horizonMs).toBe(Date.UTC(2024, 5, 28, 8) - NOW_MS);
    expect(calendar.apr).toBeCloseTo((calendarNet * YEAR_MS) / calendar.horizonMs, 5);

    // Both venues predict 0.0001 for the same settlement: no differential past the 0.01%/8h threshold.
    expect(out.opportunities.some((o) => o.type === 'fundingDifferential')).toBe(false);

    // Requests: binance 2 market lists, 1 bulk funding, 3 for the perp's interval (fundingInfo, premiumIndex, history), 3 books;
    // okx 3 market lists, 1 bulk funding (interval in the answer), 3 books.
    expect(byHost(server.requests, ['api.binance.com', 'fapi.binance.com']).map((r) => r.fixture)).toHaveLength(9);
    expect(byHost(server.requests, ['www.okx.com']).map((r) => r.fixture).sort()).toEqual([
      'okx/books-BTC-USDT-240628.json',
      'okx/books-BTC-USDT-SWAP.json',
      'okx/books-BTC-USDT.json',
      'okx/funding-rate-ANY.json',
      'okx/instruments-futures.json',
      'okx/instruments-spot.json',
      'okx/instruments-swap.json',
    ]);
    expect(server.requests.every((r) => r.fixture !== null)).toBe(true);
  });

  it('the binance-vs-okx perp funding differential when OKX predicts 0.035% (an answer written by the test in the recorded shape)', async () => {
    const anyFixture = loadVenueFixtures('okx').find((f) => f.name === 'okx/funding-rate-ANY.json')!;
    const body = structuredClone(anyFixture.response.body) as { data: { instId: string; fundingRate: string }[] };
    body.data.find((d) => d.instId === 'BTC-USDT-SWAP')!.fundingRate = '0.00035';
    server.override((request, res) => {
      if (request.host !== 'www.okx.com' || request.path !== '/api/v5/public/funding-rate' || request.query.instId !== 'ANY') return false;
      request.fixture = 'test: okx funding-rate ANY with BTC-USDT-SWAP at 0.00035';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return true;
    });
    const out = await scanJson(['--venues', 'binance,okx', '--assets', 'BTC', '--type', 'fundingDifferential,crossVenueSpread']);
    // Sell the OKX perp (it receives 0.035% per 8 h), buy the binance one (it pays 0.01%): 21 settlements each.
    const diff = find(out, 'fundingDifferential:binance:BTC/USDT:USDT~okx:BTC/USDT:USDT');
    expect(diff.legs.map((l) => [l.venue, l.side, l.price, l.fundingRatePerInterval])).toEqual([
      ['binance', 'buy', BOOK.binancePerp[1], 0.0001],
      ['okx', 'sell', BOOK.okxPerp[0], 0.00035],
    ]);
    const funding = SETTLEMENTS_7D * (0.00035 - 0.0001);
    const net = funding - 2 * (0.0005 + 0.0005) - crossing(BOOK.binancePerp) - crossing(BOOK.okxPerp);
    expect(diff.components.fundingBps).toBeCloseTo(funding * 1e4, 6);
    expect(diff.components.feesBps).toBeCloseTo(20, 6);
    expect(diff.netBps).toBeCloseTo(net * 1e4, 3);
    expect(diff.apr).toBeCloseTo((net * 365) / 7, 5);
    // The perps' mids are equal: no cross-venue spread.
    expect(out.opportunities.map((o) => o.type)).toEqual(['fundingDifferential']);
  });

  it('a venue that answers 503 is named in the notes and the others are still scanned', async () => {
    server.override((request, res) => {
      if (request.host !== 'api.bybit.com') return false;
      request.fixture = 'test: 503';
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      return true;
    });
    const out = await scanJson(['--venues', 'binance,okx,bybit', '--assets', 'BTC']);
    const bybit = out.venues.find((v) => v.venue === 'bybit')!;
    expect(bybit.failed).toMatch(/^bybit loadMarkets: unavailable: ExchangeNotAvailable: bybit GET http:\/\/127\.0\.0\.1:\d+\/api\.bybit\.com\/v5\/market\/instruments-info\?category=\w+(&limit=\d+)? 503 Service Unavailable/);
    expect(out.notes.find((n) => n.startsWith('bybit:'))).toBe(`bybit: left out of the scan, it did not answer (live mode needs internet access to the venue's API): ${bybit.failed}`);
    expect(out.venues.filter((v) => v.failed === null).map((v) => [v.venue, v.books])).toEqual([['binance', 3], ['okx', 3]]);
    expect(out.opportunities.map((o) => o.id)).toContain('fundingCarry:binance:BTC/USDT~binance:BTC/USDT:USDT');
    expect(new Set(out.opportunities.flatMap((o) => o.legs.map((l) => l.venue)))).toEqual(new Set(['binance', 'okx']));

    // The table says it too.
    const human = await runCli(['scan', '--live', '--venues', 'binance,okx,bybit', '--assets', 'BTC', '--depth', '5']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('scan of live binance, okx, bybit (BTC; USDT markets) as of 2024-06-03T00:00:00.000Z');
    expect(human.stdout).toContain("note: bybit: left out of the scan, it did not answer (live mode needs internet access to the venue's API): bybit loadMarkets: unavailable:");
    expect(human.stdout).toMatch(/\d+\s+fundingCarry\s+BTC\s+binance BTCUSDT @ 67770.02\s+binance BTCUSDT @ 67750.1\s+21\.0\s+-9\.0/);
  });

  it('a market whose book fails is a rejection naming venue and market; the rest of the venue is scanned', async () => {
    server.override((request, res) => {
      if (request.host !== 'fapi.binance.com' || request.path !== '/fapi/v1/depth' || request.query.symbol !== 'BTCUSDT_240628') return false;
      request.fixture = 'test: -1121';
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }));
      return true;
    });
    const out = await scanJson(['--venues', 'binance', '--assets', 'BTC']);
    expect(out.rejections).toEqual([{ source: 'binance', line: null, reason: expect.stringMatching(/^order book of BTC\/USDT:USDT-240628: binance fetchOrderBook: badSymbol: /) }]);
    expect(out.venues).toEqual([{ venue: 'binance', failed: null, instruments: 3, books: 2, booksWithVenueTime: 1, fundingRates: 1, errors: 1 }]);
    expect(out.opportunities.map((o) => o.id)).toContain('fundingCarry:binance:BTC/USDT~binance:BTC/USDT:USDT');
    expect(out.opportunities.some((o) => o.legs.some((l) => l.symbol === 'BTC/USDT:USDT-240628'))).toBe(false);
  });

  it('without the loopback hook the guard refuses every connection: no venue answers, and the error says live mode needs internet', async () => {
    setEnv({ PERP_ARB_TEST_LOOPBACK_URL: undefined, PERP_ARB_TEST_NOW_MS: undefined });
    try {
      const { stdout, stderr, code } = await runCli(['scan', '--live', '--venues', 'binance,okx', '--assets', 'BTC', '--json']);
      expect(code).toBe(1);
      const error = (JSON.parse(stdout) as { error: string }).error;
      // Which market list fails first (ccxt asks for them at once) varies: the guard's refusal is in each line.
      const [head, ...lines] = error.split(/: (?=binance: )| \| /);
      expect(head).toBe("scan --live: no venue answered; live mode needs internet access to the venues' APIs");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^binance: binance loadMarkets: .*test network guard: connection to non-loopback host '(api|fapi)\.binance\.com' refused/);
      expect(lines[1]).toMatch(/^okx: okx loadMarkets: .*test network guard: connection to non-loopback host 'www\.okx\.com' refused/);
      expect(stderr).toBe('');
    } finally {
      setEnv({ PERP_ARB_TEST_LOOPBACK_URL: server.baseUrl, PERP_ARB_TEST_NOW_MS: String(NOW_MS) });
      // The CLI ran in this process, and ccxt's other market requests may still be failing: wait until
      // the guard has seen none for 300 ms, then clear its record, so a later test sees only its own.
      for (let seen = -1, waitedMs = 0; seen !== blockedConnections.length && waitedMs < 5_000; waitedMs += 300) {
        seen = blockedConnections.length;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      blockedConnections.length = 0;
    }
    expect(server.requests).toEqual([]);
  });

  it('refuses bad live options and a non-loopback hook, naming them', async () => {
    const venue = await runCli(['scan', '--live', '--venues', 'binance,nosuchvenue']);
    expect(venue.stderr).toContain("error: --venues: unknown venue 'nosuchvenue'");
    const depth = await runCli(['scan', '--live', '--depth', '0']);
    expect(depth.stderr).toContain("error: --depth: '0' is not a whole number of book levels from 1 to 400");
    const notLive = await runCli(['scan', '--snapshot', 'x', '--venues', 'okx']);
    expect(notLive.stderr).toContain('error: --venues is for --live');
    setEnv({ PERP_ARB_TEST_LOOPBACK_URL: 'http://example.com:80' });
    try {
      const hook = await runCli(['scan', '--live']);
      expect(hook.code).toBe(2);
      expect(hook.stderr).toContain('error: PERP_ARB_TEST_LOOPBACK_URL is a test hook and only accepts http://127.0.0.1:PORT (got http://example.com:80)');
    } finally {
      setEnv({ PERP_ARB_TEST_LOOPBACK_URL: server.baseUrl });
    }
    const help = await runCli(['scan', '--help']);
    expect(help.stdout).toContain("needs internet access to the venues' public APIs");
    expect(help.stdout).not.toContain('PERP_ARB_TEST');
    expect(server.requests).toEqual([]);
  });
});

describe('the live source in the library (in this process, under the network guard)', () => {
  const venues: CcxtMarketDataVenue[] = [];
  const venue = (id: string) => {
    const v = new CcxtMarketDataVenue(id, { loopbackBaseUrl: server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1, now: () => NOW_MS });
    venues.push(v);
    return v;
  };
  afterEach(async () => {
    await Promise.all(venues.splice(0).map((v) => v.close()));
  });

  it('loadLive + applyLiveLoad give the scanner predicted funding (no settled time) and books; nothing leaves 127.0.0.1', async () => {
    const load = await loadLive([venue('binance'), venue('okx')], { assets: ['BTC'], quotes: ['USDT'], depth: 5 }, () => NOW_MS);
    expect(load.funding.map((q) => [q.venue, q.symbol, q.fundingRatePerInterval, q.nextFundingTimeMs])).toEqual([
      ['binance', 'BTC/USDT:USDT', 0.0001, NOW_MS + EIGHT_HOURS],
      ['okx', 'BTC/USDT:USDT', 0.0001, NOW_MS + EIGHT_HOURS],
    ]);
    const scanner = new Scanner();
    expect(applyLiveLoad(scanner, load)).toEqual({ applied: 8, errors: [] });
    const perp = scanner.state.get('okx', 'BTC/USDT:USDT')!;
    expect([perp.fundingRatePerInterval, perp.lastSettlementMs, perp.nextSettlementMs, perp.fundingIntervalMs]).toEqual([0.0001, Number.NaN, NOW_MS + EIGHT_HOURS, EIGHT_HOURS]);
    // The book's 327.1 and 590.8 contracts of 0.01 BTC are 3.271 and 5.908 BTC: 10,000 USD fills at the touch.
    expect([perp.buyPrice, perp.sellPrice, perp.thin]).toEqual([67750.2, 67750.1, false]);
    expect(scanner.state.get('binance', 'BTC/USDT:USDT')!.fundingIntervalMs).toBe(EIGHT_HOURS);
    expect(blockedConnections).toEqual([]);
  });

  it('an OKX linear perp costs the same from the live book (ccxt, base units) as from the store with the same book imported from an OKX websocket capture', async () => {
    const config = parseScannerConfig({ notionalUsd: 300_000 });
    // Live: ccxt's contracts x 0.01 BTC.
    const live = new Scanner({ config });
    applyLiveLoad(live, await loadLive([venue('okx')], { assets: ['BTC'], quotes: ['USDT'], depth: 5 }, () => NOW_MS));
    const fromLive = live.state.get('okx', 'BTC/USDT:USDT')!;

    // Store: the same answer as an OKX v5 websocket books snapshot (sizes in contracts, as OKX sends them), imported
    // with the instruments response of the fixtures (ctVal 0.01) as a cryptofeed capture folder.
    const fixture = (name: string) => loadVenueFixtures('okx').find((f) => f.name === name)!.response.body as { data: Record<string, unknown>[] };
    const book = fixture('okx/books-BTC-USDT-SWAP.json').data[0] as { asks: string[][]; bids: string[][]; ts: string };
    const checksum = crc32(book.bids.flatMap((b, i) => [b[0], b[1], book.asks[i][0], book.asks[i][1]]).join(':')) | 0;
    const dir = mkdtempSync(join(tmpdir(), 'perp-arb-scan-okx-'));
    const storeDir = mkdtempSync(join(tmpdir(), 'perp-arb-scan-okx-store-'));
    try {
      writeFileSync(join(dir, 'OKX.0'), `https://www.okx.com/api/v5/public/instruments?instType=SWAP -> 1717372790.5: ${JSON.stringify(fixture('okx/instruments-swap.json'))}\n`);
      const message = { arg: { channel: 'books', instId: 'BTC-USDT-SWAP' }, action: 'snapshot', data: [{ asks: book.asks, bids: book.bids, ts: book.ts, checksum }] };
      writeFileSync(join(dir, 'OKX.ws.1.0'), `wss://ws.okx.com:8443/ws/v5/public <-> 1717372799.1\n1717372799.99: ${JSON.stringify(message)}\n`);
      const store = new MarketStore(storeDir);
      const report = await importPath(store, dir);
      expect(report.files.flatMap((f) => f.rejections).filter((r) => r.reason.includes('BTC-USDT-SWAP'))).toEqual([]);
      expect(report.files[1].notes.some((n) => n.includes('BTC-USDT-SWAP x 0.01'))).toBe(true);
      const stored = await store.read({ table: 'books', venue: 'okx', symbol: 'BTC/USDT:USDT', timeframe: null });
      expect([Array.from((stored.columns.bid_sizes as Float64Array[])[0]), Array.from((stored.columns.ask_sizes as Float64Array[])[0])]).toEqual([
        [3.271, 0.015],
        [5.908, 0.002],
      ]);
      const fromStore = new Scanner({ config });
      expect(applyLoad(fromStore, await loadStoreState(store, NOW_MS)).errors).toEqual([]);
      const viaStore = fromStore.state.get('okx', 'BTC/USDT:USDT')!;

      // By hand: 300,000 USD buys at the ask (5.908 BTC = 400,268 USD); selling takes 3.271 BTC at 67750.1 and
      // 0.015 at 67750, and the book does not cover the rest (priced at 67750): thin.
      const sell = 300_000 / (3.271 + 0.015 + (300_000 - 3.271 * 67750.1 - 0.015 * 67750) / 67750);
      for (const s of [fromLive, viaStore]) {
        expect(s.buyPrice).toBe(67750.2);
        expect(s.sellPrice).toBeCloseTo(sell, 8);
        expect(s.thin).toBe(true);
        expect(s.roundTripCrossFraction).toBeCloseTo((67750.2 - sell) / 67750.15, 12);
      }
      expect(viaStore.roundTripCrossFraction).toBeCloseTo(fromLive.roundTripCrossFraction, 14);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('watchLive applies each new book to the scanner incrementally (REST polling), and stops when aborted', async () => {
    const okx = venue('okx');
    const config = parseScannerConfig({ thresholds: { minBasisBps: 0 } });
    const load = await loadLive([okx], { assets: ['BTC'], quotes: ['USDT'], depth: 5 }, () => NOW_MS);
    const scanner = new Scanner({ config });
    applyLiveLoad(scanner, load);
    const moved = okxSwapBookMovedBy(50);
    server.override((request, res) => {
      if (request.path !== '/api/v5/market/books' || request.query.instId !== 'BTC-USDT-SWAP') return false;
      request.fixture = 'test: BTC-USDT-SWAP book moved up 50';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(moved));
      return true;
    });
    const controller = new AbortController();
    const updates: string[] = [];
    const reports: string[] = [];
    const perp = scanner.state.get('okx', 'BTC/USDT:USDT')!;
    const watching = watchLive({
      scanner,
      venues: [{ venue: okx, instruments: load.instruments.filter((i) => i.symbol === 'BTC/USDT:USDT') }],
      depth: 5,
      fundingPollMs: 3_600_000,
      forcePolling: true,
      signal: controller.signal,
      now: () => NOW_MS,
      onUpdate: (kind, v, symbol) => {
        updates.push(`${kind} ${v} ${symbol}`);
        if (perp.bid === 67800.1) controller.abort();
      },
      onReport: (line) => reports.push(line),
    });
    await watching;
    expect(updates).toEqual(['book okx BTC/USDT:USDT']);
    expect(reports).toEqual([]);
    // The OKX basis now sees the perp 4.5 bps over spot (it was 2.9 bps under).
    const basis = scanner.opportunities({ types: ['basis'] }).find((o) => o.id === 'basis:okx:BTC/USDT~okx:BTC/USDT:USDT')!;
    expect(basis.grossBps).toBeCloseTo(((67800.15 - mid(BOOK.okxSpot)) / mid(BOOK.okxSpot)) * 1e4, 4);
  });
});

describe('watchLive keeps going for hours: venues that failed the first load join later, ended streams restart (loopback, small delays)', () => {
  const venues: CcxtMarketDataVenue[] = [];
  const venue = (id: string) => {
    const v = new CcxtMarketDataVenue(id, { loopbackBaseUrl: server.baseUrl, timeoutMs: 2_000, rateLimitMs: 1, now: () => NOW_MS });
    venues.push(v);
    return v;
  };
  afterEach(async () => {
    await Promise.all(venues.splice(0).map((v) => v.close()));
  });
  const selection = { assets: ['BTC'], quotes: ['USDT'], depth: 5 };
  const OKX_CARRY = 'fundingCarry:okx:BTC/USDT~okx:BTC/USDT:USDT';
  const BINANCE_CARRY = 'fundingCarry:binance:BTC/USDT~binance:BTC/USDT:USDT';

  it('the real backoff: 5 s doubling to at most 5 min', () => {
    expect([LIVE_RETRY_INITIAL_MS, LIVE_RETRY_MAX_MS]).toEqual([5_000, 300_000]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 40].map((a) => liveRetryDelayMs(a) / 1000)).toEqual([5, 10, 20, 40, 80, 160, 300, 300, 300]);
    expect([1, 2, 3, 4].map((a) => liveRetryDelayMs(a, 20, 50))).toEqual([20, 40, 50, 50]);
  });

  it('a venue whose markets fail twice (503) then answer joins: its books and funding are in the scanner, its opportunities ranked, its books watched', async () => {
    // The first load and retry 1 get a 503 for the OKX spot market list; retry 2 gets the recorded one.
    const spotLists = failFirst(2, okxSpotInstruments);
    const binance = venue('binance');
    const okx = venue('okx');
    const load = await loadLive([binance, okx], selection, () => NOW_MS);
    expect(load.venues.map((v) => [v.venue, v.failed === null])).toEqual([['binance', true], ['okx', false]]);
    const scanner = new Scanner();
    applyLiveLoad(scanner, load);
    expect(scanner.summary().instruments).toBe(3);
    const ids = () => scanner.opportunities().map((o) => o.id);
    expect(ids()).toContain(BINANCE_CARRY);
    expect(ids()).not.toContain(OKX_CARRY);

    // After the join, the OKX perp's book polls answer 100 higher (the join's own load gets the recorded book).
    let swapBooks = 0;
    server.override((request, res) => {
      if (!okxSwapBook(request) || ++swapBooks === 1) return false;
      request.fixture = 'test: BTC-USDT-SWAP book moved up 100';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(okxSwapBookMovedBy(100)));
      return true;
    });
    const controller = new AbortController();
    const reports: string[] = [];
    const joins: LiveVenueLoad[] = [];
    const okxUpdates: string[] = [];
    let atJoin: { instruments: number; perpBid: number; carry: boolean } | null = null;
    const watching = watchLive({
      scanner,
      venues: [{ venue: binance, instruments: load.instruments.filter((i) => i.venue === 'binance') }],
      retryVenues: [okx],
      selection,
      retryInitialMs: 20,
      retryMaxMs: 1_000,
      depth: 5,
      fundingPollMs: 3_600_000,
      forcePolling: true,
      signal: controller.signal,
      now: () => NOW_MS,
      onUpdate: (kind, v, symbol) => {
        if (v !== 'okx') return;
        okxUpdates.push(`${kind} ${symbol}`);
        if (scanner.state.get('okx', 'BTC/USDT:USDT')!.bid === 67850.1) controller.abort();
      },
      onReport: (line) => {
        reports.push(line);
        if (reports.length > 6) controller.abort(); // it should have joined long before: fail on the reports, not a timeout
      },
      onJoin: (joined) => {
        joins.push(joined);
        atJoin = { instruments: scanner.summary().instruments, perpBid: scanner.state.get('okx', 'BTC/USDT:USDT')!.bid, carry: ids().includes(OKX_CARRY) };
      },
    });
    await watching;

    expect(reports.slice(0, 3)).toEqual([
      'okx: did not answer the first load, retry 1 in 0.02 s',
      expect.stringMatching(/^okx: retry 1 failed, retry 2 in 0\.04 s: okx loadMarkets: unavailable: ExchangeNotAvailable: okx GET http:\/\/127\.0\.0\.1:\d+\/www\.okx\.com\/api\/v5\/public\/instruments\?instType=SPOT 503 /),
      'okx: answered retry 2, joined the scan: 3 markets, 3 books, 1 funding rate',
    ]);
    // Only binance's routine health lines (none here) may follow: no restart, no failure.
    expect(reports.slice(3)).toEqual([]);
    // The market list was asked again on each retry (ccxt's cached failure is not handed out again).
    expect(spotLists.seen()).toBe(3);
    expect(joins.map((j) => j.report)).toEqual([{ venue: 'okx', failed: null, instruments: 3, books: 3, booksWithVenueTime: 3, fundingRates: 1, errors: 0 }]);
    // At the join: the 3 OKX markets are in, with the recorded book, and OKX's carry is ranked.
    expect(atJoin).toEqual({ instruments: 6, perpBid: BOOK.okxPerp[0], carry: true });
    const perp = scanner.state.get('okx', 'BTC/USDT:USDT')!;
    expect([perp.fundingRatePerInterval, perp.nextSettlementMs, perp.fundingIntervalMs]).toEqual([0.0001, NOW_MS + EIGHT_HOURS, EIGHT_HOURS]);
    // Then watched like the others: the polled book (100 higher) reached the scanner.
    expect(okxUpdates).toContain('book BTC/USDT:USDT');
    expect(perp.bid).toBe(67850.1);
    expect(ids()).toEqual(expect.arrayContaining([BINANCE_CARRY, OKX_CARRY]));
    // The two perps are now 100 apart (14.8 bps, past the 10 bps threshold): a binance-vs-okx spread with a leg on the joined venue.
    const spread = scanner.opportunities({ types: ['crossVenueSpread'] }).find((o) => o.id === 'crossVenueSpread:binance:BTC/USDT:USDT~okx:BTC/USDT:USDT');
    expect(spread?.legs.map((l) => [l.venue, l.side, l.price])).toEqual([['binance', 'buy', BOOK.binancePerp[1]], ['okx', 'sell', 67850.1]]);
    expect(spread!.grossBps).toBeCloseTo(((67850.15 - mid(BOOK.binancePerp)) / mid(BOOK.binancePerp)) * 1e4, 4);
  });

  it('a book stream that ends with an error restarts with the backoff (reset once books flow again); after the abort nothing restarts', async () => {
    const okx = venue('okx');
    const load = await loadLive([okx], selection, () => NOW_MS);
    const scanner = new Scanner();
    applyLiveLoad(scanner, load);
    // The stream's polls: 1st a bad-symbol answer (not retryable: the venue's stream gives up), 2nd a book 10 higher,
    // then bad-symbol answers only.
    let polls = 0;
    server.override((request, res) => {
      if (!okxSwapBook(request)) return false;
      polls++;
      request.fixture = `test: BTC-USDT-SWAP poll ${polls}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(polls === 2 ? okxSwapBookMovedBy(10) : { code: '51001', msg: 'Instrument ID does not exist', data: [] }));
      return true;
    });
    const controller = new AbortController();
    const reports: string[] = [];
    const updates: number[] = [];
    const perp = scanner.state.get('okx', 'BTC/USDT:USDT')!;
    const watching = watchLive({
      scanner,
      venues: [{ venue: okx, instruments: load.instruments.filter((i) => i.symbol === 'BTC/USDT:USDT') }],
      retryInitialMs: 20,
      retryMaxMs: 1_000,
      depth: 5,
      fundingPollMs: 3_600_000,
      forcePolling: true,
      signal: controller.signal,
      now: () => NOW_MS,
      onUpdate: () => updates.push(perp.bid),
      onReport: (line) => {
        reports.push(line);
        if (line.includes('restart 2 in')) controller.abort(); // during that wait
      },
    });
    await watching;
    const ended = (restart: number, delay: string) =>
      expect.stringMatching(new RegExp(`^okx BTC/USDT:USDT: book stream ended, restart ${restart} in ${delay}: okx fetchOrderBook: badSymbol: BadSymbol: .*51001`));
    expect(reports).toEqual([
      ended(1, '0\\.02 s'),
      'okx BTC/USDT:USDT: book stream back after 1 restart',
      // The next failure starts the backoff again from the first delay.
      ended(1, '0\\.02 s'),
      ended(2, '0\\.04 s'),
    ]);
    expect(updates).toEqual([67760.1]);
    expect(perp.bid).toBe(67760.1);
    // Polls: the one that failed, the restarted stream's book, the failed one after it (1 s later), restart 1's.
    expect(polls).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 200)); // five times restart 2's delay: it never comes
    expect(polls).toBe(4);
    expect(reports).toHaveLength(4);
  });

  it("a funding poll loop that dies (here: the caller's callback throws) is restarted and polls again", async () => {
    const okx = venue('okx');
    const load = await loadLive([okx], selection, () => NOW_MS);
    const scanner = new Scanner();
    applyLiveLoad(scanner, load);
    const controller = new AbortController();
    const reports: string[] = [];
    let fundingUpdates = 0;
    const watching = watchLive({
      scanner,
      venues: [{ venue: okx, instruments: load.instruments.filter((i) => i.symbol === 'BTC/USDT:USDT') }],
      retryInitialMs: 20,
      depth: 5,
      fundingPollMs: 30,
      forcePolling: true,
      signal: controller.signal,
      now: () => NOW_MS,
      onUpdate: (kind) => {
        if (kind !== 'funding') return;
        fundingUpdates++;
        if (fundingUpdates === 1) throw new Error('display failed');
        if (fundingUpdates === 3) controller.abort();
      },
      onReport: (line) => reports.push(line),
    });
    await watching;
    expect(reports).toEqual(['okx: funding poll ended, restart 1 in 0.02 s: display failed', 'okx: funding poll back after 1 restart']);
    expect(fundingUpdates).toBe(3);
    const fundingPolls = server.requests.filter((r) => r.path === '/api/v5/public/funding-rate').length;
    expect(fundingPolls).toBe(4); // the first load's, then the three polls
  });

  it('Ctrl-C while a venue is being retried: watchLive returns at once, even with a retry request in flight, and the venue is not asked again', async () => {
    const binance = venue('binance');
    const okx = venue('okx');
    // OKX's spot list: a 503 for the first load, then no answer at all (held until the test ends).
    const held: import('node:http').ServerResponse[] = [];
    let spotLists = 0;
    server.override((request, res) => {
      if (!okxSpotInstruments(request)) return false;
      request.fixture = 'test: 503, then held';
      if (++spotLists === 1) {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('503 Service Temporarily Unavailable');
      } else held.push(res);
      return true;
    });
    try {
      const load = await loadLive([binance, okx], selection, () => NOW_MS);
      const scanner = new Scanner();
      applyLiveLoad(scanner, load);
      const controller = new AbortController();
      const reports: string[] = [];
      const watching = watchLive({
        scanner,
        venues: [{ venue: binance, instruments: [] }],
        retryVenues: [okx],
        selection,
        retryInitialMs: 20,
        depth: 5,
        fundingPollMs: 3_600_000,
        forcePolling: true,
        signal: controller.signal,
        now: () => NOW_MS,
        onUpdate: () => undefined,
        onReport: (line) => reports.push(line),
        onJoin: () => expect.unreachable('okx never answers'),
      });
      // Wait for retry 1's request to be held, then abort.
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const abortedAt = performance.now();
      controller.abort();
      await watching;
      expect(performance.now() - abortedAt).toBeLessThan(100);
      expect(reports).toEqual(['okx: did not answer the first load, retry 1 in 0.02 s']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(spotLists).toBe(2);
      expect(scanner.summary().instruments).toBe(3);
    } finally {
      for (const res of held) res.destroy();
    }
  });
});

describe('perp-arb scan --live --watch without a terminal', () => {
  it('prints a new table when a book changes, at most every --interval, and stops cleanly on Ctrl-C', async () => {
    let polls = 0;
    server.override((request, res) => {
      if (request.path !== '/api/v5/market/books' || request.query.instId !== 'BTC-USDT-SWAP') return false;
      // The first answer (the one-shot load) is the recorded book; every poll after it is 10 higher.
      const body = okxSwapBookMovedBy(polls++ > 0 ? 10 : 0);
      request.fixture = 'okx/books-BTC-USDT-SWAP.json (bid moved on polls)';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return true;
    });
    const child = spawn('node', [CLI, 'scan', '--live', '--venues', 'okx', '--assets', 'BTC', '--depth', '5', '--watch', '--interval', '0.2', '--type', 'crossVenueSpread,fundingCarry'], {
      env: process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait (no time limit other than the test's) for a table with the moved bid.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/okx BTC-USDT-SWAP @ 67760\.1/.test(stdout)) {
          clearInterval(timer);
          resolve();
        }
        if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`exited early: ${stderr}`));
        }
      }, 20);
    });
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    const tables = stdout.split('\n').filter((l) => l.startsWith('scan of live okx'));
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(tables[0]).toBe('scan of live okx (BTC; USDT markets) as of 2024-06-03T00:00:00.000Z, 0 updates since the first load');
    expect(stdout).toContain('okx BTC-USDT-SWAP @ 67750.1'); // the first table: the recorded bid
    expect(stdout).not.toContain('\x1b[2J');
    expect(stderr).toMatch(/watching live okx: a new table at most every 0\.2 s when something changed \(Ctrl-C to stop\)/);
    expect(stderr).toMatch(/stopped \(Ctrl-C\) after \d+ updates; venues closed\n$/);
  });

  it('a venue down at the first load (503) is retried after 5 s, joins the table and the notes stop saying it is left out', async () => {
    failFirst(1, okxSpotInstruments);
    const child = spawn('node', [CLI, 'scan', '--live', '--venues', 'binance,okx', '--assets', 'BTC', '--depth', '5', '--watch', '--interval', '0.2'], { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const tables = () => stdout.split(/(?=^scan of live )/m).filter((t) => t.startsWith('scan of live'));
    // The real backoff: retry 1 after 5 s. Wait for a table with OKX's markets in it.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (tables().some((t) => t.includes('okx BTC-USDT-SWAP @'))) {
          clearInterval(timer);
          resolve();
        }
        if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`exited early: ${stderr}`));
        }
      }, 20);
    });
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    const all = tables();
    const first = all[0];
    expect(first).toMatch(/^scan of live binance, okx \(BTC; USDT markets\) as of 2024-06-03T00:00:00\.000Z, 0 updates since the first load\n3 instruments/);
    expect(first).toContain("note: okx: left out of the scan, it did not answer (live mode needs internet access to the venue's API): okx loadMarkets: unavailable:");
    expect(first).toContain('note: okx: retried in the background (after 5 s, doubling to 5 min); joins the scan when it answers');
    expect(first).not.toContain('okx BTC');
    const joined = all.find((t) => t.includes('okx BTC-USDT-SWAP @'))!;
    expect(joined).toMatch(/\n6 instruments/);
    expect(joined).not.toContain('note: okx:');
    expect(joined).toMatch(/fundingCarry\s+BTC\s+okx BTC-USDT @ 67770\s+okx BTC-USDT-SWAP @ 67750\.1/);
    expect(stderr).toContain('okx: did not answer the first load, retry 1 in 5 s\n');
    expect(stderr).toContain('okx: answered retry 1, joined the scan: 3 markets, 3 books, 1 funding rate\n');
    expect(stderr).toMatch(/stopped \(Ctrl-C\) after \d+ updates; venues closed\n$/);
  });
});
