import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { cryptofeedImporter, parseCaptureText, restRoute } from '../../../src/data/import/cryptofeed/captureImporter.ts';
import { BINANCE_FILE, FTX_FILE, OKX_REST_FILE, OKX_WS_FILE } from './support.ts';

describe('cryptofeedImporter', () => {
  it('detects REST and websocket captures from their first line, and nothing else', () => {
    for (const file of [FTX_FILE, BINANCE_FILE, OKX_REST_FILE, OKX_WS_FILE]) {
      expect(cryptofeedImporter.detect(file, readFileSync(file).subarray(0, 4096))).toBe(true);
    }
    expect(cryptofeedImporter.id).toBe('cryptofeed');
    expect(cryptofeedImporter.detect('a.csv', Buffer.from('time,open,high\n1,2,3\n'))).toBe(false);
    expect(cryptofeedImporter.detect('x', Buffer.from('https://ftx.com/api/markets {"a":1}\n'))).toBe(false);
    expect(cryptofeedImporter.detect('x', Buffer.from('wss://ws.okx.com:8443/ws/v5/public <-> 1652459224.53\n'))).toBe(true);
  });

  it('routes known URLs only', () => {
    expect(restRoute('https://ftx.com/api/markets')).toBe('ftx-markets');
    expect(restRoute('https://fapi.binance.com/fapi/v1/depth?symbol=SUSHIUSDT&limit=1000')).toBe('binance-depth');
    expect(restRoute('https://www.okx.com/api/v5/public/instruments?instType=SPOT')).toBe('okx-instruments');
    expect(restRoute('https://api.binance.com/api/v3/depth?symbol=BTCUSDT')).toBeNull();
  });

  it('rejects unknown URLs, messages without a known connection and malformed lines, naming them', () => {
    const text = [
      'https://api.kraken.com/0/public/Depth?pair=XBTUSD -> 1626992741.3: {"result":{}}',
      '1652459225.5: {"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[]}',
      'this is not a capture line',
      'wss://ws.kraken.com <-> 1652459224.5',
      '1652459225.6: {"event":"subscribed"}',
      'configuration: {"l2_book":["BTC-USDT"]}',
      '',
    ].join('\n');
    const parsed = parseCaptureText(text, 'cap');
    expect(parsed.rowsRead).toBe(3);
    expect(parsed.series).toEqual([]);
    expect(parsed.rejections.map((r) => [r.source, r.line])).toEqual([['cap', 1], ['cap', 2], ['cap', 3], ['cap', 5]]);
    expect(parsed.rejections[0].reason).toBe('no parser for URL https://api.kraken.com/0/public/Depth?pair=XBTUSD');
    expect(parsed.rejections[1].reason).toBe('no parser for websocket URL (no connection line before this message)');
    expect(parsed.rejections[2].reason).toMatch(/^not a cryptofeed capture line .*: 'this is not a capture line'$/);
    expect(parsed.rejections[3].reason).toBe('no parser for websocket URL wss://ws.kraken.com');
    expect(parsed.notes).toContain("skipped 1 cryptofeed 'configuration:' line(s) (feed settings, not market data)");
  });

  describe('gzipped captures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perp-arb-cryptofeed-gz-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const gz = gzipSync(readFileSync(FTX_FILE));
    const write = (name: string, bytes: Uint8Array) => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    };

    it('reads a .gz capture like the plain file', async () => {
      const path = write('FTX.0.gz', gz);
      expect(cryptofeedImporter.detect(path, gz.subarray(0, 4096))).toBe(true);
      const plain = await cryptofeedImporter.parse(FTX_FILE, {});
      const zipped = await cryptofeedImporter.parse(path, {});
      expect(zipped.rowsRead).toBe(plain.rowsRead);
      expect(zipped.series.map((s) => [s.key, s.rows])).toEqual(plain.series.map((s) => [s.key, s.rows]));
      // Only a .gz name is decompressed; gzip bytes under another name are not a capture.
      expect(cryptofeedImporter.detect(join(dir, 'FTX.0'), gz.subarray(0, 4096))).toBe(false);
    });

    it('fails a truncated or damaged .gz with one line saying so and what was expected', async () => {
      const truncated = write('cut.0.gz', gz.subarray(0, Math.floor(gz.length / 2)));
      expect(cryptofeedImporter.detect(truncated, gz.subarray(0, 4096))).toBe(true);
      await expect(cryptofeedImporter.parse(truncated, {})).rejects.toThrow(
        new InputError({ source: truncated }, 'gzip data is truncated (zlib: unexpected end of file); expected a complete gzip-compressed cryptofeed capture'),
      );
      const garbage = Buffer.concat([gz.subarray(0, 10), Buffer.alloc(200, 0xff)]);
      const damaged = write('bad.0.gz', garbage);
      // Claimed although nothing decodes: a damaged .gz must fail, not be skipped as an unknown file.
      expect(cryptofeedImporter.detect(damaged, garbage)).toBe(true);
      await expect(cryptofeedImporter.parse(damaged, {})).rejects.toThrow(/: gzip data is damaged \(zlib: .*\); expected a complete gzip-compressed cryptofeed capture$/);
    });
  });
});
