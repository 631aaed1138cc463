import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One websocket connection on the loopback test server. */
export interface WsConnection {
  /** The request path, e.g. /ws.okx.com:8443/ws/v5/public. */
  path: string;
  send(text: string): void;
  /** Drops the TCP connection without a close frame (a network failure, as the venue tests need). */
  drop(): void;
}

export interface WsTestServer {
  baseUrl: string;
  connections: WsConnection[];
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 255]) : null;
  if (!header) throw new Error('test websocket frames are small');
  return Buffer.concat([header, payload]);
}

/**
 * A minimal RFC 6455 websocket server on 127.0.0.1 (text frames, ping/pong, close; no extensions),
 * enough to serve recorded venue messages to ccxt.pro. `onMessage` gets each text message a client sends.
 */
export async function startWsServer(onMessage: (connection: WsConnection, text: string) => void): Promise<WsTestServer> {
  const connections: WsConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(426);
    res.end();
  });
  server.on('upgrade', (req, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const connection: WsConnection = {
      path: req.url ?? '/',
      send: (text) => {
        if (!socket.destroyed) socket.write(frame(0x1, Buffer.from(text)));
      },
      drop: () => socket.destroy(),
    };
    connections.push(connection);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.length < 2) return;
        const opcode = buffered[0] & 0x0f;
        let length = buffered[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        const masked = (buffered[1] & 0x80) !== 0;
        const end = offset + (masked ? 4 : 0) + length;
        if (buffered.length < end) return;
        const mask = masked ? buffered.subarray(offset, offset + 4) : null;
        const payload = Buffer.from(buffered.subarray(end - length, end));
        if (mask) for (let k = 0; k < payload.length; k++) payload[k] ^= mask[k % 4];
        buffered = buffered.subarray(end);
        if (opcode === 0x1) onMessage(connection, payload.toString('utf8'));
        else if (opcode === 0x9) socket.write(frame(0xa, payload));
        else if (opcode === 0x8) {
          socket.end(frame(0x8, payload.subarray(0, 2)));
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `ws://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
