/**
 * perp-arb benchmarks. Prints ONE JSON object on stdout (`npm run bench -- --json`); progress goes to
 * stderr. Each speed is measured beside a baseline run in the same process, because the machines are
 * noisy: compare ratios, not absolute numbers, across machines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPath } from '../src/data/import/importPath.ts';
import { benchReplay, repeatedSources, type BenchSeries } from '../src/data/replay/bench.ts';
import { MarketStore } from '../src/data/store/marketStore.ts';
import type { SeriesKey } from '../src/domain/series.ts';
import { benchFit } from './fitBench.ts';
import { benchScan } from './scanBench.ts';
import { benchBacktest, benchStoreBacktest } from './backtestBench.ts';
import { benchStartup } from './startupBench.ts';
import { benchLiveDecision } from './liveDecisionBench.ts';

const SHARED_DATA = resolve(fileURLToPath(new URL('..', import.meta.url)), '..', 'shared', 'data');
const SPOT_FILE = join(SHARED_DATA, 'binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'BTC_USDT-1m.feather');
const PERP_DIR = join(SHARED_DATA, 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents');

const log = (text: string) => process.stderr.write(`${text}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function benchImport(runs = 5): Promise<{ importRowsPerSec: number; importRows: number; importSecondsMedian: number }> {
  const seconds: number[] = [];
  let rows = 0;
  for (let run = 0; run <= runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'perp-arb-bench-'));
    try {
      const started = process.hrtime.bigint();
      const report = await importPath(new MarketStore(dir), SPOT_FILE);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      rows = report.added;
      if (run > 0) seconds.push(elapsed); // run 0 warms up the JIT and DuckDB
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const s = median(seconds);
  return { importRowsPerSec: rows / s, importRows: rows, importSecondsMedian: s };
}

/** The Binance BTC spot and perp 1m data in a fresh store (the caller removes `dir`). */
async function realStore(dir: string): Promise<MarketStore> {
  const store = new MarketStore(dir);
  await importPath(store, SPOT_FILE);
  await importPath(store, PERP_DIR);
  return store;
}

async function loadReplaySeries(store: MarketStore): Promise<BenchSeries[]> {
  const keys: SeriesKey[] = [
    { table: 'bars', venue: 'binance', symbol: 'BTC/USDT', timeframe: '1m' },
    { table: 'bars', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: '1m' },
    { table: 'funding', venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null },
  ];
  const series: BenchSeries[] = [];
  for (const key of keys) {
    const data = await store.read(key);
    const columns: Record<string, Float64Array> = {};
    for (const [name, column] of Object.entries(data.columns)) if (column instanceof Float64Array) columns[name] = column;
    series.push({ key, rows: data.rows, columns });
  }
  return series;
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null },
    data: 'real: ../shared/data (Binance BTC/USDT spot 1m, BTC/USDT:USDT perp 1m and 8h funding)',
  };
  log('start-up: perp-arb --version and --help beside node -e 0 ...');
  Object.assign(results, benchStartup());
  log('import: freqtrade spot 1m file into a fresh store ...');
  Object.assign(results, await benchImport());
  log('replay: spot + perp 1m bars + funding, merged ...');
  const storeDir = mkdtempSync(join(tmpdir(), 'perp-arb-bench-'));
  try {
    const series = await loadReplaySeries(await realStore(storeDir));
    const replay = await benchReplay((repeats) => repeatedSources(series, repeats));
    Object.assign(results, {
      replayEventsPerSec: replay.replayEventsPerSec,
      bareLoopEventsPerSec: replay.bareLoopEventsPerSec,
      replayToBareLoopRatio: replay.replayEventsPerSec / replay.bareLoopEventsPerSec,
      replayEventsPerRepeat: replay.eventsPerRepeat,
      replayEvents: replay.replayEvents,
      replaySeconds: replay.replaySeconds,
    });
    log('backtest: OU strategy on the real Binance BTC 1m data from the store ...');
    Object.assign(results, await benchStoreBacktest(storeDir));
  } finally {
    rmSync(storeDir, { recursive: true, force: true });
  }
  log('paper: decision latency from a market event to the order, on a paced replay ...');
  Object.assign(results, await benchLiveDecision());
  log('fit: OU fit of a seeded 10M-point series, beside numpy ...');
  Object.assign(results, benchFit());
  log('scan: 10 venues x 300 instruments, seeded random updates ...');
  Object.assign(results, benchScan());
  log('backtest: OU strategy on the synthetic market, 30 and 300 days, each in its own process ...');
  Object.assign(results, benchBacktest());
  // Floors (at least) and ceilings (at most); fitToNumpyRatio is null without numpy.
  const atLeast = { importRowsPerSec: 1_000_000, replayEventsPerSec: 20_000_000, fitToNumpyRatio: 3, backtestEventsPerSec: 10_000_000 };
  const atMost = { scanUpdateP99Micros: 20, fullRescanMillis: 2, cliStartupOverNodeMillis: 250, liveDecisionP99Micros: 1000 };
  results.targets = { atLeast, atMost };
  const check = (key: string, ok: (v: number) => boolean) => [key, results[key] === null ? null : ok(results[key] as number)];
  results.meetsTargets = Object.fromEntries([
    ...Object.entries(atLeast).map(([k, v]) => check(k, (x) => x >= v)),
    ...Object.entries(atMost).map(([k, v]) => check(k, (x) => x <= v)),
  ]);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

await main();
