/**
 * Trading states, as NautilusTrader has them: ACTIVE (everything), REDUCING (only orders that
 * reduce a position: closes, no new entries), HALTED (no new orders at all). One state for the whole
 * session and one per venue; a pair is held to the most restrictive state of the session and of its
 * legs' venues. An operator can also pause new entries without changing a state (the dashboard's
 * "pause"). The engine consults this holder before executing an intent; the risk engine (to come)
 * sets the states from its monitors and breakers, the dashboard's control endpoints from an operator.
 */

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/** The numeric code of each state (the perp_arb_trading_state metric): higher is more restrictive. */
export const TRADING_STATE_CODE: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/** One change: a state set (for the session when venue is null) or entries paused or resumed. */
export interface TradingStateChange {
  ts: number;
  kind: 'state' | 'pause';
  /** Null: the whole session. */
  venue: string | null;
  /** kind 'state': the new state; kind 'pause': ACTIVE when resumed, REDUCING while paused. */
  state: TradingState;
  previous: TradingState;
  reason: string;
  /** Who changed it: 'operator' (dashboard control), 'risk' (the risk engine, to come), ... */
  source: string;
}

export interface TradingStateView {
  session: TradingState;
  venues: Readonly<Record<string, TradingState>>;
  entriesPaused: boolean;
  pauseReason: string | null;
}

type Listener = (change: TradingStateChange) => void;

const rank = (s: TradingState) => TRADING_STATE_CODE[s];

export class TradingStateHolder {
  private session: TradingState = 'ACTIVE';
  private readonly byVenue = new Map<string, TradingState>();
  private paused = false;
  private pauseReason: string | null = null;
  private readonly listeners: Listener[] = [];

  constructor(venues: readonly string[] = []) {
    for (const v of venues) this.byVenue.set(v, 'ACTIVE');
  }

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  view(): TradingStateView {
    return { session: this.session, venues: Object.fromEntries(this.byVenue), entriesPaused: this.paused, pauseReason: this.pauseReason };
  }

  /** The state a venue trades in: the more restrictive of the session's and its own. */
  effective(venue: string): TradingState {
    const own = this.byVenue.get(venue) ?? 'ACTIVE';
    return rank(own) > rank(this.session) ? own : this.session;
  }

  /** Sets the session's state (venue null) or one venue's; unknown venues are refused. */
  set(state: TradingState, change: { venue: string | null; reason: string; source: string; ts: number }): TradingStateChange {
    if (!TRADING_STATES.includes(state)) throw new Error(`unknown trading state '${state}' (one of ${TRADING_STATES.join(', ')})`);
    if (change.venue !== null && !this.byVenue.has(change.venue)) throw new Error(`unknown venue '${change.venue}' (known: ${[...this.byVenue.keys()].join(', ') || 'none'})`);
    const previous = change.venue === null ? this.session : this.byVenue.get(change.venue)!;
    if (change.venue === null) this.session = state;
    else this.byVenue.set(change.venue, state);
    return this.emit({ ts: change.ts, kind: 'state', venue: change.venue, state, previous, reason: change.reason, source: change.source });
  }

  /** Pauses (or resumes) new entries for the whole session; closes go on. */
  pauseEntries(paused: boolean, change: { reason: string; source: string; ts: number }): TradingStateChange {
    const previous: TradingState = this.paused ? 'REDUCING' : 'ACTIVE';
    this.paused = paused;
    this.pauseReason = paused ? change.reason : null;
    return this.emit({ ts: change.ts, kind: 'pause', venue: null, state: paused ? 'REDUCING' : 'ACTIVE', previous, reason: change.reason, source: change.source });
  }

  /** Why a new pair on these venues may not be opened now; null when it may. */
  entryDenial(venues: readonly string[]): string | null {
    if (this.paused) return `new entries paused${this.pauseReason ? ` (${this.pauseReason})` : ''}`;
    for (const v of venues) {
      const state = this.effective(v);
      if (state !== 'ACTIVE') return `trading state ${state} on ${this.session === state ? 'the session' : v}: no new entries`;
    }
    return null;
  }

  /** Why a pair on these venues may not be closed now (HALTED: no orders at all); null when it may. */
  closeDenial(venues: readonly string[]): string | null {
    for (const v of venues) {
      if (this.effective(v) === 'HALTED') return `trading state HALTED on ${this.session === 'HALTED' ? 'the session' : v}: no orders`;
    }
    return null;
  }

  private emit(change: TradingStateChange): TradingStateChange {
    for (const l of this.listeners) l(change);
    return change;
  }
}
