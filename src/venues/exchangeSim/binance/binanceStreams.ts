import type { WebSocket } from 'ws';
import type { VenueBalance, VenuePosition } from '../../tradingTypes.ts';
import type { WalletEvent } from '../accounts/wallet.ts';
import { averagePrice } from '../accounts/simOrder.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import type { FaultInjector } from '../faults/faultInjector.ts';
import { bookLevels, type BookView, type Level } from '../market/bookLevels.ts';
import type { Listing } from '../listings.ts';
import { decimalText } from '../numberText.ts';
import { bookDiff } from '../ws/bookDiff.ts';
import { sendJson, type StreamEndpoint } from '../ws/streamServer.ts';
import { binanceStatus, priceText, qtyText } from './binanceFormat.ts';
import { premiumIndexJson } from './binancePublicRoutes.ts';

/** Depth of the books the streams keep in step with /depth (whose answers are at most this deep too). */
export const STREAM_BOOK_DEPTH = 1000;

const MARKET_PATH = /^(?:\/(fstream\.binance\.com|stream\.binance\.com(?::9443)?))?\/(public\/|market\/)?ws(?:\/([^/]+))?$/;
const PRIVATE_PATH = /^(?:\/fstream\.binance\.com)?\/private\/ws$/;

/** One listing's published diff-depth state: the book as of the last update id sent. */
interface DepthFeed {
  listing: Listing;
  book: BookView;
  updateId: number;
  subscribers: Set<WebSocket>;
}

const levelText = (l: Listing) => ([p, q]: Level) => [priceText(l, p), qtyText(l, q)];

/**
 * Binance's websocket streams: diff depth (`<symbol>@depth`, `@depth@100ms`) kept in step with the
 * REST /depth snapshot by update id (U, u and, for USDⓈ-M, pu), `@bookTicker`, USDⓈ-M `@markPrice`,
 * and the USDⓈ-M user-data stream of a listen key (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE). Market
 * streams are served on /ws (spot: stream.binance.com:9443; USDⓈ-M: fstream.binance.com/public/ws
 * and /market/ws), user data on fstream.binance.com/private/ws?listenKey= and /ws/<listenKey>.
 */
export function binanceStreams(ctx: ExchangeContext, faults: FaultInjector): StreamEndpoint {
  const feeds = new Map<string, DepthFeed>();
  const tickerSubs = new Map<WebSocket, Set<string>>();
  const drop = (isPrivate: boolean) => () => faults.dropStream('binance', isPrivate);

  const feedOf = (listing: Listing): DepthFeed => {
    const key = `${listing.kind} ${listing.symbol}`;
    let feed = feeds.get(key);
    if (feed === undefined) {
      const m = ctx.board.market('binance', listing.symbol)!;
      feed = { listing, book: bookLevels(m, ctx.fill, STREAM_BOOK_DEPTH), updateId: m.updateId, subscribers: new Set() };
      feeds.set(key, feed);
    }
    return feed;
  };

  const publish = () => {
    for (const feed of feeds.values()) {
      if (feed.subscribers.size === 0) continue;
      const m = ctx.board.market('binance', feed.listing.symbol)!;
      if (m.updateId === feed.updateId) continue;
      const book = bookLevels(m, ctx.fill, STREAM_BOOK_DEPTH);
      const diff = bookDiff(feed.book, book);
      const l = feed.listing;
      const message: Record<string, unknown> = { e: 'depthUpdate', E: ctx.clock.nowMs, s: l.venueSymbol, U: feed.updateId + 1, u: m.updateId, b: diff.bids.map(levelText(l)), a: diff.asks.map(levelText(l)) };
      if (l.kind === 'perp') Object.assign(message, { T: ctx.clock.nowMs, pu: feed.updateId });
      feed.book = book;
      feed.updateId = m.updateId;
      for (const socket of feed.subscribers) sendJson(socket, message, drop(false));
    }
    for (const [socket, streams] of tickerSubs) for (const stream of streams) sendTicker(socket, stream);
  };

  const sendTicker = (socket: WebSocket, stream: string) => {
    const [id, channel] = stream.split('@');
    const spot = stream.startsWith('spot:');
    const listing = ctx.listings.byVenueSymbol('binance', spot ? 'spot' : 'perp', id.replace(/^(spot|usdm):/, '').toUpperCase());
    if (listing === undefined) return;
    const m = ctx.board.market('binance', listing.symbol)!;
    if (channel === 'bookTicker') {
      const book = bookLevels(m, ctx.fill, 1);
      sendJson(socket, { e: 'bookTicker', u: m.updateId, E: ctx.clock.nowMs, T: ctx.clock.nowMs, s: listing.venueSymbol, b: priceText(listing, book.bids[0]?.[0] ?? 0), B: qtyText(listing, book.bids[0]?.[1] ?? 0), a: priceText(listing, book.asks[0]?.[0] ?? 0), A: qtyText(listing, book.asks[0]?.[1] ?? 0) }, drop(false));
    } else if (channel === 'markPrice') {
      const p = premiumIndexJson(ctx, listing, m);
      sendJson(socket, { e: 'markPriceUpdate', E: ctx.clock.nowMs, s: listing.venueSymbol, p: p.markPrice, i: p.indexPrice, P: p.estimatedSettlePrice, r: p.lastFundingRate, T: p.nextFundingTime }, drop(false));
    }
  };

  const marketConnection = (socket: WebSocket, segment: 'spot' | 'usdm') => {
    const depth = new Set<DepthFeed>();
    const tickers = new Set<string>();
    tickerSubs.set(socket, tickers);
    socket.on('message', (data) => {
      let request: { method?: unknown; params?: unknown; id?: unknown };
      try {
        request = JSON.parse(String(data));
      } catch {
        sendJson(socket, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } }, () => false);
        return;
      }
      const params = Array.isArray(request.params) ? request.params.map(String) : [];
      if (request.method === 'SUBSCRIBE' || request.method === 'UNSUBSCRIBE') {
        for (const stream of params) {
          const [id, channel] = stream.split('@');
          const listing = ctx.listings.byVenueSymbol('binance', segment === 'spot' ? 'spot' : 'perp', id.toUpperCase());
          if (listing === undefined) continue;
          if (channel === 'depth') {
            const feed = feedOf(listing);
            if (request.method === 'SUBSCRIBE') {
              feed.subscribers.add(socket);
              depth.add(feed);
            } else {
              feed.subscribers.delete(socket);
              depth.delete(feed);
            }
          } else if (channel === 'bookTicker' || channel === 'markPrice') {
            const key = `${segment}:${id}@${channel}`;
            if (request.method === 'SUBSCRIBE') tickers.add(key);
            else tickers.delete(key);
          }
        }
        sendJson(socket, { result: null, id: request.id ?? null }, () => false);
      } else if (request.method === 'LIST_SUBSCRIPTIONS') {
        sendJson(socket, { result: [...depth].map((f) => `${f.listing.venueSymbol.toLowerCase()}@depth`), id: request.id ?? null }, () => false);
      } else {
        sendJson(socket, { error: { code: 2, msg: `Invalid request: unknown method ${String(request.method)}` }, id: request.id ?? null }, () => false);
      }
    });
    socket.on('close', () => {
      for (const feed of depth) feed.subscribers.delete(socket);
      tickerSubs.delete(socket);
    });
  };

  const userConnection = (socket: WebSocket, listenKey: string) => {
    const entry = ctx.listenKeys.resolve(listenKey);
    if (entry === undefined || entry.wallet !== 'binanceUsdm') {
      socket.close(4001, 'invalid listenKey');
      return;
    }
    const wallet = entry.account.wallet('binanceUsdm');
    const unsubscribe = wallet.subscribe((event) => {
      void userEvent(event).then((message) => {
        if (message !== null) sendJson(socket, message, drop(true));
      });
    });
    socket.on('close', unsubscribe);
    ctx.streamStats.privateSubscriptions++;
    const userEvent = async (event: WalletEvent): Promise<Record<string, unknown> | null> => {
      const now = ctx.clock.nowMs;
      if (event.type === 'order' || event.type === 'trade') {
        const o = event.order;
        const l = o.listing;
        const t = event.type === 'trade' ? event.trade : null;
        const execution = t !== null ? 'TRADE' : o.status === 'accepted' ? 'NEW' : o.status === 'canceled' ? 'CANCELED' : o.status === 'expired' ? 'EXPIRED' : 'NEW';
        return {
          e: 'ORDER_TRADE_UPDATE',
          E: ctx.wallNowMs(),
          T: o.updatedMs,
          o: {
            s: l.venueSymbol,
            c: o.clientOrderId,
            S: o.side.toUpperCase(),
            o: o.type === 'market' ? 'MARKET' : 'LIMIT',
            f: o.timeInForce === 'PO' ? 'GTX' : o.type === 'market' ? 'GTC' : o.timeInForce,
            q: qtyText(l, o.quantity),
            p: o.price === null ? '0' : priceText(l, o.price),
            ap: decimalText(averagePrice(o)),
            sp: '0',
            x: execution,
            X: binanceStatus(o),
            i: Number(o.orderId),
            l: decimalText(t?.quantity ?? 0),
            z: decimalText(o.filledQuantity),
            L: decimalText(t?.price ?? 0),
            N: o.feeAsset,
            n: decimalText(t?.fee ?? 0),
            T: o.updatedMs,
            t: t?.tradeId ?? 0,
            b: '0',
            a: '0',
            m: t?.maker ?? false,
            R: o.reduceOnly,
            wt: 'CONTRACT_PRICE',
            ot: o.type === 'market' ? 'MARKET' : 'LIMIT',
            ps: 'BOTH',
            cp: false,
            rp: '0',
            pP: false,
            si: 0,
            ss: 0,
            V: 'EXPIRE_MAKER',
            pm: 'NONE',
            gtd: 0,
          },
        };
      }
      const balances = await wallet.balances();
      const positions = await wallet.positions();
      return { e: 'ACCOUNT_UPDATE', E: ctx.wallNowMs(), T: now, a: { m: event.type === 'funding' ? 'FUNDING_FEE' : 'ORDER', B: balances.map(balanceRow), P: positions.map((p) => positionRow(wallet.listing(p.symbol)!, p)) } };
    };
  };

  return {
    matches: (path) => MARKET_PATH.test(path) || PRIVATE_PATH.test(path),
    connect(socket, path, query) {
      if (PRIVATE_PATH.test(path)) return userConnection(socket, query.get('listenKey') ?? '');
      const [, host, category, last] = MARKET_PATH.exec(path)!;
      if (last !== undefined && ctx.listenKeys.resolve(last) !== undefined) return userConnection(socket, last);
      const segment = host?.startsWith('fstream') || category !== undefined ? 'usdm' : 'spot';
      marketConnection(socket, segment);
    },
    onMarket: publish,
  };
}

function balanceRow(b: VenueBalance): Record<string, unknown> {
  return { a: b.asset, wb: decimalText(b.walletBalance), cw: decimalText(b.walletBalance), bc: '0' };
}

function positionRow(l: Listing, p: VenuePosition): Record<string, unknown> {
  return { s: l.venueSymbol, pa: qtyText(l, p.quantity), ep: decimalText(p.entryPrice), bep: decimalText(p.entryPrice), cr: '0', up: decimalText(p.unrealisedPnl), mt: p.marginMode, iw: decimalText(p.isolatedMargin ?? 0), ps: 'BOTH' };
}
