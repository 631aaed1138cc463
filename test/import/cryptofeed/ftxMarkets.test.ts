import { describe, expect, it } from 'vitest';
import { cryptofeedImporter } from '../../../src/data/import/cryptofeed/captureImporter.ts';
import { ftxExpiryFromName } from '../../../src/data/import/cryptofeed/ftxMarkets.ts';
import { validateSeries } from '../../../src/data/import/validateSeries.ts';
import { brokenCopy, findSeries, FTX_FILE, num } from './support.ts';

const SNAPSHOT_MS = 1626993902920; // capture time of FTX.0: 2021-07-22T22:45:02.920Z

describe('ftxExpiryFromName', () => {
  it('puts the expiry at 03:00 UTC on the named date, in the first year at or after the snapshot', () => {
    expect(new Date(ftxExpiryFromName('BTC-1231', SNAPSHOT_MS)).toISOString()).toBe('2021-12-31T03:00:00.000Z');
    expect(new Date(ftxExpiryFromName('BTC-0924', SNAPSHOT_MS)).toISOString()).toBe('2021-09-24T03:00:00.000Z');
    // a date already past in the snapshot's year rolls to the next year
    expect(new Date(ftxExpiryFromName('BTC-0325', SNAPSHOT_MS)).toISOString()).toBe('2022-03-25T03:00:00.000Z');
    // on the expiry day itself: before 03:00 it is today, after it next year
    expect(ftxExpiryFromName('BTC-0924', Date.UTC(2021, 8, 24, 2))).toBe(Date.UTC(2021, 8, 24, 3));
    expect(ftxExpiryFromName('BTC-0924', Date.UTC(2021, 8, 24, 3))).toBe(Date.UTC(2021, 8, 24, 3));
    expect(ftxExpiryFromName('BTC-0924', Date.UTC(2021, 8, 24, 4))).toBe(Date.UTC(2022, 8, 24, 3));
    // 29 February skips to the next leap year
    expect(new Date(ftxExpiryFromName('BTC-0229', SNAPSHOT_MS)).toISOString()).toBe('2024-02-29T03:00:00.000Z');
    expect(() => ftxExpiryFromName('BTC-1332', SNAPSHOT_MS)).toThrow(/not a valid date/);
    expect(() => ftxExpiryFromName('BTC-PERP', SNAPSHOT_MS)).toThrow(/not an FTX dated future/);
  });
});

describe('FTX /api/markets capture', () => {
  it('reads all 699 markets: instruments by kind, one quote per market, MOVE and prediction markets noted', async () => {
    const parsed = await cryptofeedImporter.parse(FTX_FILE, {});
    expect(parsed.rejections).toEqual([]);
    expect(parsed.rowsRead).toBe(1);
    const kinds = { spot: 0, perp: 0, future: 0 };
    for (const i of parsed.instruments) kinds[i.kind]++;
    expect(kinds).toEqual({ spot: 451, perp: 145, future: 91 });
    expect(parsed.instruments.every((i) => i.venue === 'ftx')).toBe(true);
    // 451 + 145 + 91 + 9 MOVE + 3 prediction = 699
    expect(parsed.notes).toContain('FTX /api/markets: 1 snapshot(s), 699 markets: 451 spot, 145 perp, 91 dated future');
    expect(parsed.notes.find((n) => n.startsWith('FTX: 9 MOVE'))).toContain('BTC-MOVE-2021Q3');
    expect(parsed.notes.find((n) => n.startsWith('FTX: 3 prediction'))).toContain('TRUMP2024');
    expect(parsed.notes.some((n) => n.includes('ts = capture time'))).toBe(true);
    expect(parsed.series).toHaveLength(687);
    expect(parsed.series.every((s) => s.key.table === 'quotes' && s.rows === 1)).toBe(true);
    for (const s of parsed.series) expect(validateSeries(s).rejections).toEqual([]);
  });

  it('maps BTC-PERP, BTC-1231 and BTC/USD with the quotes in the file', async () => {
    const parsed = await cryptofeedImporter.parse(FTX_FILE, {});
    const bySymbol = new Map(parsed.instruments.map((i) => [i.symbol, i]));
    expect(bySymbol.get('BTC/USD:USD')).toMatchObject({
      venueSymbol: 'BTC-PERP', kind: 'perp', base: 'BTC', quote: 'USD', settle: 'USD', linear: true,
      tickSize: 1, lotSize: 0.0001, fundingIntervalMs: 3_600_000, expiryMs: null,
    });
    const dec = bySymbol.get('BTC/USD:USD-211231')!;
    expect(dec).toMatchObject({ venueSymbol: 'BTC-1231', kind: 'future', linear: true, tickSize: 1, lotSize: 0.0001 });
    expect(new Date(dec.expiryMs!).toISOString()).toBe('2021-12-31T03:00:00.000Z');
    expect(bySymbol.get('BTC/USD:USD-210924')?.venueSymbol).toBe('BTC-0924');
    expect(bySymbol.get('BTC/USD')).toMatchObject({ venueSymbol: 'BTC/USD', kind: 'spot', settle: null, linear: null });
    expect(bySymbol.get('1INCH/USD:USD')).toMatchObject({ venueSymbol: '1INCH-PERP', tickSize: 0.0001, lotSize: 1 });

    const quote = (symbol: string) => {
      const s = findSeries(parsed, 'quotes', symbol);
      return { ts: num(s, 'ts', 0), received: num(s, 'received_at', 0), bid: num(s, 'bid', 0), ask: num(s, 'ask', 0), last: num(s, 'last', 0), bidSize: num(s, 'bid_size', 0) };
    };
    expect(quote('BTC/USD:USD')).toEqual({ ts: SNAPSHOT_MS, received: SNAPSHOT_MS, bid: 32195, ask: 32196, last: 32195, bidSize: Number.NaN });
    expect(quote('BTC/USD:USD-211231')).toMatchObject({ bid: 32815, ask: 32823, last: 32820 });
    expect(quote('BTC/USD:USD-210924')).toMatchObject({ bid: 32468, ask: 32473, last: 32472 });
    expect(quote('BTC/USD')).toMatchObject({ bid: 32201, ask: 32202, last: 32201 });
    expect(quote('BTC/USDT')).toMatchObject({ bid: 32189, ask: 32198, last: 32191 });
  });

  it('rejects a truncated body naming file and line', async () => {
    const path = brokenCopy(FTX_FILE, 'FTX.0', (lines) => {
      lines[0] = lines[0].slice(0, 5000);
    });
    const parsed = await cryptofeedImporter.parse(path, {});
    expect(parsed.series).toEqual([]);
    expect(parsed.rejections).toHaveLength(1);
    expect(parsed.rejections[0]).toMatchObject({ source: path, line: 1 });
    expect(parsed.rejections[0].reason).toMatch(/FTX response body of https:\/\/ftx.com\/api\/markets is not valid JSON/);
  });

  it('rejects a market with a null bid by name, keeping its instrument', async () => {
    const path = brokenCopy(FTX_FILE, 'FTX.0', (lines) => {
      const at = lines[0].indexOf('"name":"BTC-PERP"');
      const bidAt = lines[0].indexOf('"bid":32195.0,', at);
      if (at < 0 || bidAt < 0) throw new Error('BTC-PERP bid not found in the capture');
      lines[0] = `${lines[0].slice(0, bidAt)}"bid":null,${lines[0].slice(bidAt + '"bid":32195.0,'.length)}`;
    });
    const parsed = await cryptofeedImporter.parse(path, {});
    expect(parsed.rejections).toEqual([{ source: path, line: 1, reason: 'FTX market BTC-PERP: bid null / ask 32196: no quote row' }]);
    expect(parsed.instruments.some((i) => i.symbol === 'BTC/USD:USD')).toBe(true);
    expect(parsed.series.some((s) => s.key.symbol === 'BTC/USD:USD')).toBe(false);
    expect(parsed.series).toHaveLength(686);
  });
});
