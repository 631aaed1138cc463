import type { MarketInterface as Market } from 'ccxt';
import type { AccountBalance, OrderNeed, OrderSketch } from '../../tradingTypes.ts';

/** Venues whose spot and derivatives trade from one account (one pool of funds). */
const UNIFIED_ACCOUNT_VENUES = new Set(['bybit', 'okx', 'hyperliquid', 'deribit']);

export function walletName(venue: string, accountType: 'spot' | 'swap'): string {
  return UNIFIED_ACCOUNT_VENUES.has(venue) ? `${venue}:unified` : `${venue}:${accountType}`;
}

export function isUnifiedAccountVenue(venue: string): boolean {
  return UNIFIED_ACCOUNT_VENUES.has(venue);
}

/**
 * The free balances of each wallet as last fetched (after fills and on a timer): what the pre-trade
 * check compares an order's need with. A guard before sending, not a promise: the venue decides.
 */
export class AccountFunds {
  private readonly free = new Map<string, Map<string, number>>();

  /** The wallet's balances as just fetched (replaces what was known and reserved). */
  set(wallet: string, balances: readonly AccountBalance[]): void {
    const assets = new Map<string, number>();
    for (const b of balances) if (b.free !== null) assets.set(b.asset, b.free);
    this.free.set(wallet, assets);
  }

  /** Free amount of an asset; null when the wallet was never fetched; 0 for an asset it does not hold. */
  available(wallet: string, asset: string): number | null {
    const assets = this.free.get(wallet);
    if (assets === undefined) return null;
    return assets.get(asset) ?? 0;
  }
}

/**
 * What an order would take: a spot buy its cost and taker fee in the quote, a spot sell its base
 * quantity, a derivative its initial margin (notional / leverage) and taker fee in the settle asset
 * (inverse: notional in contracts x contract size / price, in the base). Reduce-only takes nothing.
 */
export function orderNeedOf(market: Market, order: OrderSketch, options: { wallet: string; leverage: number; takerFeeRate: number; contractSize: number; available: (wallet: string, asset: string) => number | null }): OrderNeed {
  const fee = options.takerFeeRate;
  let asset: string;
  let amount: number;
  if (market.spot) {
    asset = order.side === 'buy' ? market.quote : market.base;
    amount = order.side === 'buy' ? order.quantity * order.price * (1 + fee) : order.quantity;
  } else {
    asset = market.settle ?? market.quote;
    const notional = market.inverse ? (order.quantity * options.contractSize) / order.price : order.quantity * order.price;
    amount = notional / options.leverage + notional * fee;
  }
  if (order.reduceOnly) amount = 0;
  return { wallet: options.wallet, asset, amount, available: options.available(options.wallet, asset) };
}
