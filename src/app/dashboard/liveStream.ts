import type { ServerResponse } from 'node:http';

/**
 * Server-sent events to the page's clients. A write never waits: a client whose unsent bytes exceed
 * `maxBufferedBytes` (it stopped reading, or reads slower than the stream) is dropped and counted,
 * so a stuck browser cannot hold memory or slow the engine.
 */
export class LiveStream {
  private readonly clients = new Set<ServerResponse>();
  dropped = 0;

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly onDrop: () => void = () => {},
  ) {}

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': perp-arb live stream\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  /** Sends one event to every client; returns how many it was sent to. */
  send(event: string, data: unknown): number {
    if (this.clients.size === 0) return 0;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    let sent = 0;
    for (const res of [...this.clients]) {
      if (res.destroyed || res.writableLength > this.maxBufferedBytes) {
        this.drop(res);
        continue;
      }
      res.write(frame);
      sent++;
    }
    return sent;
  }

  /** A comment line: keeps proxies from closing an idle stream, and finds clients gone. */
  heartbeat(): void {
    for (const res of [...this.clients]) {
      if (res.writableLength > this.maxBufferedBytes) this.drop(res);
      else res.write(': ping\n\n');
    }
  }

  closeAll(): void {
    for (const res of this.clients) res.destroy();
    this.clients.clear();
  }

  private drop(res: ServerResponse): void {
    this.clients.delete(res);
    this.dropped++;
    this.onDrop();
    res.destroy();
  }
}
