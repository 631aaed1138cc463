/**
 * The opportunity scanner. Instruments are grouped by asset (base of a USD-family quote); when an
 * instrument is added, one slot is made for every trade type it forms with the instruments already
 * known (spot/perp of one venue: carry and basis; a future with spot, the perp or another expiry of
 * its venue: calendar; two perps: cross-venue spread and funding differential). Slots are indexed
 * by instrument and by asset. An update of one instrument refreshes that instrument's execution
 * prices once, then recomputes only its slots, in place: no allocation on the update path.
 * rescan() recomputes every opportunity; opportunities() ranks the active slots on request.
 *
 * Time: the scanner has its own clock (setNow), as the engine's clock drives it in every mode.
 * Terms that depend on time (quote age, time to expiry and to the next funding) are evaluated at
 * the clock when a slot is recomputed; after moving the clock, rescan() brings every slot to it.
 * Legs whose prices were observed too far apart are not compared (legTiming.ts); with a history of
 * the instruments (setHistory: store and snapshot scans), price gaps far outside a pair's own past
 * and pairs whose prices imply a lag between the legs are flagged and ranked last (history.ts).
 */
import { instrumentId, type Instrument } from '../../domain/instrument.ts';
import type { MarketEvent } from '../../domain/events.ts';
import type { OuParams } from '../../model/ouParams.ts';
import { computeBasis } from './basis.ts';
import { computeCalendarSpread } from './calendarSpread.ts';
import { DEFAULT_SCANNER_CONFIG, type ScannerConfig } from './config.ts';
import type { ScanContext } from './context.ts';
import { scannerFeeRate, refreshExecution } from './costs.ts';
import { FLAG_MISALIGNED, FLAG_SUSPECT, legTerms } from './flags.ts';
import { pairHistory, type InstrumentHistory } from './history.ts';
import { computeCrossVenueSpread } from './crossVenueSpread.ts';
import { computeFundingCarry } from './fundingCarry.ts';
import { computeFundingDifferential } from './fundingDifferential.ts';
import {
  KIND_FUTURE,
  KIND_PERP,
  KIND_SPOT,
  ScannerMarketState,
  setBook,
  setFunding,
  setLastPrice,
  setMark,
  setQuote,
  type InstrumentState,
} from './marketState.ts';
import {
  OpportunitySlot,
  toOpportunity,
  TYPE_BASIS,
  TYPE_CALENDAR_SPREAD,
  TYPE_CROSS_VENUE_SPREAD,
  TYPE_FUNDING_CARRY,
  TYPE_FUNDING_DIFFERENTIAL,
  type Opportunity,
} from './opportunity.ts';
import { rankSlots, type RankOptions } from './ranking.ts';

export interface ScannerOptions {
  config?: ScannerConfig;
  /** OU fits of the basis, by perp instrument id (venue:symbol); see ScanContext.fits. */
  fits?: ReadonlyMap<string, OuParams>;
  /** Initial clock, ms UTC. */
  nowMs?: number;
}

export interface ScannerStats {
  /** Instrument updates applied. */
  updates: number;
  /** Slot recomputations, by updates and rescans. */
  recomputations: number;
  rescans: number;
}

const NO_SLOTS: readonly OpportunitySlot[] = [];

function recomputeAll(slots: OpportunitySlot[], compute: (slot: OpportunitySlot, ctx: ScanContext) => void, ctx: ScanContext): number {
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    slot.recomputations++;
    compute(slot, ctx);
  }
  return slots.length;
}

export interface ScanSummary {
  instruments: number;
  /** Instruments not paired (quote not a USD currency). */
  unpaired: number;
  /** Instruments with a price, and how many of those are older than maxPriceAgeMs (not used). */
  priced: number;
  pricesTooOld: number;
  /** Instruments with a funding rate, and how many are older than maxFundingAgeMs (not used). */
  withFunding: number;
  fundingTooOld: number;
  /** Pairs by type. */
  slots: number;
  computable: number;
  /** Pairs not compared: their legs' prices were observed further apart than the tolerance (legTiming.ts). */
  legsApart: number;
  active: number;
  /** Active opportunities flagged suspect, and legsMisaligned (history.ts), ranked after the clean ones. */
  suspect: number;
  misaligned: number;
  activeByType: Record<string, number>;
}

export class Scanner {
  readonly state = new ScannerMarketState();
  readonly slots: OpportunitySlot[] = [];
  readonly stats: ScannerStats = { updates: 0, recomputations: 0, rescans: 0 };
  private readonly ctx: ScanContext;
  private readonly slotsByInstrument: OpportunitySlot[][] = [];
  private readonly slotsByType: OpportunitySlot[][] = [[], [], [], [], []];
  private readonly slotsByAsset = new Map<string, OpportunitySlot[]>();
  private readonly instrumentsByAsset = new Map<string, InstrumentState[]>();
  /** Instruments not paired because their quote is not a USD currency. */
  readonly unpaired: InstrumentState[] = [];
  /** The config the instruments' execution prices were computed with. */
  private executionConfig: ScannerConfig | null = null;

  constructor(options: ScannerOptions = {}) {
    this.ctx = { nowMs: options.nowMs ?? 0, config: options.config ?? DEFAULT_SCANNER_CONFIG, fits: options.fits ?? null };
    this.executionConfig = this.ctx.config;
  }

  get config(): ScannerConfig {
    return this.ctx.config;
  }

  get nowMs(): number {
    return this.ctx.nowMs;
  }

  /** Moves the clock (slots keep their values until recomputed: call rescan() to bring all to the new time). */
  setNow(nowMs: number): void {
    this.ctx.nowMs = nowMs;
  }

  /** A new configuration recomputes everything. */
  setConfig(config: ScannerConfig): void {
    this.ctx.config = config;
    for (const s of this.state.instruments) s.feeRate = scannerFeeRate(s, config);
    this.rescan();
  }

  // --- instruments and pairs ---

  /** Adds an instrument (a known one is returned as is) and makes its slots with the instruments of its asset. */
  addInstrument(instrument: Instrument): InstrumentState {
    const { state: s, added } = this.state.add(instrument);
    if (!added) return s;
    this.slotsByInstrument.push([]);
    s.feeRate = scannerFeeRate(s, this.ctx.config);
    refreshExecution(s, this.ctx.config);
    const asset = s.assetKey;
    if (asset === null) {
      this.unpaired.push(s);
      return s;
    }
    let peers = this.instrumentsByAsset.get(asset);
    if (!peers) this.instrumentsByAsset.set(asset, (peers = []));
    for (const other of peers) this.pair(asset, s, other);
    peers.push(s);
    return s;
  }

  private pair(asset: string, x: InstrumentState, y: InstrumentState): void {
    const sameMarket = x.venue === y.venue && x.instrument.quote === y.instrument.quote;
    const kx = x.kindCode;
    const ky = y.kindCode;
    if (kx === KIND_PERP && ky === KIND_PERP) {
      const [a, b] = x.index < y.index ? [x, y] : [y, x];
      this.addSlot(TYPE_CROSS_VENUE_SPREAD, asset, a, b);
      this.addSlot(TYPE_FUNDING_DIFFERENTIAL, asset, a, b);
      return;
    }
    if (!sameMarket) return;
    if ((kx === KIND_SPOT && ky === KIND_PERP) || (kx === KIND_PERP && ky === KIND_SPOT)) {
      const [spot, perp] = kx === KIND_SPOT ? [x, y] : [y, x];
      this.addSlot(TYPE_FUNDING_CARRY, asset, spot, perp);
      this.addSlot(TYPE_BASIS, asset, spot, perp);
    } else if (kx === KIND_FUTURE && ky === KIND_FUTURE) {
      if (x.expiryMs === y.expiryMs) return;
      const [near, far] = x.expiryMs < y.expiryMs ? [x, y] : [y, x];
      this.addSlot(TYPE_CALENDAR_SPREAD, asset, near, far);
    } else if (kx === KIND_FUTURE || ky === KIND_FUTURE) {
      const [other, future] = kx === KIND_FUTURE ? [y, x] : [x, y];
      this.addSlot(TYPE_CALENDAR_SPREAD, asset, other, future);
    }
  }

  private addSlot(typeCode: number, asset: string, a: InstrumentState, b: InstrumentState): void {
    const slot = new OpportunitySlot(this.slots.length, typeCode, asset, a, b);
    this.slots.push(slot);
    this.slotsByInstrument[a.index].push(slot);
    this.slotsByInstrument[b.index].push(slot);
    this.slotsByType[typeCode].push(slot);
    let list = this.slotsByAsset.get(asset);
    if (!list) this.slotsByAsset.set(asset, (list = []));
    list.push(slot);
    this.compute(slot);
  }

  /** The dense index of venue:symbol, or -1. */
  indexOf(venue: string, symbol: string): number {
    return this.state.get(venue, symbol)?.index ?? -1;
  }

  slotsOfInstrument(index: number): readonly OpportunitySlot[] {
    return this.slotsByInstrument[index] ?? NO_SLOTS;
  }

  slotsOfAsset(asset: string): readonly OpportunitySlot[] {
    return this.slotsByAsset.get(asset) ?? NO_SLOTS;
  }

  assets(): string[] {
    return [...this.slotsByAsset.keys()];
  }

  // --- updates (by dense index: no lookup, no allocation) ---

  updateQuote(index: number, bid: number, bidSize: number, ask: number, askSize: number, tsMs: number): void {
    setQuote(this.state.instruments[index], bid, bidSize, ask, askSize, tsMs);
    this.recomputeInstrument(index);
  }

  updateBook(index: number, bidPrices: ArrayLike<number>, bidSizes: ArrayLike<number>, askPrices: ArrayLike<number>, askSizes: ArrayLike<number>, tsMs: number): void {
    setBook(this.state.instruments[index], bidPrices, bidSizes, askPrices, askSizes, tsMs);
    this.recomputeInstrument(index);
  }

  /** A trade price (barMs 0) or the close of a bar of barMs, observed at tsMs (a bar's close time). */
  updateLastPrice(index: number, price: number, tsMs: number, barMs = 0): void {
    setLastPrice(this.state.instruments[index], price, tsMs, barMs);
    this.recomputeInstrument(index);
  }

  /** See marketState.setFunding. */
  updateFunding(index: number, fundingRatePerInterval: number, fundingIntervalMs: number, lastSettlementMs: number, nextSettlementMs: number): void {
    setFunding(this.state.instruments[index], fundingRatePerInterval, fundingIntervalMs, lastSettlementMs, nextSettlementMs);
    this.recomputeInstrument(index);
  }

  updateMark(index: number, markPrice: number, indexPrice: number, tsMs: number): void {
    setMark(this.state.instruments[index], markPrice, indexPrice, tsMs);
    this.recomputeInstrument(index);
  }

  /**
   * Applies a domain market event (the one interface for snapshots, replays and live feeds).
   * A funding event dated after the clock is a predicted rate for that settlement; one at or before
   * it is the rate paid then. Returns false when the instrument is not known.
   */
  apply(event: MarketEvent): boolean {
    const index = this.indexOf(event.venue, event.symbol);
    if (index < 0) return false;
    switch (event.type) {
      case 'quote':
        this.updateQuote(index, event.bid, event.bidSize ?? Number.NaN, event.ask, event.askSize ?? Number.NaN, event.ts);
        break;
      case 'book':
        this.updateBook(
          index,
          event.bids.map((l) => l.price),
          event.bids.map((l) => l.size),
          event.asks.map((l) => l.price),
          event.asks.map((l) => l.size),
          event.ts,
        );
        break;
      case 'bar':
        if (event.priceType === 'trade') this.updateLastPrice(index, event.close, event.ts + event.intervalMs, event.intervalMs);
        else if (event.priceType === 'mark') this.updateMark(index, event.close, Number.NaN, event.ts + event.intervalMs);
        else this.updateMark(index, Number.NaN, event.close, event.ts + event.intervalMs);
        break;
      case 'trade':
        this.updateLastPrice(index, event.price, event.ts);
        break;
      case 'funding': {
        const interval = event.fundingIntervalMs ?? Number.NaN;
        if (event.ts > this.ctx.nowMs) this.updateFunding(index, event.fundingRatePerInterval, interval, Number.NaN, event.ts);
        else this.updateFunding(index, event.fundingRatePerInterval, interval, event.ts, Number.NaN);
        if (event.markPrice !== null) this.updateMark(index, event.markPrice, Number.NaN, event.ts);
        break;
      }
      case 'mark':
        this.updateMark(index, event.markPrice, event.indexPrice ?? Number.NaN, event.ts);
        break;
    }
    return true;
  }

  private recomputeInstrument(index: number): void {
    this.stats.updates++;
    refreshExecution(this.state.instruments[index], this.ctx.config);
    const slots = this.slotsByInstrument[index];
    for (let i = 0; i < slots.length; i++) this.compute(slots[i]);
  }

  private compute(slot: OpportunitySlot): void {
    slot.recomputations++;
    this.stats.recomputations++;
    switch (slot.typeCode) {
      case TYPE_FUNDING_CARRY:
        return computeFundingCarry(slot, this.ctx);
      case TYPE_BASIS:
        return computeBasis(slot, this.ctx);
      case TYPE_CROSS_VENUE_SPREAD:
        return computeCrossVenueSpread(slot, this.ctx);
      case TYPE_FUNDING_DIFFERENTIAL:
        return computeFundingDifferential(slot, this.ctx);
      case TYPE_CALENDAR_SPREAD:
        return computeCalendarSpread(slot, this.ctx);
    }
  }

  /**
   * Recomputes every opportunity from the current state at the current clock (e.g. after moving
   * it): every instrument's clock-dependent terms and every slot. An instrument's execution prices
   * for the target size depend only on its book and the config, are recomputed on each of its
   * updates and on a config change, and are reused here unless `refreshBooks` asks to walk every
   * book again.
   */
  rescan(options: { refreshBooks?: boolean } = {}): void {
    this.stats.rescans++;
    const config = this.ctx.config;
    const instruments = this.state.instruments;
    const refresh = options.refreshBooks === true || this.executionConfig !== config;
    for (let i = 0; i < instruments.length; i++) {
      const s = instruments[i];
      if (refresh) refreshExecution(s, config);
      else s.termsNowMs = Number.NaN;
    }
    this.executionConfig = config;
    // Type by type: each loop calls one function (a monomorphic call site the compiler inlines).
    const ctx = this.ctx;
    let n = 0;
    n += recomputeAll(this.slotsByType[TYPE_FUNDING_CARRY], computeFundingCarry, ctx);
    n += recomputeAll(this.slotsByType[TYPE_BASIS], computeBasis, ctx);
    n += recomputeAll(this.slotsByType[TYPE_CROSS_VENUE_SPREAD], computeCrossVenueSpread, ctx);
    n += recomputeAll(this.slotsByType[TYPE_FUNDING_DIFFERENTIAL], computeFundingDifferential, ctx);
    n += recomputeAll(this.slotsByType[TYPE_CALENDAR_SPREAD], computeCalendarSpread, ctx);
    this.stats.recomputations += n;
  }

  /**
   * The instruments' histories before the scan time (history.ts), for the suspect check: each slot
   * of two instruments with a history gets its pair's edge at their earlier observations, taken
   * relative to the current state (call after the state is applied, then rescan). Replaces any
   * earlier history; slots of instruments without one have none.
   */
  setHistory(histories: readonly InstrumentHistory[]): void {
    const byId = new Map(histories.map((h) => [instrumentId(h.venue, h.symbol), h]));
    const minSteps = this.ctx.config.suspect.minHistoryPoints;
    for (const slot of this.slots) slot.history = pairHistory(slot, byId.get(slot.a.id), byId.get(slot.b.id), this.ctx.fits, minSteps);
  }

  /** Slots whose legs were observed too far apart to be compared (legTiming.ts), at most `limit`, in slot order. */
  notCompared(limit = Infinity): OpportunitySlot[] {
    const out: OpportunitySlot[] = [];
    for (const slot of this.slots) {
      if (out.length >= limit) break;
      if (slot.legsApart) out.push(slot);
    }
    return out;
  }

  /** The active opportunities, ranked (see ranking.ts), as plain objects. */
  opportunities(options: RankOptions = {}): Opportunity[] {
    const source = options.asset !== undefined ? this.slotsOfAsset(options.asset) : this.slots;
    return rankSlots(source, options).map((slot) => toOpportunity(slot, this.ctx));
  }

  /** Counts for a summary: instruments, slots, computable and active slots by type, prices and funding too old to use. */
  summary(): ScanSummary {
    let computable = 0;
    let legsApart = 0;
    let active = 0;
    let suspect = 0;
    let misaligned = 0;
    const activeByType: Record<string, number> = {};
    for (const slot of this.slots) {
      if (slot.computable) computable++;
      if (slot.legsApart) legsApart++;
      if (slot.active) {
        active++;
        if (slot.flags & FLAG_SUSPECT) suspect++;
        if (slot.flags & FLAG_MISALIGNED) misaligned++;
        activeByType[slot.type] = (activeByType[slot.type] ?? 0) + 1;
      }
    }
    let priced = 0;
    let pricesTooOld = 0;
    let withFunding = 0;
    let fundingTooOld = 0;
    for (const s of this.state.instruments) {
      legTerms(s, this.ctx);
      if (s.hasPrice) {
        priced++;
        if (!s.priceUsable) pricesTooOld++;
      }
      if (!Number.isNaN(s.fundingRatePerInterval)) {
        withFunding++;
        if (!s.fundingUsable) fundingTooOld++;
      }
    }
    return { instruments: this.state.size, unpaired: this.unpaired.length, priced, pricesTooOld, withFunding, fundingTooOld, slots: this.slots.length, computable, legsApart, active, suspect, misaligned, activeByType };
  }
}
