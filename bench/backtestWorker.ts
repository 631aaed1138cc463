/** One backtest in its own process, so its peak RSS is its own: prints { events, eventsPerSec, peakRssMb }. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBacktestConfig, runBacktest } from '../src/engine/backtest.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const days = Number(process.argv[2]);
const raw = JSON.parse(readFileSync(join(root, 'examples', 'backtest-ou-synthetic.json'), 'utf8'));
const config = parseBacktestConfig({ ...raw, data: { ...raw.data, days } }, 'bench');
const run = await runBacktest(config);
process.stdout.write(
  JSON.stringify({
    days,
    events: run.summary.events,
    eventsPerSec: run.summary.eventsPerSec,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
