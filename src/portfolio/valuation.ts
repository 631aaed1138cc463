import { instrumentId, type Instrument } from '../domain/instrument.ts';
import type { AssetAmounts } from './balances.ts';
import { decimalFromNumber, mulToMinor, type ExactDecimal, type Minor } from './money.ts';

/**
 * Valuing balances in USD.
 *
 * USD, USDT and USDC count as exactly 1 USD unless `assetPricesUsd` gives another price (a depeg,
 * or a real conversion rate). Any other asset takes its price from `assetPricesUsd`, else from the
 * mark of an instrument with that base quoted in a USD-like asset (spot marks first, then the
 * others, each group in instrument-id order), times that quote's USD price. An asset with no price
 * is an error naming it, never a silent zero.
 */
export const USD_LIKE_ASSETS: readonly string[] = ['USD', 'USDT', 'USDC'];

export interface Valuation {
  /** Mark prices by instrument id (`venue:symbol`, e.g. `binance:BTC/USDT:USDT`), quote per base. */
  marks: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** USD per unit of an asset; overrides the defaults above. */
  assetPricesUsd?: Readonly<Record<string, number>>;
}

export function markOf(valuation: Valuation, id: string): number | undefined {
  const marks = valuation.marks;
  return marks instanceof Map ? marks.get(id) : (marks as Readonly<Record<string, number>>)[id];
}

/** Resolves and caches USD prices of assets for one valuation. */
export class AssetPricer {
  private readonly cache = new Map<string, ExactDecimal>();

  constructor(
    private readonly valuation: Valuation,
    private readonly instruments: readonly Instrument[],
  ) {}

  priceUsd(asset: string): ExactDecimal {
    const cached = this.cache.get(asset);
    if (cached) return cached;
    const price = this.resolve(asset);
    this.cache.set(asset, price);
    return price;
  }

  /** amount (minor units of asset) in USD minor units, rounded once, half even. */
  toUsd(asset: string, amount: Minor): Minor {
    if (amount === 0n) return 0n;
    return mulToMinor({ mantissa: amount, scale: 8 }, this.priceUsd(asset));
  }

  /** The USD value of amounts in several assets (each converted and rounded, then summed). */
  sumUsd(amounts: AssetAmounts): Minor {
    let total = 0n;
    for (const [asset, amount] of Object.entries(amounts)) total += this.toUsd(asset, amount);
    return total;
  }

  private resolve(asset: string): ExactDecimal {
    const given = this.valuation.assetPricesUsd?.[asset];
    if (given !== undefined) {
      if (!(given > 0)) throw new Error(`assetPricesUsd.${asset} must be a positive number (got ${given})`);
      return decimalFromNumber(given);
    }
    if (USD_LIKE_ASSETS.includes(asset)) return { mantissa: 1n, scale: 0 };
    const candidates = this.instruments
      .filter((i) => i.base === asset && (USD_LIKE_ASSETS.includes(i.quote) || this.valuation.assetPricesUsd?.[i.quote] !== undefined))
      .map((i) => ({ instrument: i, id: instrumentId(i.venue, i.symbol) }))
      .filter((c) => markOf(this.valuation, c.id) !== undefined)
      .sort((a, b) => Number(b.instrument.kind === 'spot') - Number(a.instrument.kind === 'spot') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const chosen = candidates[0];
    if (!chosen) {
      throw new Error(`no USD price for asset ${asset}: give valuation.assetPricesUsd.${asset} or a mark for an ${asset}/USD, ${asset}/USDT or ${asset}/USDC instrument`);
    }
    const mark = markOf(this.valuation, chosen.id)!;
    if (!(mark > 0)) throw new Error(`mark of ${chosen.id} must be a positive number (got ${mark})`);
    const quotePrice = this.priceUsd(chosen.instrument.quote);
    const markDecimal = decimalFromNumber(mark);
    return { mantissa: markDecimal.mantissa * quotePrice.mantissa, scale: markDecimal.scale + quotePrice.scale };
  }
}
