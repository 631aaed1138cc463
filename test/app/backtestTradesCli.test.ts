import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHolding, roundTripTableLines } from '../../src/app/cli/roundTripText.ts';
import type { RoundTripRecord } from '../../src/engine/roundTrip.ts';
import { runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const CARRY = join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json');

/** The table rows (after the title, the header and the dashes) up to the blank line. */
function tableRows(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('round trips '));
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 3, end);
}

describe('perp-arb backtest: the PnL breakdown and the round trips in the human output', () => {
  const tempDir = useTempDirs();
  it('prints the breakdown, the fee share, the turnover note and the best 5 and worst 5 of 12 round trips', async () => {
    const { stdout, stderr, code } = await runCli(['backtest', '--config', CARRY, '--no-report', '--no-progress']);
    expect(code, stderr).toBe(0);
    // -346.37 + 1,127.59 - 1,378.90 + 0 = -597.67, the equity change 100,000 -> 99,402.33.
    expect(stdout).toContain('PnL            price -346.37  funding +1,127.59  fees -1,378.90  borrow 0.00  = -597.67 USD\n');
    // 1,378.90 / 781.23 = 176.50%.
    expect(stdout).toContain('fees share     176.50% of price + funding (+781.23 USD)\n');
    expect(stdout).toMatch(/^note {11}Fees of 1,378\.90 USD over 12 round trips \(46 fills\) exceed what funding/m);
    expect(stdout).toContain('round trips    best 5 and worst 5 of 12, by net PnL (--trades N)\n');
    const rows = tableRows(stdout);
    expect(rows).toHaveLength(11);
    expect(rows[5].trim()).toBe('... 2 more');
    // By net PnL, best first: carry-7 made +216.57 (funding +362.74, fees -114.09, price -32.08).
    expect(rows[0]).toMatch(/^carry-7 +2024-01-19 00:00 +5d 16h +\+SYN\/USDT -SYN\/USDT:USDT +\+216\.57 +-32\.08 +\+362\.74 +-114\.09 +0\.00 +fundingReversal$/);
    const nets = rows.filter((_, k) => k !== 5).map((r) => Number(r.split(/ {2,}/)[4].replace(/,/g, '')));
    expect(nets).toEqual([...nets].sort((a, b) => b - a));
    // The one still open at the end says so.
    expect(rows.some((r) => /^carry-12 .* endOfData$/.test(r))).toBe(true);
  }, 60_000);

  it('--trades 0 prints no table, --trades 6 all 12, and a bad value exits 2 before running', async () => {
    const none = await runCli(['backtest', '--config', CARRY, '--no-report', '--no-progress', '--trades', '0']);
    expect(none.code).toBe(0);
    expect(none.stdout).not.toContain('round trips    ');
    expect(none.stdout).toContain('PnL            price');
    const all = await runCli(['backtest', '--config', CARRY, '--no-report', '--no-progress', '--trades', '6']);
    expect(all.stdout).toContain('round trips    all 12, by net PnL\n');
    expect(tableRows(all.stdout)).toHaveLength(12);
    for (const bad of ['-1', 'many', '2.5']) {
      const r = await runCli(['backtest', '--config', CARRY, '--no-report', '--no-progress', '--trades', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`error: --trades ${bad}: expected a whole number >= 0`);
    }
  }, 60_000);

  it('--json carries roundTrips, pnlBreakdown, feesShareOfGrossProfit and notes', async () => {
    const { stdout, code } = await runCli(['backtest', '--config', CARRY, '--no-report', '--json']);
    expect(code).toBe(0);
    const s = JSON.parse(stdout);
    expect(Object.keys(s.pnlBreakdown)).toEqual(['priceUsd', 'fundingUsd', 'feesUsd', 'borrowUsd', 'liquidationFeesUsd']);
    expect(s.roundTrips).toHaveLength(s.trades);
    expect(Object.keys(s.roundTrips[0])).toEqual([
      'id', 'strategy', 'legs', 'openedAt', 'closedAt', 'holdingMs', 'netPnlUsd', 'pricePnlUsd', 'fundingUsd', 'feesUsd', 'borrowUsd', 'liquidationFeesUsd', 'entryReason', 'exitReason', 'entryReasonText', 'exitReasonText',
    ]);
    expect(Object.keys(s.roundTrips[0].legs[0])).toEqual(['instrument', 'side', 'quantity', 'averageEntryPrice', 'averageExitPrice']);
    expect(s.feesShareOfGrossProfit.toFixed(4)).toBe('1.7650');
    expect(s.notes).toHaveLength(1);
  }, 60_000);

  it('perp-arb start prints the breakdown and a table per run, and takes --trades', async () => {
    const dir = tempDir();
    const { stdout, code, stderr } = await runCli(['start', '--store', join(dir, 'empty'), '--report-dir', join(dir, 'reports'), '--trades', '2']);
    expect(code, stderr).toBe(0);
    expect(stdout.match(/^PnL {12}price /gm)).toHaveLength(2);
    expect(stdout).toContain('round trips    best 2 and worst 2 of 12, by net PnL (--trades N)\n');
    expect(stdout).toMatch(/round trips {4}best 2 and worst 2 of 43, by net PnL/);
    const bad = await runCli(['start', '--store', join(dir, 'empty'), '--trades', 'x']);
    expect(bad.code).toBe(2);
  }, 90_000);
});

describe('the round-trip table formatting', () => {
  const trip = (id: string, netPnlUsd: number): RoundTripRecord => ({
    id,
    strategy: 's',
    legs: [
      { instrument: 'a:X/USDT', side: 'long', quantity: 1, averageEntryPrice: 1, averageExitPrice: 1 },
      { instrument: 'b:X/USDT:USDT', side: 'short', quantity: 1, averageEntryPrice: 1, averageExitPrice: 1 },
    ],
    openedAt: 0,
    closedAt: 3_600_000,
    holdingMs: 3_600_000,
    netPnlUsd,
    pricePnlUsd: netPnlUsd,
    fundingUsd: 0,
    feesUsd: 0,
    borrowUsd: 0,
    liquidationFeesUsd: 0,
    entryReason: 'threshold',
    exitReason: 'meanReversion',
    entryReasonText: '',
    exitReasonText: null,
  });

  it('names the venue of each leg when the legs are on different venues, and adds a liquidation column only when needed', () => {
    const lines = roundTripTableLines([trip('t1', 1), trip('t2', -2)], 5);
    expect(lines[0]).toBe('round trips    all 2, by net PnL');
    expect(lines[1]).not.toContain('liq fees');
    expect(lines[3]).toMatch(/^t1 .* \+a:X\/USDT -b:X\/USDT:USDT +\+1\.00 /);
    expect(lines[4]).toMatch(/^t2 .* -2\.00 /);
    const withLiquidation = roundTripTableLines([{ ...trip('t3', -5), liquidationFeesUsd: -5, pricePnlUsd: 0, exitReason: 'liquidation' }], 5);
    expect(withLiquidation[1]).toContain('liq fees');
    expect(withLiquidation[3]).toMatch(/-5\.00 +liquidation$/);
    expect(roundTripTableLines([], 5)).toEqual([]);
  });

  it('formats holding times', () => {
    expect(formatHolding(30_000)).toBe('30s');
    expect(formatHolding(42 * 60_000)).toBe('42m');
    expect(formatHolding(5 * 3_600_000 + 12 * 60_000)).toBe('5h 12m');
    expect(formatHolding(3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000)).toBe('3d 04h');
  });
});
