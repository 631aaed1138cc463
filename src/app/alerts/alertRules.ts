import type { Engine } from '../../engine/engine.ts';
import type { EngineEvent } from '../../engine/events.ts';
import type { EventStream } from '../../engine/eventStream.ts';
import type { Alert } from './alert.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const TERMINAL_ORDER = new Set(['rejected', 'filled', 'canceled', 'expired']);
const usd = (x: number) => `${x < 0 ? '-' : ''}$${Math.abs(x).toFixed(2)}`;

export interface AlertRulesOptions {
  /** An order in flight (sent, no final status) longer than this, engine ms, is alerted (default 10 s). */
  orderInFlightAlertMs?: number;
}

/**
 * Turns the engine's event stream into alerts: pairs opened and closed, a naked leg (one leg held,
 * the other flat), an order in flight too long, trading-state changes (a breaker's when its source
 * or reason says so), reconciliation differences and venue disconnections (error events that name
 * them), and a summary of each UTC day of engine time. The listener only builds alerts and hands
 * them to `notify` (which must not block: the AlertDispatcher).
 */
export class AlertRules {
  private engine: Engine | null = null;
  private readonly inFlight = new Map<string, { ts: number; venue: string; symbol: string; alerted: boolean }>();
  private readonly orderAlertMs: number;
  private lastInFlightCheck = -Infinity;
  private day: { date: string; startEquityUsd: number; funding: number; fees: number; closed: number; netClosed: number } | null = null;
  private lastEquity: { ts: number; equityUsd: number } | null = null;

  constructor(
    private readonly notify: (alert: Alert) => void,
    options: AlertRulesOptions = {},
  ) {
    this.orderAlertMs = options.orderInFlightAlertMs ?? 10_000;
  }

  attach(events: EventStream<EngineEvent>, engine: Engine): void {
    this.engine = engine;
    events.subscribe((e) => this.onEvent(e), { name: 'alerts', types: ['market', 'execution', 'order', 'fill', 'funding', 'equity', 'tradingState', 'risk', 'error'] });
  }

  /** The market input said a venue's stream dropped (paper and live: the live input's reports). */
  venueDisconnected(venue: string, text: string, ts: number): void {
    this.notify({ kind: 'venueDisconnected', severity: 'critical', key: `disconnected:${venue}`, ts, text: `${venue}: ${text}`, data: { venue } });
  }

  /** The summary of the day so far (at the end of a session). */
  flushDay(): void {
    if (this.day !== null && this.lastEquity !== null) this.daily(this.lastEquity.equityUsd);
    this.day = null;
  }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'market':
        if (this.inFlight.size > 0 && e.cursor.time - this.lastInFlightCheck >= 1000) this.checkInFlight(e.cursor.time);
        return;
      case 'execution':
        this.onExecution(e.event);
        return;
      case 'order':
        if (e.status === 'submitted' || e.status === 'unknown') {
          if (!this.inFlight.has(e.clientOrderId)) this.inFlight.set(e.clientOrderId, { ts: e.ts, venue: e.venue, symbol: e.symbol, alerted: false });
        } else if (TERMINAL_ORDER.has(e.status)) this.inFlight.delete(e.clientOrderId);
        return;
      case 'fill':
        if (this.day) this.day.fees += e.feeUsd;
        if (e.order) this.checkNaked(e.order.pairId, e.fill.ts);
        return;
      case 'funding':
        if (this.day) this.day.funding += e.amountUsd;
        return;
      case 'equity':
        this.onEquity(e.ts, e.equityUsd);
        return;
      case 'tradingState': {
        const c = e.change;
        const breaker = c.source === 'breaker' || /breaker/i.test(c.reason);
        const what = c.kind === 'pause' ? (c.state === 'REDUCING' ? 'new entries paused' : 'new entries resumed') : `${c.venue ?? 'session'} ${c.previous} -> ${c.state}`;
        this.notify({ kind: breaker ? 'breakerTripped' : 'riskAction', severity: breaker || c.state === 'HALTED' ? 'critical' : 'warning', key: `state:${c.kind}:${c.venue ?? 'session'}:${c.state}:${c.ts}`, ts: c.ts, text: `${what} by ${c.source}: ${c.reason}`, data: { ...c } });
        return;
      }
      case 'risk': {
        const a = e.action;
        if (a.kind === 'breakerCleared') return;
        const breaker = a.kind === 'breakerTripped';
        this.notify({ kind: breaker ? 'breakerTripped' : 'riskAction', severity: breaker ? 'critical' : 'warning', key: `risk:${a.kind}:${a.rule}:${a.pairId ?? a.venue ?? 'session'}:${a.ts}`, ts: a.ts, text: `${a.kind} ${a.rule}${a.pairId ? ` ${a.pairId}` : ''}${a.venue ? ` on ${a.venue}` : ''}: ${a.reason}`, data: { ...a } });
        return;
      }
      case 'error': {
        const text = `${e.source}: ${e.message}`;
        if (/reconcil/i.test(text)) this.notify({ kind: 'reconciliationDifference', severity: 'critical', key: `reconcile:${text}`, ts: e.ts, text, data: { source: e.source, message: e.message } });
        else if (/disconnect|connection (lost|closed)|websocket closed/i.test(text)) this.notify({ kind: 'venueDisconnected', severity: 'critical', key: `disconnected:${e.source}`, ts: e.ts, text, data: { source: e.source, message: e.message } });
        return;
      }
      default:
        return;
    }
  }

  private onExecution(x: Extract<EngineEvent, { type: 'execution' }>['event']): void {
    if (x.type === 'pairOpened') {
      const pair = this.engine?.executor.pair(x.id);
      const legs = pair ? `long ${pair.long.venue}:${pair.long.symbol} @ ${x.longPrice}, short ${pair.short.venue}:${pair.short.symbol} @ ${x.shortPrice}` : `long @ ${x.longPrice}, short @ ${x.shortPrice}`;
      this.notify({ kind: 'pairOpened', severity: 'info', key: `opened:${x.id}`, ts: x.ts, text: `${x.id} opened: ${x.quantity} ${legs}`, data: { ...x } });
      return;
    }
    if (x.type === 'pairClosed') {
      const trip = this.engine?.roundTripsNow().find((t) => t.id === x.id);
      if (trip && this.day) {
        this.day.closed++;
        this.day.netClosed += trip.netPnlUsd;
      }
      const pnl = trip ? `: net ${usd(trip.netPnlUsd)} (price ${usd(trip.pricePnlUsd)}, funding ${usd(trip.fundingUsd)}, fees ${usd(trip.feesUsd)}), ${trip.exitReason}` : '';
      this.notify({ kind: 'pairClosed', severity: 'info', key: `closed:${x.id}`, ts: x.ts, text: `${x.id} closed${pnl}`, data: { ...x, netPnlUsd: trip?.netPnlUsd ?? null, exitReason: trip?.exitReason ?? null } });
      return;
    }
    this.checkNaked(x.id, x.ts);
  }

  private checkNaked(id: string, ts: number): void {
    const pair = this.engine?.executor.pair(id);
    if (!pair || pair.status === 'closed' || pair.status === 'failed' || pair.status === 'opening') return;
    if (pair.longQty > 0 === pair.shortQty > 0) return;
    const [held, ref, qty] = pair.longQty > 0 ? ['long', pair.long, pair.longQty] : ['short', pair.short, pair.shortQty];
    this.notify({ kind: 'nakedLeg', severity: 'critical', key: `naked:${id}`, ts, text: `${id} has a naked ${held} leg: ${qty} ${ref.venue}:${ref.symbol}, the other leg is flat (status ${pair.status})`, data: { id, leg: held, quantity: qty, status: pair.status } });
  }

  private checkInFlight(now: number): void {
    this.lastInFlightCheck = now;
    for (const [id, o] of this.inFlight) {
      if (o.alerted || now - o.ts < this.orderAlertMs) continue;
      o.alerted = true;
      this.notify({ kind: 'orderInFlightTooLong', severity: 'warning', key: `inflight:${id}`, ts: now, text: `order ${id} on ${o.venue}:${o.symbol} in flight for ${Math.round((now - o.ts) / 1000)} s (no final status from the venue)`, data: { clientOrderId: id, venue: o.venue, symbol: o.symbol, sinceMs: o.ts } });
    }
  }

  private onEquity(ts: number, equityUsd: number): void {
    const date = new Date(ts).toISOString().slice(0, 10);
    if (this.day !== null && this.day.date !== date) {
      // The day ended at this sample (midnight UTC): its summary.
      this.daily(equityUsd);
      this.day = null;
    }
    if (this.day === null) this.day = { date, startEquityUsd: equityUsd, funding: 0, fees: 0, closed: 0, netClosed: 0 };
    this.lastEquity = { ts, equityUsd };
  }

  private daily(endEquityUsd: number): void {
    const d = this.day!;
    const change = endEquityUsd - d.startEquityUsd;
    const open = this.engine?.executor.activePairs().length ?? 0;
    this.notify({
      kind: 'dailySummary',
      severity: 'info',
      key: `daily:${d.date}`,
      ts: this.lastEquity?.ts ?? Date.parse(d.date) + DAY_MS,
      text: `${d.date}: equity ${usd(endEquityUsd)} (${change >= 0 ? '+' : ''}${usd(change)}, ${((change / d.startEquityUsd) * 100).toFixed(3)}%), funding ${usd(d.funding)}, fees ${usd(-d.fees)}, ${d.closed} pair${d.closed === 1 ? '' : 's'} closed (net ${usd(d.netClosed)}), ${open} open`,
      data: { date: d.date, startEquityUsd: d.startEquityUsd, endEquityUsd, changeUsd: change, fundingUsd: d.funding, feesUsd: -d.fees, pairsClosed: d.closed, netClosedUsd: d.netClosed, openPairs: open },
    });
  }
}
