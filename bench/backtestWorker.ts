/**
 * One backtest in its own process, so its peak RSS is its own. Prints { days, events, eventsPerSec,
 * peakRssMb, generationMs, bareReplayMs }: the backtest end to end (its synthetic market is generated
 * chunk by chunk inside the run), then, in the same process, the generation alone and a replay of the
 * same market with an empty handler, so ratios are measured under the same load.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MINUTE_MS } from '../src/core/time.ts';
import { replay } from '../src/data/replay/replay.ts';
import { syntheticMarketStream } from '../src/data/synthetic/chunks.ts';
import type { SyntheticMarketOptions } from '../src/data/synthetic/market.ts';
import { parseBacktestConfig, runBacktest } from '../src/engine/backtest.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const days = Number(process.argv[2]);
const raw = JSON.parse(readFileSync(join(root, 'examples', 'backtest-ou-synthetic.json'), 'utf8'));
const config = parseBacktestConfig({ ...raw, data: { ...raw.data, days } }, 'bench');
const run = await runBacktest(config);
const peakRssMb = process.resourceUsage().maxRSS / 1024;

const data = config.data;
if (data.source !== 'synthetic') throw new Error('bench: the backtest example must use synthetic data');
// The market runBacktest generates (src/engine/backtest.ts).
const market = () => syntheticMarketStream({ ...(data.options as Partial<SyntheticMarketOptions>), seed: data.seed, bars: Math.round(data.days * 1440), barIntervalMs: MINUTE_MS });
let started = performance.now();
for (const source of market().sources()) for await (const chunk of source.chunks) if (chunk.rows < 0) throw new Error('impossible');
const generationMs = performance.now() - started;
started = performance.now();
let sink = 0;
await replay(market().sources(), (cursor) => {
  sink += cursor.row;
});
const bareReplayMs = performance.now() - started;

process.stdout.write(
  JSON.stringify({ days, events: run.summary.events, eventsPerSec: run.summary.eventsPerSec, elapsedMs: run.result.elapsedMs, peakRssMb, generationMs, bareReplayMs, sink }),
);
