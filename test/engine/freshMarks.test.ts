import { replayInput } from '../../src/data/replay/replay.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { loadBacktestConfig, runBacktest } from '../../src/engine/backtest.ts';
import { Engine } from '../../src/engine/engine.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { bars, EXACT_FILLS, fundingRows, MINUTE, perp, spot, T0 } from './engineSupport.ts';
import { ScriptedStrategy } from './scriptedStrategy.ts';

const V = 'sim';
const SPOT = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';

/** Long 0.2 spot / short 0.2 perp opened at 50,000 at T0+1m; funding (with the venue's mark 50,000) at T0+2m; the perp trades at 51,000 from T0+4m. */
async function run(extra: ReturnType<typeof bars>[] = []) {
  const instruments = [spot(V), perp(V)]; // spot taker 0.1%, perp taker 0.05%, perp lot 0.001
  const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
  const strategy = new ScriptedStrategy(
    [
      { venue: V, symbol: SPOT },
      { venue: V, symbol: PERP },
    ],
    [{ atMs: T0 + MINUTE, intent: { kind: 'openPair', id: 'p1', long: { venue: V, symbol: SPOT }, short: { venue: V, symbol: PERP }, notionalUsd: 10_000, reason: 'test', reasonCode: 'threshold' } }],
  );
  const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }], equitySampleMs: MINUTE });
  const flat = (close: number) => [0, 1, 2, 3].map((k) => ({ ts: T0 + k * MINUTE, close: k < 3 ? 50_000 : close }));
  const result = await engine.run(replayInput([bars(V, SPOT, flat(50_000)), bars(V, PERP, flat(51_000)), ...extra, fundingRows(V, PERP, [{ ts: T0 + 2 * MINUTE, rate: 0.0001, mark: 50_000 }])]));
  return { engine, venue, result };
}

describe('engine equity: a derivative is valued at the freshest of mark, quote and trade price', () => {
  it('a funding-row mark older than the latest bar: equity uses the bar close, as the venue does', async () => {
    const { engine, venue, result } = await run();
    expect(result.execution.map((e) => e.type)).toEqual(['pairOpened']);
    expect(result.fills.map((f) => f.notionalUsd)).toEqual([10_000, 10_000]);
    // The snapshot still holds the funding row's mark, with its time, beside the newer bar close.
    const snap = engine.market.get(V, PERP)!;
    expect(snap).toMatchObject({ markPrice: 50_000, markTs: T0 + 2 * MINUTE, price: 51_000, priceTs: T0 + 4 * MINUTE });
    // Cash 100,000 - 10,000 (spot) - 10 - 5 (fees) + 1 (funding 0.2 * 50,000 * 0.0001) = 89,986;
    // spot 0.2 * 50,000 = 10,000; perp short 0.2 from 50,000 to 51,000 = -200. At the stale mark
    // 50,000 it would read 99,986.
    expect(engine.equityUsd()).toBe(99_786);
    expect(result.finalEquityUsd).toBe(99_786);
    const [position] = await venue.positions();
    expect(position).toMatchObject({ symbol: PERP, quantity: -0.2, markPrice: 51_000, unrealisedPnl: -200 });
  });

  it('a mark bar as new as the trade bar wins (ties go to the mark), in the engine and in the venue', async () => {
    const close = Float64Array.of(50_900);
    const markBars = sourceFromColumns({ table: 'mark_bars', venue: V, symbol: PERP, timeframe: '1m' }, { ts: Float64Array.of(T0 + 3 * MINUTE), open: close, high: close, low: close, close }, 1);
    const { engine, venue } = await run([markBars]);
    expect(engine.market.get(V, PERP)).toMatchObject({ markPrice: 50_900, markTs: T0 + 4 * MINUTE, priceTs: T0 + 4 * MINUTE });
    expect(engine.equityUsd()).toBe(99_806); // perp -180 instead of -200
    const [position] = await venue.positions();
    expect(position.markPrice).toBe(50_900);
  });
});

describe('the OU synthetic example with fresh marks', () => {
  it('has the drawdown and win rate of the equity valued at current prices (not 8h-old funding marks)', async () => {
    const { summary } = await runBacktest(loadBacktestConfig(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json')));
    expect(summary.trades).toBe(43);
    expect(summary.endEquityUsd).toBeCloseTo(100_198.08873158, 6); // unchanged by the valuation
    // With funding-row marks (up to 8h old) the curve showed max drawdown 2.57%, Sharpe 0.22 and
    // win rate 14/43; at fresh prices: 0.065%, 4.23 and, opening costs included, 31/43.
    expect(summary.maxDrawdown).toBeCloseTo(0.000645491993, 10);
    expect(summary.sharpe).toBeCloseTo(4.2349596, 5);
    expect(summary.winRate).toBe(31 / 43);
  }, 120_000);
});
