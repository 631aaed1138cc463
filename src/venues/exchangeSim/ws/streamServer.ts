import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ExchangeContext } from '../exchangeContext.ts';
import type { FaultInjector } from '../faults/faultInjector.ts';
import { stripHost } from '../http/httpServer.ts';

/** A websocket endpoint: which paths it serves and how it runs one connection. */
export interface StreamEndpoint {
  matches(path: string): boolean;
  connect(socket: WebSocket, path: string): void;
}

/**
 * The websocket side of exchange-sim on the HTTP server's upgrade event (`ws`): each path goes to
 * the first endpoint that serves it; others are refused with 404.
 */
export function attachStreams(server: Server, ctx: ExchangeContext, faults: FaultInjector, endpoints: StreamEndpoint[] = []): { close(): void } {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const path = stripHost((req.url ?? '/').split('?')[0]);
    const endpoint = endpoints.find((e) => e.matches(path));
    if (endpoint === undefined) {
      ctx.log(`no websocket stream at ${path}`);
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => endpoint.connect(ws, path));
  });
  void faults;
  return {
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
