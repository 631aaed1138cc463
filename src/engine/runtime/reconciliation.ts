import { sleepMs } from '../../core/retry.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { Fill } from '../../domain/trading.ts';
import type { Ledger } from '../../portfolio/ledger.ts';
import { minorToNumber } from '../../portfolio/money.ts';
import type { CcxtTradingVenue } from '../../venues/ccxt/trading/ccxtTradingVenue.ts';

/**
 * Reconciliation: the ledger and the pair journal against what each venue says now (open orders,
 * fills since the last reconciliation, positions, balances). Explained differences are settled:
 * an order in flight the venue has is taken from it (its fills booked), one it does not have (past
 * the grace period) is rejected; a fill of one of the session's orders the ledger lacks is booked.
 * What remains is unexplained and reported exactly (instrument, expected, found): the session then
 * stops new entries on that venue.
 */

export type DifferenceKind = 'position' | 'balance' | 'openOrder' | 'fill' | 'orderInFlight' | 'unreadable';

export interface ReconciliationDifference {
  kind: DifferenceKind;
  /** `venue:symbol`, or `venue:ASSET` for a balance. */
  instrument: string;
  /** What the ledger and journal say (a quantity, a balance, an order id). */
  expected: number | string | null;
  /** What the venue says. */
  found: number | string | null;
  detail: string;
}

export interface VenueReconciliation {
  venue: string;
  ledgerMatchesVenue: boolean;
  differences: ReconciliationDifference[];
  /** Differences explained and settled now: fills booked, orders in flight settled. */
  settled: string[];
}

export interface ReconciliationReport {
  ok: boolean;
  /** When it ran, epoch ms (ISO in `atIso`). */
  at: number;
  atIso: string;
  venues: VenueReconciliation[];
}

export interface ReconcileInput {
  ledger: Ledger;
  /** The session's instruments on this venue. */
  instruments: readonly Instrument[];
  /** Whether a client order id is one of the session's (the journal's). */
  isOwnOrder: (clientOrderId: string) => boolean;
  /** Orders the journal has as open (sent, their end not seen). */
  journalOpenOrders: ReadonlySet<string>;
  /** Fills since this time are compared (the last reconciliation, less a margin). */
  sinceMs: number;
  nowMs: number;
  /** Books a fill the ledger lacks (the running session); absent (status): reported as a difference. */
  book?: (fill: Fill) => void;
  /** Orders in flight older than this that the venue does not have are rejected (default 60 s). */
  inFlightGraceMs?: number;
}

/** Quantities and balances closer than this (relative, at least absolute 1e-8) are equal: floats from the venue against exact ledger amounts. */
const TOLERANCE = 1e-7;
const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-8, TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));

/** Wallets whose ccxt `total` includes the unrealised PnL of their positions. */
const TOTAL_INCLUDES_UNREALISED = new Set(['binance:swap']);

/** A read of the venue, tried again on failure (429, 5xx, a timeout): 4 tries, 0.5 s, 1 s, 2 s apart. */
async function read<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 3) throw error;
      await sleepMs(500 * 2 ** attempt);
    }
  }
}

export async function reconcileVenue(venue: CcxtTradingVenue, input: ReconcileInput): Promise<VenueReconciliation> {
  const differences: ReconciliationDifference[] = [];
  const settled: string[] = [];
  const id = (symbol: string) => `${venue.venue}:${symbol}`;


  // 1. Orders in flight: the venue's word settles them.
  for (const order of venue.inFlightOrders()) {
    const found = await venue.fetchOrder(order.clientOrderId, order.symbol).catch(() => undefined);
    if (found === undefined) continue; // the venue did not answer: asked again next time
    const ageMs = input.nowMs - (order.sentAtMs ?? input.nowMs);
    if (found !== null) {
      await venue.settleFromReconciliation(order.clientOrderId, found, 'found on the venue');
      settled.push(`order ${order.clientOrderId} in flight: the venue has it (${found.status ?? 'accepted'}, filled ${found.filledQuantity ?? 0})`);
    } else if (ageMs > (input.inFlightGraceMs ?? 60_000)) {
      await venue.settleFromReconciliation(order.clientOrderId, null, `not on ${venue.venue} ${Math.round(ageMs / 1000)} s after it was sent`);
      settled.push(`order ${order.clientOrderId} in flight: not on the venue, rejected`);
    } else {
      differences.push({ kind: 'orderInFlight', instrument: id(order.symbol), expected: order.clientOrderId, found: null, detail: `in flight ${Math.round(ageMs / 1000)} s, not on the venue yet (waited for up to ${(input.inFlightGraceMs ?? 60_000) / 1000} s)` });
    }
  }
  await venue.idle();

  // Funding settled while the session was down: the venue's history, booked (the running session).
  if (input.book !== undefined) await venue.pollFunding().catch((e: unknown) => settled.push(`funding history not read: ${(e as Error).message}`));

  // 2. Fills since the last reconciliation that the ledger lacks.
  for (const instrument of input.instruments) {
    for (const fill of await read(() => venue.myTrades(instrument.symbol, input.sinceMs))) {
      if (input.ledger.hasRef(fill.fillId)) continue;
      const own = fill.clientOrderId !== '' && input.isOwnOrder(fill.clientOrderId);
      if (own && input.book !== undefined) {
        input.book(fill);
        settled.push(`fill ${fill.fillId} of order ${fill.clientOrderId} booked (${fill.side} ${fill.quantity} @ ${fill.price})`);
        continue;
      }
      differences.push({ kind: 'fill', instrument: id(fill.symbol), expected: null, found: `${fill.side} ${fill.quantity} @ ${fill.price} (${fill.fillId})`, detail: own ? 'a fill of one of the session\'s orders, not booked yet' : `a fill of an order the session did not send (${fill.clientOrderId || 'no client id'})` });
    }
  }
  await venue.idle();

  // 3. Open orders the journal does not know.
  for (const order of await read(() => venue.openOrders())) {
    const clientId = order.request.clientOrderId;
    if (clientId !== '' && (input.journalOpenOrders.has(clientId) || venue.order(clientId) !== undefined)) continue;
    differences.push({ kind: 'openOrder', instrument: id(order.request.symbol), expected: null, found: `${order.request.side} ${order.remainingQuantity} (${clientId || 'no client id'})`, detail: 'an open order the journal does not have' });
  }

  // 4. Positions of derivatives.
  const positions = await read(() => venue.accountPositions());
  const derivatives = input.instruments.filter((i) => i.kind !== 'spot');
  for (const instrument of derivatives) {
    const expected = minorToNumber(input.ledger.position(venue.venue, instrument.symbol).quantity);
    const found = positions.filter((p) => p.symbol === instrument.symbol).reduce((sum, p) => sum + p.quantity, 0);
    if (!close(expected, found)) differences.push({ kind: 'position', instrument: id(instrument.symbol), expected, found, detail: 'position quantity: ledger vs venue' });
  }
  for (const p of positions) {
    if (Math.abs(p.quantity) > 0 && !derivatives.some((i) => i.symbol === p.symbol)) {
      differences.push({ kind: 'position', instrument: id(p.symbol), expected: 0, found: p.quantity, detail: 'a position on a market the session does not trade' });
    }
  }

  // 5. Balances: every asset the ledger or the venue holds, wallets summed.
  const found = new Map<string, number>();
  const unrealised = new Map<string, number>();
  for (const p of positions) unrealised.set(p.settleAsset, (unrealised.get(p.settleAsset) ?? 0) + (p.unrealisedPnl ?? 0));
  for (const { wallet, balances } of await read(() => venue.accountBalances())) {
    // ccxt's total of a Binance USDⓈ-M wallet is its margin balance (unrealised PnL included); the ledger's cash is the wallet balance.
    const withUnrealised = TOTAL_INCLUDES_UNREALISED.has(wallet);
    for (const b of balances) if (b.total !== null) found.set(b.asset, (found.get(b.asset) ?? 0) + b.total - (withUnrealised ? (unrealised.get(b.asset) ?? 0) : 0));
  }
  const expected = new Map(input.ledger.cash(venue.venue).map((c) => [c.asset, minorToNumber(c.amount)]));
  for (const asset of [...new Set([...found.keys(), ...expected.keys()])].sort()) {
    const e = expected.get(asset) ?? 0;
    const f = found.get(asset) ?? 0;
    if (!close(e, f)) differences.push({ kind: 'balance', instrument: `${venue.venue}:${asset}`, expected: e, found: f, detail: 'wallet balance: ledger cash vs venue total' });
  }
  return { venue: venue.venue, ledgerMatchesVenue: differences.length === 0, differences, settled };
}

export async function reconcileAll(venues: readonly CcxtTradingVenue[], input: (venue: CcxtTradingVenue) => ReconcileInput, nowMs: number): Promise<ReconciliationReport> {
  // The venues at once (each one's requests in order).
  const out: VenueReconciliation[] = await Promise.all(
    venues.map((venue) =>
      reconcileVenue(venue, input(venue)).catch((error: unknown) => ({ venue: venue.venue, ledgerMatchesVenue: false, differences: [{ kind: 'unreadable' as const, instrument: `${venue.venue}:*`, expected: null, found: null, detail: `the venue could not be read: ${(error as Error).message}` }], settled: [] })),
    ),
  );
  return { ok: out.every((v) => v.ledgerMatchesVenue), at: nowMs, atIso: new Date(nowMs).toISOString(), venues: out };
}

/** One line per difference: `venue kind instrument: expected X, found Y (detail)`. */
export function differenceLines(report: ReconciliationReport): string[] {
  return report.venues.flatMap((v) => v.differences.map((d) => `${v.venue} ${d.kind} ${d.instrument}: expected ${d.expected ?? 'none'}, found ${d.found ?? 'none'} (${d.detail})`));
}
