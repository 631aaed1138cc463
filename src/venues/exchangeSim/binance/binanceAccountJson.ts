import type { VenueBalance, VenuePosition } from '../../tradingTypes.ts';
import type { Wallet } from '../accounts/wallet.ts';
import type { Listing } from '../listings.ts';
import { decimalText } from '../numberText.ts';
import { qtyText } from './binanceFormat.ts';

const d = decimalText;

/** Spot /api/v3/account balances: free = what new orders may use, locked = held by resting orders. */
export function spotBalancesJson(balances: VenueBalance[]): Record<string, unknown>[] {
  return balances.map((b) => ({ asset: b.asset, free: d(Math.max(0, b.available)), locked: d(Math.max(0, b.walletBalance - Math.max(0, b.available))) }));
}

export function usdmAssetJson(b: VenueBalance, nowMs: number): Record<string, unknown> {
  return {
    asset: b.asset,
    walletBalance: d(b.walletBalance),
    unrealizedProfit: d(b.unrealisedPnl),
    marginBalance: d(b.equity),
    maintMargin: d(b.maintenanceMargin),
    initialMargin: d(b.positionMargin + b.orderMargin),
    positionInitialMargin: d(b.positionMargin),
    openOrderInitialMargin: d(b.orderMargin),
    crossWalletBalance: d(b.walletBalance),
    crossUnPnl: d(b.unrealisedPnl),
    availableBalance: d(b.available),
    maxWithdrawAmount: d(Math.max(0, b.available)),
    marginAvailable: true,
    updateTime: nowMs,
  };
}

/** /fapi/v2/account and /fapi/v3/account: totals of the settle asset, assets, and positions. */
export function usdmAccountJson(wallet: Wallet, balances: VenueBalance[], positions: VenuePosition[], nowMs: number, version: 2 | 3): Record<string, unknown> {
  const sum = (f: (b: VenueBalance) => number) => d(balances.reduce((s, b) => s + f(b), 0));
  const out: Record<string, unknown> = {
    totalInitialMargin: sum((b) => b.positionMargin + b.orderMargin),
    totalMaintMargin: sum((b) => b.maintenanceMargin),
    totalWalletBalance: sum((b) => b.walletBalance),
    totalUnrealizedProfit: sum((b) => b.unrealisedPnl),
    totalMarginBalance: sum((b) => b.equity),
    totalPositionInitialMargin: sum((b) => b.positionMargin),
    totalOpenOrderInitialMargin: sum((b) => b.orderMargin),
    totalCrossWalletBalance: sum((b) => b.walletBalance),
    totalCrossUnPnl: sum((b) => b.unrealisedPnl),
    availableBalance: sum((b) => b.available),
    maxWithdrawAmount: sum((b) => Math.max(0, b.available)),
    assets: balances.map((b) => usdmAssetJson(b, nowMs)),
    positions: positions.map((p) => {
      const l = wallet.listing(p.symbol)!;
      const row: Record<string, unknown> = {
        symbol: l.venueSymbol,
        positionSide: 'BOTH',
        positionAmt: qtyText(l, p.quantity),
        unrealizedProfit: d(p.unrealisedPnl),
        isolatedMargin: d(p.isolatedMargin ?? 0),
        notional: d(p.quantity * p.markPrice),
        isolatedWallet: d(p.isolatedMargin ?? 0),
        initialMargin: d(p.initialMargin),
        maintMargin: d(p.maintenanceMargin),
        updateTime: nowMs,
      };
      if (version === 2) Object.assign(row, { leverage: String(p.leverage), isolated: p.marginMode === 'isolated', entryPrice: d(p.entryPrice), maxNotional: '1000000000', bidNotional: '0', askNotional: '0', positionInitialMargin: d(p.initialMargin), openOrderInitialMargin: '0' });
      return row;
    }),
  };
  if (version === 2) Object.assign(out, { feeTier: 0, canTrade: true, canDeposit: true, canWithdraw: true, updateTime: 0, multiAssetsMargin: false });
  return out;
}

/** A /fapi/v2 or /fapi/v3 positionRisk entry (v2 also says leverage and margin type). */
export function positionRiskJson(wallet: Wallet, l: Listing, p: VenuePosition | undefined, nowMs: number, version: 2 | 3): Record<string, unknown> {
  const qty = p?.quantity ?? 0;
  const mark = p?.markPrice ?? 0;
  const row: Record<string, unknown> = {
    symbol: l.venueSymbol,
    positionSide: 'BOTH',
    positionAmt: qtyText(l, qty),
    entryPrice: d(p?.entryPrice ?? 0),
    breakEvenPrice: d(p?.entryPrice ?? 0),
    markPrice: d(mark),
    unRealizedProfit: d(p?.unrealisedPnl ?? 0),
    liquidationPrice: d(p?.liquidationPrice ?? 0),
    isolatedMargin: d(p?.isolatedMargin ?? 0),
    notional: d(qty * mark),
    marginAsset: l.quote,
    isolatedWallet: d(p?.isolatedMargin ?? 0),
    initialMargin: d(p?.initialMargin ?? 0),
    maintMargin: d(p?.maintenanceMargin ?? 0),
    positionInitialMargin: d(p?.initialMargin ?? 0),
    openOrderInitialMargin: '0',
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
    updateTime: nowMs,
  };
  if (version === 2) {
    row.leverage = String(wallet.leverage.get(l.symbol) ?? 1);
    row.marginType = wallet.marginMode.get(l.symbol) === 'isolated' ? 'isolated' : 'cross';
    row.isAutoAddMargin = 'false';
    row.maxNotionalValue = '1000000000';
  }
  return row;
}
