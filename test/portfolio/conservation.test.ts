import { describe, expect, it } from 'vitest';
import { instrumentId, type Instrument } from '../../src/domain/instrument.ts';
import { parseAccount, isBalanceSheetAccount } from '../../src/portfolio/accounts.ts';
import { Ledger } from '../../src/portfolio/ledger.ts';
import { decimalFromMinor, decimalFromNumber, formatMinor, minorFromNumber, mulDivToMinor, mulToMinor, negateDecimal, roundHalfEven, type Minor } from '../../src/portfolio/money.ts';
import { applyRandomEvent, positionOfLedger, RANDOM_INSTRUMENTS, randomEvents, type RandomEvent } from './randomEvents.ts';

/**
 * Conservation over a seeded random sequence of 10,000 events across 3 venues and 5 instruments.
 * The test keeps its own books of what flows in and out, from the events alone:
 * - external[asset]: deposits - withdrawals - fees - borrow - penalties + funding (funding computed
 *   here from the test's own exact position, -q mark rate, or -q cs rate / mark for inverse);
 * - trade[costAsset]: minus the signed value of every fill (q p, or -q cs / p for inverse),
 *   i.e. proceeds - purchases, each rounded once;
 * and checks after EVERY entry, exactly (bigint equality):
 * 1. double entry: in every asset, all balances sum to 0;
 * 2. cash + positions at cost change only by realised PnL, fees, funding, borrow (and deposits):
 *    sum(cash, position, counterparty)[asset] = external[asset] + realisedPnl[asset];
 * 3. realised PnL is right: realisedPnl[asset] - sum(position cost in asset) = trade[asset]
 *    (average cost only moves PnL between realised and unrealised, it never creates any);
 * 4. positions equal the test's own sums of fill quantities, and cost and realised PnL equal a
 *    reference average-cost book kept here (a reducing fill releases cost * closed / held, half
 *    even; a flip closes everything and opens the rest at the fill price).
 */

interface Books {
  external: Map<string, Minor>;
  trade: Map<string, Minor>;
  quantity: Map<string, Minor>;
  cost: Map<string, Minor>;
  realised: Map<string, Minor>;
}

const add = (map: Map<string, Minor>, key: string, amount: Minor) => map.set(key, (map.get(key) ?? 0n) + amount);

function costAsset(inst: Instrument): string {
  return inst.kind === 'spot' ? inst.quote : inst.settle!;
}

function fillValue(inst: Instrument, quantity: Minor, price: number): Minor {
  // spot and linear: q p (q in base units); inverse: -q cs / p (q in contracts of cs quote units)
  const q = decimalFromMinor(quantity);
  const p = decimalFromNumber(price);
  return inst.linear === false ? mulDivToMinor([negateDecimal(q), decimalFromNumber(inst.contractSize!)], [p]) : mulToMinor(q, p);
}

const abs = (x: Minor) => (x < 0n ? -x : x);

function expectTrade(books: Books, inst: Instrument, signedQuantity: Minor, price: number): void {
  const id = instrumentId(inst.venue, inst.symbol);
  const held = books.quantity.get(id) ?? 0n;
  const cost = books.cost.get(id) ?? 0n;
  const value = fillValue(inst, signedQuantity, price);
  add(books.quantity, id, signedQuantity);
  add(books.trade, costAsset(inst), -value);
  if (held === 0n || held > 0n === signedQuantity > 0n) {
    add(books.cost, id, value); // opening or adding: cost grows by the fill's value
  } else if (abs(signedQuantity) <= abs(held)) {
    // reducing: release cost pro rata; realised = proceeds - released cost
    const released = abs(signedQuantity) === abs(held) ? cost : roundHalfEven(cost * abs(signedQuantity), abs(held));
    add(books.cost, id, -released);
    add(books.realised, costAsset(inst), -value - released);
  } else {
    // flip: close all of `held` at the price, open the rest
    const closingValue = fillValue(inst, -held, price);
    add(books.realised, costAsset(inst), -closingValue - cost);
    books.cost.set(id, value - closingValue);
  }
}

function expectEvent(books: Books, event: RandomEvent, byId: Map<string, Instrument>, quantityBefore: (id: string) => Minor): void {
  switch (event.type) {
    case 'fill': {
      const f = event.fill;
      const q = minorFromNumber(f.quantity);
      expectTrade(books, byId.get(`${f.venue}:${f.symbol}`)!, f.side === 'buy' ? q : -q, f.price);
      add(books.external, f.feeAsset, -minorFromNumber(f.fee));
      break;
    }
    case 'funding': {
      const p = event.payment;
      const inst = byId.get(`${p.venue}:${p.symbol}`)!;
      const q = negateDecimal(decimalFromMinor(quantityBefore(`${p.venue}:${p.symbol}`)));
      const [cs, mark, rate] = [inst.contractSize!, p.markPrice, p.fundingRatePerInterval].map(decimalFromNumber);
      add(books.external, inst.settle!, inst.linear ? mulToMinor(q, mark, rate) : mulDivToMinor([q, cs, rate], [mark]));
      break;
    }
    case 'borrow':
      add(books.external, event.charge.asset, -minorFromNumber(event.charge.amount as number));
      break;
    case 'deposit':
      add(books.external, event.movement.asset, minorFromNumber(event.movement.amount as number));
      break;
    case 'withdrawal':
      add(books.external, event.movement.asset, -minorFromNumber(event.movement.amount as number));
      break;
    case 'transfer':
      break;
    case 'liquidation': {
      const c = event.close;
      const inst = byId.get(`${c.venue}:${c.symbol}`)!;
      const held = quantityBefore(`${c.venue}:${c.symbol}`);
      const closed = c.quantity === undefined ? (held < 0n ? -held : held) : minorFromNumber(c.quantity);
      expectTrade(books, inst, held > 0n ? -closed : closed, c.price);
      add(books.external, c.penaltyAsset!, -minorFromNumber(c.penalty!));
      break;
    }
  }
}

function checkBooks(ledger: Ledger, books: Books, step: number): void {
  const all = new Map<string, Minor>();
  const balanceSheet = new Map<string, Minor>();
  for (const b of ledger.accountBalances()) {
    add(all, b.asset, b.amount);
    if (isBalanceSheetAccount(parseAccount(b.account).type)) add(balanceSheet, b.asset, b.amount);
  }
  for (const [asset, sum] of all) if (sum !== 0n) throw new Error(`step ${step}: ${asset} balances sum to ${formatMinor(sum)}`);
  const totals = ledger.totals();
  const assets = new Set([...balanceSheet.keys(), ...books.external.keys(), ...Object.keys(totals.realisedPnl)]);
  for (const asset of assets) {
    if (asset.includes(':')) continue; // contract units: position and counterparty mirror each other, covered by the zero sum
    const expected = (books.external.get(asset) ?? 0n) + (totals.realisedPnl[asset] ?? 0n);
    const actual = balanceSheet.get(asset) ?? 0n;
    if (actual !== expected) throw new Error(`step ${step}: ${asset} cash + positions at cost = ${formatMinor(actual)}, expected ${formatMinor(expected)}`);
  }
  const costs = new Map<string, Minor>();
  for (const inst of RANDOM_INSTRUMENTS) {
    const p = ledger.position(inst.venue, inst.symbol);
    add(costs, p.costAsset, p.cost);
    const expectedQty = books.quantity.get(p.instrumentId) ?? 0n;
    if (p.quantity !== expectedQty) throw new Error(`step ${step}: ${p.instrumentId} quantity ${formatMinor(p.quantity)}, expected ${formatMinor(expectedQty)}`);
    const expectedCost = books.cost.get(p.instrumentId) ?? 0n;
    if (p.cost !== expectedCost) throw new Error(`step ${step}: ${p.instrumentId} cost ${formatMinor(p.cost)}, reference average cost ${formatMinor(expectedCost)}`);
  }
  for (const asset of new Set([...books.realised.keys(), ...Object.keys(totals.realisedPnl)])) {
    const [actual, expected] = [totals.realisedPnl[asset] ?? 0n, books.realised.get(asset) ?? 0n];
    if (actual !== expected) throw new Error(`step ${step}: ${asset} realised PnL ${formatMinor(actual)}, reference ${formatMinor(expected)}`);
  }
  for (const asset of new Set([...costs.keys(), ...books.trade.keys()])) {
    const realisedMinusCost = (totals.realisedPnl[asset] ?? 0n) - (costs.get(asset) ?? 0n);
    if (realisedMinusCost !== (books.trade.get(asset) ?? 0n)) {
      throw new Error(`step ${step}: ${asset} realised - open cost = ${formatMinor(realisedMinusCost)}, trades give ${formatMinor(books.trade.get(asset) ?? 0n)}`);
    }
  }
}

describe('ledger conservation', () => {
  it('10,000 random fills, fundings, fees, borrows and liquidations: exact at every step, no drift', () => {
    const ledger = new Ledger({ instruments: RANDOM_INSTRUMENTS });
    const byId = new Map(RANDOM_INSTRUMENTS.map((i) => [instrumentId(i.venue, i.symbol), i]));
    const books: Books = { external: new Map(), trade: new Map(), quantity: new Map(), cost: new Map(), realised: new Map() };
    const counts: Record<string, number> = {};
    let step = 0;
    for (const event of randomEvents(20240601, 10_000, positionOfLedger(ledger))) {
      step += 1;
      expectEvent(books, event, byId, (id) => books.quantity.get(id) ?? 0n);
      applyRandomEvent(ledger, event);
      counts[event.type] = (counts[event.type] ?? 0) + 1;
      checkBooks(ledger, books, step);
    }
    expect(step).toBeGreaterThan(9_900);
    expect(counts.fill).toBeGreaterThan(6_000);
    expect(counts.funding).toBeGreaterThan(1_000);
    expect(counts.borrow).toBeGreaterThan(500);
    expect(counts.liquidation).toBeGreaterThan(10);
    expect(ledger.entryCount).toBe(step); // every event produced one entry

    // Close everything at awkward prices: cash must equal the external flows plus the trade flows, exactly.
    let ts = 1_800_000_000_000;
    for (const inst of RANDOM_INSTRUMENTS) {
      const q = ledger.position(inst.venue, inst.symbol).quantity;
      if (q === 0n) continue;
      const price = (0.1 + 0.2) * (inst.base === 'BTC' ? 357_314 : 8_334);
      ledger.recordFill({ fillId: `close-${inst.symbol}`, clientOrderId: 'c', venue: inst.venue, symbol: inst.symbol, side: q > 0n ? 'sell' : 'buy', quantity: Number(formatMinor(q < 0n ? -q : q)), price, fee: 0, feeAsset: costAsset(inst), liquidity: 'taker', ts: ts++ });
      expectTrade(books, inst, -q, price);
      checkBooks(ledger, books, step + 1);
    }
    const cashByAsset = new Map<string, Minor>();
    for (const c of ledger.cash()) add(cashByAsset, c.asset, c.amount);
    for (const asset of new Set([...cashByAsset.keys(), ...books.external.keys(), ...books.trade.keys()])) {
      expect(`${asset} ${formatMinor(cashByAsset.get(asset) ?? 0n)}`).toBe(`${asset} ${formatMinor((books.external.get(asset) ?? 0n) + (books.trade.get(asset) ?? 0n))}`);
    }
    expect(ledger.positions()).toEqual([]);
  });
});
