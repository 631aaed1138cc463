import type { ExecutionEvent } from '../execution/pairExecutor.ts';
import { parseAccount } from '../portfolio/accounts.ts';
import type { AssetAmounts } from '../portfolio/balances.ts';
import { signedValue, type ContractTerms } from '../portfolio/contractTerms.ts';
import { entryCashFlows, entryTrade, fundingInstrumentOf, type EntryTrade } from '../portfolio/entryFlows.ts';
import type { JournalEntry } from '../portfolio/journal.ts';
import type { Ledger } from '../portfolio/ledger.ts';
import { absMinor, decimalFromNumber, minorFromNumber, minorToNumber, pow10, ratioToNumber, scaleMinor, type Minor } from '../portfolio/money.ts';
import type { EntryReasonCode, ExitReasonCode, Intent } from '../strategy/types.ts';
import type { EngineEvent } from './events.ts';
import type { EventStream } from './eventStream.ts';
import type { RoundTripLeg, RoundTripRecord } from './roundTrip.ts';
import type { RunValuer } from './valuer.ts';

/**
 * Builds the round trips of a run from the engine's event stream and the exact ledger entries it
 * carries (any mode: backtest, paper, live). What belongs to a pair:
 * - the entries of the fills of its orders (open, re-hedge, close): their value and fees;
 * - funding on a perp leg it holds, and borrow interest on a short spot leg it holds (shared pro
 *   rata by quantity when several pairs hold the same instrument, the last share taking the rest);
 * - the venue's liquidation or expiry settlement of a leg, in the quantity the executor reports
 *   (legLiquidated / legExpired), with its liquidation fee.
 * Every part is converted to USD when booked (exact for USD, USDT, USDC; other assets at the
 * engine's prices at that time) and summed in minor units. A pair whose opening failed is no round
 * trip: its fees and crossing are in the run's breakdown only.
 */

type LegName = 'long' | 'short';

interface LegState {
  instrumentId: string;
  side: LegName;
  terms: ContractTerms;
  /** Signed quantity the pair holds on this leg, minor units. */
  held: Minor;
  /** Absolute quantities and values of the opening and of the closing trades, minor units. */
  openedQty: Minor;
  openedValue: Minor;
  closedQty: Minor;
  closedValue: Minor;
}

/** A round trip's amounts in USD minor units, signed as they moved equity. */
export interface RoundTripAmounts {
  /** Minus the sum of the fills' signed values (the open legs' value at the end is added by records()). */
  priceUsd: Minor;
  fundingUsd: Minor;
  feesUsd: Minor;
  borrowUsd: Minor;
  liquidationFeesUsd: Minor;
}

interface TripState {
  id: string;
  entryReason: EntryReasonCode;
  entryReasonText: string;
  exitReason: ExitReasonCode | null;
  exitReasonText: string | null;
  openedAt: number | null;
  closedAt: number | null;
  legs: readonly [LegState, LegState];
  amounts: RoundTripAmounts;
  /** The risk layer's actions on the pair that did not close it ('shrink:liquidationRisk', ...). */
  riskActions: string[];
}

/** The venue's forced close of an instrument not yet handed to the pairs that held it. */
interface PendingForcedClose {
  instrumentId: string;
  quantity: Minor;
  value: Minor;
  liquidationFeesUsd: Minor;
  feesUsd: Minor;
}

export interface RoundTripTrackerOptions {
  strategy: string;
  ledger: Ledger;
  valuer: RunValuer;
}

const NO_AMOUNTS = (): RoundTripAmounts => ({ priceUsd: 0n, fundingUsd: 0n, feesUsd: 0n, borrowUsd: 0n, liquidationFeesUsd: 0n });

export class RoundTripTracker {
  private readonly strategy: string;
  private readonly ledger: Ledger;
  private readonly valuer: RunValuer;
  /** Pairs opening or open, in creation order. */
  private readonly active = new Map<string, TripState>();
  private readonly closed: TripState[] = [];
  private readonly seenIds = new Set<string>();
  private readonly pending = new Map<string, PendingForcedClose>();
  private lastEquityTs: number | null = null;

  constructor(stream: EventStream<EngineEvent>, options: RoundTripTrackerOptions) {
    this.strategy = options.strategy;
    this.ledger = options.ledger;
    this.valuer = options.valuer;
    stream.subscribe((event) => this.onEvent(event), { name: 'round trips', types: ['intent', 'fill', 'ledgerEntry', 'execution', 'equity', 'risk'] });
  }

  /**
   * The round trips so far: closed ones, then those still open valued at the current marks
   * (exitReason endOfData, holding time to the last equity point). Pairs still opening are left out.
   */
  records(): RoundTripRecord[] {
    const out: RoundTripRecord[] = [];
    for (const trip of this.closed) out.push(this.record(trip, trip.closedAt!, 0n));
    const asOf = this.lastEquityTs;
    for (const trip of this.active.values()) {
      if (trip.openedAt === null) continue;
      let openValue = 0n;
      for (const leg of trip.legs) openValue += this.openLegValueUsd(leg);
      out.push(this.record(trip, asOf ?? trip.openedAt, openValue));
    }
    return out.sort((a, b) => a.openedAt - b.openedAt);
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'intent':
        if (event.dropped === null) this.onIntent(event.intent);
        break;
      case 'fill':
        this.onFill(event.fill.venue, event.fill.symbol, event.entry, event.order);
        break;
      case 'ledgerEntry':
        if (event.entry.kind === 'funding') this.onFunding(event.entry);
        else if (event.entry.kind === 'borrow') this.onBorrow(event.entry);
        break;
      case 'execution':
        this.onExecution(event.event);
        break;
      case 'equity':
        this.lastEquityTs = event.ts;
        break;
      case 'risk': {
        const a = event.action;
        const trip = a.pairId === null ? undefined : this.active.get(a.pairId);
        if (trip !== undefined && (a.kind === 'shrink' || a.kind === 'add' || a.kind === 'rebalance' || a.kind === 'transfer')) trip.riskActions.push(`${a.kind}:${a.rule}`);
        break;
      }
    }
  }

  private onIntent(intent: Intent): void {
    if (intent.kind === 'closePair') {
      const trip = this.active.get(intent.id);
      if (trip && trip.exitReason === null) {
        trip.exitReason = intent.reasonCode;
        trip.exitReasonText = intent.reason;
      }
      return;
    }
    if (intent.kind !== 'openPair') return; // a risk resize or rebalance keeps the round trip going
    if (this.seenIds.has(intent.id)) return; // the executor ignores a reused id
    let long: ContractTerms;
    let short: ContractTerms;
    try {
      long = this.ledger.terms(intent.long.venue, intent.long.symbol);
      short = this.ledger.terms(intent.short.venue, intent.short.symbol);
    } catch {
      return; // an unknown instrument: the executor fails the pair
    }
    this.seenIds.add(intent.id);
    this.active.set(intent.id, {
      id: intent.id,
      entryReason: intent.reasonCode,
      entryReasonText: intent.reason,
      exitReason: null,
      exitReasonText: null,
      riskActions: [],
      openedAt: null,
      closedAt: null,
      legs: [newLeg(long, 'long'), newLeg(short, 'short')],
      amounts: NO_AMOUNTS(),
    });
  }

  private onFill(venue: string, symbol: string, entry: JournalEntry, order: { pairId: string; leg: LegName } | null): void {
    const flows = entryCashFlows(entry);
    if (order !== null) {
      const trip = this.active.get(order.pairId);
      if (trip === undefined) return;
      const leg = trip.legs[order.leg === 'long' ? 0 : 1];
      this.applyTrade(trip, leg, entryTrade(entry, leg.terms));
      trip.amounts.feesUsd += this.usd(flows.fees);
      return;
    }
    if (entry.kind !== 'liquidation' && entry.kind !== 'settlement') return;
    const terms = this.ledger.terms(venue, symbol);
    const trade = entryTrade(entry, terms);
    this.pending.set(terms.instrumentId, {
      instrumentId: terms.instrumentId,
      quantity: trade.quantity,
      value: trade.value,
      liquidationFeesUsd: this.usd(flows.liquidationFees),
      feesUsd: this.usd(flows.fees),
    });
  }

  private onExecution(event: ExecutionEvent): void {
    switch (event.type) {
      case 'pairOpened': {
        const trip = this.active.get(event.id);
        if (trip) trip.openedAt = event.ts;
        break;
      }
      case 'pairOpenFailed':
        this.active.delete(event.id);
        break;
      case 'pairClosed': {
        const trip = this.active.get(event.id);
        if (!trip) break;
        if (trip.exitReason === null) throw new Error(`pair ${event.id} closed with no exit reason (no close intent, liquidation or expiry)`);
        this.active.delete(event.id);
        trip.closedAt = event.ts;
        this.closed.push(trip);
        break;
      }
      case 'legLiquidated':
      case 'legExpired': {
        const trip = this.active.get(event.id);
        if (!trip) break;
        if (trip.exitReason === null) trip.exitReason = event.type === 'legLiquidated' ? 'liquidation' : 'expiry';
        this.takeForcedClose(trip, trip.legs[event.leg === 'long' ? 0 : 1], event.quantity);
        break;
      }
    }
  }

  /** Hands `quantity` of the venue's pending forced close of the leg's instrument to the pair (the last taker gets the rest). */
  private takeForcedClose(trip: TripState, leg: LegState, quantity: number): void {
    const p = this.pending.get(leg.instrumentId);
    if (p === undefined || p.quantity === 0n) return;
    const all = absMinor(p.quantity);
    const taken = minorFromNumber(quantity);
    const part = taken >= all ? { quantity: p.quantity, value: p.value, liquidationFeesUsd: p.liquidationFeesUsd, feesUsd: p.feesUsd } : {
      quantity: p.quantity < 0n ? -taken : taken,
      value: scaleMinor(p.value, taken, all),
      liquidationFeesUsd: scaleMinor(p.liquidationFeesUsd, taken, all),
      feesUsd: scaleMinor(p.feesUsd, taken, all),
    };
    p.quantity -= part.quantity;
    p.value -= part.value;
    p.liquidationFeesUsd -= part.liquidationFeesUsd;
    p.feesUsd -= part.feesUsd;
    if (p.quantity === 0n) this.pending.delete(leg.instrumentId);
    this.applyTrade(trip, leg, part);
    trip.amounts.liquidationFeesUsd += part.liquidationFeesUsd;
    trip.amounts.feesUsd += part.feesUsd;
  }

  private applyTrade(trip: TripState, leg: LegState, trade: EntryTrade): void {
    if (trade.quantity === 0n) return;
    leg.held += trade.quantity;
    const opening = leg.side === 'long' ? trade.quantity > 0n : trade.quantity < 0n;
    if (opening) {
      leg.openedQty += absMinor(trade.quantity);
      leg.openedValue += absMinor(trade.value);
    } else {
      leg.closedQty += absMinor(trade.quantity);
      leg.closedValue += absMinor(trade.value);
    }
    trip.amounts.priceUsd -= this.valuer.usdValue(leg.terms.costAsset, trade.value);
  }

  private onFunding(entry: JournalEntry): void {
    const instrumentId = fundingInstrumentOf(entry);
    if (instrumentId === null) return;
    const holders: [TripState, Minor][] = [];
    for (const trip of this.active.values()) {
      for (const leg of trip.legs) if (leg.instrumentId === instrumentId && leg.held !== 0n) holders.push([trip, leg.held]);
    }
    if (holders.length === 0) return;
    const shares = splitByWeights(this.usd(entryCashFlows(entry).fundingNet), holders.map((h) => h[1]));
    holders.forEach(([trip], k) => (trip.amounts.fundingUsd += shares[k]));
  }

  private onBorrow(entry: JournalEntry): void {
    const posting = entry.postings.find((p) => p.account.startsWith('borrow:'));
    if (posting === undefined) return;
    const { venue, key: asset } = parseAccount(posting.account);
    const holders: [TripState, Minor][] = [];
    for (const trip of this.active.values()) {
      for (const leg of trip.legs) {
        if (leg.terms.kind === 'spot' && leg.terms.venue === venue && leg.terms.base === asset && leg.held < 0n) holders.push([trip, -leg.held]);
      }
    }
    if (holders.length === 0) return;
    const shares = splitByWeights(this.usd(entryCashFlows(entry).borrow), holders.map((h) => h[1]));
    holders.forEach(([trip], k) => (trip.amounts.borrowUsd += shares[k]));
  }

  private openLegValueUsd(leg: LegState): Minor {
    if (leg.held === 0n) return 0n;
    const mark = this.valuer.markOf(leg.instrumentId);
    if (mark === undefined || !(mark > 0)) throw new Error(`round trips: no mark for the open leg ${leg.instrumentId}`);
    return this.valuer.usdValue(leg.terms.costAsset, signedValue(leg.terms, leg.held, decimalFromNumber(mark)));
  }

  private usd(amounts: AssetAmounts): Minor {
    let total = 0n;
    for (const asset in amounts) total += this.valuer.usdValue(asset, amounts[asset]);
    return total;
  }

  private record(trip: TripState, endMs: number, openValueUsd: Minor): RoundTripRecord {
    const a = trip.amounts;
    const price = a.priceUsd + openValueUsd;
    const open = trip.closedAt === null;
    return {
      id: trip.id,
      strategy: this.strategy,
      legs: trip.legs.map(legRecord),
      openedAt: trip.openedAt!,
      closedAt: trip.closedAt,
      holdingMs: endMs - trip.openedAt!,
      netPnlUsd: minorToNumber(price + a.fundingUsd + a.feesUsd + a.borrowUsd + a.liquidationFeesUsd),
      pricePnlUsd: minorToNumber(price),
      fundingUsd: minorToNumber(a.fundingUsd),
      feesUsd: minorToNumber(a.feesUsd),
      borrowUsd: minorToNumber(a.borrowUsd),
      liquidationFeesUsd: minorToNumber(a.liquidationFeesUsd),
      entryReason: trip.entryReason,
      exitReason: open ? 'endOfData' : trip.exitReason!,
      entryReasonText: trip.entryReasonText,
      exitReasonText: open ? null : trip.exitReasonText,
      ...(trip.riskActions.length > 0 ? { riskActions: [...trip.riskActions] } : {}),
    };
  }
}

function newLeg(terms: ContractTerms, side: LegName): LegState {
  return { instrumentId: terms.instrumentId, side, terms, held: 0n, openedQty: 0n, openedValue: 0n, closedQty: 0n, closedValue: 0n };
}

function legRecord(leg: LegState): RoundTripLeg {
  return {
    instrument: leg.instrumentId,
    side: leg.side,
    quantity: minorToNumber(leg.openedQty),
    averageEntryPrice: averagePrice(leg.terms, leg.openedQty, leg.openedValue),
    averageExitPrice: averagePrice(leg.terms, leg.closedQty, leg.closedValue),
  };
}

/** Price from absolute quantity and value (minor units): value / qty, or for inverse contracts qty * contractSize / value. */
function averagePrice(terms: ContractTerms, quantity: Minor, value: Minor): number | null {
  if (quantity === 0n || value === 0n) return null;
  const size = terms.contractSize;
  return terms.inverse ? ratioToNumber(quantity * size.mantissa, value * pow10(size.scale)) : ratioToNumber(value, quantity);
}

/** `amount` split in proportion to `weights` (rounded half even), the last share taking the rest so the shares sum to it exactly. */
export function splitByWeights(amount: Minor, weights: readonly Minor[]): Minor[] {
  let total = 0n;
  for (const w of weights) total += w;
  if (total === 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => scaleMinor(amount, w, total));
  let rest = amount;
  for (let k = 0; k < shares.length - 1; k++) rest -= shares[k];
  shares[shares.length - 1] = rest;
  return shares;
}
