import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TRADING_STATES, type TradingStateChange, type TradingStateHolder } from './tradingState.ts';

/**
 * Trading-state changes survive a restart: every change (a breaker's, an operator's) is appended to
 * a journal, and a restarted session replays it into its holder before trading. The live runtime
 * keeps one in its state directory (tradingStateJournalPath); tests and backtests may use the
 * in-memory one.
 */
export interface TradingStateJournal {
  append(change: TradingStateChange): void;
  load(): TradingStateChange[];
}

export class MemoryTradingStateJournal implements TradingStateJournal {
  readonly changes: TradingStateChange[] = [];
  append(change: TradingStateChange): void {
    this.changes.push({ ...change });
  }
  load(): TradingStateChange[] {
    return this.changes.map((c) => ({ ...c }));
  }
}

export const TRADING_STATE_JOURNAL_FILE = 'trading-states.jsonl';

export function tradingStateJournalPath(stateDir: string): string {
  return join(stateDir, TRADING_STATE_JOURNAL_FILE);
}

/** One JSON line per change, appended synchronously (a change is on disk before the next order). */
export class FileTradingStateJournal implements TradingStateJournal {
  constructor(readonly file: string) {}

  append(change: TradingStateChange): void {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(change)}\n`);
  }

  load(): TradingStateChange[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, 'utf8').split('\n');
    const out: TradingStateChange[] = [];
    lines.forEach((line, k) => {
      if (line.trim() === '') return;
      let value: TradingStateChange;
      try {
        value = JSON.parse(line) as TradingStateChange;
      } catch {
        throw new Error(`${this.file}:${k + 1}: not a JSON trading-state change`);
      }
      if ((value.kind !== 'state' && value.kind !== 'pause') || !TRADING_STATES.includes(value.state) || !(value.venue === null || typeof value.venue === 'string') || typeof value.ts !== 'number') {
        throw new Error(`${this.file}:${k + 1}: not a trading-state change (kind state|pause, state ACTIVE|REDUCING|HALTED, venue, ts)`);
      }
      out.push(value);
    });
    return out;
  }
}

/**
 * Replays a journal into a holder (the last change of each scope wins), then journals every new
 * change. Returns the changes replayed. Venues no longer configured are skipped.
 */
export function restoreTradingStates(holder: TradingStateHolder, journal: TradingStateJournal): TradingStateChange[] {
  const replayed = journal.load();
  const known = new Set(Object.keys(holder.view().venues));
  for (const c of replayed) {
    const source = `${c.source} (restored)`;
    if (c.kind === 'pause') holder.pauseEntries(c.state !== 'ACTIVE', { reason: c.reason, source, ts: c.ts });
    else if (c.venue === null || known.has(c.venue)) holder.set(c.state, { venue: c.venue, reason: c.reason, source, ts: c.ts });
  }
  holder.subscribe((change) => journal.append(change));
  return replayed;
}
