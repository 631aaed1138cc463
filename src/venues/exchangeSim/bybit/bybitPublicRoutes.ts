import type { ExchangeContext } from '../exchangeContext.ts';
import type { SimRequest, SimResponse, SimRoute } from '../http/routeTypes.ts';
import { bookLevels } from '../market/bookLevels.ts';
import { stepDecimals, type Listing } from '../listings.ts';
import { decimalText, fixedText } from '../numberText.ts';
import { categoryParam, isResponse, listingsOfCategory, symbolParam } from './bybitMarkets.ts';
import { bybitError, bybitOk } from './bybitProtocol.ts';

const HOST = 'api.bybit.com';
const priceText = (l: Listing, p: number) => fixedText(p, stepDecimals(l.tickSize));
const qtyText = (l: Listing, q: number) => fixedText(q, stepDecimals(l.lotSize));

function instrumentJson(ctx: ExchangeContext, l: Listing): Record<string, unknown> {
  if (l.kind === 'spot') {
    return {
      symbol: l.venueSymbol,
      baseCoin: l.base,
      quoteCoin: l.quote,
      innovation: '0',
      status: 'Trading',
      marginTrading: 'none',
      stTag: '0',
      lotSizeFilter: { basePrecision: decimalText(l.lotSize), quotePrecision: '0.00000001', minOrderQty: decimalText(l.minQty), maxOrderQty: decimalText(l.maxQty), minOrderAmt: decimalText(l.minNotional), maxOrderAmt: '2000000' },
      priceFilter: { tickSize: decimalText(l.tickSize) },
      riskParameters: { priceLimitRatioX: '0.05', priceLimitRatioY: '0.05' },
    };
  }
  return {
    symbol: l.venueSymbol,
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: l.base,
    quoteCoin: l.quote,
    launchTime: String(ctx.setup.startMs),
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: String(stepDecimals(l.tickSize)),
    leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    priceFilter: { minPrice: decimalText(l.tickSize), maxPrice: '9999999.00', tickSize: decimalText(l.tickSize) },
    lotSizeFilter: { maxOrderQty: decimalText(l.maxQty), minOrderQty: decimalText(l.minQty), qtyStep: decimalText(l.lotSize), postOnlyMaxOrderQty: decimalText(l.maxQty), maxMktOrderQty: decimalText(l.maxQty), minNotionalValue: decimalText(l.minNotional) },
    unifiedMarginTrade: true,
    fundingInterval: (l.fundingIntervalMs ?? 0) / 60_000,
    settleCoin: l.quote,
    copyTrading: 'none',
    upperFundingRate: decimalText(ctx.setup.capRatePerInterval),
    lowerFundingRate: decimalText(-ctx.setup.capRatePerInterval),
    isPreListing: false,
    preListingInfo: null,
  };
}

function tickerJson(ctx: ExchangeContext, l: Listing): Record<string, unknown> {
  const m = ctx.board.market('bybit', l.symbol)!;
  const day = m.day.stats();
  const last = m.lastPrice() || 0;
  const open = day?.open ?? last;
  const book = bookLevels(m, ctx.fill, 1);
  const common = {
    symbol: l.venueSymbol,
    bid1Price: priceText(l, book.bids[0]?.[0] ?? 0),
    bid1Size: qtyText(l, book.bids[0]?.[1] ?? 0),
    ask1Price: priceText(l, book.asks[0]?.[0] ?? 0),
    ask1Size: qtyText(l, book.asks[0]?.[1] ?? 0),
    lastPrice: priceText(l, last),
    prevPrice24h: priceText(l, open),
    price24hPcnt: decimalText(open > 0 ? Number(((last - open) / open).toFixed(6)) : 0),
    highPrice24h: priceText(l, day?.high ?? last),
    lowPrice24h: priceText(l, day?.low ?? last),
    turnover24h: decimalText((day?.volume ?? 0) * last),
    volume24h: decimalText(day?.volume ?? 0),
  };
  if (l.kind === 'spot') return { ...common, usdIndexPrice: decimalText(last) };
  const hours = (l.fundingIntervalMs ?? 0) / 3_600_000;
  return {
    ...common,
    indexPrice: decimalText(ctx.board.indexPrice(m) || 0),
    markPrice: decimalText(m.markPrice() || 0),
    prevPrice1h: priceText(l, open),
    openInterest: '0',
    openInterestValue: '0',
    fundingRate: decimalText(m.predictedFundingRate(ctx.setup.interestRatePerInterval, ctx.setup.capRatePerInterval)),
    nextFundingTime: String(m.nextFundingTimeMs(ctx.clock.nowMs)),
    predictedDeliveryPrice: '',
    basisRate: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
    basis: '',
    fundingIntervalHour: String(hours),
    fundingCap: decimalText(ctx.setup.capRatePerInterval),
    preOpenPrice: '',
    preQty: '',
    curPreListingPhase: '',
  };
}

type Handler = (request: SimRequest) => SimResponse;

/** Bybit v5's public market endpoints (spot and linear; inverse and option answer empty lists). */
export function bybitPublicRoutes(ctx: ExchangeContext): SimRoute[] {
  const route = (path: string, endpoint: string, handle: Handler): SimRoute => ({ venue: 'bybit', host: HOST, method: 'GET', path, endpoint, auth: 'public', handle });
  return [
    route('/v5/market/time', 'fetchTime', () => {
      const now = ctx.wallNowMs();
      return bybitOk(ctx, { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` });
    }),
    route('/v5/market/instruments-info', 'loadMarkets', (request) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const status = request.params.status;
      let listings = status !== undefined && status !== 'Trading' ? [] : listingsOfCategory(ctx, category);
      if (request.params.symbol !== undefined) listings = listings.filter((l) => l.venueSymbol === request.params.symbol);
      return bybitOk(ctx, { category, nextPageCursor: '', list: listings.map((l) => instrumentJson(ctx, l)) });
    }),
    route('/v5/market/tickers', 'fetchTicker', (request) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const one = symbolParam(ctx, category, request, false);
      if (isResponse(one)) return one;
      const listings = one === null ? listingsOfCategory(ctx, category) : [one];
      return bybitOk(ctx, { category, list: listings.map((l) => tickerJson(ctx, l)) });
    }),
    route('/v5/market/orderbook', 'fetchOrderBook', (request) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      const l = symbolParam(ctx, category, request, true);
      if (l === null || isResponse(l)) return l!;
      const limit = request.params.limit === undefined ? (category === 'spot' ? 1 : 25) : Number(request.params.limit);
      const max = category === 'spot' ? 200 : 500;
      if (!Number.isInteger(limit) || limit < 1 || limit > max) return bybitError(ctx, 10001, `params error: limit must be 1 to ${max}`);
      return bybitOk(ctx, bybitBookJson(ctx, l, limit));
    }),
    route('/v5/market/funding/history', 'fetchFundingRateHistory', (request) => {
      const category = categoryParam(ctx, request);
      if (isResponse(category)) return category;
      if (category !== 'linear' && category !== 'inverse') return bybitError(ctx, 10001, 'params error: category only support linear or inverse');
      const l = symbolParam(ctx, category, request, true);
      if (l === null || isResponse(l)) return l!;
      const limit = request.params.limit === undefined ? 200 : Number(request.params.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) return bybitError(ctx, 10001, 'params error: limit must be 1 to 200');
      const start = request.params.startTime === undefined ? -Infinity : Number(request.params.startTime);
      const end = request.params.endTime === undefined ? Infinity : Number(request.params.endTime);
      const rows = ctx.board
        .market('bybit', l.symbol)!
        .funding.filter((f) => f.timeMs >= start && f.timeMs <= end)
        .reverse()
        .slice(0, limit)
        .map((f) => ({ symbol: l.venueSymbol, fundingRate: decimalText(f.rate), fundingRateTimestamp: String(f.timeMs) }));
      return bybitOk(ctx, { category, list: rows });
    }),
  ];
}

/** The v5 order book (REST result and websocket data): s, b, a, u, seq, ts. */
export function bybitBookJson(ctx: ExchangeContext, l: Listing, depth: number): Record<string, unknown> {
  const m = ctx.board.market('bybit', l.symbol)!;
  const book = bookLevels(m, ctx.fill, depth);
  const level = ([p, q]: [number, number]) => [priceText(l, p), qtyText(l, q)];
  return { s: l.venueSymbol, b: book.bids.map(level), a: book.asks.map(level), ts: ctx.clock.nowMs, u: m.updateId, seq: m.updateId, cts: ctx.clock.nowMs };
}
