import type { OrderSide } from '../../domain/trading.ts';
import { averageEntryPrice, notionalSettle, pnlSettle } from './contractMath.ts';
import { initialMarginRate } from './marginModel.ts';
import type { SimInstrumentSpec } from './simConfig.ts';

/** A derivative position as the venue books it. */
export interface PositionState {
  spec: SimInstrumentSpec;
  /** Signed: positive long. */
  quantity: number;
  entryPrice: number;
  /** Margin set aside for an isolated position (settle asset); 0 for cross. */
  isolatedMargin: number;
}

/** Relative size below which a remaining quantity is float noise from closing a position. */
const ZERO_QTY_TOLERANCE = 1e-12;

/**
 * The venue's own account: wallet balance per asset (floats: the venue's view, used for margin
 * checks; the ledger books the emitted fills and payments exactly) and derivative positions.
 */
export class SimAccount {
  private readonly wallet = new Map<string, number>();
  /** The derivatives wallet when the venue keeps one apart from the spot wallet (as Binance's USDⓈ-M), else null: one wallet. */
  private readonly derivatives: Map<string, number> | null;
  readonly positions = new Map<string, PositionState>();

  constructor(startingBalances: Record<string, number>, derivativesBalances?: Record<string, number>) {
    for (const [asset, amount] of Object.entries(startingBalances)) this.wallet.set(asset, amount);
    this.derivatives = derivativesBalances === undefined ? null : new Map(Object.entries(derivativesBalances));
  }

  get separateWallets(): boolean {
    return this.derivatives !== null;
  }

  /** The wallet derivatives settle, margin and pay funding in: the derivatives wallet, or the one wallet. */
  marginBalance(asset: string): number {
    return this.derivatives === null ? this.balance(asset) : (this.derivatives.get(asset) ?? 0);
  }

  creditMargin(asset: string, amount: number): void {
    if (this.derivatives === null) this.credit(asset, amount);
    else this.derivatives.set(asset, (this.derivatives.get(asset) ?? 0) + amount);
  }

  marginAssets(): string[] {
    return this.derivatives === null ? this.assets() : [...this.derivatives.keys()];
  }

  /** Moves `amount` of `asset` between the spot and the derivatives wallet (separate wallets only). */
  transfer(asset: string, amount: number, to: 'spot' | 'derivatives'): void {
    if (this.derivatives === null) throw new Error('one wallet: nothing to transfer between');
    if (!(amount > 0) || !Number.isFinite(amount)) throw new Error(`transfer amount must be finite and > 0 (got ${amount})`);
    if (to === 'derivatives') {
      this.credit(asset, -amount);
      this.creditMargin(asset, amount);
    } else {
      this.creditMargin(asset, -amount);
      this.credit(asset, amount);
    }
  }

  balance(asset: string): number {
    return this.wallet.get(asset) ?? 0;
  }

  assets(): string[] {
    return [...this.wallet.keys()];
  }

  credit(asset: string, amount: number): void {
    this.wallet.set(asset, this.balance(asset) + amount);
  }

  positionQty(symbol: string): number {
    return this.positions.get(symbol)?.quantity ?? 0;
  }

  /**
   * Books a fill: spot moves base and quote; a derivative fill moves the position (average entry on
   * an increase, realised PnL into the wallet on a reduction, a flip closes then opens). The fee is
   * paid from the settle asset. Returns the realised PnL (settle asset).
   */
  applyFill(spec: SimInstrumentSpec, side: OrderSide, quantity: number, price: number, fee: number): number {
    const sign = side === 'buy' ? 1 : -1;
    if (spec.margin === null) {
      this.credit(spec.settleAsset, -fee);
      this.credit(spec.base, sign * quantity);
      this.credit(spec.quote, -sign * quantity * price);
      return 0;
    }
    this.creditMargin(spec.settleAsset, -fee);
    const imr = initialMarginRate(spec.margin.leverage);
    const isolated = spec.margin.marginMode === 'isolated';
    let position = this.positions.get(spec.symbol);
    if (!position) {
      position = { spec, quantity: 0, entryPrice: price, isolatedMargin: 0 };
      this.positions.set(spec.symbol, position);
    }
    const q = position.quantity;
    let realised = 0;
    if (q === 0 || Math.sign(q) === sign) {
      position.entryPrice = averageEntryPrice(spec.terms, q, position.entryPrice, quantity, price);
      position.quantity = q + sign * quantity;
      if (isolated) position.isolatedMargin += notionalSettle(spec.terms, quantity, price) * imr;
    } else {
      const closing = Math.min(quantity, Math.abs(q));
      realised = pnlSettle(spec.terms, Math.sign(q) * closing, position.entryPrice, price);
      this.creditMargin(spec.settleAsset, realised);
      const left = Math.abs(q) - closing;
      const opening = quantity - closing;
      if (left <= ZERO_QTY_TOLERANCE * Math.abs(q)) {
        position.quantity = 0;
        position.isolatedMargin = 0;
      } else {
        position.isolatedMargin *= left / Math.abs(q);
        position.quantity = Math.sign(q) * left;
      }
      if (opening > ZERO_QTY_TOLERANCE * quantity) {
        position.quantity = sign * opening;
        position.entryPrice = price;
        position.isolatedMargin = isolated ? notionalSettle(spec.terms, opening, price) * imr : 0;
      }
    }
    if (position.quantity === 0) this.positions.delete(spec.symbol);
    return realised;
  }
}

export function unrealisedPnl(position: PositionState, markPrice: number): number {
  return pnlSettle(position.spec.terms, position.quantity, position.entryPrice, markPrice);
}

export function positionInitialMargin(position: PositionState, markPrice: number): number {
  const margin = position.spec.margin!;
  return margin.marginMode === 'isolated' ? position.isolatedMargin : notionalSettle(position.spec.terms, position.quantity, markPrice) * initialMarginRate(margin.leverage);
}

export function positionMaintenanceMargin(position: PositionState, markPrice: number): number {
  return notionalSettle(position.spec.terms, position.quantity, markPrice) * position.spec.margin!.maintenanceMarginRate;
}
