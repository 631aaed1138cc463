import { inverseLiquidationPrice, linearLiquidationPrice } from '../../model/liquidationPrice.ts';
import type { OrderRequest } from '../../domain/trading.ts';
import type { VenueBalance } from '../tradingTypes.ts';
import { positionInitialMargin, positionMaintenanceMargin, unrealisedPnl, type PositionState, type SimAccount } from './account.ts';
import { notionalSettle } from './contractMath.ts';
import { DEBT_DUST, exposureIncrease, initialMarginRate } from './marginModel.ts';
import type { SimInstrumentSpec } from './simConfig.ts';

/** An order resting on the simulated book. */
export interface RestingOrder {
  request: OrderRequest;
  spec: SimInstrumentSpec;
  filledQuantity: number;
  acceptedAtMs: number;
}

export const remainingOf = (order: RestingOrder): number => order.request.quantity - order.filledQuantity;

/** Margin arithmetic over the venue's account, its resting orders and mark prices (see marginModel.ts for the rules). */
export interface MarginContext {
  account: SimAccount;
  markOf: (symbol: string) => number;
  restingOrders: () => Iterable<RestingOrder>;
  /** The spot market through which an asset is valued when borrowed (null: none). */
  spotSpecForBase: (asset: string) => SimInstrumentSpec | null;
  spotShortMarginRate: number;
}

/** Margin reserved by resting orders, in `asset`. */
export function orderMargin(ctx: MarginContext, asset: string, derivatives = true, spot = true): number {
  let total = 0;
  for (const order of ctx.restingOrders()) {
    const { spec, request } = order;
    const remaining = remainingOf(order);
    const price = request.limitPrice!;
    if (spec.margin !== null) {
      if (!derivatives || spec.settleAsset !== asset) continue;
      const increase = exposureIncrease(ctx.account.positionQty(spec.symbol), request.side === 'buy' ? remaining : -remaining);
      total += notionalSettle(spec.terms, increase, price) * initialMarginRate(spec.margin.leverage);
    } else if (!spot) {
      continue;
    } else if (request.side === 'buy' && spec.quote === asset) {
      total += remaining * price * (1 + Math.max(0, spec.fees.makerFeeRate));
    } else if (request.side === 'sell' && spec.base === asset) {
      total += remaining;
    }
  }
  return total;
}

/** Collateral held in `asset` (a quote asset) against borrowed bases. */
export function borrowMargin(ctx: MarginContext, asset: string): number {
  let total = 0;
  for (const base of ctx.account.assets()) {
    const debt = -ctx.account.balance(base);
    if (!(debt > DEBT_DUST)) continue;
    const spot = ctx.spotSpecForBase(base);
    if (spot === null || spot.quote !== asset) continue;
    total += debt * ctx.markOf(spot.symbol) * ctx.spotShortMarginRate;
  }
  return total;
}

/**
 * The per-asset view of the account (see VenueBalance). With separate wallets, `wallet` picks one:
 * the spot wallet holds coins, spot orders' reservations and borrows; the derivatives wallet the
 * positions, their orders' margin and PnL. With one wallet everything is in it.
 */
export function balanceOf(ctx: MarginContext, asset: string, wallet: 'spot' | 'derivatives' | 'all' = 'all'): VenueBalance {
  const separate = ctx.account.separateWallets && wallet !== 'all';
  const derivatives = !separate || wallet === 'derivatives';
  const spot = !separate || wallet === 'spot';
  const walletBalance = !separate ? ctx.account.balance(asset) : derivatives ? ctx.account.marginBalance(asset) : ctx.account.balance(asset);
  let crossPnl = 0;
  let isolatedPnl = 0;
  let positionMargin = 0;
  let maintenanceMargin = 0;
  for (const position of ctx.account.positions.values()) {
    if (!derivatives || position.spec.settleAsset !== asset) continue;
    const mark = ctx.markOf(position.spec.symbol);
    const pnl = unrealisedPnl(position, mark);
    if (position.spec.margin!.marginMode === 'cross') crossPnl += pnl;
    else isolatedPnl += pnl;
    positionMargin += positionInitialMargin(position, mark);
    maintenanceMargin += positionMaintenanceMargin(position, mark);
  }
  const reserved = orderMargin(ctx, asset, derivatives, spot);
  const borrowCollateral = spot ? borrowMargin(ctx, asset) : 0;
  const w = walletBalance;
  return {
    asset,
    ...(separate ? { wallet } : {}),
    walletBalance: w,
    unrealisedPnl: crossPnl + isolatedPnl,
    equity: w + crossPnl + isolatedPnl,
    positionMargin,
    orderMargin: reserved,
    borrowMargin: borrowCollateral,
    maintenanceMargin,
    available: w + crossPnl - positionMargin - reserved - borrowCollateral,
    borrowed: -w > DEBT_DUST ? -w : 0,
  };
}

export function availableBalance(ctx: MarginContext, asset: string, wallet: 'spot' | 'derivatives' | 'all' = 'all'): number {
  return balanceOf(ctx, asset, wallet).available;
}

/**
 * The collateral behind a position for its liquidation price: its isolated margin, or for cross the
 * wallet - isolated margins + (unrealised PnL - maintenance margin) of the OTHER cross positions.
 */
export function liquidationCollateral(ctx: MarginContext, position: PositionState): number {
  if (position.spec.margin!.marginMode === 'isolated') return position.isolatedMargin;
  const asset = position.spec.settleAsset;
  let collateral = ctx.account.marginBalance(asset);
  for (const other of ctx.account.positions.values()) {
    if (other.spec.settleAsset !== asset) continue;
    if (other.spec.margin!.marginMode === 'isolated') {
      collateral -= other.isolatedMargin;
    } else if (other !== position) {
      const mark = ctx.markOf(other.spec.symbol);
      collateral += unrealisedPnl(other, mark) - positionMaintenanceMargin(other, mark);
    }
  }
  return collateral;
}

export function liquidationPriceOf(ctx: MarginContext, position: PositionState): number | null {
  const collateral = liquidationCollateral(ctx, position);
  const maintenanceMarginRate = position.spec.margin!.maintenanceMarginRate;
  const { terms } = position.spec;
  return terms.linear
    ? linearLiquidationPrice({ quantity: position.quantity, entryPrice: position.entryPrice, collateral, maintenanceMarginRate })
    : inverseLiquidationPrice({ contracts: position.quantity, contractSize: terms.contractSize, entryPrice: position.entryPrice, collateral, maintenanceMarginRate });
}

/** Positions liquidated together with `position`: itself if isolated, every cross position of its settle asset if cross. */
export function liquidationGroup(account: SimAccount, position: PositionState): PositionState[] {
  if (position.spec.margin!.marginMode === 'isolated') return [position];
  return [...account.positions.values()].filter((p) => p.spec.settleAsset === position.spec.settleAsset && p.spec.margin!.marginMode === 'cross');
}
