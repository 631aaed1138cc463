import { describe, expect, it } from 'vitest';
import { binanceUsdmSymbol } from '../../../src/data/import/cryptofeed/binanceDepth.ts';
import { cryptofeedImporter } from '../../../src/data/import/cryptofeed/captureImporter.ts';
import { validateSeries } from '../../../src/data/import/validateSeries.ts';
import { BINANCE_FILE, brokenCopy, findSeries, levels, num } from './support.ts';

describe('binanceUsdmSymbol', () => {
  it('maps USDT-M ids to unified symbols', () => {
    expect(binanceUsdmSymbol('SUSHIUSDT')).toBe('SUSHI/USDT:USDT');
    expect(binanceUsdmSymbol('1000SHIBUSDT')).toBe('1000SHIB/USDT:USDT');
    expect(binanceUsdmSymbol('BTCUSDT_210924')).toBe('BTC/USDT:USDT-210924');
    expect(binanceUsdmSymbol('ETHBUSD')).toBe('ETH/BUSD:BUSD');
    expect(binanceUsdmSymbol('BTCUSD_PERP')).toBeNull();
  });
});

describe('Binance USDT-M depth capture', () => {
  it('gives one book and one quote per snapshot, with the levels and top of book in the file', async () => {
    const parsed = await cryptofeedImporter.parse(BINANCE_FILE, {});
    expect(parsed.rejections).toEqual([]);
    expect(parsed.rowsRead).toBe(4);
    expect(parsed.instruments.map((i) => [i.symbol, i.venueSymbol, i.kind, i.linear])).toEqual([
      ['SUSHI/USDT:USDT', 'SUSHIUSDT', 'perp', true],
      ['AKRO/USDT:USDT', 'AKROUSDT', 'perp', true],
      ['KEEP/USDT:USDT', 'KEEPUSDT', 'perp', true],
      ['CTK/USDT:USDT', 'CTKUSDT', 'perp', true],
    ]);
    expect(parsed.series.map((s) => `${s.key.table}/${s.key.venue}/${s.key.symbol}:${s.rows}`).sort()).toEqual([
      'books/binance/AKRO/USDT:USDT:1', 'books/binance/CTK/USDT:USDT:1', 'books/binance/KEEP/USDT:USDT:1', 'books/binance/SUSHI/USDT:USDT:1',
      'quotes/binance/AKRO/USDT:USDT:1', 'quotes/binance/CTK/USDT:USDT:1', 'quotes/binance/KEEP/USDT:USDT:1', 'quotes/binance/SUSHI/USDT:USDT:1',
    ]);
    for (const s of parsed.series) expect(validateSeries(s).rejections).toEqual([]);

    // limit=1000 was asked for, but only SUSHIUSDT had 1000 levels on both sides
    const depth = (symbol: string) => {
      const b = findSeries(parsed, 'books', symbol);
      return [levels(b, 'bid_prices', 0).length, levels(b, 'ask_prices', 0).length];
    };
    expect(depth('SUSHI/USDT:USDT')).toEqual([1000, 1000]);
    expect(depth('AKRO/USDT:USDT')).toEqual([609, 763]);
    expect(depth('KEEP/USDT:USDT')).toEqual([400, 612]);
    expect(depth('CTK/USDT:USDT')).toEqual([485, 744]);

    const sushi = findSeries(parsed, 'books', 'SUSHI/USDT:USDT');
    expect(num(sushi, 'ts', 0)).toBe(1626992741261); // T, not E (1626992741264)
    expect(num(sushi, 'received_at', 0)).toBe(1626992741301);
    expect(num(sushi, 'sequence', 0)).toBe(600859605926);
    expect(levels(sushi, 'bid_prices', 0)[999]).toBe(6.347);
    expect(levels(sushi, 'ask_prices', 0)[999]).toBe(9.122);

    const top = (symbol: string) => {
      const q = findSeries(parsed, 'quotes', symbol);
      return [num(q, 'bid', 0), num(q, 'bid_size', 0), num(q, 'ask', 0), num(q, 'ask_size', 0), num(q, 'ts', 0)];
    };
    expect(top('SUSHI/USDT:USDT')).toEqual([7.611, 6, 7.612, 297, 1626992741261]);
    expect(top('AKRO/USDT:USDT')).toEqual([0.01731, 57618, 0.01732, 72524, 1626992741238]);
    expect(top('KEEP/USDT:USDT')).toEqual([0.2463, 631, 0.2464, 317, 1626992742012]);
    expect(top('CTK/USDT:USDT')).toEqual([1.01, 85782, 1.011, 6483, 1626992741972]);
  });

  it('rejects a truncated snapshot by line and keeps the others', async () => {
    const path = brokenCopy(BINANCE_FILE, 'BINANCE_FUTURES.http.0.0', (lines) => {
      lines[2] = lines[2].slice(0, 3000);
    });
    const parsed = await cryptofeedImporter.parse(path, {});
    expect(parsed.rejections).toHaveLength(1);
    expect(parsed.rejections[0]).toMatchObject({ source: path, line: 3 });
    expect(parsed.rejections[0].reason).toContain('Binance depth body for KEEPUSDT is not valid JSON');
    expect(parsed.series.filter((s) => s.key.table === 'books')).toHaveLength(3);
  });
});
