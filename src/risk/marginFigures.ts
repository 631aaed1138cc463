import type { Instrument } from '../domain/instrument.ts';
import { inverseLiquidationPrice, linearLiquidationPrice } from '../model/liquidationPrice.ts';
import type { Ledger } from '../portfolio/ledger.ts';
import { minorToNumber } from '../portfolio/money.ts';

/** The margin rules of a venue's derivatives, as the run's config sets them (the simulated venue's defaults otherwise). */
export interface VenueMarginSettings {
  leverage: number;
  maintenanceMarginRate: number;
  marginMode: 'cross' | 'isolated';
}

/** What the risk layer knows of one derivative position (the ledger's quantity and entry, the engine's mark). */
export interface PositionMargin {
  venue: string;
  symbol: string;
  /** Signed: base units (linear) or contracts (inverse). */
  quantity: number;
  entryPrice: number;
  markPrice: number;
  settleAsset: string;
  /** Collateral behind it by the model's rule (isolated: its margin; cross: wallet - isolated margins + the others' PnL - maintenance). */
  collateral: number;
  unrealisedPnl: number;
  maintenanceMargin: number;
  initialMargin: number;
  /** (collateral + unrealised PnL) / maintenance margin: 1 is the liquidation. */
  marginMultiple: number;
  /** The model's liquidation price (model/liquidationPrice.ts); null when no positive price liquidates it. */
  liquidationPrice: number | null;
  /** |liquidationPrice - mark| / mark (Infinity without a liquidation price). */
  liquidationDistance: number;
}

const pnl = (inst: Instrument, q: number, entry: number, mark: number) =>
  inst.linear === false ? q * (inst.contractSize ?? 0) * (1 / entry - 1 / mark) : q * (mark - entry);
const notional = (inst: Instrument, q: number, mark: number) => (inst.linear === false ? (Math.abs(q) * (inst.contractSize ?? 0)) / mark : Math.abs(q) * mark);

/**
 * Liquidation price, distance and margin multiple of every open derivative position of one venue,
 * by the same rules as the simulated venue (src/venues/sim/marginModel.ts, accountMargin.ts) and the
 * model's formula, from the ledger's exact wallet and positions: what a live venue would report, so
 * the monitors can compare it with the venue's own figure where the venue gives one.
 */
/** A derivative position as the ledger holds it (quantity, average entry) and the wallet balance of its settle asset. */
export interface LedgerLeg {
  inst: Instrument;
  q: number;
  entry: number;
  settle: string;
  /** The venue's cash in the settle asset. */
  cash: number;
  /** Scratch: the mark of the last legMargins call and its figures (one object per leg, refreshed in place). */
  mark: number;
  figures: PositionMargin | null;
}

/** The open derivative positions of a venue from the ledger (exact amounts read once; cache it while ledger.entryCount stays). */
export function ledgerLegs(ledger: Ledger, derivatives: readonly Instrument[]): LedgerLeg[] {
  const out: LedgerLeg[] = [];
  for (const inst of derivatives) {
    const p = ledger.position(inst.venue, inst.symbol);
    if (p.quantity === 0n || p.averageEntryPrice === null) continue;
    const settle = inst.settle ?? (inst.linear === false ? inst.base : inst.quote);
    out.push({ inst, q: minorToNumber(p.quantity), entry: p.averageEntryPrice, settle, cash: minorToNumber(ledger.cashBalance(inst.venue, settle)), mark: Number.NaN, figures: null });
  }
  return out;
}

export function venuePositionMargins(ledger: Ledger, derivatives: readonly Instrument[], settings: VenueMarginSettings, markOf: (inst: Instrument) => number): PositionMargin[] {
  return legMargins(ledgerLegs(ledger, derivatives), settings, markOf);
}

/** The figures of ledgerLegs at the current marks: floats only, and one figures object per leg refreshed in place (read them before the next call). */
export function legMargins(legs: readonly LedgerLeg[], settings: VenueMarginSettings, markOf: (inst: Instrument) => number): PositionMargin[] {
  const out: PositionMargin[] = [];
  for (const l of legs) {
    l.mark = markOf(l.inst);
    if (!(l.mark > 0)) continue;
    l.figures ??= { venue: l.inst.venue, symbol: l.inst.symbol, quantity: l.q, entryPrice: l.entry, markPrice: 0, settleAsset: l.settle, collateral: 0, unrealisedPnl: 0, maintenanceMargin: 0, initialMargin: 0, marginMultiple: 0, liquidationPrice: null, liquidationDistance: 0 };
    out.push(l.figures);
  }
  if (out.length === 0) return out;
  const m = settings.maintenanceMarginRate;
  const isolated = settings.marginMode === 'isolated';
  for (const o of legs) {
    if (!(o.mark > 0)) continue;
    const upnl = pnl(o.inst, o.q, o.entry, o.mark);
    const maint = notional(o.inst, o.q, o.mark) * m;
    const initial = (isolated ? notional(o.inst, o.q, o.entry) : notional(o.inst, o.q, o.mark)) / settings.leverage;
    let collateral: number;
    if (isolated) collateral = notional(o.inst, o.q, o.entry) / settings.leverage;
    else {
      collateral = o.cash;
      for (const other of legs) {
        if (other === o || other.settle !== o.settle || !(other.mark > 0)) continue;
        collateral += pnl(other.inst, other.q, other.entry, other.mark) - notional(other.inst, other.q, other.mark) * m;
      }
    }
    const liquidationPrice =
      o.inst.linear === false
        ? inverseLiquidationPrice({ contracts: o.q, contractSize: o.inst.contractSize ?? 1, entryPrice: o.entry, collateral, maintenanceMarginRate: m })
        : linearLiquidationPrice({ quantity: o.q, entryPrice: o.entry, collateral, maintenanceMarginRate: m });
    const f = o.figures!;
    f.markPrice = o.mark;
    f.collateral = collateral;
    f.unrealisedPnl = upnl;
    f.maintenanceMargin = maint;
    f.initialMargin = initial;
    f.marginMultiple = maint > 0 ? (collateral + upnl) / maint : Infinity;
    f.liquidationPrice = liquidationPrice;
    f.liquidationDistance = liquidationPrice === null ? Infinity : Math.abs(liquidationPrice - o.mark) / o.mark;
  }
  return out;
}
