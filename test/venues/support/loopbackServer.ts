import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { RestFixture } from './fixtureFiles.ts';

export interface LoggedRequest {
  method: string;
  host: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Fixture that answered, or null when none matched. */
  fixture: string | null;
}

/** A test's own answer for some requests (rate limit, hang, ...): return true when handled. */
export type RequestOverride = (request: LoggedRequest, res: ServerResponse) => boolean;

export interface LoopbackServer {
  /** http://127.0.0.1:PORT: ccxt's urls are rewritten to `${baseUrl}/<real host>/<path>`. */
  baseUrl: string;
  port: number;
  requests: LoggedRequest[];
  /** Requests no fixture matched: every test expects this to stay empty. */
  unmatched: LoggedRequest[];
  override(handler: RequestOverride): void;
  clearOverrides(): void;
  close(): Promise<void>;
}

function describeRequest(r: Pick<LoggedRequest, 'method' | 'host' | 'path' | 'query' | 'body'>): string {
  const query = new URLSearchParams(r.query).toString();
  return `${r.method} ${r.host}${r.path}${query ? `?${query}` : ''}${r.body === undefined ? '' : ` body=${JSON.stringify(r.body)}`}`;
}
export { describeRequest };

function matches(fixture: RestFixture, request: LoggedRequest): boolean {
  const want = fixture.request;
  if (want.method !== request.method || want.host !== request.host || want.path !== request.path) return false;
  const ignored = new Set(want.ignoreQuery ?? []);
  const wantQuery = want.query ?? {};
  const keys = new Set([...Object.keys(wantQuery), ...Object.keys(request.query)].filter((k) => !ignored.has(k)));
  for (const key of keys) if (wantQuery[key] !== request.query[key]) return false;
  if (want.body !== undefined && !isDeepStrictEqual(want.body, request.body)) return false;
  return true;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Serves recorded exchange payloads on 127.0.0.1. The first path segment is the real host
 * (http://127.0.0.1:PORT/fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT); method, host, path, query
 * and JSON body must match a fixture exactly, else the request is logged as unmatched and answered 500.
 */
export async function startLoopbackServer(fixtures: RestFixture[]): Promise<LoopbackServer> {
  const requests: LoggedRequest[] = [];
  const unmatched: LoggedRequest[] = [];
  let overrides: RequestOverride[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const [, host = '', ...rest] = url.pathname.split('/');
      const request: LoggedRequest = {
        method: req.method ?? 'GET',
        host,
        path: `/${rest.join('/')}`,
        query: Object.fromEntries(url.searchParams),
        body: await readBody(req),
        fixture: null,
      };
      requests.push(request);
      for (const handler of overrides) if (handler(request, res)) return;
      const fixture = fixtures.find((f) => matches(f, request));
      if (!fixture) {
        unmatched.push(request);
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`no fixture for ${describeRequest(request)}`);
        return;
      }
      request.fixture = fixture.name;
      const body = typeof fixture.response.body === 'string' ? fixture.response.body : JSON.stringify(fixture.response.body);
      res.writeHead(fixture.response.status, { 'content-type': 'application/json', ...fixture.response.headers });
      res.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    requests,
    unmatched,
    override: (handler) => {
      overrides.push(handler);
    },
    clearOverrides: () => {
      overrides = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
