import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCANNER_CONFIG } from '../../../src/strategy/scanner/config.ts';
import { Scanner } from '../../../src/strategy/scanner/scanner.ts';
import { applyLoad, loadSnapshot } from '../../../src/ingest/scanner/stateSources.ts';
import { dataPath } from '../../support/paths.ts';
import { useTempDirs } from '../../support/tempDir.ts';

const tempDir = useTempDirs();

const FTX_FILE = dataPath('raw_exchange_api_captures__bmoscon_cryptofeed', 'at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab', 'FTX.0');
const YEAR_MS = 365 * 86_400_000;

/** The FTX markets of the capture, read here without the project's parser: line 1 is `<url> -> <unix s>: <json>`. */
function readFtxFile(): { captureMs: number; markets: Map<string, { bid: number; ask: number }> } {
  const line = readFileSync(FTX_FILE, 'utf8').split('\n')[0];
  const match = /^https:\/\/ftx\.com\/api\/markets -> (\d+)\.(\d+): (.*)$/.exec(line)!;
  const captureMs = Number(match[1]) * 1000 + Number(match[2].slice(0, 3));
  const body = JSON.parse(match[3]) as { result: { name: string; bid: number; ask: number }[] };
  return { captureMs, markets: new Map(body.result.map((m) => [m.name, { bid: m.bid, ask: m.ask }])) };
}

async function scanFtx(): Promise<Scanner> {
  const scanner = new Scanner();
  applyLoad(scanner, await loadSnapshot(FTX_FILE));
  return scanner;
}

describe('scanner on the real FTX /api/markets snapshot (2021-07-22)', () => {
  it('BTC-1231 against BTC-PERP and against BTC/USD: gap at mids, costs from the bid/ask, annualised to 2021-12-31T03:00Z', async () => {
    const { captureMs, markets } = readFtxFile();
    const scanner = await scanFtx();
    expect(scanner.nowMs).toBe(captureMs);
    const dec = markets.get('BTC-1231')!;
    const expiryMs = Date.UTC(2021, 11, 31, 3);
    const horizonMs = expiryMs - captureMs;
    const fee = DEFAULT_SCANNER_CONFIG.takerFeeRate;
    const mid = (q: { bid: number; ask: number }) => (q.bid + q.ask) / 2;
    const crossing = (q: { bid: number; ask: number }) => (q.ask - q.bid) / mid(q);

    for (const [name, symbol, kind] of [['BTC-PERP', 'BTC/USD:USD', 'perp'], ['BTC/USD', 'BTC/USD', 'spot']] as const) {
      const near = markets.get(name)!;
      const gross = (mid(dec) - mid(near)) / mid(near); // the future is rich: buy near, sell BTC-1231
      const net = gross - crossing(near) - crossing(dec) - 4 * fee;
      const [opportunity] = scanner.opportunities({ types: ['calendarSpread'], asset: 'BTC' }).filter((o) => o.legs[0].symbol === symbol && o.legs[1].symbol === 'BTC/USD:USD-211231');
      expect(opportunity, `${name} vs BTC-1231`).toBeDefined();
      expect(opportunity.legs).toEqual([
        expect.objectContaining({ venue: 'ftx', symbol, venueSymbol: name, kind, side: 'buy', price: near.ask }),
        expect.objectContaining({ venue: 'ftx', symbol: 'BTC/USD:USD-211231', venueSymbol: 'BTC-1231', kind: 'future', side: 'sell', price: dec.bid, expiry: '2021-12-31T03:00:00.000Z' }),
      ]);
      expect(opportunity.grossBps).toBeCloseTo(gross * 1e4, 3);
      expect(opportunity.netBps).toBeCloseTo(net * 1e4, 3);
      expect(opportunity.horizonMs).toBe(horizonMs);
      expect(opportunity.apr).toBeCloseTo((net * YEAR_MS) / horizonMs, 5);
      expect(opportunity.expectedProfitUsd).toBeCloseTo(net * DEFAULT_SCANNER_CONFIG.notionalUsd, 1);
      // FTX's response has no sizes and no funding: said in the flags, never guessed.
      expect(opportunity.flags).toContain('depthUnknown');
      if (kind === 'perp') expect(opportunity.flags).toContain('fundingUnknown');
      else expect(opportunity.flags).not.toContain('fundingUnknown');
    }
    // The numbers themselves (bid/ask from the file): perp 32195/32196, spot 32201/32202, Dec 32815/32823.
    const perpVsDec = scanner.opportunities({ asset: 'BTC' })[0];
    expect(perpVsDec.legs.map((l) => l.venueSymbol)).toEqual(['BTC-PERP', 'BTC-1231']);
    expect(perpVsDec.grossBps).toBeCloseTo(((32819 - 32195.5) / 32195.5) * 1e4, 3);
  });

  it('says the snapshot has no funding rates and computes no funding carry or differential from it', async () => {
    const load = await loadSnapshot(FTX_FILE);
    expect(load.notes.some((n) => n.includes('has no funding rates'))).toBe(true);
    const scanner = new Scanner();
    applyLoad(scanner, load);
    const summary = scanner.summary();
    expect(summary.instruments).toBe(687);
    expect(summary.activeByType.fundingCarry).toBeUndefined();
    expect(summary.activeByType.fundingDifferential).toBeUndefined();
    expect(summary.activeByType.calendarSpread).toBeGreaterThan(0);
    // One venue, one perp per asset: no cross-venue pairs at all.
    expect(scanner.slots.some((s) => s.type === 'crossVenueSpread')).toBe(false);
    // Only same-quote spot is paired with a USD perp: BTC/USDT is not in a basis pair with BTC-PERP.
    expect(scanner.slots.filter((s) => s.type === 'basis' && s.assetKey === 'BTC').map((s) => s.a.instrument.symbol)).toEqual(['BTC/USD']);
  });

  it('ranks by expected net profit, best first, every item past its threshold', async () => {
    const scanner = await scanFtx();
    const all = scanner.opportunities();
    expect(all.length).toBe(scanner.summary().active);
    for (let k = 1; k < all.length; k++) expect(all[k - 1].expectedProfitUsd).toBeGreaterThanOrEqual(all[k].expectedProfitUsd);
    for (const o of all) {
      if (o.type === 'calendarSpread' || o.type === 'basis') expect(Math.abs(o.grossBps)).toBeGreaterThanOrEqual(20);
      expect(o.netBps).toBeCloseTo(o.components.convergenceBps + o.components.fundingBps - o.components.feesBps - o.components.crossingBps - o.components.borrowBps, 3);
    }
    expect(scanner.opportunities({ top: 3 })).toEqual(all.slice(0, 3));
  });
});

describe('broken snapshots', () => {
  const copy = (edit: (text: string) => string): string => {
    const path = join(tempDir(), 'FTX.0');
    writeFileSync(path, edit(readFileSync(FTX_FILE, 'utf8')));
    return path;
  };

  it('a truncated capture is an error naming the file and line', async () => {
    const path = copy((text) => text.slice(0, 100_000));
    await expect(loadSnapshot(path)).rejects.toThrow(`${path}: no usable market data in the snapshot:\n  ${path}:1: FTX response body of https://ftx.com/api/markets is not valid JSON`);
  });

  it('a market with bid > ask is rejected with file, line and market; the other markets are scanned', async () => {
    const path = copy((text) => text.replace('"name":"BTC-PERP","enabled":true,"postOnly":false,"priceIncrement":1.0,"sizeIncrement":0.0001,"minProvideSize":0.001,"last":32195.0,"bid":32195.0', '"name":"BTC-PERP","enabled":true,"postOnly":false,"priceIncrement":1.0,"sizeIncrement":0.0001,"minProvideSize":0.001,"last":32195.0,"bid":32999.0'));
    const load = await loadSnapshot(path);
    expect(load.rejections).toEqual([{ source: path, line: 1, reason: 'ftx market BTC-PERP (BTC/USD:USD): crossed: bid 32999 > ask 32196' }]);
    const scanner = new Scanner();
    applyLoad(scanner, load);
    const btc = scanner.opportunities({ asset: 'BTC' });
    expect(btc.length).toBeGreaterThan(0);
    expect(btc.some((o) => o.legs.some((l) => l.venueSymbol === 'BTC-PERP'))).toBe(false);
  });

  it('a file that is not a capture is an error naming it', async () => {
    const path = copy(() => 'Symbol,Date,Funding Rate\n');
    await expect(loadSnapshot(path)).rejects.toThrow(`${path}:1: not a cryptofeed capture`);
    await expect(loadSnapshot('/nonexistent/FTX.0')).rejects.toThrow('/nonexistent/FTX.0: cannot read snapshot: no such file');
  });
});
