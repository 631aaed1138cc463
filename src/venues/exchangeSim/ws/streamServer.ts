import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ExchangeContext } from '../exchangeContext.ts';

/** A websocket endpoint: which paths it serves and how it runs one connection. */
export interface StreamEndpoint {
  matches(path: string): boolean;
  /** `path` is the request's path as sent (with the /<venue host> prefix when ccxt's URLs were rewritten), `query` its query. */
  connect(socket: WebSocket, path: string, query: URLSearchParams): void;
  /** Called after every slice of market events (books are pushed then). */
  onMarket?(): void;
}

/**
 * The websocket side of exchange-sim on the HTTP server's upgrade event (`ws`): each path goes to
 * the first endpoint that serves it; others are refused with 404.
 */
export function attachStreams(server: Server, ctx: ExchangeContext, endpoints: readonly StreamEndpoint[]): { close(): void; clients(): number } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const endpoint = endpoints.find((e) => e.matches(path));
    if (endpoint === undefined) {
      ctx.log(`no websocket stream at ${path}`);
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => endpoint.connect(ws, path, query));
  });
  ctx.clock.onBatch(() => {
    for (const e of endpoints) e.onMarket?.();
  });
  return {
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
    clients: () => wss.clients.size,
  };
}

/** Sends JSON if the socket is open; a stream fault (drop@ws) closes the socket instead. */
export function sendJson(socket: WebSocket, message: unknown, dropNow: () => boolean): void {
  if (socket.readyState !== socket.OPEN) return;
  if (dropNow()) {
    socket.terminate();
    return;
  }
  socket.send(JSON.stringify(message));
}
