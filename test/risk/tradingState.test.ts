import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/engine/backtest.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { parseRunConfig } from '../../src/engine/runtime/runConfig.ts';
import { TradingStateHolder } from '../../src/risk/tradingState.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-paper-synthetic.json');
const config = () => parseRunConfig(JSON.parse(readFileSync(EXAMPLE, 'utf8')), EXAMPLE);

describe('trading states', () => {
  it('the holder: the most restrictive of session and venue, pause apart, unknown venue refused', () => {
    const holder = new TradingStateHolder(['a', 'b']);
    const seen: string[] = [];
    holder.subscribe((c) => seen.push(`${c.kind} ${c.venue ?? 'session'} ${c.previous}->${c.state}`));
    expect(holder.entryDenial(['a', 'b'])).toBeNull();
    holder.set('REDUCING', { venue: 'b', reason: 'test', source: 'operator', ts: 1 });
    expect(holder.effective('a')).toBe('ACTIVE');
    expect(holder.effective('b')).toBe('REDUCING');
    expect(holder.entryDenial(['a', 'b'])).toBe('trading state REDUCING on b: no new entries');
    expect(holder.closeDenial(['a', 'b'])).toBeNull();
    holder.set('HALTED', { venue: null, reason: 'test', source: 'operator', ts: 2 });
    expect(holder.effective('b')).toBe('HALTED');
    expect(holder.closeDenial(['a'])).toBe('trading state HALTED on the session: no orders');
    holder.set('ACTIVE', { venue: null, reason: 'test', source: 'operator', ts: 3 });
    holder.pauseEntries(true, { reason: 'operator pause', source: 'operator', ts: 4 });
    expect(holder.entryDenial(['a'])).toBe('new entries paused (operator pause)');
    expect(() => holder.set('HALTED', { venue: 'nope', reason: '', source: 'operator', ts: 5 })).toThrow(/unknown venue 'nope'/);
    expect(seen).toEqual(['state b ACTIVE->REDUCING', 'state session ACTIVE->HALTED', 'state session HALTED->ACTIVE', 'pause session ACTIVE->REDUCING']);
  });

  it('paused from the start: every entry is denied as an intent event and no order is sent', async () => {
    const events: EngineEvent[] = [];
    const run = await runBacktest(config(), {
      observe: (stream, engine) => {
        stream.subscribe((e) => events.push(e), { name: 'test', types: ['intent', 'order', 'tradingState'] });
        engine.tradingState.pauseEntries(true, { reason: 'test', source: 'operator', ts: 0 });
      },
    });
    expect(run.summary.trades).toBe(0);
    expect(events.filter((e) => e.type === 'order')).toHaveLength(0);
    const denied = events.filter((e) => e.type === 'intent' && e.dropped === 'new entries paused (test)');
    expect(denied.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ type: 'tradingState', change: { kind: 'pause', state: 'REDUCING' } });
  });

  it('HALTED after the first pair opened: its close is denied, it stays open to the end, nothing more is sent', async () => {
    const orders: string[] = [];
    let denials = 0;
    const run = await runBacktest(config(), {
      observe: (stream, engine) => {
        stream.subscribe(
          (e) => {
            if (e.type === 'order' && e.status === 'submitted') orders.push(e.clientOrderId);
            if (e.type === 'intent' && e.dropped !== null) denials++;
            if (e.type === 'execution' && e.event.type === 'pairOpened') engine.tradingState.set('HALTED', { venue: 'synthetic', reason: 'test', source: 'operator', ts: e.event.ts });
          },
          { name: 'test', types: ['order', 'intent', 'execution'] },
        );
      },
    });
    expect(run.summary.trades).toBe(1);
    expect(run.summary.roundTrips[0].closedAt).toBeNull();
    expect(orders).toHaveLength(2);
    expect(denials).toBeGreaterThan(0);
  });

  it('signals: the OU strategy publishes the basis with mu and bands only when someone listens', async () => {
    const signals: Extract<EngineEvent, { type: 'signal' }>[] = [];
    await runBacktest(config(), { observe: (stream) => stream.subscribe((e) => e.type === 'signal' && signals.push(e), { name: 'test', types: ['signal'] }) });
    expect(signals.length).toBeGreaterThan(1000);
    const fitted = signals.filter((s) => s.values.mu !== undefined);
    expect(fitted.length).toBeGreaterThan(1000);
    for (const s of fitted.slice(0, 50)) {
      expect(s.name).toBe('basis');
      expect(s.values.upper).toBeGreaterThan(s.values.mu);
      expect(s.values.lower).toBeLessThan(s.values.mu);
    }
  });
});
