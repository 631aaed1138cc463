import type { Instrument } from '../domain/instrument.ts';
import type { OrderSide } from '../domain/trading.ts';
import type { OrderNeed, TradingVenue } from '../venues/tradingTypes.ts';

/** One leg of a pair about to be opened. */
export interface LegPlan {
  leg: 'long' | 'short';
  venue: TradingVenue;
  instrument: Instrument;
  side: OrderSide;
  quantity: number;
  /** The price it is expected to fill at (the market view's). */
  price: number;
}

/** The lot a leg's quantity must be a multiple of: the venue's rule, else the instrument's. */
export function lotSizeOf(venue: TradingVenue, instrument: Instrument): number | null {
  return venue.orderRules?.(instrument.symbol)?.lotSize ?? instrument.lotSize;
}

const fmt = (x: number) => Number(x.toPrecision(10)).toString();

/**
 * Why a pair must not be opened, checked on both legs before either is sent (a leg below its
 * venue's minimum would be refused and leave the other one naked): each leg's minimum and maximum
 * quantity and minimum notional (the venue's order rules), then the funds both legs draw together
 * from each wallet (a spot buy and a perp's margin on one unified account add up). Venues that
 * state no rules or funds (the simulated venue) are not checked: they answer for themselves.
 */
export function preTradeProblems(legs: readonly LegPlan[]): string[] {
  const problems: string[] = [];
  const needs = new Map<string, { need: OrderNeed; venue: string; amount: number }>();
  for (const l of legs) {
    const where = `${l.leg} ${l.instrument.venue}:${l.instrument.symbol}`;
    const rules = l.venue.orderRules?.(l.instrument.symbol) ?? null;
    if (rules?.minQuantity != null && l.quantity < rules.minQuantity * (1 - 1e-9)) problems.push(`${where}: quantity ${fmt(l.quantity)} is below the venue's minimum ${fmt(rules.minQuantity)}`);
    if (rules?.maxQuantity != null && l.quantity > rules.maxQuantity * (1 + 1e-9)) problems.push(`${where}: quantity ${fmt(l.quantity)} is above the venue's maximum ${fmt(rules.maxQuantity)}`);
    // Inverse contracts count in contracts of a quote amount: their minimum is a quantity, not a notional.
    const notional = l.quantity * l.price;
    if (rules?.minNotional != null && l.instrument.linear !== false && notional < rules.minNotional * (1 - 1e-9)) {
      problems.push(`${where}: notional ${fmt(notional)} ${l.instrument.quote} is below the venue's minimum ${fmt(rules.minNotional)}`);
    }
    const need = l.venue.orderNeed?.({ symbol: l.instrument.symbol, side: l.side, quantity: l.quantity, price: l.price, reduceOnly: false }) ?? null;
    if (need === null || need.available === null) continue;
    const key = `${l.instrument.venue}|${need.wallet}|${need.asset}`;
    const sum = needs.get(key);
    if (sum === undefined) needs.set(key, { need, venue: l.instrument.venue, amount: need.amount });
    else sum.amount += need.amount;
  }
  for (const { need, amount } of needs.values()) {
    if (amount > need.available! * (1 + 1e-9) + 1e-12) problems.push(`balance: ${need.wallet} needs ${fmt(amount)} ${need.asset} for the pair, has ${fmt(need.available!)} free`);
  }
  return problems;
}
