import { instrumentId, type Instrument } from '../domain/instrument.ts';
import type { Fill, FundingPayment } from '../domain/trading.ts';
import {
  borrowAccount,
  cashAccount,
  externalAccount,
  feeAccount,
  fundingAccount,
  liquidationAccount,
  parseAccount,
  pnlAccount,
  positionAccount,
} from './accounts.ts';
import { addTo, Balances, type AssetAmounts } from './balances.ts';
import { contractTerms, signedValue, type ContractTerms } from './contractTerms.ts';
import { assertBalanced, ENTRY_KINDS, PostingList, type EntryKind, type JournalEntry } from './journal.ts';
import {
  absMinor,
  decimalFromNumber,
  formatMinor,
  minorFromNumber,
  minorToNumber,
  mulDivToMinor,
  mulToMinor,
  negateDecimal,
  pow10,
  ratioToNumber,
  toExactDecimal,
  type ExactDecimal,
  type Minor,
} from './money.ts';
import type { BorrowCharge, CashBalance, CashMovement, ForcedClose, FundingOptions, LedgerOptions, LedgerSink, LedgerTotals, LedgerPosition, Transfer } from './ledgerTypes.ts';
import { tradePostings } from './tradePostings.ts';
import { AssetPricer, markOf, USD_LIKE_ASSETS, type Valuation } from './valuation.ts';

/**
 * The double-entry ledger: positions per venue and instrument, cash per venue and asset, realised
 * PnL by average cost, funding, fees, borrow and liquidation penalties, all exact (see money.ts).
 *
 * Every event becomes one JournalEntry whose postings sum to zero per asset (accounts.ts explains
 * the accounts). A fill is one entry with its cash leg, position leg, realised PnL and fee:
 * - spot buy of q BTC at p for v = q p USDT: cash:BTC +q, position -q BTC (the position account is
 *   the trading account that turns USDT into BTC at cost), cash:USDT -v, position +v USDT minus the
 *   cost it releases, pnl the difference. Spot holdings ARE the cash balance of the base asset; a
 *   spot sell beyond the holdings is a short (negative cash), charged with recordBorrow.
 * - perp or future: nothing is paid to open; position +q (base units, or contracts if inverse)
 *   and +cost, counterparty (the venue's side) the mirror; on a close the realised PnL is paid
 *   into cash. The counterparty account (rather than paying the notional out of cash) keeps every
 *   cash account equal to the venue's wallet balance, which margin checks and reconciliation with
 *   a live venue need.
 * Average cost: a reducing fill releases cost pro rata, cost * closed / held, rounded half even
 * (all of it on a full close); a fill that crosses zero closes the whole position and opens the
 * rest at the fill price. The fill's value is rounded once and split between the two parts.
 *
 * Balances change only through `apply(entry)`, which both the record* methods and a replay from a
 * store use, so a rebuilt ledger is the same ledger.
 */

export type {
  BorrowCharge,
  CashBalance,
  CashMovement,
  ForcedClose,
  FundingOptions,
  LedgerOptions,
  LedgerSink,
  LedgerTotals,
  LedgerPosition,
  Transfer,
} from './ledgerTypes.ts';

const ASSET_RE = /^[A-Za-z0-9._-]+$/;

function checkAsset(asset: string, what: string): void {
  if (!ASSET_RE.test(asset)) throw new Error(`${what}: '${asset}' is not an asset code`);
}

/** Venue names end at the first colon of an account name, so they may not contain one. */
function checkVenue(venue: string, what: string): void {
  if (venue.length === 0 || venue.includes(':')) throw new Error(`${what}: '${venue}' is not a venue name (non-empty, no colon)`);
}

/** A positive amount: a float or decimal text in asset units, or a bigint already in minor units. */
function positiveMinor(value: number | string | Minor, what: string): Minor {
  const amount = typeof value === 'bigint' ? value : minorFromNumber(value);
  if (amount <= 0n) throw new Error(`${what} must be positive at 1e-8 resolution (got ${value})`);
  return amount;
}

export class Ledger {
  private readonly balances = new Balances();
  private readonly termsById = new Map<string, ContractTerms>();
  private readonly instrumentsById = new Map<string, Instrument>();
  /** The same instruments as a list, and each derivative with its position account (built once). */
  private readonly instrumentList: Instrument[] = [];
  private readonly derivatives: { terms: ContractTerms; account: string }[] = [];
  /**
   * Cash accounts for equityUsd, kept while no entry is applied: the sum of the USD-like ones (worth
   * exactly 1 USD each unless a valuation says otherwise) and the others, valued at each call.
   */
  private cashCache: { usdLikeMinor: Minor; others: [asset: string, amount: Minor][] } | null = null;
  private readonly refs = new Set<string>();
  private readonly fundingReceivedTotals: AssetAmounts = {};
  private readonly fundingPaidTotals: AssetAmounts = {};
  /**
   * Per position account, the trades (fills, liquidations, settlements) since it was last flat.
   * Each books its quantity rounded half even to 1e-8, so the ledger's position may differ from the
   * venue's unrounded one by up to half a minor unit per trade (recordFunding allows that much).
   */
  private readonly tradesSinceFlat = new Map<string, number>();
  private sink: LedgerSink | null;
  private seq = 0;

  constructor(options: LedgerOptions = {}) {
    this.sink = options.sink ?? null;
    for (const instrument of options.instruments ?? []) this.addInstrument(instrument);
  }

  /** Registers an instrument (idempotent). Its contract terms may not change once known. */
  addInstrument(instrument: Instrument): ContractTerms {
    checkVenue(instrument.venue, 'instrument');
    const id = instrumentId(instrument.venue, instrument.symbol);
    const terms = contractTerms(instrument);
    const known = this.termsById.get(id);
    if (known) {
      const same =
        known.kind === terms.kind &&
        known.inverse === terms.inverse &&
        known.costAsset === terms.costAsset &&
        known.unitAsset === terms.unitAsset &&
        known.contractSize.mantissa * 10n ** BigInt(terms.contractSize.scale) === terms.contractSize.mantissa * 10n ** BigInt(known.contractSize.scale);
      if (!same) throw new Error(`instrument ${id}: contract terms differ from the ones already in the ledger`);
      return known;
    }
    this.termsById.set(id, terms);
    this.instrumentsById.set(id, instrument);
    this.instrumentList.push(instrument);
    if (terms.kind !== 'spot') this.derivatives.push({ terms, account: positionAccount(terms.venue, terms.symbol) });
    this.sink?.instrument(instrument);
    return terms;
  }

  /** The contract terms the ledger books an instrument with (added before). */
  terms(venue: string, symbol: string): ContractTerms {
    return this.termsFor(venue, symbol);
  }

  instruments(): Instrument[] {
    return [...this.instrumentsById.values()];
  }

  /** Number of entries applied; the next entry gets seq = entryCount + 1. */
  get entryCount(): number {
    return this.seq;
  }

  /** True when an entry with this fill id (or liquidation / settlement ref) has been booked. */
  hasRef(ref: string): boolean {
    return this.refs.has(ref);
  }

  // ---- recording events -------------------------------------------------------------------

  /** Books a fill: position leg, cash leg (spot) or realised PnL (derivatives), and the fee. */
  recordFill(fill: Fill): JournalEntry {
    const terms = this.termsFor(fill.venue, fill.symbol);
    if (this.refs.has(fill.fillId)) throw new Error(`fill ${fill.fillId} is already in the ledger`);
    if (fill.side !== 'buy' && fill.side !== 'sell') throw new Error(`fill ${fill.fillId}: side must be buy or sell`);
    const quantity = positiveMinor(fill.quantity, `fill ${fill.fillId}: quantity`);
    const price = this.positivePrice(fill.price, `fill ${fill.fillId}: price`);
    const postings = new PostingList();
    this.trade(postings, terms, fill.side === 'buy' ? quantity : -quantity, price);
    if (fill.fee !== 0) {
      checkAsset(fill.feeAsset, `fill ${fill.fillId}: feeAsset`);
      postings.transfer(feeAccount(fill.venue, fill.feeAsset), cashAccount(fill.venue, fill.feeAsset), fill.feeAsset, minorFromNumber(fill.fee));
    }
    const memo = `${fill.side} ${fill.quantity} ${fill.symbol} @ ${fill.price} ${fill.liquidity} fee ${fill.fee} ${fill.feeAsset}`;
    return this.commit('fill', fill.ts, fill.fillId, memo, postings);
  }

  /** Books one funding settlement in the settle asset (positive rate: longs pay shorts). Null when there is nothing to book. */
  recordFunding(payment: FundingPayment, options: FundingOptions = {}): JournalEntry | null {
    const terms = this.termsFor(payment.venue, payment.symbol);
    const ref = `funding:${terms.instrumentId}:${payment.ts}`;
    if (terms.kind === 'spot') throw new Error(`${ref}: spot instruments have no funding`);
    if (payment.asset !== terms.costAsset) throw new Error(`${ref}: funding asset ${payment.asset} is not the settle asset ${terms.costAsset}`);
    if (this.refs.has(ref)) throw new Error(`${ref} is already in the ledger`);
    let amount: Minor;
    if ((options.amountFrom ?? 'rate') === 'reported') {
      amount = minorFromNumber(payment.amount);
    } else {
      // The venue pays on ITS position, which is not rounded to 1e-8 (a float sum of fills); the
      // ledger's is the sum of fills each rounded to 1e-8. Check that the two agree to that
      // rounding, then compute the funding exactly on the venue's position, rounded once.
      const account = positionAccount(terms.venue, terms.symbol);
      const held = this.balances.get(account, terms.unitAsset);
      if (!Number.isFinite(payment.positionQty)) throw new Error(`${ref}: the payment's position ${payment.positionQty} is not a number`);
      const position = decimalFromNumber(payment.positionQty);
      const trades = this.tradesSinceFlat.get(account) ?? 0;
      if (!withinHalfMinorPerTrade(position, held, trades)) {
        throw new Error(`${ref}: the payment's position ${payment.positionQty} differs from the ledger's ${formatMinor(held)} by more than the 1e-8 rounding of its ${trades} trade(s)`);
      }
      const mark = this.positivePrice(payment.markPrice, `${ref}: markPrice`);
      amount = exactFunding(terms, position, mark, decimalFromNumber(payment.fundingRatePerInterval));
      // The venue's float amount and the exact one differ by float noise and the rounding to 1e-8:
      // within that, the exact amount is booked (so the ledger does not inherit float error);
      // anything more is a real disagreement.
      const difference = Math.abs(minorToNumber(amount) - payment.amount);
      if (!(difference <= 1e-8 + 1e-12 * Math.abs(payment.amount))) {
        throw new Error(`${ref}: reported amount ${payment.amount} differs from the exact funding ${formatMinor(amount)} ${terms.costAsset}`);
      }
    }
    if (amount === 0n) return null;
    const postings = new PostingList().transfer(cashAccount(terms.venue, terms.costAsset), fundingAccount(terms.venue, terms.symbol), terms.costAsset, amount);
    const memo = `rate ${payment.fundingRatePerInterval} mark ${payment.markPrice} position ${payment.positionQty}`;
    return this.commit('funding', payment.ts, ref, memo, postings);
  }

  /** Books borrow interest (a short spot leg's, or margin interest), paid from cash in the borrowed asset. */
  recordBorrow(charge: BorrowCharge): JournalEntry {
    checkAsset(charge.asset, 'borrow');
    checkVenue(charge.venue, 'borrow');
    const amount = positiveMinor(charge.amount, `borrow ${charge.venue} ${charge.asset}: amount`);
    const postings = new PostingList().transfer(borrowAccount(charge.venue, charge.asset), cashAccount(charge.venue, charge.asset), charge.asset, amount);
    return this.commit('borrow', charge.ts, charge.ref ?? `borrow:${charge.venue}:${charge.asset}:${charge.ts}`, `interest ${formatMinor(amount)} ${charge.asset}`, postings);
  }

  recordDeposit(deposit: CashMovement): JournalEntry {
    checkAsset(deposit.asset, 'deposit');
    checkVenue(deposit.venue, 'deposit');
    const amount = positiveMinor(deposit.amount, `deposit ${deposit.venue} ${deposit.asset}: amount`);
    const postings = new PostingList().transfer(cashAccount(deposit.venue, deposit.asset), externalAccount(deposit.asset), deposit.asset, amount);
    return this.commit('deposit', deposit.ts, deposit.ref ?? `deposit:${deposit.venue}:${deposit.asset}:${deposit.ts}`, `${formatMinor(amount)} ${deposit.asset}`, postings);
  }

  recordWithdrawal(withdrawal: CashMovement): JournalEntry {
    checkAsset(withdrawal.asset, 'withdrawal');
    checkVenue(withdrawal.venue, 'withdrawal');
    const amount = positiveMinor(withdrawal.amount, `withdrawal ${withdrawal.venue} ${withdrawal.asset}: amount`);
    const postings = new PostingList().transfer(externalAccount(withdrawal.asset), cashAccount(withdrawal.venue, withdrawal.asset), withdrawal.asset, amount);
    const ref = withdrawal.ref ?? `withdrawal:${withdrawal.venue}:${withdrawal.asset}:${withdrawal.ts}`;
    return this.commit('withdrawal', withdrawal.ts, ref, `${formatMinor(amount)} ${withdrawal.asset}`, postings);
  }

  recordTransfer(transfer: Transfer): JournalEntry {
    checkAsset(transfer.asset, 'transfer');
    checkVenue(transfer.fromVenue, 'transfer');
    checkVenue(transfer.toVenue, 'transfer');
    const amount = positiveMinor(transfer.amount, `transfer ${transfer.fromVenue}->${transfer.toVenue} ${transfer.asset}: amount`);
    const postings = new PostingList().transfer(cashAccount(transfer.toVenue, transfer.asset), cashAccount(transfer.fromVenue, transfer.asset), transfer.asset, amount);
    const ref = transfer.ref ?? `transfer:${transfer.fromVenue}:${transfer.toVenue}:${transfer.asset}:${transfer.ts}`;
    return this.commit('transfer', transfer.ts, ref, `${formatMinor(amount)} ${transfer.asset} ${transfer.fromVenue} -> ${transfer.toVenue}`, postings);
  }

  /** The venue's liquidation engine closes (part of) a position at `price` and may keep a penalty. */
  recordLiquidation(close: ForcedClose): JournalEntry {
    return this.forcedClose('liquidation', close);
  }

  /** A dated future expires: the position is closed at the settlement price. */
  recordExpirySettlement(close: Omit<ForcedClose, 'quantity' | 'penalty' | 'penaltyAsset'>): JournalEntry {
    if (this.termsFor(close.venue, close.symbol).kind !== 'future') throw new Error(`settlement ${close.ref}: ${close.venue}:${close.symbol} is not a dated future`);
    return this.forcedClose('settlement', close);
  }

  /**
   * Applies an entry (from record* or a store replay): checks its sequence number, that it
   * balances per asset and that its accounts are well-formed and name known instruments.
   */
  apply(entry: JournalEntry): void {
    this.applyEntry(entry, true);
  }

  /** `checkAccounts` is false only for entries built here, whose accounts come from the account constructors. */
  private applyEntry(entry: JournalEntry, checkAccounts: boolean): void {
    if (entry.seq !== this.seq + 1) throw new Error(`journal entry ${entry.seq} out of order: expected ${this.seq + 1}`);
    assertBalanced(entry);
    if (checkAccounts) this.checkAccounts(entry);
    // The sink first: if it refuses the entry (a write error), the ledger's state is unchanged.
    this.sink?.entry(entry);
    this.cashCache = null;
    const trade = entry.kind === 'fill' || entry.kind === 'liquidation' || entry.kind === 'settlement';
    let tradedAccount: string | null = null;
    for (const p of entry.postings) {
      this.balances.add(p.account, p.asset, p.amount);
      if (p.account.startsWith('funding:')) {
        if (p.amount < 0n) addTo(this.fundingReceivedTotals, p.asset, -p.amount);
        else addTo(this.fundingPaidTotals, p.asset, p.amount);
      } else if (trade && tradedAccount === null && p.account.startsWith('position:')) tradedAccount = p.account;
    }
    if (tradedAccount !== null) this.countTrade(tradedAccount, entry);
    if (entry.kind === 'fill' || entry.kind === 'liquidation' || entry.kind === 'settlement' || entry.kind === 'funding') this.refs.add(entry.ref);
    this.seq = entry.seq;
  }

  /** Counts a trade on a position account, or resets the count when the trade left it flat. */
  private countTrade(account: string, entry: JournalEntry): void {
    let flat = true;
    for (const p of entry.postings) if (p.account === account && this.balances.get(account, p.asset) !== 0n) flat = false;
    if (flat) this.tradesSinceFlat.delete(account);
    else this.tradesSinceFlat.set(account, (this.tradesSinceFlat.get(account) ?? 0) + 1);
  }

  private checkAccounts(entry: JournalEntry): void {
    for (const p of entry.postings) {
      const account = parseAccount(p.account);
      if (account.type === 'position' || account.type === 'counterparty' || account.type === 'pnl' || account.type === 'funding') {
        if (!this.termsById.has(`${account.venue}:${account.key}`)) throw new Error(`journal entry ${entry.seq}: ${p.account} names an instrument the ledger does not know`);
      }
      if (p.asset.length === 0) throw new Error(`journal entry ${entry.seq}: ${p.account} posting has no asset`);
    }
    if (!ENTRY_KINDS.includes(entry.kind)) throw new Error(`journal entry ${entry.seq}: unknown kind '${entry.kind}'`);
  }

  /** Starts sending instruments and entries to `sink` from now on (after a replay from a store, for instance). */
  attachSink(sink: LedgerSink): void {
    if (this.sink) throw new Error('the ledger already has a sink');
    this.sink = sink;
  }

  // ---- queries ------------------------------------------------------------------------------

  /** Balance of one account in one asset (debit positive; see accounts.ts). */
  balance(account: string, asset: string): Minor {
    return this.balances.get(account, asset);
  }

  /** Every non-zero balance. */
  accountBalances(): { account: string; asset: string; amount: Minor }[] {
    return [...this.balances.entries()].map(([account, asset, amount]) => ({ account, asset, amount }));
  }

  /** Cash (wallet balances) per venue and asset, optionally for one venue. */
  cash(venue?: string): CashBalance[] {
    const result: CashBalance[] = [];
    for (const [account, asset, amount] of this.balances.entries()) {
      if (!account.startsWith('cash:')) continue;
      const parsed = parseAccount(account);
      if (venue === undefined || parsed.venue === venue) result.push({ venue: parsed.venue!, asset, amount });
    }
    return result.sort((a, b) => (a.venue + a.asset < b.venue + b.asset ? -1 : 1));
  }

  cashBalance(venue: string, asset: string): Minor {
    return this.balances.get(cashAccount(venue, asset), asset);
  }

  position(venue: string, symbol: string, markPrice?: number): LedgerPosition {
    const terms = this.termsFor(venue, symbol);
    const account = positionAccount(venue, symbol);
    const held = this.balances.get(account, terms.unitAsset);
    const quantity = terms.kind === 'spot' ? -held : held;
    const cost = this.balances.get(account, terms.costAsset);
    // linear: cost / (q cs); inverse: -q cs / cost (both in minor units, so the 1e8 factors cancel).
    const size = terms.contractSize;
    let averageEntryPrice: number | null = null;
    if (quantity !== 0n && cost !== 0n) {
      averageEntryPrice = terms.inverse
        ? ratioToNumber(-quantity * size.mantissa, cost * pow10(size.scale))
        : ratioToNumber(cost * pow10(size.scale), quantity * size.mantissa);
    }
    const unrealisedPnl = markPrice === undefined ? null : signedValue(terms, quantity, this.positivePrice(markPrice, `${terms.instrumentId}: mark`)) - cost;
    return {
      venue,
      symbol,
      instrumentId: terms.instrumentId,
      kind: terms.kind,
      quantity,
      costAsset: terms.costAsset,
      cost,
      averageEntryPrice,
      realisedPnl: -this.balances.get(pnlAccount(venue, symbol), terms.costAsset),
      fundingNet: -this.balances.get(fundingAccount(venue, symbol), terms.costAsset),
      unrealisedPnl,
    };
  }

  /** Positions of every known instrument in instrument-id order (open ones only unless includeFlat), with unrealised PnL where `marks` has a mark. */
  positions(options: { marks?: Valuation['marks']; includeFlat?: boolean } = {}): LedgerPosition[] {
    const result: LedgerPosition[] = [];
    for (const terms of this.termsById.values()) {
      const mark = options.marks ? markOf({ marks: options.marks }, terms.instrumentId) : undefined;
      const view = this.position(terms.venue, terms.symbol, mark);
      if (view.quantity !== 0n || options.includeFlat) result.push(view);
    }
    return result.sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : a.instrumentId > b.instrumentId ? 1 : 0));
  }

  /**
   * Equity in USD minor units: every cash balance at its USD price (valuation.ts) plus the
   * unrealised PnL of every open derivative position at its mark, in its settle asset's USD price.
   * Spot positions count through their cash holdings. Each conversion is rounded once, half even.
   */
  equityUsd(valuation: Valuation): Minor {
    const pricer = new AssetPricer(valuation, this.instrumentList);
    let total = 0n;
    if (valuation.assetPricesUsd === undefined) {
      // Sums of exact integers: the same total in any order.
      const cash = (this.cashCache ??= this.cashAccounts());
      total = cash.usdLikeMinor;
      for (const [asset, amount] of cash.others) total += pricer.toUsd(asset, amount);
    } else {
      for (const [account, asset, amount] of this.balances.entries()) {
        if (account.startsWith('cash:')) total += pricer.toUsd(asset, amount);
      }
    }
    for (const { terms, account } of this.derivatives) {
      const quantity = this.balances.get(account, terms.unitAsset);
      if (quantity === 0n) continue;
      const mark = markOf(valuation, terms.instrumentId);
      if (mark === undefined) throw new Error(`equity: no mark for open position ${terms.instrumentId}`);
      const cost = this.balances.get(account, terms.costAsset);
      const unrealised = signedValue(terms, quantity, this.positivePrice(mark, `${terms.instrumentId}: mark`)) - cost;
      total += pricer.toUsd(terms.costAsset, unrealised);
    }
    return total;
  }

  private cashAccounts(): NonNullable<Ledger['cashCache']> {
    let usdLikeMinor = 0n;
    const others: [string, Minor][] = [];
    for (const [account, asset, amount] of this.balances.entries()) {
      if (!account.startsWith('cash:')) continue;
      if (USD_LIKE_ASSETS.includes(asset)) usdLikeMinor += amount;
      else others.push([asset, amount]);
    }
    return { usdLikeMinor, others };
  }

  /** The USD value of per-asset amounts (e.g. totals().feesPaid) at a valuation. */
  valueUsd(amounts: AssetAmounts, valuation: Valuation): Minor {
    return new AssetPricer(valuation, this.instrumentList).sumUsd(amounts);
  }

  totals(): LedgerTotals {
    const t: LedgerTotals = {
      feesPaid: {},
      fundingReceived: { ...this.fundingReceivedTotals },
      fundingPaid: { ...this.fundingPaidTotals },
      fundingNet: {},
      borrowPaid: {},
      liquidationPenaltiesPaid: {},
      realisedPnl: {},
      netDeposits: {},
    };
    for (const [account, asset, amount] of this.balances.entries()) {
      const type = account.slice(0, account.indexOf(':'));
      if (type === 'fee') addTo(t.feesPaid, asset, amount);
      else if (type === 'funding') addTo(t.fundingNet, asset, -amount);
      else if (type === 'borrow') addTo(t.borrowPaid, asset, amount);
      else if (type === 'liquidation') addTo(t.liquidationPenaltiesPaid, asset, amount);
      else if (type === 'pnl') addTo(t.realisedPnl, asset, -amount);
      else if (type === 'external') addTo(t.netDeposits, asset, -amount);
    }
    return t;
  }

  // ---- internals ----------------------------------------------------------------------------

  private termsFor(venue: string, symbol: string): ContractTerms {
    const terms = this.termsById.get(instrumentId(venue, symbol));
    if (!terms) throw new Error(`instrument ${instrumentId(venue, symbol)} is not in the ledger (addInstrument first)`);
    return terms;
  }

  private positivePrice(price: number, what: string): ExactDecimal {
    if (!(price > 0) || !Number.isFinite(price)) throw new Error(`${what} must be a positive finite number (got ${price})`);
    return decimalFromNumber(price);
  }

  /** Position, cash and realised-PnL postings of a signed quantity `delta` traded at `price`. */
  private trade(postings: PostingList, terms: ContractTerms, delta: Minor, price: ExactDecimal): void {
    const account = positionAccount(terms.venue, terms.symbol);
    const held = this.balances.get(account, terms.unitAsset);
    const quantity = terms.kind === 'spot' ? -held : held;
    tradePostings(postings, terms, { quantity, cost: this.balances.get(account, terms.costAsset) }, delta, price);
  }

  private forcedClose(kind: 'liquidation' | 'settlement', close: ForcedClose): JournalEntry {
    const terms = this.termsFor(close.venue, close.symbol);
    if (this.refs.has(close.ref)) throw new Error(`${kind} ${close.ref} is already in the ledger`);
    const held = this.balances.get(positionAccount(terms.venue, terms.symbol), terms.unitAsset);
    const quantity = terms.kind === 'spot' ? -held : held;
    if (quantity === 0n) throw new Error(`${kind} ${close.ref}: no open position in ${terms.instrumentId}`);
    let closed = absMinor(quantity);
    if (close.quantity !== undefined) {
      closed = positiveMinor(close.quantity, `${kind} ${close.ref}: quantity`);
      if (closed > absMinor(quantity)) throw new Error(`${kind} ${close.ref}: closes ${close.quantity} but the position is ${formatMinor(quantity)}`);
    }
    const price = this.positivePrice(close.price, `${kind} ${close.ref}: price`);
    const postings = new PostingList();
    this.trade(postings, terms, quantity > 0n ? -closed : closed, price);
    const penalty = close.penalty ?? 0;
    if (penalty !== 0) {
      if (!(penalty > 0)) throw new Error(`${kind} ${close.ref}: penalty must be >= 0 (got ${penalty})`);
      const asset = close.penaltyAsset ?? terms.costAsset;
      checkAsset(asset, `${kind} ${close.ref}: penaltyAsset`);
      postings.transfer(liquidationAccount(terms.venue, asset), cashAccount(terms.venue, asset), asset, minorFromNumber(penalty));
    }
    const memo = `${formatMinor(quantity > 0n ? -closed : closed)} ${close.symbol} @ ${close.price} penalty ${penalty}`;
    return this.commit(kind, close.ts, close.ref, memo, postings);
  }

  private commit(kind: EntryKind, ts: number, ref: string, memo: string, postings: PostingList): JournalEntry {
    if (!Number.isSafeInteger(ts)) throw new Error(`${kind} ${ref}: ts must be integer ms (got ${ts})`);
    const entry: JournalEntry = { seq: this.seq + 1, ts, kind, ref, memo, postings: postings.toArray() };
    this.applyEntry(entry, false);
    return entry;
  }
}

/**
 * Funding on an exact position (not necessarily a whole number of minor units), rounded once, half
 * even: linear -q * contractSize * mark * rate, inverse -q * contractSize * rate / mark (as
 * contractTerms.fundingAmount, which takes a ledger position in minor units).
 */
function exactFunding(terms: ContractTerms, quantity: ExactDecimal, markPrice: ExactDecimal, fundingRatePerInterval: ExactDecimal): Minor {
  const q = negateDecimal(quantity);
  if (terms.inverse) return mulDivToMinor([q, terms.contractSize, fundingRatePerInterval], [markPrice]);
  return mulToMinor(q, terms.contractSize, markPrice, fundingRatePerInterval);
}

/**
 * |position - held| <= trades / 2 minor units (held in minor units, 1e-8), plus 1e-12 of the
 * position for the float noise of the venue's own sum of fills. Exact: both at scale
 * max(8, position.scale), doubled so half a unit is an integer.
 */
function withinHalfMinorPerTrade(position: ExactDecimal, held: Minor, trades: number): boolean {
  const scale = Math.max(8, position.scale);
  const a = position.mantissa * pow10(scale - position.scale);
  const b = held * pow10(scale - 8);
  const gap = a > b ? a - b : b - a;
  const noise = (a < 0n ? -a : a) / 10n ** 12n;
  return 2n * gap <= BigInt(trades) * pow10(scale - 8) + 2n * noise;
}

/** Borrow interest on `borrowedQuantity` units at `borrowRatePerInterval` (fraction): exact product rounded once, half even, to minor units (pass it to recordBorrow). */
export function borrowInterest(borrowedQuantity: number | string, borrowRatePerInterval: number | string): Minor {
  return mulToMinor(toExactDecimal(borrowedQuantity), toExactDecimal(borrowRatePerInterval));
}
