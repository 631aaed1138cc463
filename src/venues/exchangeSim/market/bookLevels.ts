import type { FillModelConfig } from '../../sim/fillModel.ts';
import type { ListingMarket } from './listingMarket.ts';

export type Level = [price: number, size: number];

export interface BookView {
  bids: Level[];
  asks: Level[];
}

/** Rounds to the step grid (half away from zero is not needed: prices are positive). */
export function toStep(value: number, step: number, mode: 'floor' | 'ceil' | 'round'): number {
  const units = value / step;
  const n = mode === 'floor' ? Math.floor(units + 1e-9) : mode === 'ceil' ? Math.ceil(units - 1e-9) : Math.round(units);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return Number((n * step).toFixed(decimals));
}

/**
 * The touch the simulated venue's fill model takes against: the quote's bid and ask, or (candles)
 * the close -+ the fill model's half spread. Null before any price.
 */
export function touchPrices(market: ListingMarket, fill: Pick<FillModelConfig, 'halfSpreadBps'>): { bid: number; ask: number; bidSize: number; askSize: number } | null {
  const view = market.state.fillView();
  if (view === null) return null;
  if (view.source === 'quote') return { ...view.quote };
  const h = fill.halfSpreadBps / 10_000;
  return { bid: view.bar.close * (1 - h), ask: view.bar.close * (1 + h), bidSize: Number.NaN, askSize: Number.NaN };
}

/**
 * An order book around the fill model's touch: the best bid and ask are the prices a taker gets
 * (rounded outwards to the tick), with the quoted size where the data has one; deeper levels, one
 * tick apart with growing sizes, only show depth: fills follow the fill model (src/venues/sim/fillModel.ts).
 */
export function bookLevels(market: ListingMarket, fill: Pick<FillModelConfig, 'halfSpreadBps'>, depth: number): BookView {
  const touch = touchPrices(market, fill);
  if (touch === null) return { bids: [], asks: [] };
  const { tickSize, lotSize } = market.listing;
  const bestBid = toStep(touch.bid, tickSize, 'floor');
  let bestAsk = toStep(touch.ask, tickSize, 'ceil');
  if (bestAsk <= bestBid) bestAsk = toStep(bestBid + tickSize, tickSize, 'round');
  const volume = market.state.barVolume;
  const baseSize = Math.max(lotSize, toStep(volume > 0 ? volume / 10 : 1000 * lotSize, lotSize, 'round'));
  const size = (i: number, quoted: number) => (i === 0 && quoted > 0 ? quoted : toStep(baseSize * (1 + i / 2), lotSize, 'round'));
  const bids: Level[] = [];
  const asks: Level[] = [];
  for (let i = 0; i < depth; i++) {
    const bid = toStep(bestBid - i * tickSize, tickSize, 'round');
    if (bid > 0) bids.push([bid, size(i, touch.bidSize)]);
    asks.push([toStep(bestAsk + i * tickSize, tickSize, 'round'), size(i, touch.askSize)]);
  }
  return { bids, asks };
}
