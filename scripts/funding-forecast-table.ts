// Regenerates the results table of docs/funding-forecast.md: imports the funding data of
// ../shared/data into a temporary store (as the tests do), runs the walk-forward evaluation of
// every funding series with the AR and forest models, and rewrites the table between the markers.
// Run: npx tsx scripts/funding-forecast-table.ts [--dry]   (about 5 minutes)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/app/cli/runCli.ts';
import { DAY_MS } from '../src/core/time.ts';
import { loadFundingFrame } from '../src/data/forecast/fundingFrame.ts';
import { MarketStore } from '../src/data/store/marketStore.ts';
import { walkForward, type WalkForwardResult } from '../src/model/forecast/walkForward.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const data = resolve(root, '..', 'shared', 'data');
const SOURCES = [
  'funding_history_7_exchanges__supervik/BTC-USDT',
  'funding_history_7_exchanges__supervik/ETH-USDT',
  'binance_bybit_okx_8h_spot_perp_funding__AHA-HH/all_exchanges.csv',
  'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents',
];
/** The last test window ends here: after it only one month of Binance BTC (2025) exists, too short to evaluate. */
const LAST_TEST_END = Date.UTC(2024, 6, 1, 0, 0, 1);
const TEST_DAYS = 365;
const MIN_HISTORY_DAYS = 180;

const sink = () => ({ text: '', isTTY: false, write(c: string) { this.text += c; return true; } });

async function main(): Promise<void> {
  const store = mkdtempSync(join(tmpdir(), 'perp-arb-forecast-table-'));
  try {
    for (const source of SOURCES) {
      const out = sink();
      const err = sink();
      const code = await runCli(['data', 'import', join(data, source), '--store', store, '--quiet'], { stdout: out, stderr: err });
      if (code !== 0) throw new Error(`import of ${source} failed: ${err.text}`);
    }
    const market = new MarketStore(store);
    const series = market.listSeries().filter((s) => s.key.table === 'funding');
    const rows: string[] = [];
    for (const s of series) {
      const frame = await loadFundingFrame(market, s.key.venue, s.key.symbol);
      let lastIndex = frame.tsMs.length - 1;
      while (lastIndex > 0 && frame.tsMs[lastIndex] >= LAST_TEST_END) lastIndex--;
      const testToMs = Math.floor(frame.tsMs[lastIndex] / DAY_MS) * DAY_MS + DAY_MS;
      const testFromMs = Math.max(testToMs - TEST_DAYS * DAY_MS, Math.ceil((frame.tsMs[0] + MIN_HISTORY_DAYS * DAY_MS) / DAY_MS) * DAY_MS);
      const perMonth = Math.round((30 * DAY_MS) / frame.intervalMs[lastIndex]);
      const run = (model: string, horizon: number, refitEvery?: number): WalkForwardResult => walkForward(frame, { testFromMs, testToMs, horizon, model, refitEvery });
      const ar1 = run('ar', 1);
      const forest1 = run('forest', 1, Math.max(90, perMonth));
      const ar3 = run('ar', 3);
      const bp = (x: number) => (x * 1e4).toFixed(3);
      const r = (x: number) => x.toFixed(3);
      const win = (x: number) => (x < 1 ? `**${r(x)}**` : r(x));
      rows.push(
        `| ${s.key.venue} | ${s.key.symbol} | ${ar1.testFrom.slice(0, 10)} .. ${ar1.testTo.slice(0, 10)} | ${ar1.n} | ${bp(ar1.baseline.mae)} | ${bp(ar1.model.mae)} | ${win(ar1.skillRatio)} | ${bp(forest1.model.mae)} | ${win(forest1.skillRatio)} | ${win(ar3.skillRatio)} | ${(ar1.baseline.directionalAccuracy * 100).toFixed(1)} / ${(ar1.model.directionalAccuracy * 100).toFixed(1)} / ${(forest1.model.directionalAccuracy * 100).toFixed(1)} | ${(ar1.model.intervalCoverage * 100).toFixed(0)} / ${(forest1.model.intervalCoverage * 100).toFixed(0)} | ${ar1.signFlips.n}: ${ar1.signFlips.modelCalled} / ${forest1.signFlips.modelCalled} | ${ar1.predicted ? r(ar1.predicted.skillRatio) : 'none'} |`,
      );
      process.stderr.write(`${s.id}: n ${ar1.n}, ar ${r(ar1.skillRatio)}, forest ${r(forest1.skillRatio)}, ar h3 ${r(ar3.skillRatio)}\n`);
    }
    const table = [
      '| venue | symbol | test window [from, to) | n | persistence MAE bps | AR MAE bps | AR skill | forest MAE bps | forest skill | AR skill h=3 | sign right % (pers / AR / forest) | 80% cover % (AR / forest) | sign flips: called (AR / forest) | vs venue quote |',
      '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n');
    const doc = join(root, 'docs', 'funding-forecast.md');
    const text = readFileSync(doc, 'utf8');
    const start = '<!-- forecast-table:start -->';
    const end = '<!-- forecast-table:end -->';
    const next = `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`;
    if (process.argv.includes('--dry')) process.stdout.write(`${table}\n`);
    else writeFileSync(doc, next);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

await main();
