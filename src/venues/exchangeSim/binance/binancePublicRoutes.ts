import { json, type SimRoute } from '../http/routeTypes.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import { bookLevels } from '../market/bookLevels.ts';
import type { ListingMarket } from '../market/listingMarket.ts';
import type { Listing } from '../listings.ts';
import { decimalText } from '../numberText.ts';
import { priceText, qtyText, spotSymbolInfo, usdmSymbolInfo } from './binanceFormat.ts';
import { isResponse, listingParam, listingsParam, SEGMENT_HOST, type BinanceSegment } from './binanceMarkets.ts';
import { binanceError } from './binanceProtocol.ts';

const MAX_DEPTH = 1000;

function ticker24h(ctx: ExchangeContext, l: Listing, m: ListingMarket, segment: BinanceSegment): Record<string, unknown> {
  const day = m.day.stats();
  const last = m.lastPrice();
  const open = day?.open ?? last;
  const book = bookLevels(m, ctx.fill, 1);
  const volume = day?.volume ?? 0;
  const out: Record<string, unknown> = {
    symbol: l.venueSymbol,
    priceChange: decimalText(last - open),
    priceChangePercent: decimalText(open > 0 ? Number((((last - open) / open) * 100).toFixed(3)) : 0),
    weightedAvgPrice: decimalText(last),
    lastPrice: priceText(l, last || 0),
    lastQty: qtyText(l, l.lotSize),
    openPrice: priceText(l, open || 0),
    highPrice: priceText(l, day?.high ?? last ?? 0),
    lowPrice: priceText(l, day?.low ?? last ?? 0),
    volume: decimalText(volume),
    quoteVolume: decimalText(volume * (last || 0)),
    openTime: day?.openTimeMs ?? ctx.clock.nowMs,
    closeTime: ctx.clock.nowMs,
    firstId: 1,
    lastId: m.updateId,
    count: m.updateId,
  };
  if (segment === 'spot') {
    out.prevClosePrice = out.openPrice;
    out.bidPrice = priceText(l, book.bids[0]?.[0] ?? 0);
    out.bidQty = qtyText(l, book.bids[0]?.[1] ?? 0);
    out.askPrice = priceText(l, book.asks[0]?.[0] ?? 0);
    out.askQty = qtyText(l, book.asks[0]?.[1] ?? 0);
  }
  return out;
}

function bookTicker(ctx: ExchangeContext, l: Listing, m: ListingMarket): Record<string, unknown> {
  const book = bookLevels(m, ctx.fill, 1);
  return {
    symbol: l.venueSymbol,
    bidPrice: priceText(l, book.bids[0]?.[0] ?? 0),
    bidQty: qtyText(l, book.bids[0]?.[1] ?? 0),
    askPrice: priceText(l, book.asks[0]?.[0] ?? 0),
    askQty: qtyText(l, book.asks[0]?.[1] ?? 0),
    time: ctx.clock.nowMs,
  };
}

/** The premiumIndex entry of a perp: mark, index, the predicted rate and the next settlement. */
export function premiumIndexJson(ctx: ExchangeContext, l: Listing, m: ListingMarket): Record<string, unknown> {
  const mark = m.markPrice();
  return {
    symbol: l.venueSymbol,
    markPrice: decimalText(mark || 0),
    indexPrice: decimalText(ctx.board.indexPrice(m) || 0),
    estimatedSettlePrice: decimalText(mark || 0),
    lastFundingRate: decimalText(m.predictedFundingRate(ctx.setup.interestRatePerInterval, ctx.setup.capRatePerInterval)),
    interestRate: decimalText(ctx.setup.interestRatePerInterval),
    nextFundingTime: m.nextFundingTimeMs(ctx.clock.nowMs),
    time: ctx.clock.nowMs,
  };
}

/** Answers one listing or (no symbol) a list, as Binance's ticker endpoints do. */
function perListing(ctx: ExchangeContext, segment: BinanceSegment, make: (l: Listing, m: ListingMarket) => unknown) {
  return (request: Parameters<SimRoute['handle']>[0]) => {
    const listings = listingsParam(ctx, segment, request);
    if (isResponse(listings)) return listings;
    const rows = listings.map((l) => make(l, ctx.board.market('binance', l.symbol)!));
    return json(request.params.symbol !== undefined ? rows[0] : rows);
  };
}

/** Binance's public market endpoints for one segment (spot /api/v3, USDⓈ-M /fapi/v1). */
export function binancePublicRoutes(ctx: ExchangeContext, segment: BinanceSegment): SimRoute[] {
  const host = SEGMENT_HOST[segment];
  const p = segment === 'spot' ? '/api/v3' : '/fapi/v1';
  const route = (path: string, endpoint: string, handle: SimRoute['handle']): SimRoute => ({ venue: 'binance', host, method: 'GET', path: `${p}${path}`, endpoint, auth: 'public', handle });
  const routes: SimRoute[] = [
    route('/ping', 'ping', () => json({})),
    route('/time', 'fetchTime', () => json({ serverTime: ctx.wallNowMs() })),
    route('/exchangeInfo', 'loadMarkets', () => {
      const listings = ctx.listings.of('binance', segment === 'spot' ? 'spot' : 'perp');
      const symbols = listings.map((l) => (segment === 'spot' ? spotSymbolInfo(l) : usdmSymbolInfo(l, ctx.setup.startMs)));
      const base = { timezone: 'UTC', serverTime: ctx.wallNowMs(), rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 }], exchangeFilters: [] };
      return json(segment === 'spot' ? { ...base, symbols } : { ...base, futuresType: 'U_MARGINED', assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }], symbols });
    }),
    route('/depth', 'fetchOrderBook', (request) => {
      const l = listingParam(ctx, segment, request);
      if (l === null || isResponse(l)) return l ?? binanceError(-1121, 'Invalid symbol.');
      const limit = request.params.limit === undefined ? (segment === 'spot' ? 100 : 500) : Number(request.params.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000) return binanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '1-5000'.");
      const m = ctx.board.market('binance', l.symbol)!;
      const book = bookLevels(m, ctx.fill, Math.min(limit, MAX_DEPTH));
      const level = ([price, size]: [number, number]) => [priceText(l, price), qtyText(l, size)];
      const body: Record<string, unknown> = { lastUpdateId: m.updateId, bids: book.bids.map(level), asks: book.asks.map(level) };
      if (segment === 'usdm') {
        body.E = ctx.clock.nowMs;
        body.T = ctx.clock.nowMs;
      }
      return json(body);
    }),
    route('/ticker/24hr', 'fetchTicker', perListing(ctx, segment, (l, m) => ticker24h(ctx, l, m, segment))),
    route('/ticker/bookTicker', 'fetchBidsAsks', perListing(ctx, segment, (l, m) => bookTicker(ctx, l, m))),
    route('/ticker/price', 'fetchLastPrices', perListing(ctx, segment, (l, m) => ({ symbol: l.venueSymbol, price: priceText(l, m.lastPrice() || 0), time: ctx.clock.nowMs }))),
  ];
  if (segment === 'usdm') routes.push(...usdmFundingRoutes(ctx, route));
  return routes;
}

function usdmFundingRoutes(ctx: ExchangeContext, route: (path: string, endpoint: string, handle: SimRoute['handle']) => SimRoute): SimRoute[] {
  return [
    route('/premiumIndex', 'fetchFundingRate', perListing(ctx, 'usdm', (l, m) => premiumIndexJson(ctx, l, m))),
    route('/fundingInfo', 'fetchFundingIntervals', () =>
      json(
        ctx.listings.of('binance', 'perp').map((l) => ({
          symbol: l.venueSymbol,
          adjustedFundingRateCap: decimalText(ctx.setup.capRatePerInterval),
          adjustedFundingRateFloor: decimalText(-ctx.setup.capRatePerInterval),
          fundingIntervalHours: (l.fundingIntervalMs ?? 0) / 3_600_000,
          disclaimer: false,
        })),
      ),
    ),
    route('/fundingRate', 'fetchFundingRateHistory', (request) => {
      const l = listingParam(ctx, 'usdm', request, false);
      if (isResponse(l)) return l;
      const limit = request.params.limit === undefined ? 100 : Number(request.params.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return binanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '1-1000'.");
      const start = request.params.startTime === undefined ? -Infinity : Number(request.params.startTime);
      const end = request.params.endTime === undefined ? Infinity : Number(request.params.endTime);
      const rows: Record<string, unknown>[] = [];
      for (const listing of l === null ? ctx.listings.of('binance', 'perp') : [l]) {
        const m = ctx.board.market('binance', listing.symbol)!;
        for (const f of m.funding) {
          if (f.timeMs < start || f.timeMs > end) continue;
          rows.push({ symbol: listing.venueSymbol, fundingTime: f.timeMs, fundingRate: decimalText(f.rate), markPrice: decimalText(f.markPrice > 0 ? f.markPrice : 0) });
        }
      }
      rows.sort((a, b) => (a.fundingTime as number) - (b.fundingTime as number));
      // Without a start Binance gives the latest `limit`; with one, the first `limit` from it.
      return json(request.params.startTime === undefined ? rows.slice(-limit) : rows.slice(0, limit));
    }),
  ];
}
