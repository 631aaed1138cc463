import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI } from '../../support/cli.ts';
import { loadVenueFixtures } from './fixtureFiles.ts';
import { startLoopbackServer, type LoopbackServer } from './loopbackServer.ts';
import { startWsServer, type WsConnection, type WsTestServer } from './wsServer.ts';

export const OKX_ARG = { channel: 'books5', instId: 'BTC-USDT-SWAP' };
/** Venue time of message n: 2024-06-03T00:00Z + n * 100 ms. */
export const BASE_TS = 1_717_372_800_000;

/** What message n of a scenario carries: best bid/ask in price and contracts (0.01 BTC each). */
export function okxLevels(n: number): { bid: number; bidContracts: number; ask: number; askContracts: number } {
  return { bid: 67_000 + n, bidContracts: 100 + n, ask: 67_000.5 + n, askContracts: 200 + n };
}

/** How message n is sent: a bad best-bid price, or without the venue's `ts` (OKX always sends one; a venue without times is what it stands for). */
export interface MessageOptions {
  badBid?: string;
  /** Default true. */
  venueTime?: boolean;
  /** The venue time as sent, instead of BASE_TS + n * 100 ms. */
  ts?: string;
}

/** An OKX v5 books5 push for message n (two levels a side). */
export function okxBooks5(n: number, options: MessageOptions = {}): string {
  const l = okxLevels(n);
  return JSON.stringify({
    arg: OKX_ARG,
    data: [
      {
        asks: [[String(l.ask), String(l.askContracts), '0', '3'], [String(l.ask + 1), '7', '0', '1']],
        bids: [[options.badBid ?? String(l.bid), String(l.bidContracts), '0', '4'], [String(l.bid - 1), '5', '0', '2']],
        instId: 'BTC-USDT-SWAP',
        ...(options.venueTime === false ? {} : { ts: options.ts ?? String(BASE_TS + n * 100) }),
        seqId: 1000 + n,
      },
    ],
  });
}

export interface SentMessage {
  n: number;
  /** Local time the server wrote it. */
  sentAt: number;
  bad: boolean;
  venueTime: boolean;
}

/** What the server does once a client subscribes to books5 on a connection (index 0 first). */
export type Scenario = (connection: WsConnection, connectionIndex: number, send: (n: number, options?: MessageOptions) => void) => void;

export interface OkxRecordingServer {
  rest: LoopbackServer;
  ws: WsTestServer;
  sent: SentMessage[];
  env: Record<string, string>;
  close(): Promise<void>;
}

/** okx REST fixtures (markets) and a websocket server running `scenario` on each subscription, both on 127.0.0.1. */
export async function startOkxRecordingServer(scenario: Scenario): Promise<OkxRecordingServer> {
  const rest = await startLoopbackServer(loadVenueFixtures('okx'));
  const sent: SentMessage[] = [];
  let subscribed = 0;
  const ws = await startWsServer((connection, text) => {
    if (text === 'ping') return connection.send('pong');
    const message = JSON.parse(text) as { op: string; args: unknown[] };
    if (message.op !== 'subscribe') return;
    connection.send(JSON.stringify({ event: 'subscribe', arg: message.args[0], connId: 'c0ffee01' }));
    const send = (n: number, options: MessageOptions = {}) => {
      sent.push({ n, sentAt: Date.now(), bad: options.badBid !== undefined, venueTime: options.venueTime !== false });
      connection.send(okxBooks5(n, options));
    };
    scenario(connection, subscribed++, send);
  });
  return {
    rest,
    ws,
    sent,
    env: { PERP_ARB_TEST_LOOPBACK_URL: rest.baseUrl, PERP_ARB_TEST_LOOPBACK_WS_URL: ws.baseUrl },
    close: async () => {
      await ws.close();
      await rest.close();
    },
  };
}

/** Sends messages from..to-1, one every `everyMs`, while the connection is up; returns a stop function. */
export function sendSeries(send: (n: number) => void, from: number, to: number, everyMs: number, then?: () => void): () => void {
  let n = from;
  const timer = setInterval(() => {
    if (n >= to) {
      clearInterval(timer);
      then?.();
      return;
    }
    send(n++);
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Sends messages one at a time, each only once the previous one's quote is committed to the
 * journal (`expectedBefore` quotes are there before the first). ccxt hands each waiting watch call
 * the latest state of its book, so messages that reach the recorder in one read are merged into
 * one update; pacing makes every message its own update, so the test can expect each one stored.
 */
export async function sendPaced(send: (n: number) => void, ns: number[], store: string, expectedBefore: number): Promise<number> {
  let expected = expectedBefore;
  for (const n of ns) {
    send(n);
    expected++;
    await waitUntil(() => journalQuoteCount(store) >= expected, `quote ${n} in the journal`);
  }
  return expected;
}

export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

export interface RecorderProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the real `perp-arb` bin (tsx) with the loopback test hook in its environment. */
export function spawnCli(args: string[], env: Record<string, string>): RecorderProcess {
  const child = spawn('node', [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Journal files (SQLite) in the store's recording folder. */
export function journalFiles(store: string): string[] {
  const dir = join(store, 'recording');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.journal')).map((f) => join(dir, f));
}

/** Committed quote records in the store's journals (what a kill would keep). */
export function journalQuoteCount(store: string): number {
  let total = 0;
  for (const path of journalFiles(store)) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      total += (db.prepare("SELECT COUNT(*) AS n FROM records WHERE kind = 'quote'").get() as { n: number }).n;
    } catch {
      // The recorder is still creating its tables.
    } finally {
      db.close();
    }
  }
  return total;
}

/** Venue times of the committed quote records in the store's journals, for failure messages. */
export function journalQuoteTimes(store: string): number[] {
  const out: number[] = [];
  for (const path of journalFiles(store)) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      out.push(...(db.prepare("SELECT ts FROM records WHERE kind = 'quote' ORDER BY id").all() as { ts: number }[]).map((r) => r.ts));
    } catch {
      // no tables yet
    } finally {
      db.close();
    }
  }
  return out;
}

/** Polls until `check` is true; fails with `what` (and the recorder's stderr) after `timeoutMs`. */
export async function waitUntil(check: () => boolean, what: string, recorder?: RecorderProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${recorder ? `; recorder stderr:\n${recorder.stderr()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
