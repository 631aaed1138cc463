import type { Instrument } from '../domain/instrument.ts';
import type { VenueMarginSettings } from './marginFigures.ts';
import type { RiskConfig } from './riskConfig.ts';

/** One leg a new order would add exposure on (an open, an add, a rebalance that grows a leg). */
export interface NewLeg {
  instrument: Instrument;
  side: 'buy' | 'sell';
  /** Base units (linear, spot) or contracts (inverse). */
  quantity: number;
  /** The price it is expected to fill at. */
  price: number;
  /** The venue's mark (NaN: unknown, the band is not checked). */
  markPrice: number;
}

/** The book before the order, USD: gross notional per venue and in total, equity in total and per venue, free collateral per venue and asset. */
export interface ExposureBook {
  grossUsdByVenue: ReadonlyMap<string, number>;
  grossUsd: number;
  equityUsd: number;
  equityUsdByVenue: ReadonlyMap<string, number>;
  /** What the venue's wallet in `asset` has free for new orders (wallet + cross PnL - initial margins), in the asset; `wallet` is the one the order draws on where a venue keeps two. */
  freeCollateral(venue: string, asset: string, wallet: 'spot' | 'derivatives'): number;
  /** Whether the venue keeps separate spot and derivatives wallets (absent: one wallet). */
  separateWallets?(venue: string): boolean;
}

export interface PreTradeDenial {
  rule: string;
  reason: string;
  figures: Record<string, number>;
}

const fmt = (x: number) => Number(x.toPrecision(8)).toString();
export const legNotionalUsd = (leg: Pick<NewLeg, 'instrument' | 'quantity' | 'price'>) => (leg.instrument.linear === false ? leg.quantity * (leg.instrument.contractSize ?? 0) : leg.quantity * leg.price);

/**
 * Why orders adding these legs must not be sent (null: they may), the first failing rule in the
 * order below; every leg is checked before any is sent, so a denial never leaves half a pair.
 * Notional per pair (each leg), per venue and in total after the order; gross leverage after the
 * order; the venue's share of equity; each leg's price against its mark; the free collateral of
 * each venue wallet after the legs' spot cost, initial margin and taker fees.
 */
export function preTradeDenial(cfg: RiskConfig['preTrade'], legs: readonly NewLeg[], book: ExposureBook, marginOf: (venue: string) => VenueMarginSettings): PreTradeDenial | null {
  const addedByVenue = new Map<string, number>();
  let added = 0;
  for (const leg of legs) {
    const usd = legNotionalUsd(leg);
    if (cfg.maxNotionalUsdPerPair !== null && usd > cfg.maxNotionalUsdPerPair * (1 + 1e-9)) {
      return { rule: 'maxNotionalUsdPerPair', reason: `leg ${leg.instrument.venue}:${leg.instrument.symbol} notional ${fmt(usd)} USD > maxNotionalUsdPerPair ${fmt(cfg.maxNotionalUsdPerPair)}`, figures: { notionalUsd: usd, limitUsd: cfg.maxNotionalUsdPerPair } };
    }
    addedByVenue.set(leg.instrument.venue, (addedByVenue.get(leg.instrument.venue) ?? 0) + usd);
    added += usd;
  }
  if (cfg.maxNotionalUsdPerVenue !== null) {
    for (const [venue, usd] of addedByVenue) {
      const after = (book.grossUsdByVenue.get(venue) ?? 0) + usd;
      if (after > cfg.maxNotionalUsdPerVenue * (1 + 1e-9)) return { rule: 'maxNotionalUsdPerVenue', reason: `gross notional on ${venue} after the order ${fmt(after)} USD > maxNotionalUsdPerVenue ${fmt(cfg.maxNotionalUsdPerVenue)}`, figures: { grossUsdAfter: after, limitUsd: cfg.maxNotionalUsdPerVenue } };
    }
  }
  const grossAfter = book.grossUsd + added;
  if (cfg.maxNotionalUsdTotal !== null && grossAfter > cfg.maxNotionalUsdTotal * (1 + 1e-9)) {
    return { rule: 'maxNotionalUsdTotal', reason: `gross notional after the order ${fmt(grossAfter)} USD > maxNotionalUsdTotal ${fmt(cfg.maxNotionalUsdTotal)}`, figures: { grossUsdAfter: grossAfter, limitUsd: cfg.maxNotionalUsdTotal } };
  }
  if (cfg.maxLeverage !== null) {
    const leverage = book.equityUsd > 0 ? grossAfter / book.equityUsd : Infinity;
    if (leverage > cfg.maxLeverage * (1 + 1e-9)) return { rule: 'maxLeverage', reason: `gross leverage after the order ${fmt(leverage)}x (${fmt(grossAfter)} / equity ${fmt(book.equityUsd)}) > maxLeverage ${fmt(cfg.maxLeverage)}`, figures: { leverage, grossUsdAfter: grossAfter, equityUsd: book.equityUsd, limit: cfg.maxLeverage } };
  }
  if (cfg.maxVenueEquityShare < 1 && book.equityUsd > 0) {
    for (const venue of addedByVenue.keys()) {
      const share = (book.equityUsdByVenue.get(venue) ?? 0) / book.equityUsd;
      if (share > cfg.maxVenueEquityShare) return { rule: 'maxVenueEquityShare', reason: `${venue} holds ${fmt(share * 100)}% of equity > maxVenueEquityShare ${fmt(cfg.maxVenueEquityShare * 100)}%`, figures: { share, limit: cfg.maxVenueEquityShare } };
    }
  }
  if (cfg.priceBandFraction !== null) {
    for (const leg of legs) {
      if (!(leg.markPrice > 0) || !(leg.price > 0)) continue;
      const off = Math.abs(leg.price / leg.markPrice - 1);
      if (off > cfg.priceBandFraction) return { rule: 'priceBandFraction', reason: `${leg.instrument.venue}:${leg.instrument.symbol} price ${fmt(leg.price)} is ${fmt(off * 100)}% from its mark ${fmt(leg.markPrice)} > band ${fmt(cfg.priceBandFraction * 100)}%`, figures: { price: leg.price, markPrice: leg.markPrice, off, limit: cfg.priceBandFraction } };
    }
  }
  if (cfg.checkMarginAfterOrder) {
    const need = new Map<string, { venue: string; asset: string; wallet: 'spot' | 'derivatives'; amount: number }>();
    for (const leg of legs) {
      const inst = leg.instrument;
      const fee = Math.max(0, inst.takerFeeRate ?? 0);
      let asset: string;
      let amount: number;
      if (inst.kind === 'spot') {
        // A spot buy pays quote; a sell of coins held needs none (short spot borrows: the venue's collateral rule).
        if (leg.side !== 'buy') continue;
        asset = inst.quote;
        amount = leg.quantity * leg.price * (1 + fee);
      } else {
        asset = inst.settle ?? (inst.linear === false ? inst.base : inst.quote);
        const settleNotional = inst.linear === false ? (leg.quantity * (inst.contractSize ?? 0)) / leg.price : leg.quantity * leg.price;
        amount = settleNotional * (1 / marginOf(inst.venue).leverage + fee);
      }
      const wallet = inst.kind === 'spot' ? ('spot' as const) : ('derivatives' as const);
      // One wallet: a spot buy and a perp's margin draw on the same balance and add up.
      const key = book.separateWallets?.(inst.venue) ? `${inst.venue}|${wallet}|${asset}` : `${inst.venue}|${asset}`;
      const sum = need.get(key);
      if (sum === undefined) need.set(key, { venue: inst.venue, asset, wallet, amount });
      else sum.amount += amount;
    }
    for (const n of need.values()) {
      const free = book.freeCollateral(n.venue, n.asset, n.wallet);
      if (free - n.amount < -1e-9 * Math.max(1, n.amount)) {
        return { rule: 'marginAfterOrder', reason: `${n.venue} ${n.asset}: the order needs ${fmt(n.amount)} (cost, initial margin and fees), ${fmt(free)} free`, figures: { needed: n.amount, free, freeAfter: free - n.amount } };
      }
    }
  }
  return null;
}
