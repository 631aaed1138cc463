import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIntoStore, runCli } from '../support/cli.ts';
import { dataPath, PROJECT_ROOT } from '../support/paths.ts';

const AHA = dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv');

describe('funding flip backtest on the real AHA-HH Binance BTC data (examples/backtest-fundingflip-aha.json)', () => {
  let store: string;
  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'perp-arb-flip-'));
    await importIntoStore(store, [AHA]);
  }, 120_000);
  afterAll(() => rmSync(store, { recursive: true, force: true }));

  for (const model of ['ar', 'persistence']) {
    it(`forecast model ${model}: runs through the registry, the ledger's breakdown adds up to the equity change`, async () => {
      const config = join(PROJECT_ROOT, 'examples', 'backtest-fundingflip-aha.json');
      const args = ['backtest', '--config', config, '--store', store, '--json', '--no-report', '--no-runs-db', '--no-progress'];
      let file = config;
      if (model === 'persistence') {
        const json = JSON.parse(readFileSync(config, 'utf8'));
        json.strategy.params.forecast.model = 'persistence';
        delete json.$schema;
        file = join(store, 'persistence.json');
        writeFileSync(file, JSON.stringify(json));
        args[2] = file;
      }
      const { stdout, code, stderr } = await runCli(args);
      expect(code, stderr).toBe(0);
      const s = JSON.parse(stdout);
      const b = s.pnlBreakdown;
      expect(b.priceUsd + b.fundingUsd + b.feesUsd + b.borrowUsd + b.liquidationFeesUsd).toBeCloseTo(s.endEquityUsd - s.startEquityUsd, 6);
      expect(s.liquidations).toBe(0);
      if (model === 'persistence') {
        // Persistence forecasts the last sign for every window and the store has no venue quotes: no flip is ever forecast.
        expect(s.trades).toBe(0);
        expect(s.endEquityUsd).toBe(s.startEquityUsd);
      } else {
        // The AR forecast called the turn to positive funding in February 2023 and held the carry to the end.
        expect(s.trades).toBeGreaterThanOrEqual(1);
        expect(s.roundTrips[0].entryReason).toBe('expectedProfit');
        expect(s.roundTrips[0].entryReasonText).toContain('funding forecast to turn positive');
        expect(s.fundingPnl).toBeGreaterThan(0);
      }
    }, 180_000);
  }

  it("paper on a replay of the store at --speed max gives the backtest's summary (one code path through the registry)", async () => {
    const config = join(PROJECT_ROOT, 'examples', 'backtest-fundingflip-aha.json');
    const state = join(store, 'paper-state');
    const paper = await runCli(['run', '--config', config, '--mode', 'paper', '--state', state, '--replay', store, '--speed', 'max', '--json', '--no-progress']);
    expect(paper.code, paper.stderr).toBe(0);
    const session = JSON.parse(paper.stdout) as { mode: string; summary: Record<string, unknown> };
    expect(session.mode).toBe('paper');
    const backtest = await runCli(['backtest', '--config', config, '--store', store, '--json', '--no-report', '--no-runs-db', '--no-progress']);
    expect(backtest.code, backtest.stderr).toBe(0);
    const same = (x: Record<string, unknown>) => ({ ...x, elapsedMs: 0, eventsPerSec: 0 });
    expect(same(session.summary)).toEqual(same(JSON.parse(backtest.stdout)));
    expect(session.summary.trades).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
