import { HOUR_MS } from '../core/time.ts';
import type { MarketInput, ReplayCursor, ReplayStats } from '../data/replay/types.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { Fill, FundingPayment } from '../domain/trading.ts';
import { PairExecutor, type ExecutionEvent, type PairExecutorOptions } from '../execution/pairExecutor.ts';
import type { EquityPoint, FillRecord, FundingCashFlow } from '../model/performanceMetrics.ts';
import { Ledger } from '../portfolio/ledger.ts';
import type { LedgerSink } from '../portfolio/ledgerTypes.ts';
import type { JournalEntry } from '../portfolio/journal.ts';
import { minorToNumber, type Minor } from '../portfolio/money.ts';
import { USD_LIKE_ASSETS, type Valuation } from '../portfolio/valuation.ts';
import type { Intent, Strategy, StrategyContext } from '../strategy/types.ts';
import { TradingStateHolder } from '../risk/tradingState.ts';
import { RiskEngine } from '../risk/riskEngine.ts';
import type { RiskConfig } from '../risk/riskConfig.ts';
import type { VenueMarginSettings } from '../risk/marginFigures.ts';
import type { RiskSummary } from '../risk/riskFigures.ts';
import { RISK_INPUT_TYPES, type RiskInputEvent } from '../risk/riskTypes.ts';
import type { LiquidationEvent, TradingVenue, TradingVenueEvent } from '../venues/tradingTypes.ts';
import { SimulatedClock, type EngineClock } from './clock.ts';
import type { EngineEvent } from './events.ts';
import { EventStream } from './eventStream.ts';
import { subscribeLedgerJournal } from './ledgerJournal.ts';
import { EngineMarketView } from './marketView.ts';
import { PnlBreakdownTracker, type PnlBreakdownMinor, type PnlPoint } from './pnlBreakdown.ts';
import type { RoundTripRecord } from './roundTrip.ts';
import { RoundTripTracker } from './roundTripTracker.ts';
import { RunRecorder } from './runRecorder.ts';
import type { RunValuer } from './valuer.ts';

/**
 * The one loop, for every mode:
 *   market input -> clock (due timers fire first) -> venues.onMarketData -> market view
 *   -> strategy.onEvent -> intents -> PairExecutor -> venues.submit;  venue events (fills, funding,
 *   borrow, liquidation, expiry) -> ledger (exact money, src/portfolio/ledger.ts) and executor;
 *   equity sampled every `equitySampleMs`.
 * Every step is an event on `events` (src/engine/events.ts): the run recorder, the ledger journal,
 * progress and reports subscribe to it. Backtests run a replay input with a SimulatedClock; paper
 * and live run a live (or paced) input with a WallClock. The strategy only ever sees a StrategyContext.
 */

export interface EngineOptions {
  venues: readonly TradingVenue[];
  /** Every instrument traded or watched (also registered in the ledger). */
  instruments: readonly Instrument[];
  strategy: Strategy;
  /** Cash deposited per venue and asset at the start (the venues must hold the same balances). */
  deposits: { venue: string; asset: string; amount: number }[];
  clock?: EngineClock;
  /** Equity curve sampling interval (default 1 hour). */
  equitySampleMs?: number;
  /** Optional persistent journal (e.g. the SQLite ledger store): subscribed to the ledger's events. */
  ledgerSink?: LedgerSink;
  /**
   * Live execution (testnet and live sessions): the leg policy and timeout of the run config's
   * `execution` (timers on this engine's clock), the pair journal, and client order ids valid on
   * every venue. Absent (backtests, paper): the executor's defaults, no timers, no journal.
   */
  execution?: Pick<PairExecutorOptions, 'legPolicy' | 'journal' | 'clientOrderId'>;
  /** The trading states consulted before every intent (default: a new holder, every venue ACTIVE). */
  tradingState?: TradingStateHolder;
  /** The config's `risk` section (src/risk/riskConfig.ts); absent or null: only the safety minimum (rate limit, leg minimums). */
  risk?: RiskConfig | null;
  /** Each venue's derivative margin settings, for the risk layer's liquidation figures (default 1x, 0.4%, cross). */
  marginByVenue?: Record<string, VenueMarginSettings>;
  /** Moves collateral to a venue's derivatives wallet (venues with separate wallets); returns the amount moved. */
  transferCollateral?: (venue: string, asset: string, amount: number, ts: number) => number;
  /** A venue wallet's balance where the venue keeps separate spot and derivatives wallets (null: one wallet, the ledger's cash). */
  walletBalance?: (venue: string, wallet: 'spot' | 'derivatives', asset: string) => number | null;
  /** How funding payments are booked: 'rate' (default: computed exactly, checked against the venue's amount) or 'reported' (live: the venue's amount; a payment read after a restart was made on a position the ledger no longer holds). */
  fundingAmountFrom?: 'rate' | 'reported';
  /** A restart: the ledger rebuilt from the state directory (no sink yet; give no deposits, they are in it). */
  ledger?: Ledger;
}

export interface EngineRunOptions {
  /**
   * Warm-up: events before this time reach the venues, the market view and the strategy (so a model
   * can fit on them), but the strategy's intents are dropped and equity is not sampled; trading and
   * the equity curve start here. Default: the first event.
   */
  tradeFromMs?: number;
  /** At the end of the input, close every pair first (a session stopped with --flatten-on-exit). */
  flattenAtEnd?: boolean;
}

export interface EngineResult {
  stats: ReplayStats;
  equity: EquityPoint[];
  fills: FillRecord[];
  funding: FundingCashFlow[];
  /** Every pair opened, closed or still open at the end (src/engine/roundTrip.ts). */
  roundTrips: RoundTripRecord[];
  /** Where the equity change came from, exact (src/engine/pnlBreakdown.ts); null when no equity point was taken. */
  pnlBreakdown: PnlBreakdownMinor | null;
  /** The cumulative breakdown at each equity point (charts). */
  pnlSeries: PnlPoint[];
  execution: ExecutionEvent[];
  liquidations: LiquidationEvent[];
  fundingPnlUsd: number;
  feesPaidUsd: number;
  borrowPaidUsd: number;
  liquidationFeesPaidUsd: number;
  finalEquityUsd: number;
  /** The marks (`venue:symbol` -> price) the final equity point valued open positions and coins at. */
  finalMarks: Record<string, number>;
  ledger: Ledger;
  /** Wall time of the run, ms. */
  elapsedMs: number;
  /** Portfolio risk figures and the risk layer's actions (src/risk/riskFigures.ts). */
  risk: RiskSummary;
}

export class Engine {
  readonly events: EventStream<EngineEvent>;
  readonly ledger: Ledger;
  readonly market: EngineMarketView;
  readonly executor: PairExecutor;
  readonly venues: readonly TradingVenue[];
  /** ACTIVE / REDUCING / HALTED per session and venue, and the operator's pause: checked before every intent. */
  readonly tradingState: TradingStateHolder;
  /** Pre-trade checks, monitors and breakers (src/risk/riskEngine.ts). */
  readonly risk: RiskEngine;
  private readonly strategy: Strategy;
  private readonly clock: EngineClock;
  private readonly equitySampleMs: number;
  private readonly context: StrategyContext;
  private readonly recorder: RunRecorder;
  private readonly trips: RoundTripTracker;
  private readonly breakdown: PnlBreakdownTracker;
  private nextSampleMs = Number.NEGATIVE_INFINITY;
  private lastEquity: EquityPoint | null = null;
  /** Whether anyone listens to market events (checked once per batch: building them costs). */
  private wantsMarket = false;
  private readonly marketEvent: { type: 'market'; cursor: ReplayCursor } = { type: 'market', cursor: null as unknown as ReplayCursor };
  private readonly marks = new Map<string, number>();
  private readonly valuation: Valuation = { marks: this.marks };
  /** `venue:symbol` of each instrument of the market view, built once. */
  private readonly instrumentIds: readonly string[];
  private readonly deposits: EngineOptions['deposits'];
  private readonly fundingAmountFrom: 'rate' | 'reported';
  private started = false;
  private tradeFromMs = Number.NEGATIVE_INFINITY;

  constructor(options: EngineOptions) {
    this.venues = options.venues;
    this.tradingState = options.tradingState ?? new TradingStateHolder(options.venues.map((v) => v.venue));
    this.tradingState.subscribe((change) => this.events.emit({ type: 'tradingState', change }));
    this.strategy = options.strategy;
    this.clock = options.clock ?? new SimulatedClock();
    this.equitySampleMs = options.equitySampleMs ?? HOUR_MS;
    if (!(this.equitySampleMs > 0)) throw new Error(`equitySampleMs must be > 0 (got ${this.equitySampleMs})`);
    this.deposits = options.deposits;
    this.fundingAmountFrom = options.fundingAmountFrom ?? 'rate';
    this.events = new EventStream<EngineEvent>((f) => ({ type: 'error', ts: this.clock.nowMs(), source: `subscriber '${f.name}'`, message: `${f.eventType} event: ${f.message}` }));
    this.recorder = new RunRecorder(this.events);
    if (options.ledgerSink) subscribeLedgerJournal(this.events, options.ledgerSink);
    const events = this.events;
    const ledgerSink = { instrument: (instrument: Instrument) => events.emit({ type: 'ledgerInstrument', instrument }), entry: (entry: JournalEntry) => events.emit({ type: 'ledgerEntry', entry }) };
    if (options.ledger !== undefined) {
      this.ledger = options.ledger;
      this.ledger.attachSink(ledgerSink);
      for (const instrument of options.instruments) this.ledger.addInstrument(instrument);
    } else this.ledger = new Ledger({ instruments: options.instruments, sink: ledgerSink });
    this.market = new EngineMarketView(options.instruments);
    this.instrumentIds = this.market.instrumentList.map((i) => `${i.venue}:${i.symbol}`);
    this.executor = new PairExecutor({ venues: options.venues, instruments: options.instruments, market: this.market, ...options.execution, clock: this.clock });
    this.executor.subscribe((e) => events.emit({ type: 'execution', event: e }));
    this.risk = new RiskEngine({
      config: options.risk ?? null,
      instruments: options.instruments,
      venues: options.venues.map((v) => v.venue),
      marginByVenue: options.marginByVenue ?? {},
      market: this.market,
      positions: this.executor,
      ledger: this.ledger,
      tradingState: this.tradingState,
      markOf: (venue, symbol) => {
        const index = this.market.indexOf(venue, symbol);
        return index < 0 ? Number.NaN : this.market.snapshotList[index].valuePrice();
      },
      equityUsd: () => this.equityUsd(),
      transferCollateral: options.transferCollateral,
      walletBalance: options.walletBalance,
    });
    this.risk.subscribe((action) => events.emit({ type: 'risk', action }));
    events.subscribe((e) => this.risk.onEvent(e as RiskInputEvent), { name: 'risk', types: [...RISK_INPUT_TYPES] });
    const valuer: RunValuer = {
      usdValue: (asset, amount) => this.usdValueMinor(asset, amount),
      markOf: (id) => this.marks.get(id),
    };
    this.trips = new RoundTripTracker(this.events, { strategy: options.strategy.name, ledger: this.ledger, valuer });
    this.breakdown = new PnlBreakdownTracker(this.events, valuer);
    this.executor.subscribeOrders((o) => events.emit({ type: 'order', ts: o.ts, clientOrderId: o.clientOrderId, venue: o.venue, symbol: o.symbol, status: o.status, filledQuantity: 0, reason: o.reason }));
    for (const venue of options.venues) venue.subscribe((e) => this.onVenueEvent(e));
    const clock = this.clock;
    const market = this.market;
    const positions = this.executor;
    const strategyName = this.strategy.name;
    this.context = {
      get nowMs() {
        return clock.nowMs();
      },
      market,
      positions,
      setTimer: (atMs, tag) => {
        const timerId: number = clock.setTimer(atMs, (at) => this.onStrategyTimer(timerId, tag, at));
        return timerId;
      },
      cancelTimer: (id) => clock.cancelTimer(id),
      get wantsSignals() {
        return events.wants('signal');
      },
      signal: (name, values) => {
        if (events.wants('signal')) events.emit({ type: 'signal', ts: clock.nowMs(), strategy: strategyName, name, values });
      },
    };
  }

  /** Runs the market input through the loop (a backtest: to its end) and returns the results. */
  async run(input: MarketInput, options: EngineRunOptions = {}): Promise<EngineResult> {
    const began = performance.now();
    this.tradeFromMs = options.tradeFromMs ?? Number.NEGATIVE_INFINITY;
    const handler = (cursor: ReplayCursor) => this.onMarketEvent(cursor);
    for await (const batch of input) {
      this.wantsMarket = this.events.wants('market');
      batch.emit(handler);
      if (this.events.wants('progress')) this.events.emit({ type: 'progress', stats: input.stats() });
    }
    const stats = input.stats();
    if (stats.lastTime !== null) this.finish(stats.lastTime, options.flattenAtEnd === true);
    return this.result(stats, performance.now() - began);
  }

  /** One market event (any mode). */
  onMarketEvent(cursor: ReplayCursor): void {
    const time = cursor.time;
    if (!this.started) this.start(time);
    this.clock.observe(time);
    if (this.wantsMarket) {
      this.marketEvent.cursor = cursor;
      this.events.emit(this.marketEvent);
    }
    if (time >= this.nextSampleMs) this.sampleEquity(time);
    const venues = this.venues;
    for (let i = 0; i < venues.length; i++) venues[i].onMarketData(cursor);
    const update = this.market.apply(cursor);
    if (update === null) return;
    this.executor.onTime(time);
    this.act(this.strategy.onEvent(update, this.context), time);
    if (this.risk.monitoring) this.act(this.risk.onMarket(update, time), time, false);
  }

  /** End of the data: due timers fire, venues process everything up to `timeMs`, and the last equity point is taken. */
  finish(timeMs: number, flatten = false): void {
    this.clock.fireDueUntil(timeMs);
    if (flatten) this.flatten(timeMs);
    for (const venue of this.venues) venue.advanceTo(timeMs);
    this.sampleEquity(timeMs, true);
  }

  /** Closes every pair still open or opening, with the same two-leg execution (flatten on exit, `perp-arb flatten`). */
  flatten(timeMs: number): string | null {
    return this.act(this.executor.activePairs().map((pair) => ({ kind: 'closePair', id: pair.id, reason: 'flatten', reasonCode: 'flatten' })), timeMs);
  }

  /**
   * An operator's close of one pair (dashboard control), through the same checks and two-leg
   * execution as a strategy's; returns why it was not executed, null when it was sent.
   */
  closePair(id: string, reason: string): string | null {
    const time = this.clock.nowMs();
    const pair = this.executor.pair(id);
    if (pair === undefined || pair.status === 'closed' || pair.status === 'failed') return `no open pair '${id}'`;
    return this.act([{ kind: 'closePair', id, reason, reasonCode: 'flatten' }], time);
  }

  /** Returns the reason of the last intent dropped (null: every intent went to the executor). */
  private act(intents: readonly Intent[], time: number, fromStrategy = true): string | null {
    if (intents.length === 0) return null;
    const warmingUp = time < this.tradeFromMs;
    const report = this.events.wants('intent');
    let lastDropped: string | null = null;
    for (let i = 0; i < intents.length; i++) {
      const dropped = warmingUp ? 'warm-up: trading starts at tradeFromMs' : this.denial(intents[i], time);
      if (report) this.events.emit({ type: 'intent', ts: time, intent: intents[i], dropped });
      if (dropped === null) this.executor.execute(intents[i], time);
      else {
        lastDropped = dropped;
        if (fromStrategy && !warmingUp) this.strategy.onDenied?.(intents[i], dropped, this.context);
      }
    }
    return lastDropped;
  }

  /** Why the trading states or the risk layer's pre-trade checks forbid an intent now (null: allowed). */
  private denial(intent: Intent, time: number): string | null {
    let state: string | null;
    if (intent.kind === 'openPair') state = this.tradingState.entryDenial([intent.long.venue, intent.short.venue]);
    else {
      const pair = this.executor.pair(intent.id);
      const venues = pair === undefined ? [] : [pair.long.venue, pair.short.venue];
      // An add is an entry; closes, shrinks and rebalances reduce risk.
      state = pair === undefined ? null : intent.kind === 'resizePair' && intent.scale > 1 ? this.tradingState.entryDenial(venues) : this.tradingState.closeDenial(venues);
    }
    return state ?? this.risk.denial(intent, time);
  }

  private onStrategyTimer(timerId: number, tag: string, atMs: number): void {
    this.events.emit({ type: 'timer', ts: atMs, timerId, tag });
    if (this.strategy.onTimer) this.act(this.strategy.onTimer({ id: timerId, tag, atMs }, this.context), atMs);
  }

  private start(time: number): void {
    this.started = true;
    for (const d of this.deposits) this.ledger.recordDeposit({ venue: d.venue, asset: d.asset, amount: d.amount, ts: time });
    this.nextSampleMs = time >= this.tradeFromMs ? Math.floor(time / this.equitySampleMs) * this.equitySampleMs : this.tradeFromMs;
  }

  /** Ledger equity at the current marks, USD. Samples at most once per interval (or a forced final point). */
  private sampleEquity(time: number, final = false): void {
    const equityMinor = this.equityMinor();
    if (equityMinor === null) {
      // No prices yet for an open position: try again on the next event.
      return;
    }
    const equityUsd = minorToNumber(equityMinor);
    this.lastEquity = { ts: time, equityUsd };
    this.events.emit({ type: 'equity', ts: time, equityUsd, equityMinor });
    if (!final) this.nextSampleMs = (Math.floor(time / this.equitySampleMs) + 1) * this.equitySampleMs;
  }

  equityUsd(): number | null {
    const minor = this.equityMinor();
    return minor === null ? null : minorToNumber(minor);
  }

  /** The round trips so far, those still open valued at the current marks (a dashboard's view in paper and live runs). */
  roundTripsNow(): RoundTripRecord[] {
    this.refreshMarks();
    return this.trips.records();
  }

  /** Where the equity change came from, as of the last equity point (null before the first). */
  pnlBreakdownNow(): PnlBreakdownMinor | null {
    return this.breakdown.breakdownMinor();
  }

  /** Ledger equity at the current marks, USD minor units (null while an open position has no mark). */
  equityMinor(): Minor | null {
    this.refreshMarks();
    try {
      return this.ledger.equityUsd(this.valuation);
    } catch {
      return null;
    }
  }

  private refreshMarks(): void {
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
  }

  /** An amount in USD minor units at the current marks (USD-like assets exactly 1; valuation.ts). */
  private usdValueMinor(asset: string, amount: Minor): Minor {
    if (amount === 0n || USD_LIKE_ASSETS.includes(asset)) return amount;
    this.refreshMarks();
    return this.ledger.valueUsd({ [asset]: amount }, this.valuation);
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
      case 'order': {
        const u = event.update;
        this.events.emit({ type: 'order', ts: u.ts, clientOrderId: u.clientOrderId, venue: u.venue, symbol: u.symbol, status: u.status, filledQuantity: u.filledQuantity, reason: u.reason });
        this.executor.onOrderUpdate(u);
        break;
      }
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
        this.events.emit({ type: 'borrow', interest: event.interest });
        break;
      case 'liquidation':
        // Its fill (same fillId) arrives as a 'fill' event and is booked there, fee included.
        this.events.emit({ type: 'liquidation', liquidation: event.liquidation });
        // The executor closes what the pair still holds (no naked leg).
        this.executor.onLiquidation(event.liquidation);
        break;
      case 'expiry':
        // A dated future settled at expiry: its fill (same fillId) arrives as a 'fill' event and is
        // booked there; the executor closes the pair's other leg, as after a liquidation.
        this.events.emit({ type: 'expiry', settlement: event.settlement });
        this.executor.onExpiry(event.settlement);
        break;
    }
  }

  /** A fill of one of the session's orders that reconciliation found on the venue and the ledger lacks: booked as a venue event would be. */
  bookReconciledFill(fill: Fill): void {
    this.onFill(fill);
  }

  private onFill(fill: Fill): void {
    if (this.ledger.hasRef(fill.fillId)) {
      // A restart: booked before the crash, its order's end not journalled; the executor still counts it.
      this.executor.onFill(fill);
      return;
    }
    // The owner is looked up before the executor sees the fill (its last fill may end the order).
    const order = this.executor.orderOwner(fill.clientOrderId) ?? null;
    const entry = this.book(fill);
    this.executor.onFill(fill);
    const inst = this.market.instrument(fill.venue, fill.symbol);
    const contractSize = inst && inst.kind !== 'spot' && inst.linear === false ? 0 : 1;
    const notional = contractSize === 0 ? fill.quantity * (inst?.contractSize ?? 0) : this.usd(inst?.quote ?? 'USD', fill.quantity * fill.price);
    const feeUsd = this.usd(fill.feeAsset, fill.fee);
    const liquidation = fill.origin === 'liquidation';
    this.events.emit({ type: 'fill', fill, notionalUsd: notional, feeUsd: liquidation ? 0 : feeUsd, liquidationFeeUsd: liquidation ? feeUsd : 0, entry, order });
  }

  /**
   * A fill of ours is a trade with its fee; the venue's own closes are booked as what they are: a
   * liquidation with its liquidation fee (the ledger's liquidation account, not a trading fee), or
   * the expiry settlement of a dated future.
   */
  private book(fill: Fill): JournalEntry {
    const ref = { venue: fill.venue, symbol: fill.symbol, price: fill.price, ts: fill.ts, ref: fill.fillId };
    if (fill.origin === 'liquidation') return this.ledger.recordLiquidation({ ...ref, quantity: fill.quantity, penalty: fill.fee, penaltyAsset: fill.feeAsset });
    if (fill.origin === 'expiry') return this.ledger.recordExpirySettlement(ref);
    return this.ledger.recordFill(fill);
  }

  private onFunding(payment: FundingPayment): void {
    // A restart reads the funding history from the session's start: what is booked already stays so.
    if (this.ledger.hasRef(`funding:${payment.venue}:${payment.symbol}:${payment.ts}`)) return;
    // Checked and computed exactly by the ledger (a disagreement with the venue is an error).
    this.ledger.recordFunding(payment, { amountFrom: this.fundingAmountFrom });
    this.events.emit({ type: 'funding', payment, amountUsd: this.usd(payment.asset, payment.amount) });
  }

  private result(stats: ReplayStats, elapsedMs: number): EngineResult {
    const totals = this.ledger.totals();
    const sumUsd = (amounts: Record<string, bigint>) => Object.entries(amounts).reduce((sum, [asset, minor]) => sum + this.usd(asset, minorToNumber(minor)), 0);
    const lastEquity = this.lastEquity?.equityUsd ?? Number.NaN;
    return {
      stats,
      equity: this.recorder.equity,
      fills: this.recorder.fills,
      funding: this.recorder.funding,
      roundTrips: this.trips.records(),
      pnlBreakdown: this.breakdown.breakdownMinor(),
      pnlSeries: this.breakdown.series,
      execution: this.recorder.execution,
      liquidations: this.recorder.liquidations,
      fundingPnlUsd: sumUsd(totals.fundingNet),
      feesPaidUsd: sumUsd(totals.feesPaid),
      borrowPaidUsd: sumUsd(totals.borrowPaid),
      liquidationFeesPaidUsd: sumUsd(totals.liquidationPenaltiesPaid),
      finalEquityUsd: lastEquity,
      finalMarks: Object.fromEntries(this.marks),
      ledger: this.ledger,
      elapsedMs,
      risk: this.risk.summary(),
    };
  }
}
