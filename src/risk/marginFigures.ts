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
export function venuePositionMargins(ledger: Ledger, derivatives: readonly Instrument[], settings: VenueMarginSettings, markOf: (inst: Instrument) => number): PositionMargin[] {
  const open: { inst: Instrument; q: number; entry: number; mark: number; settle: string }[] = [];
  for (const inst of derivatives) {
    const p = ledger.position(inst.venue, inst.symbol);
    if (p.quantity === 0n || p.averageEntryPrice === null) continue;
    const mark = markOf(inst);
    if (!(mark > 0)) continue;
    open.push({ inst, q: minorToNumber(p.quantity), entry: p.averageEntryPrice, mark, settle: inst.settle ?? (inst.linear === false ? inst.base : inst.quote) });
  }
  if (open.length === 0) return [];
  const m = settings.maintenanceMarginRate;
  const isolated = settings.marginMode === 'isolated';
  const out: PositionMargin[] = [];
  for (const o of open) {
    const upnl = pnl(o.inst, o.q, o.entry, o.mark);
    const maint = notional(o.inst, o.q, o.mark) * m;
    const initial = (isolated ? notional(o.inst, o.q, o.entry) : notional(o.inst, o.q, o.mark)) / settings.leverage;
    let collateral: number;
    if (isolated) collateral = notional(o.inst, o.q, o.entry) / settings.leverage;
    else {
      collateral = minorToNumber(ledger.cashBalance(o.inst.venue, o.settle));
      for (const other of open) {
        if (other === o || other.settle !== o.settle) continue;
        collateral += pnl(other.inst, other.q, other.entry, other.mark) - notional(other.inst, other.q, other.mark) * m;
      }
    }
    const liquidationPrice =
      o.inst.linear === false
        ? inverseLiquidationPrice({ contracts: o.q, contractSize: o.inst.contractSize ?? 1, entryPrice: o.entry, collateral, maintenanceMarginRate: m })
        : linearLiquidationPrice({ quantity: o.q, entryPrice: o.entry, collateral, maintenanceMarginRate: m });
    out.push({
      venue: o.inst.venue,
      symbol: o.inst.symbol,
      quantity: o.q,
      entryPrice: o.entry,
      markPrice: o.mark,
      settleAsset: o.settle,
      collateral,
      unrealisedPnl: upnl,
      maintenanceMargin: maint,
      initialMargin: initial,
      marginMultiple: maint > 0 ? (collateral + upnl) / maint : Infinity,
      liquidationPrice,
      liquidationDistance: liquidationPrice === null ? Infinity : Math.abs(liquidationPrice - o.mark) / o.mark,
    });
  }
  return out;
}
