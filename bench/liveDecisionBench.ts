import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBacktest } from '../src/engine/backtest.ts';
import { parseRunConfig } from '../src/engine/runtime/runConfig.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/run-paper-synthetic.json', import.meta.url));

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/**
 * Decision latency of a paper session on a replay: from a market event reaching the engine to the
 * order it causes being handed to the venue client (the `order` event with status submitted, emitted
 * just before venue.submit), in microseconds, on examples/run-paper-synthetic.json (OU on the
 * synthetic market). The order is decided while the engine handles that event, so the replay's speed
 * does not change the figure; it runs at full speed.
 */
export async function benchLiveDecision(): Promise<{ liveDecisionP50Micros: number; liveDecisionP99Micros: number; liveDecisionOrders: number }> {
  const config = parseRunConfig(JSON.parse(readFileSync(EXAMPLE, 'utf8')), EXAMPLE);
  const latencies: number[] = [];
  let lastMarketAt = 0;
  await runBacktest(config, {
    observe: (events) => {
      events.subscribe(() => (lastMarketAt = performance.now()), { name: 'bench: market', types: ['market'] });
      events.subscribe((e) => e.type === 'order' && e.status === 'submitted' && latencies.push((performance.now() - lastMarketAt) * 1000), { name: 'bench: orders', types: ['order'] });
    },
  });
  // The first orders include the JIT warming up; a live session has been running for a while.
  const warm = latencies.slice(Math.min(4, Math.floor(latencies.length / 4))).sort((a, b) => a - b);
  return { liveDecisionP50Micros: Math.round(percentile(warm, 0.5)), liveDecisionP99Micros: Math.round(percentile(warm, 0.99)), liveDecisionOrders: latencies.length };
}
