import { Precise, type Balances, type MarketInterface as Market, type Order, type Position } from 'ccxt';
import type { OrderStatus, TimeInForce } from '../../domain/trading.ts';
import type { AccountBalance, AccountOrder, AccountPosition, MarginMode } from '../tradingTypes.ts';
import { VenueError } from '../types.ts';
import { finiteOrNull } from './validate.ts';
import { amountUnitSize } from './amountUnits.ts';

/** ccxt's unified balance keys that are not assets. */
const NON_ASSET_KEYS = new Set(['info', 'free', 'used', 'total', 'timestamp', 'datetime', 'debt']);

/** Every asset of a ccxt balance with a non-zero free, used or total amount, sorted by asset. */
export function toAccountBalances(venue: string, balances: Balances): AccountBalance[] {
  const out: AccountBalance[] = [];
  for (const [asset, value] of Object.entries(balances)) {
    if (NON_ASSET_KEYS.has(asset) || typeof value !== 'object' || value === null) continue;
    const b = value as { free?: unknown; used?: unknown; total?: unknown };
    const row = { venue, asset, free: finiteOrNull(b.free), used: finiteOrNull(b.used), total: finiteOrNull(b.total) };
    if ((row.free ?? 0) === 0 && (row.used ?? 0) === 0 && (row.total ?? 0) === 0) continue;
    out.push(row);
  }
  return out.sort((a, b) => a.asset.localeCompare(b.asset));
}

/** ccxt amount x amountUnitSize exactly (decimal strings), for linear contracts; as given for inverse ones (contracts of amountUnitSize quote units). */
export function contractsToQuantity(contracts: number, market: Market, venue: string): number {
  if (market.inverse || !market.contract) return contracts;
  const size = amountUnitSize(venue, market);
  return Number(Precise.stringMul(String(contracts), String(size)));
}

export function quantityToContracts(quantity: number, market: Market, venue: string): number {
  if (market.inverse || !market.contract) return quantity;
  const size = amountUnitSize(venue, market);
  return Number(Precise.stringDiv(String(quantity), String(size), 18));
}

function badResponse(venue: string, method: string, detail: string): VenueError {
  return new VenueError(venue, method, 'badResponse', detail, false);
}

function marginModeOf(value: unknown): MarginMode | null {
  return value === 'cross' || value === 'isolated' ? value : null;
}

/** A ccxt position; null when it is flat (venues list zero positions for every symbol ever traded). */
export function toAccountPosition(venue: string, position: Position, market: Market): AccountPosition | null {
  const contracts = finiteOrNull(position.contracts);
  if (contracts === null) throw badResponse(venue, 'fetchPositions', `${market.symbol}: position has no contract count`);
  if (contracts === 0) return null;
  if (position.side !== 'long' && position.side !== 'short') throw badResponse(venue, 'fetchPositions', `${market.symbol}: position side is ${String(position.side)}`);
  const size = contractsToQuantity(Math.abs(contracts), market, venue);
  const marginMode = marginModeOf(position.marginMode);
  const hedged = (position as { hedged?: unknown }).hedged;
  return {
    venue,
    symbol: market.symbol,
    quantity: position.side === 'long' ? size : -size,
    contracts: Math.abs(contracts),
    contractSize: amountUnitSize(venue, market),
    positionSide: hedged === true ? position.side : hedged === false ? 'both' : null,
    entryPrice: finiteOrNull(position.entryPrice),
    markPrice: finiteOrNull(position.markPrice),
    unrealisedPnl: finiteOrNull(position.unrealizedPnl),
    settleAsset: market.settle ?? market.quote,
    marginMode,
    // 0 is no leverage: Gate reports cross positions with leverage 0 (venuePositionFields reads their limit).
    leverage: finiteOrNull(position.leverage) || null,
    initialMargin: finiteOrNull(position.initialMargin),
    maintenanceMargin: finiteOrNull(position.maintenanceMargin),
    isolatedMargin: marginMode === 'isolated' ? finiteOrNull(position.collateral) : null,
    liquidationPrice: finiteOrNull(position.liquidationPrice) || null,
    venueTimeMs: finiteOrNull(position.timestamp),
  };
}

const infoOf = (value: { info?: unknown }): Record<string, unknown> => (typeof value.info === 'object' && value.info !== null ? (value.info as Record<string, unknown>) : {});

/**
 * What a venue's answer says that ccxt's position does not. Gate: a cross position has leverage "0"
 * and its leverage in cross_leverage_limit; `mode` is single (one-way) or dual_long / dual_short
 * (hedged). Deribit has no hedged mode (one net position per instrument).
 */
export function venuePositionFields(ccxtId: string, position: Position): Position & { hedged?: boolean } {
  if (ccxtId === 'deribit') return { ...position, hedged: false };
  if (ccxtId !== 'gate') return position;
  const info = infoOf(position);
  const out: Position & { hedged?: boolean } = { ...position };
  const crossLimit = Number(info.cross_leverage_limit);
  if (info.leverage === '0' && Number.isFinite(crossLimit) && crossLimit > 0) out.leverage = crossLimit;
  if (info.mode === 'single') out.hedged = false;
  else if (info.mode === 'dual_long' || info.mode === 'dual_short') out.hedged = true;
  return out;
}

/**
 * The client id as perp-arb sent it. Gate's `text` is "t-<id>" for ids given by the API user, and
 * names the order's source otherwise ("web", "api", "app", "liquidation", ...): no client id.
 * Deribit's is the order `label`, and its `reduce_only` flag, neither of which ccxt reads.
 */
export function venueOrderFields(ccxtId: string, order: Order): Order {
  if (ccxtId === 'gate') {
    const text = order.clientOrderId;
    return { ...order, clientOrderId: typeof text === 'string' && text.startsWith('t-') && text.length > 2 ? text.slice(2) : (undefined as unknown as string) };
  }
  if (ccxtId === 'deribit') {
    const info = infoOf(order);
    const label = typeof info.label === 'string' && info.label !== '' ? info.label : undefined;
    return { ...order, clientOrderId: label as string, reduceOnly: typeof info.reduce_only === 'boolean' ? info.reduce_only : order.reduceOnly };
  }
  return order;
}

/**
 * Deribit's "used": ccxt gives the maintenance margin; the margin held by positions and orders (and
 * taken from available_funds) is the initial margin.
 */
export function venueBalanceFields(ccxtId: string, balances: Balances): Balances {
  if (ccxtId !== 'deribit') return balances;
  const summaries = infoOf(balances).summaries;
  if (!Array.isArray(summaries)) return balances;
  const out = { ...balances } as Record<string, unknown>;
  for (const summary of summaries as Record<string, unknown>[]) {
    const asset = typeof summary.currency === 'string' ? summary.currency.toUpperCase() : undefined;
    const row = asset === undefined ? undefined : out[asset];
    const initialMargin = finiteOrNull(Number(summary.initial_margin));
    if (typeof row === 'object' && row !== null && initialMargin !== null) out[asset!] = { ...row, used: initialMargin };
  }
  return out as Balances;
}

function statusOf(order: Order): OrderStatus | null {
  const filled = finiteOrNull(order.filled) ?? 0;
  switch (order.status) {
    case 'open':
      return filled > 0 ? 'partiallyFilled' : 'accepted';
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'canceled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      return null;
  }
}

function timeInForceOf(order: Order): TimeInForce | null {
  if (order.postOnly === true || order.timeInForce === 'PO') return 'PO';
  if (order.timeInForce === 'IOC') return 'IOC';
  if (order.timeInForce === 'GTC') return 'GTC';
  return null;
}

const contractsOrNull = (value: unknown, market: Market, venue: string): number | null => {
  const n = finiteOrNull(value);
  return n === null ? null : contractsToQuantity(n, market, venue);
};

/** A ccxt order. The venue's id is required; everything else is null when the answer does not carry it. */
export function toAccountOrder(venue: string, method: string, order: Order, market: Market): AccountOrder {
  if (typeof order.id !== 'string' || order.id === '') throw badResponse(venue, method, `${market.symbol}: the answer carries no order id`);
  const side = order.side === 'buy' || order.side === 'sell' ? order.side : null;
  return {
    venue,
    symbol: market.symbol,
    orderId: order.id,
    clientOrderId: typeof order.clientOrderId === 'string' && order.clientOrderId !== '' ? order.clientOrderId : null,
    status: statusOf(order),
    side,
    type: typeof order.type === 'string' ? order.type : null,
    timeInForce: timeInForceOf(order),
    reduceOnly: typeof order.reduceOnly === 'boolean' ? order.reduceOnly : null,
    quantity: contractsOrNull(order.amount, market, venue),
    limitPrice: order.type === 'market' ? null : finiteOrNull(order.price),
    filledQuantity: contractsOrNull(order.filled, market, venue),
    remainingQuantity: contractsOrNull(order.remaining, market, venue),
    averageFillPrice: finiteOrNull(order.average),
    venueTimeMs: finiteOrNull(order.timestamp),
  };
}
