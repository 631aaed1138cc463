import { HOUR_MS } from '../core/time.ts';
import { replay } from '../data/replay/replay.ts';
import type { ReplayCursor, ReplaySource, ReplayStats } from '../data/replay/types.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { Fill, FundingPayment } from '../domain/trading.ts';
import { PairExecutor, type ExecutionEvent } from '../execution/pairExecutor.ts';
import type { EquityPoint, FillRecord, FundingRecord, RoundTrip } from '../model/performanceMetrics.ts';
import { Ledger } from '../portfolio/ledger.ts';
import type { LedgerSink } from '../portfolio/ledgerTypes.ts';
import { minorToNumber } from '../portfolio/money.ts';
import { USD_LIKE_ASSETS, type Valuation } from '../portfolio/valuation.ts';
import type { Strategy, StrategyContext } from '../strategy/types.ts';
import type { LiquidationEvent, TradingVenue, TradingVenueEvent } from '../venues/tradingTypes.ts';
import { SimulatedClock, type Clock } from './clock.ts';
import { EngineMarketView } from './marketView.ts';

/**
 * The one loop, for every mode:
 *   market event -> clock -> venues.onMarketData -> market view -> strategy.onEvent -> intents
 *   -> PairExecutor -> venues.submit;  venue events (fills, funding, borrow, liquidation, expiry) -> ledger
 *   (exact money, src/portfolio/ledger.ts) and executor;  equity sampled every `equitySampleMs`.
 * Backtests feed it replay sources with a SimulatedClock (run()); paper and live will feed the same
 * onMarketEvent() from live cursors with a WallClock. The strategy only ever sees a StrategyContext.
 */

export interface EngineOptions {
  venues: readonly TradingVenue[];
  /** Every instrument traded or watched (also registered in the ledger). */
  instruments: readonly Instrument[];
  strategy: Strategy;
  /** Cash deposited per venue and asset at the start (the venues must hold the same balances). */
  deposits: { venue: string; asset: string; amount: number }[];
  clock?: Clock;
  /** Equity curve sampling interval (default 1 hour). */
  equitySampleMs?: number;
  /** Optional persistent journal (e.g. the SQLite ledger store). */
  ledgerSink?: LedgerSink;
}

export interface EngineRunOptions {
  onProgress?: (stats: ReplayStats) => void;
  /** Replay only events with event time in [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  /**
   * Warm-up: events before this time reach the venues, the market view and the strategy (so a model
   * can fit on them), but the strategy's intents are dropped and equity is not sampled; trading and
   * the equity curve start here. Default: the first event.
   */
  tradeFromMs?: number;
}

export interface EngineResult {
  stats: ReplayStats;
  equity: EquityPoint[];
  fills: FillRecord[];
  funding: FundingRecord[];
  roundTrips: RoundTrip[];
  execution: ExecutionEvent[];
  liquidations: LiquidationEvent[];
  fundingPnlUsd: number;
  feesPaidUsd: number;
  borrowPaidUsd: number;
  finalEquityUsd: number;
  ledger: Ledger;
  /** Wall time of the run, ms. */
  elapsedMs: number;
}

export class Engine {
  readonly ledger: Ledger;
  readonly market: EngineMarketView;
  readonly executor: PairExecutor;
  private readonly venues: readonly TradingVenue[];
  private readonly strategy: Strategy;
  private readonly clock: Clock;
  private readonly equitySampleMs: number;
  private readonly context: StrategyContext;
  private nextSampleMs = Number.NEGATIVE_INFINITY;
  private readonly equity: EquityPoint[] = [];
  private readonly fills: FillRecord[] = [];
  private readonly funding: FundingRecord[] = [];
  private readonly execution: ExecutionEvent[] = [];
  private readonly liquidations: LiquidationEvent[] = [];
  /** Equity just before the first fill of each pair still opening (its round trip starts there). */
  private readonly tripStarts = new Map<string, number>();
  private readonly openTrips = new Map<string, { entryTs: number; startEquity: number }>();
  private readonly roundTrips: RoundTrip[] = [];
  private readonly marks = new Map<string, number>();
  private readonly valuation: Valuation = { marks: this.marks };
  /** `venue:symbol` of each instrument of the market view, built once. */
  private readonly instrumentIds: readonly string[];
  private readonly deposits: EngineOptions['deposits'];
  private started = false;
  private tradeFromMs = Number.NEGATIVE_INFINITY;

  constructor(options: EngineOptions) {
    this.venues = options.venues;
    this.strategy = options.strategy;
    this.clock = options.clock ?? new SimulatedClock();
    this.equitySampleMs = options.equitySampleMs ?? HOUR_MS;
    if (!(this.equitySampleMs > 0)) throw new Error(`equitySampleMs must be > 0 (got ${this.equitySampleMs})`);
    this.deposits = options.deposits;
    this.ledger = new Ledger({ instruments: options.instruments, sink: options.ledgerSink ?? null });
    this.market = new EngineMarketView(options.instruments);
    this.instrumentIds = this.market.instrumentList.map((i) => `${i.venue}:${i.symbol}`);
    this.executor = new PairExecutor({ venues: options.venues, instruments: options.instruments, market: this.market });
    this.executor.subscribe((e) => this.onExecution(e));
    for (const venue of options.venues) venue.subscribe((e) => this.onVenueEvent(e));
    const clock = this.clock;
    const market = this.market;
    const positions = this.executor;
    this.context = {
      get nowMs() {
        return clock.nowMs();
      },
      market,
      positions,
    };
  }

  /** Backtest: replays the sources (events in [fromMs, toMs) when given) through the loop and returns the results. */
  async run(sources: readonly ReplaySource[], options: EngineRunOptions = {}): Promise<EngineResult> {
    const began = performance.now();
    this.tradeFromMs = options.tradeFromMs ?? Number.NEGATIVE_INFINITY;
    const stats = await replay(sources, (cursor) => this.onMarketEvent(cursor), { onProgress: options.onProgress, from: options.fromMs, to: options.toMs });
    if (stats.lastTime !== null) this.finish(stats.lastTime);
    return this.result(stats, performance.now() - began);
  }

  /** One market event (any mode). */
  onMarketEvent(cursor: ReplayCursor): void {
    const time = cursor.time;
    if (!this.started) this.start(time);
    this.clock.observe(time);
    if (time >= this.nextSampleMs) this.sampleEquity(time);
    const venues = this.venues;
    for (let i = 0; i < venues.length; i++) venues[i].onMarketData(cursor);
    const update = this.market.apply(cursor);
    if (update === null) return;
    this.executor.onTime(time);
    const intents = this.strategy.onEvent(update, this.context);
    if (time < this.tradeFromMs) return;
    for (let i = 0; i < intents.length; i++) this.executor.execute(intents[i], time);
  }

  /** End of the data: venues process everything up to `timeMs`, and the last equity point is taken. */
  finish(timeMs: number): void {
    for (const venue of this.venues) venue.advanceTo(timeMs);
    this.sampleEquity(timeMs, true);
  }

  private start(time: number): void {
    this.started = true;
    for (const d of this.deposits) this.ledger.recordDeposit({ venue: d.venue, asset: d.asset, amount: d.amount, ts: time });
    this.nextSampleMs = time >= this.tradeFromMs ? Math.floor(time / this.equitySampleMs) * this.equitySampleMs : this.tradeFromMs;
  }

  /** Ledger equity at the current marks, USD. Samples at most once per interval (or a forced final point). */
  private sampleEquity(time: number, final = false): void {
    const equityUsd = this.equityUsd();
    if (equityUsd === null) {
      // No prices yet for an open position: try again on the next event.
      return;
    }
    const last = this.equity[this.equity.length - 1];
    if (last && last.ts === time) last.equityUsd = equityUsd;
    else this.equity.push({ ts: time, equityUsd });
    if (!final) this.nextSampleMs = (Math.floor(time / this.equitySampleMs) + 1) * this.equitySampleMs;
  }

  equityUsd(): number | null {
    this.marks.clear();
    const snaps = this.market.snapshotList;
    const instruments = this.market.instrumentList;
    for (let i = 0; i < snaps.length; i++) {
      const s = snaps[i];
      // Derivatives at the freshest of mark, quote and trade (the venue's rule), not at a mark that
      // may be a funding row's, hours old; spot at its latest price.
      const mark = instruments[i].kind !== 'spot' ? s.valuePrice() : s.price;
      if (mark > 0) this.marks.set(this.instrumentIds[i], mark);
    }
    try {
      return minorToNumber(this.ledger.equityUsd(this.valuation));
    } catch {
      return null;
    }
  }

  private usd(asset: string, amount: number): number {
    if (USD_LIKE_ASSETS.includes(asset)) return amount;
    const snaps = this.market.snapshotList;
    for (let i = 0; i < snaps.length; i++) {
      const inst = this.market.instrumentList[i];
      if (inst.kind === 'spot' && inst.base === asset && USD_LIKE_ASSETS.includes(inst.quote) && snaps[i].price > 0) return amount * snaps[i].price;
    }
    return Number.NaN;
  }

  private onVenueEvent(event: TradingVenueEvent): void {
    switch (event.type) {
      case 'order':
        this.executor.onOrderUpdate(event.update);
        break;
      case 'fill':
        this.onFill(event.fill);
        break;
      case 'funding':
        this.onFunding(event.payment);
        break;
      case 'borrowInterest':
        if (event.interest.interest > 0) {
          this.ledger.recordBorrow({ venue: event.interest.venue, asset: event.interest.asset, amount: event.interest.interest, ts: event.interest.ts });
        }
        break;
      case 'liquidation':
        // Its fill (same fillId) arrives as a 'fill' event and is booked there, fee included.
        this.liquidations.push(event.liquidation);
        // The executor closes what the pair still holds (no naked leg).
        this.executor.onLiquidation(event.liquidation);
        break;
      case 'expiry':
        // A dated future settled at expiry: its fill (same fillId) arrives as a 'fill' event and is
        // booked there; the executor closes the pair's other leg, as after a liquidation.
        this.executor.onExpiry(event.settlement);
        break;
    }
  }

  private onFill(fill: Fill): void {
    // A round trip's PnL starts before its pair's first fill, so the opening fees and crossing are in it.
    const opening = this.executor.openingPairOf(fill.clientOrderId);
    if (opening !== undefined && !this.tripStarts.has(opening)) this.tripStarts.set(opening, this.equityUsd() ?? Number.NaN);
    this.ledger.recordFill(fill);
    this.executor.onFill(fill);
    const inst = this.market.instrument(fill.venue, fill.symbol);
    const contractSize = inst && inst.kind !== 'spot' && inst.linear === false ? 0 : 1;
    const notional = contractSize === 0 ? fill.quantity * (inst?.contractSize ?? 0) : this.usd(inst?.quote ?? 'USD', fill.quantity * fill.price);
    this.fills.push({ ts: fill.ts, notionalUsd: notional, feeUsd: this.usd(fill.feeAsset, fill.fee) });
  }

  private onFunding(payment: FundingPayment): void {
    // Checked and computed exactly by the ledger (a disagreement with the venue is an error).
    this.ledger.recordFunding(payment);
    this.funding.push({ ts: payment.ts, amountUsd: this.usd(payment.asset, payment.amount) });
  }

  private onExecution(event: ExecutionEvent): void {
    this.execution.push(event);
    if (event.type === 'pairOpened') {
      const startEquity = this.tripStarts.get(event.id) ?? Number.NaN;
      this.tripStarts.delete(event.id);
      this.openTrips.set(event.id, { entryTs: event.ts, startEquity });
    } else if (event.type === 'pairOpenFailed') {
      // No round trip: its fees (and any unwind) are in the equity curve only.
      this.tripStarts.delete(event.id);
    } else if (event.type === 'pairClosed') {
      const trip = this.openTrips.get(event.id);
      if (trip) {
        this.openTrips.delete(event.id);
        this.roundTrips.push({ entryTs: trip.entryTs, exitTs: event.ts, pnlUsd: (this.equityUsd() ?? Number.NaN) - trip.startEquity });
      }
    }
  }

  private result(stats: ReplayStats, elapsedMs: number): EngineResult {
    const totals = this.ledger.totals();
    const sumUsd = (amounts: Record<string, bigint>) => Object.entries(amounts).reduce((sum, [asset, minor]) => sum + this.usd(asset, minorToNumber(minor)), 0);
    const roundTrips = [...this.roundTrips];
    const lastEquity = this.equity[this.equity.length - 1]?.equityUsd ?? Number.NaN;
    for (const [, trip] of this.openTrips) roundTrips.push({ entryTs: trip.entryTs, exitTs: null, pnlUsd: lastEquity - trip.startEquity });
    return {
      stats,
      equity: this.equity,
      fills: this.fills,
      funding: this.funding,
      roundTrips,
      execution: this.execution,
      liquidations: this.liquidations,
      fundingPnlUsd: sumUsd(totals.fundingNet),
      feesPaidUsd: sumUsd(totals.feesPaid),
      borrowPaidUsd: sumUsd(totals.borrowPaid),
      finalEquityUsd: lastEquity,
      ledger: this.ledger,
      elapsedMs,
    };
  }
}
