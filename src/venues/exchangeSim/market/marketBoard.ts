import type { ReplayCursor } from '../../../data/replay/types.ts';
import type { Listing, SimVenueId } from '../listings.ts';
import { ListingMarket } from './listingMarket.ts';

/** Every listed market's state, fed by the market clock. */
export class MarketBoard {
  private readonly markets = new Map<string, ListingMarket>();
  private readonly bySeries = new Map<string, ListingMarket | null>();

  constructor(listings: readonly Listing[]) {
    for (const listing of listings) this.markets.set(`${listing.venue} ${listing.symbol}`, new ListingMarket(listing));
  }

  market(venue: SimVenueId, symbol: string): ListingMarket | undefined {
    return this.markets.get(`${venue} ${symbol}`);
  }

  /** The spot market of the same venue, base and quote as a perp (its index price), if listed. */
  spotOf(market: ListingMarket): ListingMarket | undefined {
    const l = market.listing;
    return l.kind === 'perp' ? this.market(l.venue, `${l.base}/${l.quote}`) : undefined;
  }

  /** The index price of a perp: its venue's spot price, else its own mark. */
  indexPrice(market: ListingMarket): number {
    const spot = this.spotOf(market)?.lastPrice() ?? Number.NaN;
    return spot > 0 ? spot : market.markPrice();
  }

  apply(cursor: ReplayCursor): ListingMarket | null {
    let market = this.bySeries.get(cursor.seriesId);
    if (market === undefined) {
      market = this.markets.get(`${cursor.key.venue} ${cursor.key.symbol}`) ?? null;
      this.bySeries.set(cursor.seriesId, market);
    }
    if (market !== null) market.apply(cursor, this.spotOf(market));
    return market;
  }
}
