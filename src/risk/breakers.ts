import { DAY_MS, MINUTE_MS } from '../core/time.ts';
import type { RiskConfig, BreakerName } from './riskConfig.ts';
import { TRADING_STATE_CODE, type TradingState, type TradingStateHolder } from './tradingState.ts';

/** A breaker tripped or cleared: the risk layer journals it as a risk action. */
export interface BreakerEvent {
  ts: number;
  breaker: BreakerName;
  /** Null: the whole session. */
  venue: string | null;
  tripped: boolean;
  state: TradingState;
  reason: string;
  figures: Record<string, number>;
}

interface Trip {
  breaker: BreakerName;
  venue: string | null;
  state: TradingState;
  untilMs: number;
}

const fmt = (x: number) => Number(x.toPrecision(6)).toString();

/**
 * Circuit breakers (README "Risk"): daily loss and drawdown (the session), stale market data,
 * order reject rate, a price move within a window and a failed reconciliation (a venue). A breaker
 * that trips sets its scope's trading state to its action (through the TradingStateHolder: an event
 * with its cause, journalled); after its cool-down, once its condition no longer holds, it clears
 * and the scope returns to the most restrictive state of the breakers still tripped, or ACTIVE.
 * States set by others (an operator) are left alone unless a breaker makes them stricter.
 */
export class CircuitBreakers {
  private readonly trips = new Map<string, Trip>();
  private nextCheckMs = Infinity;
  private dayStartMs = Number.NaN;
  private dayStartEquity = Number.NaN;
  private lastEquity = Number.NaN;
  private peakEquity = Number.NaN;
  private readonly orders = new Map<string, { ts: number; rejected: boolean }[]>();
  private readonly prices = new Map<string, { ts: number; price: number }[]>();
  private readonly lastEventByVenue = new Map<string, number>();
  private readonly reconcileFailed = new Set<string>();
  private clockMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly cfg: RiskConfig['breakers'],
    private readonly states: TradingStateHolder,
    private readonly venues: readonly string[],
    private readonly emit: (event: BreakerEvent) => void,
  ) {}

  /** Tripped breakers now (status, tests). */
  active(): { breaker: BreakerName; venue: string | null; state: TradingState; untilMs: number }[] {
    return [...this.trips.values()].map((t) => ({ ...t }));
  }

  onEquity(ts: number, equityUsd: number): void {
    this.lastEquity = equityUsd;
    const day = Math.floor(ts / DAY_MS) * DAY_MS;
    if (day !== this.dayStartMs) {
      this.dayStartMs = day;
      this.dayStartEquity = equityUsd;
    }
    if (!(equityUsd <= this.peakEquity)) this.peakEquity = equityUsd;
    const daily = this.cfg.dailyLoss;
    if (daily.limitFraction !== null && this.dayStartEquity > 0) {
      const loss = (this.dayStartEquity - equityUsd) / this.dayStartEquity;
      if (loss >= daily.limitFraction) this.trip('dailyLoss', null, ts, `loss since the day's first equity point ${fmt(loss * 100)}% >= ${fmt(daily.limitFraction * 100)}%`, { dayStartEquityUsd: this.dayStartEquity, equityUsd, lossFraction: loss });
    }
    const dd = this.cfg.drawdown;
    if (dd.limitFraction !== null && this.peakEquity > 0) {
      const fall = (this.peakEquity - equityUsd) / this.peakEquity;
      if (fall >= dd.limitFraction) this.trip('drawdown', null, ts, `drawdown ${fmt(fall * 100)}% from the peak ${fmt(this.peakEquity)} >= ${fmt(dd.limitFraction * 100)}%`, { peakEquityUsd: this.peakEquity, equityUsd, drawdown: fall });
    }
  }

  /** An order of a venue ended (rejected or not). */
  onOrderDone(venue: string, rejected: boolean, ts: number): void {
    const c = this.cfg.rejectRate;
    if (c.maxRejectFraction === null) return;
    let list = this.orders.get(venue);
    if (list === undefined) this.orders.set(venue, (list = []));
    list.push({ ts, rejected });
    const figures = this.rejectFigures(venue, ts);
    if (figures.orders >= c.minOrders && figures.rejectFraction > c.maxRejectFraction) {
      this.trip('rejectRate', venue, ts, `${figures.rejected} of ${figures.orders} orders rejected in ${fmt(c.windowMinutes)} min > ${fmt(c.maxRejectFraction * 100)}%`, figures);
    }
  }

  /** A market event of a venue (prices for the move breaker, times for stale data). */
  onMarket(venue: string, symbol: string, ts: number, price: number): void {
    if (ts > this.clockMs) {
      // The clock moved on: every venue has delivered what it had up to the last time.
      const previous = this.clockMs;
      this.clockMs = ts;
      if (previous > Number.NEGATIVE_INFINITY) this.checkStale(previous);
      if (ts >= this.nextCheckMs) this.expire(ts);
    }
    this.lastEventByVenue.set(venue, ts);
    const c = this.cfg.priceMove;
    if (c.maxMoveFraction === null || !(price > 0)) return;
    const key = `${venue}:${symbol}`;
    let list = this.prices.get(key);
    if (list === undefined) this.prices.set(key, (list = []));
    const windowMs = c.windowMinutes * MINUTE_MS;
    while (list.length > 0 && list[0].ts < ts - windowMs) list.shift();
    for (const p of list) {
      const move = Math.abs(price / p.price - 1);
      if (move > c.maxMoveFraction) {
        this.trip('priceMove', venue, ts, `${key} moved ${fmt(move * 100)}% within ${fmt(c.windowMinutes)} min (${fmt(p.price)} -> ${fmt(price)}) > ${fmt(c.maxMoveFraction * 100)}%`, { fromPrice: p.price, toPrice: price, move });
        break;
      }
    }
    list.push({ ts, price });
  }

  /** The live runtime's reconciliation of a venue: failed (the venue halts) or passed (it may clear after the cool-down). */
  onReconciliation(venue: string, ok: boolean, reason: string, ts: number): void {
    if (!this.cfg.reconciliation.enabled) return;
    if (ok) {
      this.reconcileFailed.delete(venue);
      this.expire(ts);
      return;
    }
    this.reconcileFailed.add(venue);
    this.trip('reconciliation', venue, ts, `reconciliation failed: ${reason}`, {});
  }

  private checkStale(asOfMs: number): void {
    const max = this.cfg.staleData.maxAgeMinutes;
    if (max === null) return;
    for (const venue of this.venues) {
      const last = this.lastEventByVenue.get(venue);
      if (last === undefined) continue; // no data yet: nothing traded there either
      const ageMs = asOfMs - last;
      if (ageMs > max * MINUTE_MS) this.trip('staleData', venue, asOfMs, `no market data from ${venue} for ${fmt(ageMs / MINUTE_MS)} min > ${fmt(max)} min`, { ageMinutes: ageMs / MINUTE_MS, limitMinutes: max });
    }
  }

  private rejectFigures(venue: string, ts: number): { orders: number; rejected: number; rejectFraction: number } {
    const list = this.orders.get(venue) ?? [];
    const from = ts - this.cfg.rejectRate.windowMinutes * MINUTE_MS;
    while (list.length > 0 && list[0].ts < from) list.shift();
    const rejected = list.filter((o) => o.rejected).length;
    return { orders: list.length, rejected, rejectFraction: list.length > 0 ? rejected / list.length : 0 };
  }

  private stillBreached(trip: Trip, ts: number): boolean {
    switch (trip.breaker) {
      case 'dailyLoss':
        return this.cfg.dailyLoss.limitFraction !== null && Math.floor(ts / DAY_MS) * DAY_MS === this.dayStartMs && (this.dayStartEquity - this.lastEquity) / this.dayStartEquity >= this.cfg.dailyLoss.limitFraction;
      case 'drawdown':
        // After the cool-down the peak restarts at the current equity (an operator's reset).
        this.peakEquity = this.lastEquity;
        return false;
      case 'staleData': {
        const last = this.lastEventByVenue.get(trip.venue!);
        return last === undefined || ts - last > (this.cfg.staleData.maxAgeMinutes ?? Infinity) * MINUTE_MS;
      }
      case 'rejectRate': {
        const f = this.rejectFigures(trip.venue!, ts);
        return f.orders >= this.cfg.rejectRate.minOrders && f.rejectFraction > (this.cfg.rejectRate.maxRejectFraction ?? Infinity);
      }
      case 'priceMove':
        return false;
      case 'reconciliation':
        return this.reconcileFailed.has(trip.venue!);
    }
  }

  private trip(breaker: BreakerName, venue: string | null, ts: number, reason: string, figures: Record<string, number>): void {
    const key = `${breaker}|${venue ?? ''}`;
    const c = this.cfg[breaker];
    const untilMs = ts + c.cooldownMinutes * MINUTE_MS;
    const existing = this.trips.get(key);
    if (existing !== undefined) {
      existing.untilMs = Math.max(existing.untilMs, untilMs);
      return;
    }
    this.trips.set(key, { breaker, venue, state: c.action, untilMs });
    this.nextCheckMs = Math.min(this.nextCheckMs, untilMs);
    const current = venue === null ? this.states.view().session : (this.states.view().venues[venue] ?? 'ACTIVE');
    if (TRADING_STATE_CODE[c.action] > TRADING_STATE_CODE[current]) this.states.set(c.action, { venue, reason: `${breaker} breaker: ${reason}`, source: 'risk', ts });
    this.emit({ ts, breaker, venue, tripped: true, state: c.action, reason, figures });
  }

  /** Clears the breakers whose cool-down ended and whose condition no longer holds. */
  private expire(ts: number): void {
    this.nextCheckMs = Infinity;
    for (const [key, trip] of [...this.trips]) {
      if (trip.untilMs > ts || this.stillBreached(trip, ts)) {
        this.nextCheckMs = Math.min(this.nextCheckMs, Math.max(trip.untilMs, ts + 1));
        continue;
      }
      this.trips.delete(key);
      let state: TradingState = 'ACTIVE';
      for (const other of this.trips.values()) if (other.venue === trip.venue && TRADING_STATE_CODE[other.state] > TRADING_STATE_CODE[state]) state = other.state;
      const current = trip.venue === null ? this.states.view().session : (this.states.view().venues[trip.venue] ?? 'ACTIVE');
      // Only a state this breaker set is relaxed (an operator's stricter one stays).
      if (current === trip.state && state !== current) this.states.set(state, { venue: trip.venue, reason: `${trip.breaker} breaker cleared`, source: 'risk', ts });
      this.emit({ ts, breaker: trip.breaker, venue: trip.venue, tripped: false, state, reason: 'cool-down over and the condition cleared', figures: {} });
    }
  }

  /** Called on every clock step by the risk engine (cool-downs end on time even without equity points). */
  onClock(ts: number): void {
    if (ts >= this.nextCheckMs) this.expire(ts);
  }
}
