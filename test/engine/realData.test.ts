import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import { minorToNumber } from '../../src/portfolio/money.ts';
import { PROJECT_ROOT, dataPath } from '../support/paths.ts';
import { lastClosedAtOrBefore } from '../support/bars.ts';
import { importIntoStore, runCli } from '../support/cli.ts';

const PERP = 'BTC/USDT:USDT';
const EIGHT_HOURS = 8 * 3_600_000;
const MINUTE = 60_000;

describe('backtest on real Binance data (spot 1m + USD-M perp 1m, 8h funding and mark, 2025-05/06)', () => {
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'perp-arb-engine-'));
    const dirs = ['binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents'];
    await importIntoStore(root, dirs.map((dir) => dataPath(dir)), ['--venue', 'binance']);
  }, 120_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a carry held over the whole span books funding equal to sum(rate * mark * qty) from the files, to the cent', async () => {
    const config = parseBacktestConfig({
      // Open at the first settlement whatever the rate, never close.
      strategy: { type: 'fundingCarry', params: { spot: 'binance:BTC/USDT', perp: `binance:${PERP}`, notionalUsd: 50_000, roundTripCostRate: 0, entryMarginApr: -10, exitApr: -10 } },
      data: { source: 'store', from: '2025-05-25T10:34Z', to: '2025-06-24T10:32Z' },
      instruments: [
        { id: 'binance:BTC/USDT', takerFeeRate: 0.001, makerFeeRate: 0.001, lotSize: 0.00001 },
        { id: `binance:${PERP}`, takerFeeRate: 0.0005, makerFeeRate: 0.0002, lotSize: 0.001 },
      ],
      venues: [{ venue: 'binance', balances: { USDT: 200_000 }, leverage: 3 }],
    });
    const { result, summary } = await runBacktest(config, { storeDir: root });
    expect(result.liquidations).toEqual([]);
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened']);
    const opened = result.execution[0];
    if (opened.type !== 'pairOpened') throw new Error('unreachable');
    const qty = opened.quantity;
    expect(qty).toBeGreaterThan(0);

    // Independently, from the stored rows.
    const store = new MarketStore(root);
    const key = (table: SeriesKey['table'], timeframe: string | null): SeriesKey => ({ table, venue: 'binance', symbol: PERP, timeframe });
    const [funding, marks, bars] = await Promise.all([store.read(key('funding', null)), store.read(key('mark_bars', '8h')), store.read(key('bars', '1m'))]);
    const fTs = funding.columns.ts as Float64Array;
    const rates = funding.columns.rate as Float64Array;
    const markTs = marks.columns.ts as Float64Array;
    const markClose = marks.columns.close as Float64Array;
    const barTs = bars.columns.ts as Float64Array;
    const barClose = bars.columns.close as Float64Array;
    let expected = 0;
    let settlements = 0;
    for (let i = 0; i < funding.rows; i++) {
      if (!(fTs[i] > opened.ts)) continue;
      const m = lastClosedAtOrBefore(markTs, EIGHT_HOURS, fTs[i]);
      const b = lastClosedAtOrBefore(barTs, MINUTE, fTs[i]);
      const mark = m >= 0 && markTs[m] + EIGHT_HOURS >= barTs[b] + MINUTE ? markClose[m] : barClose[b];
      expected += rates[i] * mark * qty; // a short perp receives rate * mark * qty
      settlements++;
    }
    expect(settlements).toBe(88);
    expect(result.funding).toHaveLength(88);
    expect(Math.abs(result.fundingPnlUsd - expected)).toBeLessThan(0.005);
    expect(result.fundingPnlUsd.toFixed(2)).toBe(expected.toFixed(2));
    expect(summary.fundingPnl).toBeCloseTo(expected, 2);
    // The exact ledger equals the venue's float wallet to the cent.
    const ledgerFunding = minorToNumber(result.ledger.totals().fundingNet.USDT ?? 0n);
    expect(ledgerFunding.toFixed(2)).toBe(expected.toFixed(2));
    expect(summary.events).toBeGreaterThan(80_000);
    expect(summary.trades).toBe(1);
  }, 120_000);

  it('the example Binance config runs end to end', async () => {
    const { stdout, stderr, code } = await runCli(['backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-carry-binance.json'), '--store', root, '--json', '--no-report']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.events).toBeGreaterThan(80_000);
    expect(summary.fundingPnl).toEqual(expect.any(Number));
  }, 120_000);
});
