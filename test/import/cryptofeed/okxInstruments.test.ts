import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cryptofeedImporter } from '../../../src/data/import/cryptofeed/captureImporter.ts';
import { okxSymbolFromInstId } from '../../../src/data/import/cryptofeed/okxInstruments.ts';
import { OKX_REST_FILE } from './support.ts';

describe('okxSymbolFromInstId', () => {
  it('maps spot, linear and inverse swaps and futures; options are not mapped', () => {
    expect(okxSymbolFromInstId('BTC-USDT')).toBe('BTC/USDT');
    expect(okxSymbolFromInstId('BTC-USDT-SWAP')).toBe('BTC/USDT:USDT');
    expect(okxSymbolFromInstId('UNI-USD-SWAP')).toBe('UNI/USD:UNI');
    expect(okxSymbolFromInstId('BTC-USD-220527')).toBe('BTC/USD:BTC-220527');
    expect(okxSymbolFromInstId('BTC-USDT-220624')).toBe('BTC/USDT:USDT-220624');
    expect(okxSymbolFromInstId('BTC-USD-220527-30000-C')).toBeNull();
  });
});

describe('OKX instruments capture', () => {
  it('reads SPOT, SWAP and FUTURES, skips OPTION, and dedupes the 5 identical snapshots', async () => {
    const parsed = await cryptofeedImporter.parse(OKX_REST_FILE, {});
    expect(parsed.rejections).toEqual([]);
    expect(parsed.series).toEqual([]);
    expect(parsed.rowsRead).toBe(25);
    const count = (pred: (i: (typeof parsed.instruments)[number]) => boolean) => parsed.instruments.filter(pred).length;
    expect(parsed.instruments).toHaveLength(513 + 166 + 104);
    expect(count((i) => i.kind === 'spot')).toBe(513);
    expect(count((i) => i.kind === 'perp')).toBe(166);
    expect(count((i) => i.kind === 'future')).toBe(104);
    expect(count((i) => i.kind === 'perp' && i.linear === false)).toBe(40);
    expect(count((i) => i.kind === 'perp' && i.linear === true)).toBe(126);
    expect(count((i) => i.kind === 'future' && i.linear === false)).toBe(52);
    expect(count((i) => i.kind === 'future' && i.linear === true)).toBe(52);
    expect(parsed.notes).toContain('OKX: 3480 OPTION instrument rows skipped (options are out of scope)');
    expect(parsed.notes.some((n) => n.startsWith('instrument conflict'))).toBe(false);

    const bySymbol = new Map(parsed.instruments.map((i) => [i.symbol, i]));
    const future = bySymbol.get('BTC/USD:BTC-220527')!;
    expect(future).toMatchObject({
      venue: 'okx', venueSymbol: 'BTC-USD-220527', kind: 'future', base: 'BTC', quote: 'USD', settle: 'BTC',
      linear: false, contractSize: 100, tickSize: 0.1, lotSize: 1,
    });
    expect(new Date(future.expiryMs!).toISOString()).toBe('2022-05-27T08:00:00.000Z');
    expect(bySymbol.get('BTC/USD:BTC')).toMatchObject({ venueSymbol: 'BTC-USD-SWAP', kind: 'perp', linear: false, contractSize: 100, expiryMs: null });
    expect(bySymbol.get('BTC/USDT:USDT')).toMatchObject({ venueSymbol: 'BTC-USDT-SWAP', kind: 'perp', linear: true, contractSize: 0.01 });
    expect(bySymbol.get('UNI/USD:UNI')).toMatchObject({ venueSymbol: 'UNI-USD-SWAP', contractSize: 10, tickSize: 0.001 });
    expect(bySymbol.get('BTC/USDT')).toMatchObject({ venueSymbol: 'BTC-USDT', kind: 'spot', contractSize: 1, tickSize: 0.1, lotSize: 0.00000001 });
    // every future expires at 08:00 UTC on the date in its instId
    for (const i of parsed.instruments.filter((x) => x.kind === 'future')) {
      expect(new Date(i.expiryMs!).toISOString().slice(11)).toBe('08:00:00.000Z');
    }
    // the instId-only rule used for websocket channels agrees with the fields-based symbols
    for (const i of parsed.instruments) expect(okxSymbolFromInstId(i.venueSymbol!)).toBe(i.symbol);
  });

  it('checks ctVal of BTC-USDT-SWAP against the raw file', () => {
    const line = readFileSync(OKX_REST_FILE, 'utf8').split('\n')[1];
    expect(line).toContain('"ctVal":"0.01","ctValCcy":"BTC","expTime":"","instId":"BTC-USDT-SWAP"');
  });
});
