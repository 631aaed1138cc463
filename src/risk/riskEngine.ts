import { DAY_MS } from '../core/time.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { Ledger } from '../portfolio/ledger.ts';
import { minorToNumber } from '../portfolio/money.ts';
import { USD_LIKE_ASSETS } from '../portfolio/valuation.ts';
import { NO_INTENTS, type Intent, type MarketUpdate, type MarketView, type PairView, type PositionView, type RiskReasonCode } from '../strategy/types.ts';
import { CircuitBreakers } from './breakers.ts';
import { ledgerLegs, legMargins, type LedgerLeg, type PositionMargin, type VenueMarginSettings } from './marginFigures.ts';
import { preTradeDenial, type ExposureBook, type NewLeg } from './preTradeRisk.ts';
import { OrderRateLimiter } from './rateLimiter.ts';
import { SAFETY_MINIMUM_ORDERS_PER_SECOND, type RiskConfig } from './riskConfig.ts';
import { varFigures, type RiskSummary } from './riskFigures.ts';
import type { RiskAction, RiskInputEvent } from './riskTypes.ts';
import type { TradingStateHolder } from './tradingState.ts';

/**
 * The risk layer: one object, the same in backtest, paper and live. The engine asks it before
 * every intent (denial: pre-trade checks and the order rate limit), gives it its events (orders,
 * fills, funding, equity, liquidations) and every market update, and executes the intents it answers
 * with (closes, resizes, rebalances) through the same checks and two-leg execution as a strategy's.
 * Every decision is a RiskAction with its figures (the engine's `risk` events), and its closes carry
 * a risk exit reason into the round trips. Without a config only the safety minimum runs (the rate
 * limit; the executor checks every leg's minimums): nothing per market event.
 */

export interface RiskEngineOptions {
  config: RiskConfig | null;
  instruments: readonly Instrument[];
  venues: readonly string[];
  /** Margin settings of each venue's derivatives (the config's leverage, maintenance rate, mode). */
  marginByVenue: Readonly<Record<string, VenueMarginSettings>>;
  market: MarketView;
  positions: PositionView;
  ledger: Ledger;
  tradingState: TradingStateHolder;
  /** The engine's value price of an instrument (the venue's mark rule); NaN when unknown. */
  markOf: (venue: string, symbol: string) => number;
  equityUsd: () => number | null;
  /**
   * Moves collateral into the derivatives wallet of a venue that keeps separate wallets and allows
   * transfers; returns the amount moved (0: none possible). Absent: no venue does (unified accounts).
   */
  transferCollateral?: (venue: string, asset: string, amount: number, ts: number) => number;
  /** A wallet's balance where the venue keeps separate spot and derivatives wallets; null (or absent): one wallet, the ledger's cash. */
  walletBalance?: (venue: string, wallet: 'spot' | 'derivatives', asset: string) => number | null;
}

interface PairBook {
  /** The legs' instruments, resolved on the first look (null until then). */
  longInst: Instrument | null;
  shortInst: Instrument | null;
  longCost: number;
  shortProceeds: number;
  feesUsd: number;
  fundingUsd: number;
  /** The spread (short - long) / long at the last reference point (the first look at the open pair, then each basis action). */
  refSpread: number;
  fundingAgainst: number;
  lastActionMs: number;
}

const DEFAULT_MARGIN: VenueMarginSettings = { leverage: 1, maintenanceMarginRate: 0.004, marginMode: 'cross' };
const fmt = (x: number) => Number(x.toPrecision(6)).toString();
const MAX_ACTIONS_KEPT = 1000;
/** Legs' prices further apart in time than this are not compared (basis, stop-loss, delta). */
export const LEG_PRICE_SKEW_MS = 5_000;

export class RiskEngine {
  readonly config: RiskConfig | null;
  /** Whether the monitors and breakers run (a risk section is configured). */
  readonly monitoring: boolean;
  private readonly limiter: OrderRateLimiter;
  private readonly breakers: CircuitBreakers | null;
  private readonly listeners: ((action: RiskAction) => void)[] = [];
  private readonly actions: RiskAction[] = [];
  private readonly actionCounts: Record<string, number> = {};
  private readonly instruments = new Map<string, Instrument>();
  private readonly derivativesByVenue = new Map<string, Instrument[]>();
  private readonly books = new Map<string, PairBook>();
  private readonly equity: { ts: number; equityUsd: number }[] = [];
  private minLiquidationDistance = Infinity;
  private maxMarginUse = Number.NaN;
  private maxGrossLeverage = Number.NaN;

  constructor(private readonly o: RiskEngineOptions) {
    this.config = o.config;
    this.monitoring = o.config !== null;
    this.limiter = new OrderRateLimiter(o.config?.preTrade.maxOrdersPerSecond ?? SAFETY_MINIMUM_ORDERS_PER_SECOND);
    for (const i of o.instruments) {
      this.instruments.set(`${i.venue}:${i.symbol}`, i);
      if (i.kind === 'spot') continue;
      const list = this.derivativesByVenue.get(i.venue) ?? [];
      list.push(i);
      this.derivativesByVenue.set(i.venue, list);
    }
    this.breakers = o.config === null ? null : new CircuitBreakers(o.config.breakers, o.tradingState, o.venues, (b) => this.journal({ ts: b.ts, kind: b.tripped ? 'breakerTripped' : 'breakerCleared', rule: b.breaker, pairId: null, venue: b.venue, reason: b.reason, figures: b.figures }));
  }

  subscribe(listener: (action: RiskAction) => void): void {
    this.listeners.push(listener);
  }

  // ---- pre-trade ----------------------------------------------------------------------------

  /** Why an intent must not be executed now (null: it may); a denial is journalled as a 'denied' action. */
  denial(intent: Intent, nowMs: number): string | null {
    const orders = this.ordersOf(intent);
    for (const [venue, n] of orders) {
      const reason = this.limiter.denial(venue, n, nowMs);
      if (reason !== null) return this.deny(nowMs, intent, 'rateLimit', venue, reason, { orders: n, limitPerSecond: this.limiter.maxOrders });
    }
    if (this.config === null) return null;
    const legs = this.newLegs(intent);
    if (legs.length === 0) return null;
    const found = preTradeDenial(this.config.preTrade, legs, this.exposureBook(), (v) => this.marginOf(v));
    return found === null ? null : this.deny(nowMs, intent, found.rule, legs[0].instrument.venue, found.reason, found.figures);
  }

  private deny(ts: number, intent: Intent, rule: string, venue: string | null, reason: string, figures: Record<string, number>): string {
    this.journal({ ts, kind: 'denied', rule, pairId: intent.id, venue, reason, figures });
    return `risk ${rule}: ${reason}`;
  }

  /** Orders an intent sends per venue (for the rate limit). */
  private ordersOf(intent: Intent): Map<string, number> {
    const out = new Map<string, number>();
    const add = (venue: string) => out.set(venue, (out.get(venue) ?? 0) + 1);
    if (intent.kind === 'openPair') {
      add(intent.long.venue);
      add(intent.short.venue);
      return out;
    }
    const pair = this.o.positions.pair(intent.id);
    if (pair === undefined) return out;
    if (intent.kind === 'rebalanceLeg') add((intent.leg === 'long' ? pair.long : pair.short).venue);
    else {
      if (pair.longQty > 0) add(pair.long.venue);
      if (pair.shortQty > 0) add(pair.short.venue);
    }
    return out;
  }

  /** The legs an intent adds exposure on (opens and adds; closes, shrinks and rebalances reduce risk and are not limited). */
  private newLegs(intent: Intent): NewLeg[] {
    const leg = (venue: string, symbol: string, side: 'buy' | 'sell', quantity: number): NewLeg | null => {
      const instrument = this.instruments.get(`${venue}:${symbol}`);
      const snap = this.o.market.get(venue, symbol);
      if (instrument === undefined || snap === undefined || !(snap.price > 0)) return null;
      return { instrument, side, quantity, price: snap.price, markPrice: instrument.kind === 'spot' ? Number.NaN : this.o.markOf(venue, symbol) };
    };
    const out: (NewLeg | null)[] = [];
    if (intent.kind === 'openPair') {
      const pl = this.o.market.get(intent.long.venue, intent.long.symbol)?.price ?? Number.NaN;
      const ps = this.o.market.get(intent.short.venue, intent.short.symbol)?.price ?? Number.NaN;
      const q = intent.notionalUsd / Math.max(pl, ps);
      if (!(q > 0)) return [];
      out.push(leg(intent.long.venue, intent.long.symbol, 'buy', q), leg(intent.short.venue, intent.short.symbol, 'sell', q));
    } else if (intent.kind === 'resizePair' && intent.scale > 1) {
      const pair = this.o.positions.pair(intent.id);
      if (pair === undefined) return [];
      const q = Math.min(pair.longQty, pair.shortQty) * (intent.scale - 1);
      out.push(leg(pair.long.venue, pair.long.symbol, 'buy', q), leg(pair.short.venue, pair.short.symbol, 'sell', q));
    }
    return out.filter((l): l is NewLeg => l !== null);
  }

  private marginOf(venue: string): VenueMarginSettings {
    return this.o.marginByVenue[venue] ?? DEFAULT_MARGIN;
  }

  /** USD price of an asset: 1 for USD-like, else the mark of a spot market BASE/USD-like. */
  private usdPrice(asset: string): number {
    if (USD_LIKE_ASSETS.includes(asset)) return 1;
    for (const i of this.instruments.values()) {
      if (i.kind === 'spot' && i.base === asset && USD_LIKE_ASSETS.includes(i.quote)) {
        const p = this.o.market.get(i.venue, i.symbol)?.price ?? Number.NaN;
        if (p > 0) return p;
      }
    }
    return Number.NaN;
  }

  /** The ledger's derivative legs per venue, read again only when the ledger booked something. */
  private readonly legCache = new Map<string, { entryCount: number; legs: LedgerLeg[] }>();

  private margins(venue: string): PositionMargin[] {
    const list = this.derivativesByVenue.get(venue);
    if (list === undefined) return [];
    const count = this.o.ledger.entryCount;
    let cached = this.legCache.get(venue);
    if (cached === undefined || cached.entryCount !== count) {
      this.legCache.set(venue, (cached = { entryCount: count, legs: ledgerLegs(this.o.ledger, list) }));
      // Separate wallets: the collateral is the derivatives wallet's, not the venue's cash.
      for (const leg of cached.legs) leg.cash = this.o.walletBalance?.(venue, 'derivatives', leg.settle) ?? leg.cash;
    }
    if (cached.legs.length === 0) return [];
    return legMargins(cached.legs, this.marginOf(venue), this.markOfInst);
  }

  private readonly markOfInst = (i: Instrument) => this.o.markOf(i.venue, i.symbol);

  /** Exposure per venue and asset (USD): coins held and derivative positions by underlying. */
  exposures(): { venue: string; asset: string; grossUsd: number; netUsd: number }[] {
    const rows = new Map<string, { venue: string; asset: string; grossUsd: number; netUsd: number }>();
    const add = (venue: string, asset: string, usd: number) => {
      const key = `${venue}|${asset}`;
      const row = rows.get(key) ?? { venue, asset, grossUsd: 0, netUsd: 0 };
      row.grossUsd += Math.abs(usd);
      row.netUsd += usd;
      rows.set(key, row);
    };
    for (const c of this.o.ledger.cash()) {
      if (USD_LIKE_ASSETS.includes(c.asset)) continue;
      const usd = minorToNumber(c.amount) * this.usdPrice(c.asset);
      if (Number.isFinite(usd) && usd !== 0) add(c.venue, c.asset, usd);
    }
    for (const venue of this.o.venues) {
      for (const m of this.margins(venue)) {
        const inst = this.instruments.get(`${m.venue}:${m.symbol}`)!;
        const usd = inst.linear === false ? m.quantity * (inst.contractSize ?? 0) : m.quantity * m.markPrice;
        add(venue, inst.base, usd);
      }
    }
    return [...rows.values()].sort((a, b) => (a.venue + a.asset < b.venue + b.asset ? -1 : 1));
  }

  private exposureBook(): ExposureBook {
    const grossUsdByVenue = new Map<string, number>();
    let grossUsd = 0;
    for (const row of this.exposures()) {
      grossUsdByVenue.set(row.venue, (grossUsdByVenue.get(row.venue) ?? 0) + row.grossUsd);
      grossUsd += row.grossUsd;
    }
    const equityUsdByVenue = new Map<string, number>();
    const marginCache = new Map<string, PositionMargin[]>();
    const marginsOf = (venue: string) => marginCache.get(venue) ?? marginCache.set(venue, this.margins(venue)).get(venue)!;
    for (const c of this.o.ledger.cash()) {
      const usd = minorToNumber(c.amount) * this.usdPrice(c.asset);
      if (Number.isFinite(usd)) equityUsdByVenue.set(c.venue, (equityUsdByVenue.get(c.venue) ?? 0) + usd);
    }
    for (const venue of this.o.venues) {
      for (const m of marginsOf(venue)) equityUsdByVenue.set(venue, (equityUsdByVenue.get(venue) ?? 0) + m.unrealisedPnl * this.usdPrice(m.settleAsset));
    }
    const equityUsd = this.o.equityUsd() ?? [...equityUsdByVenue.values()].reduce((a, b) => a + b, 0);
    return {
      grossUsdByVenue,
      grossUsd,
      equityUsd,
      equityUsdByVenue,
      separateWallets: (venue) => this.o.walletBalance?.(venue, 'derivatives', 'USDT') != null,
      freeCollateral: (venue, asset, wallet) => {
        const cash = minorToNumber(this.o.ledger.cashBalance(venue, asset));
        const derivatives = this.o.walletBalance?.(venue, 'derivatives', asset) ?? null;
        // One wallet: the venue's cash; separate: the wallet the order draws on.
        if (derivatives !== null && wallet === 'spot') return cash - derivatives;
        let free = derivatives ?? cash;
        const cross = this.marginOf(venue).marginMode === 'cross';
        for (const m of marginsOf(venue)) {
          if (m.settleAsset !== asset) continue;
          free -= m.initialMargin;
          if (cross) free += m.unrealisedPnl;
        }
        return free;
      },
    };
  }

  // ---- events -------------------------------------------------------------------------------

  onEvent(event: RiskInputEvent): void {
    switch (event.type) {
      case 'order':
        if (event.status === 'submitted') this.limiter.record(event.venue, event.ts);
        else if (this.breakers !== null && (event.status === 'rejected' || event.status === 'filled' || event.status === 'canceled' || event.status === 'expired')) {
          this.breakers.onOrderDone(event.venue, event.status === 'rejected', event.ts);
        }
        break;
      case 'fill': {
        if (!this.monitoring || event.order === null) break;
        const book = this.book(event.order.pairId);
        const f = event.fill;
        const value = f.quantity * f.price;
        if (event.order.leg === 'long') book.longCost += f.side === 'buy' ? value : -value;
        else book.shortProceeds += f.side === 'sell' ? value : -value;
        if (Number.isFinite(event.feeUsd)) book.feesUsd += event.feeUsd;
        break;
      }
      case 'funding': {
        if (!this.monitoring) break;
        this.onFunding(event.payment.venue, event.payment.symbol, event.payment.positionQty, event.amountUsd);
        break;
      }
      case 'equity':
        this.equity.push({ ts: event.ts, equityUsd: event.equityUsd });
        this.breakers?.onEquity(event.ts, event.equityUsd);
        this.sampleFigures(event.equityUsd);
        break;
      case 'liquidation':
        break;
    }
  }

  /** The live runtime's reconciliation result for a venue (a failure halts it: the reconciliation breaker). */
  onReconciliation(venue: string, ok: boolean, reason: string, ts: number): void {
    this.breakers?.onReconciliation(venue, ok, reason, ts);
  }

  private book(pairId: string): PairBook {
    let book = this.books.get(pairId);
    if (book === undefined) this.books.set(pairId, (book = { longInst: null, shortInst: null, longCost: 0, shortProceeds: 0, feesUsd: 0, fundingUsd: 0, refSpread: Number.NaN, fundingAgainst: 0, lastActionMs: Number.NEGATIVE_INFINITY }));
    return book;
  }

  /** Pairs with a leg that settled funding since the last market update (their reversal count moves on it). */
  private readonly settled = new Set<string>();
  private readonly marginScratch = new Map<string, PositionMargin[]>();

  /** A funding payment: shared among the pairs holding the leg (by quantity); the reversal count moves after the market view has the rate. */
  private onFunding(venue: string, symbol: string, positionQty: number, amountUsd: number): void {
    for (const pair of this.o.positions.activePairs()) {
      for (const leg of ['long', 'short'] as const) {
        const ref = leg === 'long' ? pair.long : pair.short;
        if (ref.venue !== venue || ref.symbol !== symbol) continue;
        const held = leg === 'long' ? pair.longQty : pair.shortQty;
        const book = this.book(pair.id);
        if (Math.abs(positionQty) > 0 && Number.isFinite(amountUsd)) book.fundingUsd += (amountUsd * held) / Math.abs(positionQty);
        this.settled.add(pair.id);
      }
    }
  }

  /**
   * The pair's funding carry per hour (received > 0): a short perp leg earns its rate, a long perp
   * leg pays it; settled rates, and predicted ones (NaN where the venue does not publish them).
   */
  private carryRates(pair: PairView): { settled: number; predicted: number } {
    let settled = 0;
    let predicted = 0;
    for (const leg of ['long', 'short'] as const) {
      const ref = leg === 'long' ? pair.long : pair.short;
      if (this.instruments.get(`${ref.venue}:${ref.symbol}`)?.kind !== 'perp') continue;
      const s = this.o.market.get(ref.venue, ref.symbol);
      if (s === undefined) continue;
      const hours = s.fundingIntervalMs > 0 ? s.fundingIntervalMs / 3_600_000 : 8;
      const sign = leg === 'short' ? 1 : -1;
      settled += (sign * s.fundingRatePerInterval) / hours;
      predicted += (sign * s.predictedFundingRatePerInterval) / hours;
    }
    return { settled, predicted };
  }

  // ---- monitors -----------------------------------------------------------------------------

  /** A market update: breakers, then the monitors of every open pair; returns the intents they ask for. */
  onMarket(update: MarketUpdate, nowMs: number): readonly Intent[] {
    if (this.config === null) return NO_INTENTS;
    const breakers = this.breakers!;
    breakers.onMarket(update.venue, update.symbol, nowMs, this.o.market.get(update.venue, update.symbol)?.price ?? Number.NaN);
    breakers.onClock(nowMs);
    const pairs = this.o.positions.activePairs();
    if (pairs.length === 0) {
      this.settled.clear();
      return NO_INTENTS;
    }
    let out: Intent[] | null = null;
    const marginCache = this.marginScratch;
    marginCache.clear();
    for (const pair of pairs) {
      if (pair.status !== 'open') continue;
      const book = this.book(pair.id);
      if (book.lastActionMs === nowMs) continue; // one action per pair per moment: the next looks at its outcome
      const intent = this.evaluate(pair, book, nowMs, marginCache);
      if (intent !== null) {
        book.lastActionMs = nowMs;
        (out ??= []).push(intent);
      }
    }
    if (this.settled.size > 0) this.settled.clear();
    return out ?? NO_INTENTS;
  }

  private evaluate(pair: PairView, book: PairBook, nowMs: number, marginCache: Map<string, PositionMargin[]>): Intent | null {
    const cfg = this.config!;
    const longSnap = this.o.market.get(pair.long.venue, pair.long.symbol);
    const shortSnap = this.o.market.get(pair.short.venue, pair.short.symbol);
    const pl = longSnap?.price ?? Number.NaN;
    const ps = shortSnap?.price ?? Number.NaN;
    if (!(pl > 0 && ps > 0)) return null;
    const longInst = (book.longInst ??= this.instruments.get(`${pair.long.venue}:${pair.long.symbol}`)!);
    const shortInst = (book.shortInst ??= this.instruments.get(`${pair.short.venue}:${pair.short.symbol}`)!);

    // 1. Liquidation distance and margin buffer of the pair's derivative legs.
    let worst: PositionMargin | null = null;
    for (let k = 0; k < 2; k++) {
      const inst = k === 0 ? longInst : shortInst;
      if (inst.kind === 'spot') continue;
      let list = marginCache.get(inst.venue);
      if (list === undefined) marginCache.set(inst.venue, (list = this.margins(inst.venue)));
      for (const m of list) if (m.symbol === inst.symbol && (worst === null || m.liquidationDistance < worst.liquidationDistance)) worst = m;
    }
    if (worst !== null) {
      if (worst.liquidationDistance < this.minLiquidationDistance) this.minLiquidationDistance = worst.liquidationDistance;
      const liq = cfg.liquidation;
      if (worst.marginMultiple < liq.marginBufferMultiple || worst.liquidationDistance < liq.minLiquidationDistance) {
        const figures = { quantity: worst.quantity, entryPrice: worst.entryPrice, unrealisedPnl: worst.unrealisedPnl, marginMultiple: worst.marginMultiple, liquidationDistance: worst.liquidationDistance, liquidationPrice: worst.liquidationPrice ?? Number.NaN, markPrice: worst.markPrice, collateral: worst.collateral, maintenanceMargin: worst.maintenanceMargin };
        const what = `${worst.venue}:${worst.symbol} mark ${fmt(worst.markPrice)}, liquidation ${worst.liquidationPrice === null ? 'none' : fmt(worst.liquidationPrice)} (${fmt(worst.liquidationDistance * 100)}% away, margin ${fmt(worst.marginMultiple)}x maintenance)`;
        if (liq.transferCollateral && this.o.transferCollateral !== undefined) {
          const need = this.collateralNeeded(worst, 2 * liq.minLiquidationDistance);
          const moved = need > 0 ? this.o.transferCollateral(worst.venue, worst.settleAsset, need, nowMs) : 0;
          if (moved > 0) {
            this.legCache.delete(worst.venue); // the wallet moved without a ledger entry
            this.journal({ ts: nowMs, kind: 'transfer', rule: 'liquidationRisk', pairId: pair.id, venue: worst.venue, reason: `${what}: moved ${fmt(moved)} ${worst.settleAsset} to the derivatives wallet`, figures: { ...figures, transferred: moved, needed: need } });
            if (moved >= need * (1 - 1e-9)) return null;
          }
        }
        // An isolated position's liquidation price does not move when it shrinks (its margin shrinks with it): close.
        const isolated = this.marginOf(worst.venue).marginMode === 'isolated';
        if (isolated || worst.liquidationDistance < liq.closeLiquidationDistance || worst.marginMultiple < 1.25) {
          return this.act(nowMs, 'close', 'liquidationRisk', pair, `${what}: closing`, figures, { kind: 'closePair', id: pair.id, reason: `risk: ${what}`, reasonCode: 'liquidationRisk' });
        }
        return this.act(nowMs, 'shrink', 'liquidationRisk', pair, `${what}: shrinking both legs to ${fmt(liq.shrinkKeepFraction * 100)}%`, figures, { kind: 'resizePair', id: pair.id, scale: liq.shrinkKeepFraction, reason: `risk: ${what}`, reasonCode: 'liquidationRisk' });
      }
    }

    // The rules below compare the two legs' prices: only when both are of the same moment (a bar of
    // one leg arriving before the other's bar of the same close would be a spread that never was).
    if (Math.abs((longSnap?.priceTs ?? Number.NaN) - (shortSnap?.priceTs ?? Number.NaN)) > LEG_PRICE_SKEW_MS) return null;

    // 2. Exits: stop-loss, maximum holding, funding reversal.
    const longValue = pair.longQty * pl;
    const shortValue = pair.shortQty * ps;
    const notional = Math.max(longValue, shortValue);
    const pnlUsd = longValue - book.longCost + book.shortProceeds - shortValue + book.fundingUsd - book.feesUsd;
    const exits = cfg.exits;
    // Fill values are quantity x price: exact for spot and linear legs; a pair with an inverse leg has no stop-loss here.
    const linear = longInst.linear !== false && shortInst.linear !== false;
    if (exits.stopLossFraction !== null && linear && notional > 0 && pnlUsd < -exits.stopLossFraction * notional) {
      return this.act(nowMs, 'close', 'stopLoss', pair, `loss ${fmt(-pnlUsd)} USD is ${fmt((-pnlUsd / notional) * 100)}% of the notional ${fmt(notional)} > ${fmt(exits.stopLossFraction * 100)}%`, { pnlUsd, notionalUsd: notional, limit: exits.stopLossFraction }, undefined, 'stopLoss');
    }
    if (exits.maxHoldingDays !== null && pair.openedAtMs !== null && nowMs - pair.openedAtMs > exits.maxHoldingDays * DAY_MS) {
      const days = (nowMs - pair.openedAtMs) / DAY_MS;
      return this.act(nowMs, 'close', 'maxHolding', pair, `held ${fmt(days)} days > ${fmt(exits.maxHoldingDays)}`, { heldDays: days, limitDays: exits.maxHoldingDays }, undefined, 'maxHolding');
    }
    if (exits.fundingReversalIntervals !== null && this.settled.has(pair.id)) {
      const carry = this.carryRates(pair);
      book.fundingAgainst = carry.settled < 0 && !(carry.predicted >= 0) ? book.fundingAgainst + 1 : 0;
    }
    if (exits.fundingReversalIntervals !== null && book.fundingAgainst >= exits.fundingReversalIntervals) {
      const carry = this.carryRates(pair);
      return this.act(nowMs, 'close', 'fundingReversal', pair, `funding against the pair ${book.fundingAgainst} settlements in a row (carry ${fmt(carry.settled * 100)}%/h settled)`, { intervals: book.fundingAgainst, settledPerHour: carry.settled, predictedPerHour: carry.predicted }, undefined, 'fundingReversal');
    }

    // 3. Delta drift: the base exposure of the legs apart by more than the threshold.
    const delta = cfg.delta.maxDriftFraction;
    const baseOf = (inst: Instrument, q: number, p: number) => (inst.linear === false ? (q * (inst.contractSize ?? 0)) / p : q);
    const longBase = baseOf(longInst, pair.longQty, pl);
    const shortBase = baseOf(shortInst, pair.shortQty, ps);
    const netBase = longBase - shortBase;
    const grossBase = Math.max(longBase, shortBase);
    if (delta !== null && grossBase > 0 && Math.abs(netBase) / grossBase > delta) {
      const cheaperLong = (longInst.takerFeeRate ?? 0) <= (shortInst.takerFeeRate ?? 0);
      const leg = cheaperLong ? 'long' : 'short';
      const inst = cheaperLong ? longInst : shortInst;
      const price = cheaperLong ? pl : ps;
      // The long leg sheds the excess (or takes the lack); the short leg takes it on.
      const changeBase = cheaperLong ? -netBase : netBase;
      const quantity = inst.linear === false ? (changeBase * price) / (inst.contractSize ?? 1) : changeBase;
      const drift = Math.abs(netBase) / grossBase;
      return this.act(nowMs, 'rebalance', 'deltaDrift', pair, `net delta ${fmt(netBase)} ${longInst.base} is ${fmt(drift * 100)}% of the pair > ${fmt(delta * 100)}%: ${leg} leg (the cheaper) by ${fmt(quantity)}`, { netDeltaBase: netBase, driftFraction: drift, limit: delta, quantity }, { kind: 'rebalanceLeg', id: pair.id, leg, quantity, reason: 'risk: delta drift', reasonCode: 'deltaDrift' });
    }

    // 4. Basis: the spread (short - long) / long against the pair since the reference.
    const spread = (ps - pl) / pl;
    if (Number.isNaN(book.refSpread)) book.refSpread = spread;
    const basis = cfg.basis;
    const move = spread - book.refSpread;
    if (basis.adverseMove !== null && move > basis.adverseMove) {
      const figures = { entrySpread: book.refSpread, spread, adverseMove: move, limit: basis.adverseMove };
      book.refSpread = spread;
      return this.act(nowMs, 'shrink', 'basisRisk', pair, `spread ${fmt(spread * 100)}% moved ${fmt(move * 100)}% against the pair > ${fmt(basis.adverseMove * 100)}%: keeping ${fmt(basis.adverseKeepFraction * 100)}%`, figures, { kind: 'resizePair', id: pair.id, scale: basis.adverseKeepFraction, reason: 'risk: adverse basis move', reasonCode: 'basisRisk' });
    }
    if (basis.addOnFavourable && -move > basis.favourableMove && pnlUsd > 0) {
      const figures = { entrySpread: book.refSpread, spread, favourableMove: -move, limit: basis.favourableMove, pnlUsd };
      book.refSpread = spread;
      return this.act(nowMs, 'add', 'basisRisk', pair, `spread moved ${fmt(-move * 100)}% in favour of a profitable pair: adding ${fmt(basis.favourableAddFraction * 100)}%`, figures, { kind: 'resizePair', id: pair.id, scale: 1 + basis.favourableAddFraction, reason: 'risk: favourable basis move', reasonCode: 'basisRisk' });
    }
    return null;
  }

  /** Collateral that would put the leg's liquidation price `distance` away from the mark (linear; inverse: none computed). */
  private collateralNeeded(m: PositionMargin, distance: number): number {
    const inst = this.instruments.get(`${m.venue}:${m.symbol}`)!;
    if (inst.linear === false) return 0;
    const mm = this.marginOf(m.venue).maintenanceMarginRate;
    const q = m.quantity;
    const target = q > 0 ? q * (m.entryPrice - m.markPrice * (1 - distance) * (1 - mm)) : -q * (m.markPrice * (1 + distance) * (1 + mm) - m.entryPrice);
    return Math.max(0, target - m.collateral);
  }

  private act(ts: number, kind: RiskAction['kind'], rule: string, pair: PairView, reason: string, figures: Record<string, number>, intent?: Intent, closeCode?: RiskReasonCode): Intent {
    this.journal({ ts, kind, rule, pairId: pair.id, venue: null, reason, figures });
    return intent ?? { kind: 'closePair', id: pair.id, reason: `risk: ${reason}`, reasonCode: closeCode! };
  }

  private journal(action: RiskAction): void {
    const key = `${action.kind}:${action.rule}`;
    this.actionCounts[key] = (this.actionCounts[key] ?? 0) + 1;
    if (this.actions.length < MAX_ACTIONS_KEPT) this.actions.push(action);
    for (const l of this.listeners) l(action);
  }

  // ---- figures ------------------------------------------------------------------------------

  /** At each equity point: liquidation distance, margin use and gross leverage (cheap: once per sample). */
  private sampleFigures(equityUsd: number): void {
    let gross = 0;
    for (const venue of this.o.venues) {
      const list = this.margins(venue);
      if (list.length === 0) continue;
      let initial = 0;
      let collateral = Number.NaN;
      for (const m of list) {
        if (m.liquidationDistance < this.minLiquidationDistance) this.minLiquidationDistance = m.liquidationDistance;
        initial += m.initialMargin;
        if (Number.isNaN(collateral)) collateral = m.collateral + m.unrealisedPnl;
      }
      const use = collateral > 0 ? initial / collateral : Infinity;
      if (!(use <= this.maxMarginUse)) this.maxMarginUse = use;
    }
    for (const row of this.exposures()) gross += row.grossUsd;
    const leverage = equityUsd > 0 ? gross / equityUsd : Number.NaN;
    if (leverage > this.maxGrossLeverage || (Number.isNaN(this.maxGrossLeverage) && Number.isFinite(leverage))) this.maxGrossLeverage = leverage;
  }

  summary(): RiskSummary {
    return {
      configured: this.config !== null,
      var: varFigures(this.equity),
      exposure: this.exposures(),
      maxGrossLeverage: Number.isFinite(this.maxGrossLeverage) ? this.maxGrossLeverage : null,
      minLiquidationDistance: Number.isFinite(this.minLiquidationDistance) ? this.minLiquidationDistance : null,
      maxMarginUse: Number.isFinite(this.maxMarginUse) ? this.maxMarginUse : null,
      actionCounts: { ...this.actionCounts },
      actions: [...this.actions],
    };
  }

  /** The breakers tripped now (status, dashboard). */
  activeBreakers(): ReturnType<CircuitBreakers['active']> {
    return this.breakers?.active() ?? [];
  }
}
