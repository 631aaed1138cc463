import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realStartConfigs } from '../../src/app/cli/startCommand.ts';
import { loadBacktestConfig, parseBacktestConfig, runBacktest, type BacktestRun } from '../../src/engine/backtest.ts';
import { decimalFromNumber, minorToNumber, mulToMinor } from '../../src/portfolio/money.ts';
import { importIntoStore } from '../support/cli.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';
import { expectExactBreakdown, minor } from './breakdownChecks.ts';

const example = (name: string) => join(PROJECT_ROOT, 'examples', name);
const failedOpens = (run: BacktestRun) => run.result.execution.filter((e) => e.type === 'pairOpenFailed').length;

describe('PnL breakdown and round trips on the synthetic market: exact to the minor unit', () => {
  it('funding carry: parts sum to the equity change, trips sum to it too (no failed open), reasons are the strategy\'s', async () => {
    const run = await runBacktest(loadBacktestConfig(example('backtest-carry-synthetic.json')));
    const tripsNet = expectExactBreakdown(run);
    const { summary, result } = run;
    expect(failedOpens(run)).toBe(0);
    // Flat between trips: nothing falls outside them, so they explain the whole change.
    expect(tripsNet).toBe(result.pnlBreakdown!.endEquityUsd - result.pnlBreakdown!.startEquityUsd);
    expect(summary.trades).toBe(12);
    expect(new Set(summary.roundTrips.map((t) => t.entryReason))).toEqual(new Set(['threshold']));
    // Eleven closed when funding turned (APR below exit 0%), the last still open at the end.
    expect(summary.roundTrips.map((t) => t.exitReason)).toEqual([...Array(11).fill('fundingReversal'), 'endOfData']);
    expect(summary.roundTrips[0].exitReasonText).toMatch(/^funding APR -\d+\.\d\d% \(-\d\.\d{4}% per \d+h\) < exit 0\.00%$/);
    // The carry earns funding and pays it back in fees: the summary says so in words.
    expect(summary.pnlBreakdown.fundingUsd).toBeGreaterThan(0);
    expect(-summary.pnlBreakdown.feesUsd).toBeGreaterThan(summary.pnlBreakdown.priceUsd + summary.pnlBreakdown.fundingUsd);
    expect(summary.feesShareOfGrossProfit).toBe(-summary.pnlBreakdown.feesUsd / (summary.pnlBreakdown.priceUsd + summary.pnlBreakdown.fundingUsd));
    expect(summary.notes).toHaveLength(1);
    expect(summary.notes[0]).toMatch(/^Fees of 1,378\.90 USD over 12 round trips \(46 fills\) exceed what funding \(\+1,127\.59 USD\) and price \(-346\.37 USD\) earned together \(\+781\.23 USD\): after fees the run lost 597\.67 USD \(-0\.60%\)\.$/);
  }, 120_000);

  it('OU basis: 43 closed trips, entries at the threshold, exits at the mean or before funding', async () => {
    const run = await runBacktest(loadBacktestConfig(example('backtest-ou-synthetic.json')));
    const tripsNet = expectExactBreakdown(run);
    const { summary, result } = run;
    expect(tripsNet).toBe(result.pnlBreakdown!.endEquityUsd - result.pnlBreakdown!.startEquityUsd);
    expect(summary.trades).toBe(43);
    expect(summary.pnlBreakdown.fundingUsd).toBe(0); // strategy 1 is flat at every settlement
    expect(new Set(summary.roundTrips.map((t) => t.entryReason))).toEqual(new Set(['threshold']));
    for (const t of summary.roundTrips) expect(['meanReversion', 'beforeFunding']).toContain(t.exitReason);
    // Gross profit positive and bigger than fees: no turnover note; fees take 63% of it.
    expect(summary.notes).toEqual([]);
    expect(summary.feesShareOfGrossProfit!.toFixed(4)).toBe('0.6345');
  }, 120_000);

  it('a carry at 10x isolated liquidated twice: liquidation fees apart, the liquidated trips say so', async () => {
    const config = JSON.parse(readFileSync(example('backtest-carry-synthetic.json'), 'utf8'));
    config.venues[0] = { ...config.venues[0], leverage: 10, marginMode: 'isolated' };
    const run = await runBacktest(parseBacktestConfig(config));
    const tripsNet = expectExactBreakdown(run);
    const { summary, result } = run;
    expect(summary.liquidations).toBe(2);
    expect(summary.roundTrips.filter((t) => t.exitReason === 'liquidation')).toHaveLength(2);
    // Each liquidation's fee is in exactly one trip, and their sum is the run's.
    const liquidated = summary.roundTrips.filter((t) => t.liquidationFeesUsd !== 0);
    expect(liquidated.map((t) => t.exitReason)).toEqual(['liquidation', 'liquidation']);
    expect(liquidated.reduce((s, t) => s + minor(t.liquidationFeesUsd), 0n)).toBe(result.pnlBreakdown!.liquidationFeesUsd);
    const fees = result.liquidations.reduce((s, l) => s + minor(l.liquidationFee), 0n);
    expect(result.pnlBreakdown!.liquidationFeesUsd).toBe(-fees);
    expect(summary.liquidationFeesPaid).toBe(Number(fees) / 1e8);
    expect(tripsNet).toBe(result.pnlBreakdown!.endEquityUsd - result.pnlBreakdown!.startEquityUsd);
    expect(summary.notes.at(-1)).toMatch(/^2 liquidations closed a leg at the venue: 437\.50 USD of liquidation fees/);
  }, 120_000);
});

describe('PnL breakdown with a non-USD balance', () => {
  it('a coin held from the start: its revaluation is price PnL of the run but of no round trip', async () => {
    const config = JSON.parse(readFileSync(example('backtest-carry-synthetic.json'), 'utf8'));
    config.venues[0] = { ...config.venues[0], balances: { USDT: 100_000, SYN: 1 } };
    const { result, summary } = await runBacktest(parseBacktestConfig(config));
    const b = result.pnlBreakdown!;
    expect(b.priceUsd + b.fundingUsd + b.feesUsd + b.borrowUsd + b.liquidationFeesUsd).toBe(b.endEquityUsd - b.startEquityUsd);
    // Start equity = 100,000 USDT + 1 SYN at its first price; the coin is worth 1 x the final spot mark at the end.
    const coinAtStart = b.startEquityUsd - minor(100_000);
    const coinAtEnd = mulToMinor(decimalFromNumber(1), decimalFromNumber(result.finalMarks['synthetic:SYN/USDT']));
    const totals = result.ledger.totals();
    const unrealised = result.ledger.positions({ marks: result.finalMarks }).reduce((sum, p) => sum + p.unrealisedPnl!, 0n);
    // price = realised + unrealised of the trades + the coin's revaluation; each converted once, so
    // the spot leg's coins and the deposited one (one cash balance) may round apart by a minor unit.
    const tradedPrice = totals.realisedPnl.USDT! + unrealised;
    const gap = b.priceUsd - (tradedPrice + coinAtEnd - coinAtStart);
    expect(gap >= -1n && gap <= 1n).toBe(true);
    expect(minorToNumber(coinAtEnd - coinAtStart)).toBeGreaterThan(8000); // SYN rose from about 50,005 to 58,962
    // The same trades as without the coin: funding and fees unchanged, and the trips carry none of the revaluation.
    expect(summary.pnlBreakdown.fundingUsd).toBe(1127.59095456);
    expect(summary.pnlBreakdown.feesUsd).toBe(-1378.89668238);
    const tripsNet = summary.roundTrips.reduce((sum, t) => sum + minor(t.netPnlUsd), 0n);
    expect(tripsNet).toBe(minor(-597.67158723));
    const rest = tripsNet + (coinAtEnd - coinAtStart) - (b.endEquityUsd - b.startEquityUsd);
    expect(rest >= -1n && rest <= 1n).toBe(true);
  }, 120_000);
});

describe('PnL breakdown on real data', () => {
  let binance: string;
  let aha: string;

  beforeAll(async () => {
    binance = mkdtempSync(join(tmpdir(), 'perp-arb-breakdown-'));
    aha = mkdtempSync(join(tmpdir(), 'perp-arb-breakdown-aha-'));
    await importIntoStore(binance, ['binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents'].map((d) => dataPath(d)), ['--venue', 'binance']);
    await importIntoStore(aha, [dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv')]);
  }, 180_000);

  afterAll(() => {
    rmSync(binance, { recursive: true, force: true });
    rmSync(aha, { recursive: true, force: true });
  });

  it('npm start on Binance BTC 1m: the carry loses 1.36% by turnover, and the summary says so; the OU run is exact too', async () => {
    const [carry, ou] = realStartConfigs(binance)!;
    const run = await runBacktest(carry, { storeDir: binance });
    const tripsNet = expectExactBreakdown(run);
    const { summary, result } = run;
    expect(tripsNet).toBe(result.pnlBreakdown!.endEquityUsd - result.pnlBreakdown!.startEquityUsd);
    expect(summary.totalReturn.toFixed(4)).toBe('-0.0136');
    expect(summary.trades).toBe(10);
    expect(summary.pnlBreakdown.fundingUsd.toFixed(2)).toBe('102.65');
    expect(summary.pnlBreakdown.feesUsd.toFixed(2)).toBe('-1132.64');
    // Funding and price together lost money, so fees have no gross profit to take a share of.
    expect(summary.pnlBreakdown.priceUsd + summary.pnlBreakdown.fundingUsd).toBeLessThan(0);
    expect(summary.feesShareOfGrossProfit).toBeNull();
    expect(summary.notes[0]).toMatch(/^Fees of 1,132\.64 USD over 10 round trips \(38 fills\) exceed what funding \(\+102\.65 USD\) and price \(-\d{3}\.\d\d USD\) earned together \(-\d{3}\.\d\d USD\): they are \d\d\.\d\d% of the run's loss of 1,355\.42 USD \(-1\.36%\)\.$/);

    expectExactBreakdown(await runBacktest(ou, { storeDir: binance }));
  }, 120_000);

  it('funding differential on the AHA-HH 8h data (binance, bybit, okx): exact, and the trips explain the run', async () => {
    const run = await runBacktest(loadBacktestConfig(example('backtest-fundingdiff-aha.json')), { storeDir: aha });
    const tripsNet = expectExactBreakdown(run);
    const { summary, result } = run;
    expect(summary.trades).toBe(57);
    // data.to 2024-07-01T00:00Z is exclusive: the settlements stamped then are not paid.
    expect(summary.pnlBreakdown.fundingUsd.toFixed(2)).toBe('372.28');
    expect(summary.pnlBreakdown.feesUsd.toFixed(2)).toBe('-3439.41');
    expect(new Set(summary.roundTrips.map((t) => t.exitReason))).toEqual(new Set(['fundingReversal', 'endOfData']));
    for (const t of summary.roundTrips) expect(t.legs.map((l) => l.side)).toEqual(['long', 'short']);
    expect(failedOpens(run)).toBe(0);
    expect(tripsNet).toBe(result.pnlBreakdown!.endEquityUsd - result.pnlBreakdown!.startEquityUsd);
  }, 180_000);
});
