import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { verifyBybitWsAuth } from '../auth/bybitAuth.ts';
import type { ExchangeAccount } from '../accounts/exchangeAccount.ts';
import type { WalletEvent } from '../accounts/wallet.ts';
import type { ExchangeContext } from '../exchangeContext.ts';
import type { FaultInjector } from '../faults/faultInjector.ts';
import { bookLevels, type BookView } from '../market/bookLevels.ts';
import { stepDecimals, type Listing } from '../listings.ts';
import { fixedText } from '../numberText.ts';
import { bookDiff } from '../ws/bookDiff.ts';
import { sendJson, type StreamEndpoint } from '../ws/streamServer.ts';
import { bybitExecutionJson, bybitOrderJson, bybitWalletJson } from './bybitFormat.ts';
import { categoryOf } from './bybitMarkets.ts';

const PUBLIC_PATH = /^(?:\/stream\.bybit\.com)?\/v5\/public\/(spot|linear)$/;
const PRIVATE_PATH = /^(?:\/stream\.bybit\.com)?\/v5\/private$/;
const BOOK_DEPTHS = new Set([1, 50, 200, 500, 1000]);

interface BookSub {
  socket: WebSocket;
  listing: Listing;
  depth: number;
  topic: string;
  book: BookView;
  updateId: number;
}

/**
 * Bybit v5's websocket streams: public `orderbook.<depth>.<symbol>` (a snapshot, then deltas against
 * the last book sent; depth 1 always snapshots, as Bybit does) on /v5/public/spot and /linear, and
 * the private stream (/v5/private: op auth with HMAC of "GET/realtime" + expires, then topics
 * order, execution and wallet) of the unified account.
 */
export function bybitStreams(ctx: ExchangeContext, faults: FaultInjector): StreamEndpoint {
  const books = new Set<BookSub>();
  const drop = (isPrivate: boolean) => () => faults.dropStream('bybit', isPrivate);
  const connId = () => randomUUID();

  const bookMessage = (sub: BookSub, type: 'snapshot' | 'delta', view: BookView) => {
    const l = sub.listing;
    const level = ([p, q]: [number, number]) => [fixedText(p, stepDecimals(l.tickSize)), fixedText(q, stepDecimals(l.lotSize))];
    const m = ctx.board.market('bybit', l.symbol)!;
    return { topic: sub.topic, type, ts: ctx.clock.nowMs, data: { s: l.venueSymbol, b: view.bids.map(level), a: view.asks.map(level), u: m.updateId, seq: m.updateId }, cts: ctx.clock.nowMs };
  };

  const publish = () => {
    for (const sub of books) {
      const m = ctx.board.market('bybit', sub.listing.symbol)!;
      if (m.updateId === sub.updateId) continue;
      const book = bookLevels(m, ctx.fill, sub.depth);
      const message = sub.depth === 1 ? bookMessage(sub, 'snapshot', book) : bookMessage(sub, 'delta', bookDiff(sub.book, book));
      sub.book = book;
      sub.updateId = m.updateId;
      sendJson(sub.socket, message, drop(false));
    }
  };

  const publicConnection = (socket: WebSocket, category: 'spot' | 'linear') => {
    const id = connId();
    const mine = new Set<BookSub>();
    socket.on('message', (data) => {
      let request: { op?: unknown; args?: unknown; req_id?: unknown };
      try {
        request = JSON.parse(String(data));
      } catch {
        sendJson(socket, { success: false, ret_msg: 'error:invalid json', conn_id: id, op: '' }, () => false);
        return;
      }
      const reqId = request.req_id;
      if (request.op === 'ping') return sendJson(socket, { success: true, ret_msg: 'pong', conn_id: id, req_id: reqId, op: 'ping' }, () => false);
      if (request.op !== 'subscribe' && request.op !== 'unsubscribe') return sendJson(socket, { success: false, ret_msg: 'error:invalid op', conn_id: id, req_id: reqId, op: request.op }, () => false);
      const topics = Array.isArray(request.args) ? request.args.map(String) : [];
      const bad: string[] = [];
      const snapshots: BookSub[] = [];
      for (const topic of topics) {
        const [channel, depthText, symbol] = topic.split('.');
        const listing = ctx.listings.of('bybit').find((l) => categoryOf(l) === category && l.venueSymbol === symbol);
        const depth = Number(depthText);
        if (channel !== 'orderbook' || listing === undefined || !BOOK_DEPTHS.has(depth)) {
          bad.push(topic);
          continue;
        }
        if (request.op === 'unsubscribe') {
          for (const sub of mine) if (sub.topic === topic) (mine.delete(sub), books.delete(sub));
          continue;
        }
        const m = ctx.board.market('bybit', listing.symbol)!;
        const sub: BookSub = { socket, listing, depth, topic, book: bookLevels(m, ctx.fill, depth), updateId: m.updateId };
        mine.add(sub);
        books.add(sub);
        snapshots.push(sub);
      }
      sendJson(socket, { success: bad.length === 0, ret_msg: bad.length === 0 ? '' : `error:handler not found,topic:${bad.join(',')}`, conn_id: id, req_id: reqId, op: request.op }, () => false);
      for (const sub of snapshots) sendJson(socket, bookMessage(sub, 'snapshot', sub.book), drop(false));
    });
    socket.on('close', () => {
      for (const sub of mine) books.delete(sub);
    });
  };

  const privateConnection = (socket: WebSocket) => {
    const id = connId();
    let account: ExchangeAccount | null = null;
    const topics = new Set<string>();
    let unsubscribe: (() => void) | null = null;
    const onWallet = (event: WalletEvent) => {
      void privateMessages(event).then((messages) => {
        for (const message of messages) sendJson(socket, message, drop(true));
      });
    };
    const privateMessages = async (event: WalletEvent): Promise<Record<string, unknown>[]> => {
      const out: Record<string, unknown>[] = [];
      const creationTime = ctx.wallNowMs();
      if (event.type === 'order' || event.type === 'trade') {
        const category = categoryOf(event.order.listing);
        if (event.type === 'trade' && (topics.has('execution') || topics.has(`execution.${category}`))) {
          out.push({ id: `${event.trade.tradeId}-exec`, topic: 'execution', creationTime, data: [{ category, ...bybitExecutionJson(event.trade, event.order) }] });
        }
        if (topics.has('order') || topics.has(`order.${category}`)) out.push({ id: `${event.order.orderId}-${event.order.updatedMs}`, topic: 'order', creationTime, data: [{ category, ...bybitOrderJson(event.order) }] });
      } else if (event.type === 'balance' && topics.has('wallet') && account !== null) {
        const wallet = bybitWalletJson(await account.wallet('bybitUnified').balances()).list as Record<string, unknown>[];
        out.push({ id: `wallet-${creationTime}`, topic: 'wallet', creationTime, data: wallet });
      }
      return out;
    };
    socket.on('message', (data) => {
      let request: { op?: unknown; args?: unknown; req_id?: unknown };
      try {
        request = JSON.parse(String(data));
      } catch {
        sendJson(socket, { success: false, ret_msg: 'error:invalid json', conn_id: id, op: '' }, () => false);
        return;
      }
      const reqId = request.req_id;
      if (request.op === 'ping') return sendJson(socket, { req_id: reqId, op: 'pong', args: [String(ctx.wallNowMs())], conn_id: id }, () => false);
      if (request.op === 'auth') {
        const auth = verifyBybitWsAuth(request.args, ctx.accounts, ctx.wallNowMs());
        if (!auth.ok) return sendJson(socket, { success: false, ret_msg: `${auth.retMsg}`, op: 'auth', conn_id: id, req_id: reqId }, () => false);
        account = auth.account;
        unsubscribe?.();
        unsubscribe = account.wallet('bybitUnified').subscribe(onWallet);
        return sendJson(socket, { success: true, ret_msg: '', op: 'auth', conn_id: id, req_id: reqId }, () => false);
      }
      if (request.op === 'subscribe' || request.op === 'unsubscribe') {
        if (account === null) return sendJson(socket, { success: false, ret_msg: 'Request not authorized', conn_id: id, req_id: reqId, op: request.op }, () => false);
        for (const topic of Array.isArray(request.args) ? request.args.map(String) : []) {
          if (request.op === 'subscribe') (topics.add(topic), ctx.streamStats.privateSubscriptions++);
          else topics.delete(topic);
        }
        return sendJson(socket, { success: true, ret_msg: '', conn_id: id, req_id: reqId, op: request.op }, () => false);
      }
      sendJson(socket, { success: false, ret_msg: 'error:invalid op', conn_id: id, req_id: reqId, op: request.op }, () => false);
    });
    socket.on('close', () => unsubscribe?.());
  };

  return {
    matches: (path) => PUBLIC_PATH.test(path) || PRIVATE_PATH.test(path),
    connect(socket, path) {
      if (PRIVATE_PATH.test(path)) return privateConnection(socket);
      publicConnection(socket, PUBLIC_PATH.exec(path)![1] as 'spot' | 'linear');
    },
    onMarket: publish,
  };
}
