import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cryptofeedImporter, parseCaptureText } from '../../../src/data/import/cryptofeed/captureImporter.ts';
import { BookSide, okxBookChecksum } from '../../../src/data/import/cryptofeed/okxWs.ts';
import { validateSeries } from '../../../src/data/import/validateSeries.ts';
import { brokenCopy, findSeries, levels, num, OKX_WS_FILE } from './support.ts';

const FUT = 'BTC/USD:BTC-220527';
const SWAP = 'UNI/USD:UNI';
const SPOT = 'BTC/USDT';

describe('OKX book checksum', () => {
  it('interleaves bid and ask levels as sent, over at most 25 levels, as a signed int', () => {
    const bids = new BookSide(true);
    const asks = new BookSide(false);
    for (let i = 0; i < 30; i++) bids.apply({ price: 100 - i, size: 1, priceText: String(100 - i), sizeText: '1' });
    asks.apply({ price: 101.5, size: 2, priceText: '101.5', sizeText: '2.0' });
    const parts = ['100', '1', '101.5', '2.0'];
    for (let i = 1; i < 25; i++) parts.push(String(100 - i), '1');
    expect(okxBookChecksum(bids, asks)).toBe(crc32(parts.join(':')) | 0);
    bids.apply({ price: 100, size: 0, priceText: '100', sizeText: '0' });
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
    const msg = (action: string, bids: string, asks: string, ts: number, checksum: number) =>
      `{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"${action}","data":[{"asks":${asks},"bids":${bids},"ts":"${ts}","checksum":${checksum}}]}`;
    const text = [
      'wss://ws.okx.com:8443/ws/v5/public <-> 1652459224.5',
      `1652459225.1: ${msg('snapshot', '[["100","1","0","1"]]', '[["101","2","0","1"]]', 1000, cs('100:1:101:2'))}`,
      `1652459225.2: ${msg('update', '[["100","3","0","1"]]', '[]', 2000, cs('100:3:101:2'))}`,
      `1652459225.3: ${msg('update', '[]', '[["102","1","0","1"]]', 2000, cs('100:3:101:2:102:1'))}`,
      `1652459225.4: ${msg('update', '[]', '[["101","0","0","0"]]', 3000, cs('100:3:102:1'))}`,
      '1652459225.5: {"event":"error","code":"60012","msg":"Invalid request"}',
      '',
    ].join('\n');
    const parsed = parseCaptureText(text, 'mem');
    expect(parsed.rejections).toEqual([{ source: 'mem', line: 6, reason: "OKX ws: event 'error' code 60012: Invalid request" }]);
    const b = findSeries(parsed, 'books', 'BTC/USDT');
    expect(Array.from(b.columns.ts as Float64Array)).toEqual([1000, 2000, 3000]);
    expect(Array.from(b.lines)).toEqual([2, 4, 5]);
    expect(Array.from(levels(b, 'ask_prices', 1))).toEqual([101, 102]);
    expect(Array.from(levels(b, 'bid_sizes', 1))).toEqual([3]);
    expect(Array.from(levels(b, 'ask_prices', 2))).toEqual([102]);
    expect(num(b, 'received_at', 1)).toBe(1652459225300);
    expect(parsed.notes.some((n) => n.includes('4 checksums verified') && n.includes('1 book states replaced'))).toBe(true);
    expect(validateSeries(b).rejections).toEqual([]);
  });
});
