import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptofeedImporter, parseCaptureText } from '../../../src/data/import/cryptofeed/captureImporter.ts';
import { BookSide, okxBookChecksum } from '../../../src/data/import/cryptofeed/okxWs.ts';
import { multiplyDecimals } from '../../../src/data/import/decimal.ts';
import { importPath } from '../../../src/data/import/importPath.ts';
import { validateSeries } from '../../../src/data/import/validateSeries.ts';
import { MarketStore } from '../../../src/data/store/marketStore.ts';
import type { Instrument } from '../../../src/domain/instrument.ts';
import { brokenCopy, findSeries, levels, num, OKX_REST_FILE, OKX_WS_FILE } from './support.ts';

const FUT = 'BTC/USD:BTC-220527';
const SWAP = 'UNI/USD:UNI';
const SPOT = 'BTC/USDT';

describe('OKX book checksum', () => {
  it('interleaves bid and ask levels as sent, over at most 25 levels, as a signed int', () => {
    const bids = new BookSide(true);
    const asks = new BookSide(false);
    for (let i = 0; i < 30; i++) bids.apply({ price: 100 - i, size: 1, priceText: String(100 - i), sizeText: '1', rowSize: 1 });
    asks.apply({ price: 101.5, size: 2, priceText: '101.5', sizeText: '2.0', rowSize: 2 });
    const parts = ['100', '1', '101.5', '2.0'];
    for (let i = 1; i < 25; i++) parts.push(String(100 - i), '1');
    expect(okxBookChecksum(bids, asks)).toBe(crc32(parts.join(':')) | 0);
    bids.apply({ price: 100, size: 0, priceText: '100', sizeText: '0', rowSize: 0 });
    expect(bids.top(1)[0].price).toBe(99);
    expect(bids.length).toBe(29);
  });
});

describe('OKX v5 public websocket capture', () => {
  it('verifies every book checksum and gives the row counts per series', async () => {
    const parsed = await cryptofeedImporter.parse(OKX_WS_FILE, {});
    expect(parsed.rejections).toEqual([]);
    expect(parsed.rowsRead).toBe(410); // 18 subscribe acks + 28 tickers + 74 trades + 290 books messages
    expect(parsed.notes).toContain('OKX ws books: 290 checksums verified, 0 messages without a checksum; 0 book states replaced by a later message with the same ts (one row per ts)');
    expect(parsed.notes.some((n) => n.includes('18 event messages (18 subscribe acks, no rows); 3 outgoing requests'))).toBe(true);
    const counts = Object.fromEntries(parsed.series.map((s) => [`${s.key.table} ${s.key.symbol}`, s.rows]));
    expect(counts).toEqual({
      [`quotes ${FUT}`]: 2, [`quotes ${SWAP}`]: 1, [`quotes ${SPOT}`]: 25,
      [`trades ${FUT}`]: 4, [`trades ${SWAP}`]: 1, [`trades ${SPOT}`]: 69,
      [`books ${FUT}`]: 99, [`books ${SWAP}`]: 93, [`books ${SPOT}`]: 98,
    });
    for (const s of parsed.series) {
      expect(s.key.venue).toBe('okx');
      expect(validateSeries(s).rejections).toEqual([]);
    }
    expect(parsed.instruments.map((i) => [i.symbol, i.venueSymbol, i.kind, i.linear])).toEqual([
      [FUT, 'BTC-USD-220527', 'future', false],
      [SWAP, 'UNI-USD-SWAP', 'perp', false],
      [SPOT, 'BTC-USDT', 'spot', null],
    ]);
  });

  it('maps tickers, trades and the book snapshot to the values in the file', async () => {
    const parsed = await cryptofeedImporter.parse(OKX_WS_FILE, {});
    const q = findSeries(parsed, 'quotes', FUT);
    expect(['ts', 'received_at', 'bid', 'bid_size', 'ask', 'ask_size', 'last'].map((c) => num(q, c, 0))).toEqual([
      1652459223003, 1652459225506, 30210.4, 4, 30220.1, 3, 30218.8,
    ]);
    expect(q.lines[0]).toBe(23);
    const t = findSeries(parsed, 'trades', SPOT);
    expect([num(t, 'ts', 0), num(t, 'price', 0), num(t, 'amount', 0)]).toEqual([1652459224818, 30236, 0.0002]);
    expect([(t.columns.side as string[])[0], (t.columns.trade_id as string[])[0]]).toEqual(['buy', '338476307']);

    const b = findSeries(parsed, 'books', SPOT);
    expect(b.lines[0]).toBe(31);
    expect(num(b, 'ts', 0)).toBe(1652459225381);
    expect(Number.isNaN(num(b, 'sequence', 0))).toBe(true); // 2022 messages carry no seqId
    expect(levels(b, 'bid_prices', 0)).toHaveLength(50); // snapshot had 400 per side; rows keep 50
    expect(levels(b, 'ask_prices', 0)).toHaveLength(50);
    expect([levels(b, 'bid_prices', 0)[0], levels(b, 'bid_sizes', 0)[0], levels(b, 'ask_prices', 0)[0], levels(b, 'ask_sizes', 0)[0]]).toEqual([
      30243.4, 0.0012029, 30243.5, 1.44679,
    ]);
    // line 33 updates the best ask 30243.5 to 1.2112
    expect(b.lines[1]).toBe(33);
    expect(levels(b, 'ask_sizes', 1)[0]).toBe(1.2112);
    // the dated-future snapshot had 72 bids and 64 asks: rows keep the top 50
    const f = findSeries(parsed, 'books', FUT);
    expect([levels(f, 'bid_prices', 0).length, levels(f, 'ask_prices', 0).length]).toEqual([50, 50]);
  });

  it('rejects a message whose size was altered, by line, and the book updates after it until a snapshot', async () => {
    const path = brokenCopy(OKX_WS_FILE, 'OKX.ws.1.0', (lines) => {
      lines[32] = lines[32].replace('"1.2112"', '"1.2113"');
    });
    const parsed = await cryptofeedImporter.parse(path, {});
    expect(parsed.rejections).toHaveLength(97);
    expect(parsed.rejections[0]).toMatchObject({ source: path, line: 33 });
    expect(parsed.rejections[0].reason).toMatch(/^OKX ws: books BTC-USDT \(update\): checksum mismatch, computed -?\d+, message has -?\d+; book out of sync/);
    expect(parsed.rejections[1].reason).toBe('OKX ws: books BTC-USDT: update skipped, the book is out of sync since line 33 (waiting for a snapshot)');
    expect(findSeries(parsed, 'books', SPOT).rows).toBe(1);
    expect(findSeries(parsed, 'books', FUT).rows).toBe(99);
    expect(findSeries(parsed, 'books', SWAP).rows).toBe(93);
  });

  it('keeps one book row per ts (the last state) and counts the coalesced ones', () => {
    const cs = (s: string) => crc32(s) | 0;
    const T = 1_652_459_223_000; // venue times just before the capture times
    const msg = (action: string, bids: string, asks: string, ts: number, checksum: number) =>
      `{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"${action}","data":[{"asks":${asks},"bids":${bids},"ts":"${ts}","checksum":${checksum}}]}`;
    const text = [
      'wss://ws.okx.com:8443/ws/v5/public <-> 1652459224.5',
      `1652459225.1: ${msg('snapshot', '[["100","1","0","1"]]', '[["101","2","0","1"]]', T + 1000, cs('100:1:101:2'))}`,
      `1652459225.2: ${msg('update', '[["100","3","0","1"]]', '[]', T + 2000, cs('100:3:101:2'))}`,
      `1652459225.3: ${msg('update', '[]', '[["102","1","0","1"]]', T + 2000, cs('100:3:101:2:102:1'))}`,
      `1652459225.4: ${msg('update', '[]', '[["101","0","0","0"]]', T + 3000, cs('100:3:102:1'))}`,
      '1652459225.5: {"event":"error","code":"60012","msg":"Invalid request"}',
      '',
    ].join('\n');
    const parsed = parseCaptureText(text, 'mem');
    expect(parsed.rejections).toEqual([{ source: 'mem', line: 6, reason: "OKX ws: event 'error' code 60012: Invalid request" }]);
    const b = findSeries(parsed, 'books', 'BTC/USDT');
    expect(Array.from(b.columns.ts as Float64Array)).toEqual([T + 1000, T + 2000, T + 3000]);
    expect(Array.from(b.lines)).toEqual([2, 4, 5]);
    expect(Array.from(levels(b, 'ask_prices', 1))).toEqual([101, 102]);
    expect(Array.from(levels(b, 'bid_sizes', 1))).toEqual([3]);
    expect(Array.from(levels(b, 'ask_prices', 2))).toEqual([102]);
    expect(num(b, 'received_at', 1)).toBe(1652459225300);
    expect(parsed.notes.some((n) => n.includes('4 checksums verified') && n.includes('1 book states replaced'))).toBe(true);
    expect(validateSeries(b).rejections).toEqual([]);
  });
});

/**
 * Linear contracts. The real capture streams no linear contract (BTC-USD-220527 and UNI-USD-SWAP are
 * inverse, BTC-USDT is spot), so these tests relabel its BTC-USD-220527 messages as BTC-USDT-SWAP:
 * the prices and sizes stay the real strings (and the checksums, which do not cover the instId, stay
 * valid), and BTC-USDT-SWAP's contract value comes from the real instruments capture OKX.0
 * (ctVal 0.01 BTC).
 */
describe('OKX v5 websocket sizes of linear contracts', () => {
  const LINEAR = 'BTC/USDT:USDT';
  const relabelled = () => brokenCopy(OKX_WS_FILE, 'OKX.ws.1.0', (lines) => lines.forEach((l, i) => (lines[i] = l.replaceAll('"BTC-USD-220527"', '"BTC-USDT-SWAP"'))));
  const scratch: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'perp-arb-okx-linear-'));
    scratch.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });
  let okxInstruments: Instrument[];
  beforeAll(async () => {
    okxInstruments = (await cryptofeedImporter.parse(OKX_REST_FILE, {})).instruments;
  });
  const known = (venue: string, symbol: string) => okxInstruments.find((i) => i.venue === venue && i.symbol === symbol);

  it('stores book levels, ticker sizes and trade amounts as OKX sz x ctVal (base units); inverse and spot stay as sent', async () => {
    expect(known('okx', LINEAR)).toMatchObject({ venueSymbol: 'BTC-USDT-SWAP', linear: true, contractSize: 0.01 });
    const parsed = parseCaptureText(readFileSync(relabelled(), 'utf8'), 'ws', known);
    expect(parsed.rejections).toEqual([]);
    expect(parsed.notes).toContain('OKX ws books: 290 checksums verified, 0 messages without a checksum; 0 book states replaced by a later message with the same ts (one row per ts)');
    expect(parsed.notes.some((n) => n.includes('in base units for SPOT and linear SWAP/FUTURES') && n.includes('BTC-USDT-SWAP x 0.01'))).toBe(true);

    // Line 29, the book snapshot: bids 30233.6 x '3', 30219.4 x '104'; asks 30238.8 x '2', 30249.5 x '50' (contracts of 0.01 BTC).
    const b = findSeries(parsed, 'books', LINEAR);
    expect(b.lines[0]).toBe(29);
    expect(Array.from(levels(b, 'bid_prices', 0).subarray(0, 2))).toEqual([30233.6, 30219.4]);
    expect(Array.from(levels(b, 'bid_sizes', 0).subarray(0, 2))).toEqual([0.03, 1.04]);
    expect(Array.from(levels(b, 'ask_prices', 0).subarray(0, 2))).toEqual([30238.8, 30249.5]);
    expect(Array.from(levels(b, 'ask_sizes', 0).subarray(0, 2))).toEqual([0.02, 0.5]);
    // Line 23, the ticker: bidSz '4', askSz '3'; line 26, the trade: sz '1'.
    const q = findSeries(parsed, 'quotes', LINEAR);
    expect(['bid', 'bid_size', 'ask', 'ask_size'].map((c) => num(q, c, 0))).toEqual([30210.4, 0.04, 30220.1, 0.03]);
    expect(num(q, 'ask_size', 1)).toBe(6.95); // line 351: askSz '695'
    const t = findSeries(parsed, 'trades', LINEAR);
    expect([num(t, 'price', 0), num(t, 'amount', 0)]).toEqual([30218.8, 0.01]);

    // Every row of every level is the original (inverse, contracts) row's size x 0.01, same prices, same lines.
    const original = parseCaptureText(readFileSync(OKX_WS_FILE, 'utf8'), 'ws');
    const inverse = findSeries(original, 'books', FUT);
    expect(b.rows).toBe(99);
    expect(Array.from(b.lines)).toEqual(Array.from(inverse.lines));
    for (let row = 0; row < b.rows; row++) {
      for (const side of ['bid', 'ask']) {
        expect(levels(b, `${side}_prices`, row)).toEqual(levels(inverse, `${side}_prices`, row));
        expect(Array.from(levels(b, `${side}_sizes`, row))).toEqual(Array.from(levels(inverse, `${side}_sizes`, row), (contracts) => multiplyDecimals(String(contracts), '0.01')));
      }
    }
    expect(validateSeries(b).rejections).toEqual([]);
    // Inverse and spot are untouched: UNI-USD-SWAP and BTC-USDT rows equal the original parse.
    for (const symbol of [SWAP, SPOT]) expect(findSeries(parsed, 'books', symbol).columns).toEqual(findSeries(original, 'books', symbol).columns);
    expect(levels(findSeries(original, 'books', FUT), 'bid_sizes', 0)[1]).toBe(104); // an inverse future: contracts of 100 USD
  });

  it('rejects every message of a linear contract whose ctVal is not known, by file and line, with what to do', async () => {
    const path = relabelled();
    const parsed = await cryptofeedImporter.parse(path, {});
    expect(parsed.rejections).toHaveLength(2 + 4 + 99); // its tickers, trades and books messages
    expect(parsed.rejections[0]).toEqual({
      source: path,
      line: 23,
      reason:
        'OKX ws: tickers BTC-USDT-SWAP: the contract value (ctVal) of this linear contract is not known, so its sizes (contracts) cannot be stored in base units; ' +
        'import the OKX instruments capture (GET /api/v5/public/instruments?instType=SWAP) first, or in the same import before this file (files are read in name order)',
    });
    const books = parsed.rejections.filter((r) => r.reason.startsWith('OKX ws: books BTC-USDT-SWAP: the contract value (ctVal) of this linear contract is not known'));
    expect(books).toHaveLength(99);
    expect(books[0].line).toBe(29);
    expect(parsed.series.some((s) => s.key.symbol === LINEAR)).toBe(false);
    expect(parsed.instruments.map((i) => i.symbol)).toEqual([SWAP, SPOT]);
    expect(parsed.notes).toContain('OKX ws: messages of linear contracts whose ctVal is not known were rejected: BTC-USDT-SWAP (105); import the OKX instruments capture first or in the same import');
    // The inverse and spot books are kept.
    expect(findSeries(parsed, 'books', SWAP).rows).toBe(93);
    expect(findSeries(parsed, 'books', SPOT).rows).toBe(98);
  });

  it('perp-arb data import: the ctVal comes from the instruments file of the same import, or from the store; without either the rows are rejected and counted', async () => {
    const dir = tempDir();
    copyFileSync(OKX_REST_FILE, join(dir, 'OKX.0'));
    copyFileSync(relabelled(), join(dir, 'OKX.ws.1.0'));
    const bookKey = { table: 'books', venue: 'okx', symbol: LINEAR, timeframe: null } as const;

    // Both files in one import: OKX.0 is read first (name order).
    const together = new MarketStore(tempDir());
    const report = await importPath(together, dir);
    expect(report.rejected).toBe(0);
    const row0 = await together.read(bookKey);
    expect(Array.from(levels(row0, 'bid_sizes', 0).subarray(0, 2))).toEqual([0.03, 1.04]);
    expect(together.instruments().find((i) => i.symbol === LINEAR)).toMatchObject({ venueSymbol: 'BTC-USDT-SWAP', contractSize: 0.01, linear: true });

    // The websocket file alone into an empty store: every BTC-USDT-SWAP message is rejected, in the report's count.
    const empty = new MarketStore(tempDir());
    const alone = await importPath(empty, join(dir, 'OKX.ws.1.0'));
    expect(alone.rejected).toBe(105);
    expect(alone.files[0].rejections[0].reason).toContain('tickers BTC-USDT-SWAP: the contract value (ctVal) of this linear contract is not known');
    expect(alone.files[0].series.map((s) => s.id).filter((id) => id.includes('BTC/USDT:USDT'))).toEqual([]);

    // The instruments imported before, in another run: the store's ctVal converts the websocket file.
    const later = new MarketStore(tempDir());
    await importPath(later, join(dir, 'OKX.0'));
    const second = await importPath(later, join(dir, 'OKX.ws.1.0'));
    expect(second.rejected).toBe(0);
    expect((await later.read(bookKey)).columns).toEqual(row0.columns);
  }, 60_000);
});
