import { describe, expect, it } from 'vitest';
import { replayInput } from '../../src/data/replay/replay.ts';
import { headline } from '../../src/app/cli/backtestCommand.ts';
import { Engine } from '../../src/engine/engine.ts';
import { summarize } from '../../src/engine/summary.ts';
import { FundingCarryStrategy } from '../../src/strategy/fundingCarry.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { bars, EXACT_FILLS, fundingRows, HOUR, MINUTE, perp, spot, T0 } from './engineSupport.ts';

const V = 'sim';

describe('strategy reasons say what their APR is annualised from', () => {
  it('funding carry: the APR with the rate per interval it comes from, on open and on close', async () => {
    const instruments = [spot(V), perp(V)];
    const venue = new SimulatedVenue({ venue: V, instruments, balances: { USDT: 100_000 }, fill: EXACT_FILLS, margin: { defaults: { leverage: 2 } } });
    const strategy = new FundingCarryStrategy({ spot: `${V}:BTC/USDT`, perp: `${V}:BTC/USDT:USDT`, notionalUsd: 10_000, roundTripCostRate: 0.003, expectedHoldingDays: 30 });
    const engine = new Engine({ venues: [venue], instruments, strategy, deposits: [{ venue: V, asset: 'USDT', amount: 100_000 }] });
    const reasons: string[] = [];
    engine.events.subscribe((e) => {
      if (e.type === 'intent' && 'reason' in e.intent) reasons.push(String(e.intent.reason));
    }, { name: 'reasons', types: ['intent'] });
    const prices = [T0, T0 + MINUTE, T0 + 8 * HOUR, T0 + 16 * HOUR].map((ts) => ({ ts, close: 50_000 }));
    const funding = [
      { ts: T0 + 2 * MINUTE, rate: 0.0001 },
      { ts: T0 + 8 * HOUR + MINUTE, rate: -0.00005, mark: 50_000 },
    ];
    const result = await engine.run(replayInput([bars(V, 'BTC/USDT', prices), bars(V, 'BTC/USDT:USDT', prices), fundingRows(V, 'BTC/USDT:USDT', funding)]));
    expect(reasons).toEqual([
      'funding APR 10.95% (0.0100% per 8h) vs cost 3.65% + margin 0.00%',
      'funding APR -5.47% (-0.0050% per 8h) < exit 0.00%',
    ]);
    // The backtest summary's APR says how it is annualised.
    const summary = summarize(result);
    expect(headline(summary).find((l) => l.startsWith('total return'))).toMatch(/ APR -?\d+\.\d\d% \(simple: total return x 365 d \/ span\) /);
  });
});
