import type { Engine } from '../../engine/engine.ts';
import type { EngineEvent } from '../../engine/events.ts';
import type { EventStream } from '../../engine/eventStream.ts';
import type { RoundTripRecord } from '../../engine/roundTrip.ts';
import { performanceMetrics } from '../../model/performanceMetrics.ts';
import type { VenueBalance, VenuePosition } from '../../venues/tradingTypes.ts';
import type { BasisPoint, DashboardEvent, DashboardSnapshot, EquitySample, FundingRow, LegPosition, OrderInFlight, PairPosition, PnlWindow, RiskView } from './dashboardTypes.ts';
import { describeEvent } from './eventText.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;
const TERMINAL_ORDER = new Set(['rejected', 'filled', 'canceled', 'expired']);

export interface DashboardModelOptions {
  source: string;
  /** Longest series kept (equity, basis per strategy): older points are thinned by half beyond it. */
  maxPoints?: number;
  /** Events kept for the page. */
  maxEvents?: number;
}

/** What the dashboard's server reads: a live model (an engine in this process) or a stored snapshot. */
export interface DashboardSource {
  snapshot(): DashboardSnapshot;
  /** Changes whenever what snapshot() returns may have changed. */
  version(): number;
  /** The engine's controls; null for a stored session (read-only). */
  readonly engine: Engine | null;
  /** Venue positions and balances are read asynchronously (the venue's API): refreshed by the server's timer. */
  refresh(): Promise<void>;
  /** Decision latency (market event in, intent out) of each intent, seconds. */
  onDecisionLatency(listener: (seconds: number) => void): void;
}

/** Cash flows of the last 24 h (older ones dropped as new ones come). */
function pushFlow(flows: { ts: number; usd: number }[], ts: number, usd: number): void {
  flows.push({ ts, usd });
  let old = 0;
  while (old < flows.length && flows[old].ts <= ts - DAY_MS) old++;
  if (old > 0) flows.splice(0, old);
}

/** A series capped at `max` points: beyond it every other older point is dropped (the newest kept). */
export class ThinnedSeries<T> {
  readonly points: T[] = [];
  constructor(private readonly max: number) {}
  push(point: T): void {
    this.points.push(point);
    if (this.points.length > this.max) {
      const kept: T[] = [];
      for (let i = 0; i < this.points.length - 1; i += 2) kept.push(this.points[i]);
      kept.push(this.points[this.points.length - 1]);
      this.points.length = 0;
      this.points.push(...kept);
    }
  }
}

/**
 * The dashboard's view of a running engine, fed by its event stream: equity and basis series,
 * events, orders in flight, funding and fees; positions and risk are read from the engine (executor,
 * market view, trading states, round trips) when a snapshot is taken. Subscribing costs the engine a
 * few field writes per event; snapshots are built only when the server asks.
 */
export class DashboardModel implements DashboardSource {
  engine: Engine | null = null;
  private readonly sourceLabel: string;
  private readonly equity: ThinnedSeries<EquitySample>;
  private readonly basis = new Map<string, ThinnedSeries<BasisPoint>>();
  private readonly events: DashboardEvent[] = [];
  private readonly maxEvents: number;
  private readonly maxPoints: number;
  private readonly inFlight = new Map<string, OrderInFlight>();
  private readonly fundingFlows: { ts: number; usd: number }[] = [];
  private readonly feeFlows: { ts: number; usd: number }[] = [];
  private fundingTotalUsd = 0;
  private feesTotalUsd = 0;
  private liquidations = 0;
  private readonly breakers = new Map<string, { name: string; tripped: boolean; reason: string | null }>();
  private seq = 0;
  private changes = 0;
  private nowMs: number | null = null;
  private decisionStart = 0;
  private deciding = false;
  private finished = false;
  private positionsCache = new Map<string, VenuePosition>();
  private balancesCache = new Map<string, VenueBalance[]>();
  private readonly latencyListeners: ((seconds: number) => void)[] = [];

  constructor(options: DashboardModelOptions) {
    this.sourceLabel = options.source;
    this.maxPoints = options.maxPoints ?? 4000;
    this.maxEvents = options.maxEvents ?? 1000;
    this.equity = new ThinnedSeries(this.maxPoints);
  }

  /** The observe hook of runBacktest and the paper session. */
  attach(events: EventStream<EngineEvent>, engine: Engine): void {
    this.engine = engine;
    events.subscribe((e) => this.onEvent(e), { name: 'dashboard', types: ['market', 'signal', 'intent', 'order', 'execution', 'fill', 'funding', 'liquidation', 'equity', 'tradingState', 'risk', 'error'] });
  }

  /** The session's input ended (the page says so; controls stop changing anything). */
  markFinished(): void {
    this.finished = true;
    this.changes++;
  }

  onDecisionLatency(listener: (seconds: number) => void): void {
    this.latencyListeners.push(listener);
  }

  version(): number {
    return this.changes;
  }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'market':
        this.nowMs = e.cursor.time;
        this.decisionStart = performance.now();
        // A batch of market events runs synchronously: intents before this microtask are the strategy's
        // answers to a market event; later ones (an operator's control) are not decisions of it.
        if (!this.deciding) {
          this.deciding = true;
          queueMicrotask(() => (this.deciding = false));
        }
        this.changes++;
        return;
      case 'signal': {
        if (e.name !== 'basis' || !Number.isFinite(e.values.basis)) return;
        let series = this.basis.get(e.strategy);
        if (series === undefined) this.basis.set(e.strategy, (series = new ThinnedSeries(this.maxPoints)));
        const v = e.values;
        series.push({ ts: e.ts, basis: v.basis, mu: v.mu ?? null, upper: v.upper ?? null, lower: v.lower ?? null });
        return;
      }
      case 'intent':
        if (this.latencyListeners.length > 0 && this.deciding) {
          const seconds = (performance.now() - this.decisionStart) / 1000;
          for (const l of this.latencyListeners) l(seconds);
        }
        break;
      case 'order':
        if (e.status === 'submitted' || e.status === 'unknown') {
          const known = this.inFlight.get(e.clientOrderId);
          this.inFlight.set(e.clientOrderId, { clientOrderId: e.clientOrderId, venue: e.venue, symbol: e.symbol, sinceMs: known?.sinceMs ?? e.ts, status: e.status });
        } else if (TERMINAL_ORDER.has(e.status)) this.inFlight.delete(e.clientOrderId);
        else if (this.inFlight.has(e.clientOrderId)) this.inFlight.get(e.clientOrderId)!.status = e.status;
        break;
      case 'fill':
        pushFlow(this.feeFlows, e.fill.ts, -e.feeUsd);
        this.feesTotalUsd += e.feeUsd;
        break;
      case 'funding':
        pushFlow(this.fundingFlows, e.payment.ts, e.amountUsd);
        this.fundingTotalUsd += e.amountUsd;
        break;
      case 'liquidation':
        this.liquidations++;
        break;
      case 'risk': {
        // Breakers as the risk layer journals them: tripped until cleared.
        const a = e.action;
        if (a.kind === 'breakerTripped' || a.kind === 'breakerCleared') this.breakers.set(`${a.rule}:${a.venue ?? 'session'}`, { name: `${a.rule}${a.venue ? ` (${a.venue})` : ''}`, tripped: a.kind === 'breakerTripped', reason: a.reason });
        break;
      }
      case 'equity':
        // The final point of a run may share the last sample's time: it replaces it.
        if (this.equity.points.at(-1)?.ts === e.ts) this.equity.points[this.equity.points.length - 1] = { ts: e.ts, equityUsd: e.equityUsd };
        else this.equity.push({ ts: e.ts, equityUsd: e.equityUsd });
        this.nowMs = Math.max(this.nowMs ?? e.ts, e.ts);
        this.changes++;
        return;
      default:
        break;
    }
    const described = describeEvent(e);
    if (described !== null) this.pushEvent(described.ts, described.kind, described.text);
  }

  private pushEvent(ts: number, kind: DashboardEvent['kind'], text: string): void {
    this.events.push({ seq: ++this.seq, ts, kind, text });
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
    this.changes++;
  }

  async refresh(): Promise<void> {
    const engine = this.engine;
    if (engine === null) return;
    const positions = new Map<string, VenuePosition>();
    const balances = new Map<string, VenueBalance[]>();
    for (const venue of engine.venues) {
      for (const p of await venue.positions()) positions.set(`${p.venue}:${p.symbol}`, p);
      balances.set(venue.venue, await venue.balances());
    }
    this.positionsCache = positions;
    this.balancesCache = balances;
    this.changes++;
  }

  snapshot(): DashboardSnapshot {
    const engine = this.engine;
    const equitySamples = this.equity.points;
    const equityUsd = engine?.equityUsd() ?? equitySamples.at(-1)?.equityUsd ?? null;
    const trips = engine ? engine.roundTripsNow() : [];
    const positions = engine ? this.positions(engine, trips) : [];
    const inFlight = [...this.inFlight.values()];
    return {
      format: 'perp-arb-dashboard',
      source: this.sourceLabel,
      live: engine !== null && !this.finished,
      nowMs: this.nowMs,
      finished: this.finished,
      equityUsd,
      positions,
      funding: engine ? this.fundingRows(engine) : [],
      basis: [...this.basis].map(([strategy, s]) => ({ strategy, points: s.points })),
      risk: this.risk(engine, equitySamples, equityUsd, positions, inFlight.length),
      pnl: {
        startEquityUsd: equitySamples[0]?.equityUsd ?? null,
        totalReturn: equitySamples.length > 0 && equityUsd !== null ? equityUsd / equitySamples[0].equityUsd - 1 : null,
        fundingUsd: this.fundingTotalUsd,
        feesUsd: -this.feesTotalUsd,
        trades: trips.length,
        liquidations: this.liquidations,
        last24h: this.window(trips, equitySamples, equityUsd),
        roundTrips: trips,
      },
      equity: equitySamples,
      events: this.events,
      ordersInFlight: inFlight,
    };
  }

  private positions(engine: Engine, trips: readonly RoundTripRecord[]): PairPosition[] {
    const byId = new Map(trips.map((t) => [t.id, t]));
    const now = this.nowMs;
    return engine.executor.activePairs().map((pair) => {
      const trip = byId.get(pair.id);
      const legs: LegPosition[] = (['long', 'short'] as const).map((side) => {
        const ref = pair[side];
        const id = `${ref.venue}:${ref.symbol}`;
        const inst = engine.market.instrument(ref.venue, ref.symbol);
        const snap = engine.market.get(ref.venue, ref.symbol);
        const quantity = side === 'long' ? pair.longQty : pair.shortQty;
        const price = snap && snap.price > 0 ? snap.price : null;
        const venuePosition = this.positionsCache.get(id);
        const mark = venuePosition?.markPrice ?? price;
        const liq = venuePosition?.liquidationPrice ?? null;
        const settle = venuePosition ? this.balancesCache.get(ref.venue)?.find((b) => b.asset === venuePosition.settleAsset) : undefined;
        const perpetual = inst?.kind === 'perp';
        return {
          instrument: id,
          kind: inst?.kind ?? 'unknown',
          side,
          quantity,
          entryPrice: trip?.legs.find((l) => l.instrument === id)?.averageEntryPrice ?? null,
          price,
          notionalUsd: price === null ? null : quantity * price * (inst?.contractSize ?? 1),
          liquidationPrice: liq,
          liquidationDistance: liq !== null && mark !== null && mark > 0 ? Math.abs(mark - liq) / mark : null,
          marginUse: venuePosition && settle && settle.equity > 0 ? venuePosition.initialMargin / settle.equity : null,
          nextFundingInMs: perpetual && snap && Number.isFinite(snap.nextFundingTimeMs) && now !== null ? snap.nextFundingTimeMs - now : null,
        };
      });
      const [long, short] = legs;
      const longSpot = long.kind === 'spot';
      const [spotLeg, derivLeg] = longSpot ? [long, short] : short.kind === 'spot' ? [short, long] : [long, short];
      const basisOf = (a: number | null, b: number | null) => (a !== null && b !== null && a > 0 ? (b - a) / a : null);
      const mean = long.notionalUsd !== null && short.notionalUsd !== null ? (long.notionalUsd + short.notionalUsd) / 2 : null;
      return {
        id: pair.id,
        status: pair.status,
        openedAtMs: pair.openedAtMs,
        legs,
        entryBasis: basisOf(spotLeg.entryPrice, derivLeg.entryPrice),
        currentBasis: basisOf(spotLeg.price, derivLeg.price),
        deltaDrift: mean !== null && mean > 0 ? (long.notionalUsd! - short.notionalUsd!) / mean : null,
        naked: (pair.longQty > 0) !== (pair.shortQty > 0),
        fundingUsd: trip?.fundingUsd ?? null,
        pricePnlUsd: trip?.pricePnlUsd ?? null,
        feesUsd: trip?.feesUsd ?? null,
        netPnlUsd: trip?.netPnlUsd ?? null,
      };
    });
  }

  private fundingRows(engine: Engine): FundingRow[] {
    const rows: FundingRow[] = [];
    const list = engine.market.instrumentList;
    for (let i = 0; i < list.length; i++) {
      const inst = list[i];
      if (inst.kind !== 'perp') continue;
      const s = engine.market.snapshotList[i];
      const intervalMs = s.fundingIntervalMs > 0 ? s.fundingIntervalMs : inst.fundingIntervalMs ?? null;
      const known = (x: number) => (Number.isFinite(x) ? x : null);
      const lastRate = known(s.fundingRatePerInterval);
      const predictedRate = known(s.predictedFundingRatePerInterval);
      const apr = (rate: number | null) => (rate !== null && intervalMs !== null && intervalMs > 0 ? rate * (YEAR_MS / intervalMs) : null);
      rows.push({
        instrument: `${inst.venue}:${inst.symbol}`,
        lastRate,
        lastSettledMs: known(s.fundingTs),
        predictedRate,
        intervalMs,
        apr: apr(lastRate),
        predictedApr: apr(predictedRate),
        nextFundingMs: known(s.nextFundingTimeMs),
      });
    }
    return rows;
  }

  private risk(engine: Engine | null, equity: readonly EquitySample[], equityUsd: number | null, positions: PairPosition[], inFlight: number): RiskView {
    let sharpe: number | null = null;
    let maxDrawdown: number | null = null;
    let var95: number | null = null;
    let cvar95: number | null = null;
    if (equity.length >= 2) {
      const m = performanceMetrics({ equity });
      sharpe = m.sharpe;
      maxDrawdown = m.maxDrawdown;
      var95 = m.var95;
      cvar95 = m.cvar95;
    }
    let peak = -Infinity;
    for (const p of equity) peak = Math.max(peak, p.equityUsd);
    if (equityUsd !== null) peak = Math.max(peak, equityUsd);
    const distances = positions.flatMap((p) => p.legs.map((l) => l.liquidationDistance)).filter((d): d is number => d !== null);
    return {
      tradingState: engine?.tradingState.view() ?? { session: 'ACTIVE', venues: {}, entriesPaused: false, pauseReason: null },
      drawdown: equityUsd !== null && peak > 0 ? 1 - equityUsd / peak : null,
      maxDrawdown,
      sharpe,
      var95,
      cvar95,
      minLiquidationDistance: distances.length > 0 ? Math.min(...distances) : null,
      nakedLegs: positions.filter((p) => p.naked).length,
      ordersInFlight: inFlight,
      breakers: [...this.breakers.values()],
    };
  }

  private window(trips: readonly RoundTripRecord[], equity: readonly EquitySample[], equityUsd: number | null): PnlWindow | null {
    if (this.nowMs === null) return null;
    const toMs = this.nowMs;
    const fromMs = toMs - DAY_MS;
    const sum = (flows: { ts: number; usd: number }[]) => flows.reduce((s, f) => (f.ts > fromMs ? s + f.usd : s), 0);
    let realisedUsd = 0;
    let unrealisedUsd = 0;
    for (const t of trips) {
      if (t.closedAt === null) unrealisedUsd += t.pricePnlUsd;
      else if (t.closedAt > fromMs) realisedUsd += t.pricePnlUsd;
    }
    // Equity at the window's start: the last sample at or before it (the first sample when the run is younger).
    let startEquity: number | null = null;
    for (const p of equity) {
      if (p.ts <= fromMs || startEquity === null) startEquity = p.equityUsd;
      if (p.ts > fromMs) break;
    }
    return { fromMs, toMs, realisedUsd, unrealisedUsd, fundingUsd: sum(this.fundingFlows), feesUsd: sum(this.feeFlows), netUsd: startEquity !== null && equityUsd !== null ? equityUsd - startEquity : null };
  }
}
