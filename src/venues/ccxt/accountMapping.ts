import { Precise, type Balances, type MarketInterface as Market, type Order, type Position } from 'ccxt';
import type { OrderStatus, TimeInForce } from '../../domain/trading.ts';
import type { AccountBalance, AccountOrder, AccountPosition, MarginMode } from '../tradingTypes.ts';
import { VenueError } from '../types.ts';
import { finiteOrNull } from './validate.ts';

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

/** contracts x contractSize exactly (decimal strings), for linear contracts; contracts for inverse ones. */
export function contractsToQuantity(contracts: number, market: Market): number {
  if (market.inverse || !market.contract) return contracts;
  const size = market.contractSize ?? 1;
  return Number(Precise.stringMul(String(contracts), String(size)));
}

export function quantityToContracts(quantity: number, market: Market): number {
  if (market.inverse || !market.contract) return quantity;
  const size = market.contractSize ?? 1;
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
  const size = contractsToQuantity(Math.abs(contracts), market);
  const marginMode = marginModeOf(position.marginMode);
  const hedged = (position as { hedged?: unknown }).hedged;
  return {
    venue,
    symbol: market.symbol,
    quantity: position.side === 'long' ? size : -size,
    contracts: Math.abs(contracts),
    contractSize: market.contractSize ?? 1,
    positionSide: hedged === true ? position.side : hedged === false ? 'both' : null,
    entryPrice: finiteOrNull(position.entryPrice),
    markPrice: finiteOrNull(position.markPrice),
    unrealisedPnl: finiteOrNull(position.unrealizedPnl),
    settleAsset: market.settle ?? market.quote,
    marginMode,
    leverage: finiteOrNull(position.leverage),
    initialMargin: finiteOrNull(position.initialMargin),
    maintenanceMargin: finiteOrNull(position.maintenanceMargin),
    isolatedMargin: marginMode === 'isolated' ? finiteOrNull(position.collateral) : null,
    liquidationPrice: finiteOrNull(position.liquidationPrice) || null,
    venueTimeMs: finiteOrNull(position.timestamp),
  };
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

const contractsOrNull = (value: unknown, market: Market): number | null => {
  const n = finiteOrNull(value);
  return n === null ? null : contractsToQuantity(n, market);
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
    quantity: contractsOrNull(order.amount, market),
    limitPrice: order.type === 'market' ? null : finiteOrNull(order.price),
    filledQuantity: contractsOrNull(order.filled, market),
    remainingQuantity: contractsOrNull(order.remaining, market),
    averageFillPrice: finiteOrNull(order.average),
    venueTimeMs: finiteOrNull(order.timestamp),
  };
}
