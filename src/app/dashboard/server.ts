import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import { TRADING_STATES } from '../../risk/tradingState.ts';
import { packageRoot } from '../cli/packageRoot.ts';
import type { DashboardSource } from './dashboardModel.ts';
import type { BasisSeries, DashboardSnapshot, DashboardUpdate } from './dashboardTypes.ts';
import { LiveStream } from './liveStream.ts';
import { dashboardMetrics } from './metrics.ts';
import { requestToken, tokenMatches } from './token.ts';

export interface DashboardServerOptions {
  source: DashboardSource;
  /** Default 127.0.0.1. Any other address needs allowRemote, and then every request needs the token. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  token: string;
  allowRemote?: boolean;
  /** Every request needs the token, not only the controls (always so off loopback). */
  tokenForEverything?: boolean;
  /** How often the live stream pushes what changed, wall ms (default 500). */
  pushIntervalMs?: number;
  /** A live-stream client with more unsent bytes than this is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
}

export interface DashboardServer {
  url: string;
  port: number;
  host: string;
  stream: LiveStream;
  app: FastifyInstance;
  /** Pushes what changed now (the timer does it every pushIntervalMs). */
  push(): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export const isLoopbackHost = (host: string) => LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

const PauseBody = z.strictObject({ paused: z.boolean(), reason: z.string().max(200).optional() });
const StateBody = z.strictObject({ state: z.enum(TRADING_STATES as [string, ...string[]]), venue: z.string().min(1).nullable().optional(), reason: z.string().max(200).optional() });
const CloseBody = z.strictObject({ id: z.string().min(1), reason: z.string().max(200).optional() });
const FlattenBody = z.strictObject({ reason: z.string().max(200).optional() }).optional();

interface StreamCursor {
  equityTs: number;
  eventSeq: number;
  basisTs: Map<string, number>;
}

/** The snapshot's parts that are new since the cursor (and the cursor moved on). */
export function updateSince(s: DashboardSnapshot, cursor: StreamCursor): DashboardUpdate {
  const { equity, events, basis, ...rest } = s;
  const newEquity = equity.filter((p) => p.ts > cursor.equityTs);
  const newEvents = events.filter((e) => e.seq > cursor.eventSeq);
  const newBasis: BasisSeries[] = basis.map((b) => ({ strategy: b.strategy, points: b.points.filter((p) => p.ts > (cursor.basisTs.get(b.strategy) ?? -Infinity)) }));
  if (newEquity.length > 0) cursor.equityTs = newEquity[newEquity.length - 1].ts;
  if (newEvents.length > 0) cursor.eventSeq = newEvents[newEvents.length - 1].seq;
  for (const b of newBasis) if (b.points.length > 0) cursor.basisTs.set(b.strategy, b.points[b.points.length - 1].ts);
  return { ...rest, newEquity, newEvents, newBasis };
}

function asset(path: string): string {
  return readFileSync(path, 'utf8');
}

function lightweightChartsPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.js');
}

/**
 * The dashboard's HTTP server (fastify): `/` the page and its scripts (served from this package and
 * node_modules: nothing from the internet), `/api/...` JSON of what the page shows, `/api/stream`
 * server-sent events of what changed, `/metrics` for Prometheus, and `/api/control/...` to pause
 * entries, set trading states, close a pair or flatten, which need the token.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const remote = !isLoopbackHost(host);
  if (remote && options.allowRemote !== true) throw new UsageError(`--host ${host} is not a loopback address: the dashboard would be reachable from other machines; add --allow-remote (every request then needs the token)`);
  const { source, token } = options;
  const tokenForAll = remote || options.tokenForEverything === true;
  const { registry, droppedClients } = dashboardMetrics(source);
  const stream = new LiveStream(options.maxBufferedBytes ?? 1024 * 1024, () => droppedClients.inc());
  const pageDir = join(packageRoot(), 'src', 'app', 'dashboard', 'page');
  const assets: Record<string, { type: string; path: string }> = {
    '/assets/app.js': { type: 'text/javascript; charset=utf-8', path: join(pageDir, 'app.js') },
    '/assets/style.css': { type: 'text/css; charset=utf-8', path: join(pageDir, 'style.css') },
    '/assets/lightweight-charts.js': { type: 'text/javascript; charset=utf-8', path: lightweightChartsPath() },
  };
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });


  const authorised = (request: FastifyRequest) => tokenMatches(requestToken(request.headers) ?? tokenOfQuery(request), token);
  app.addHook('onRequest', async (request, reply) => {
    // A loopback server answers only requests addressed to it (no DNS rebinding from a web page).
    if (!remote) {
      const hostHeader = (request.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      if (!isLoopbackHost(hostHeader)) return reply.code(403).send({ error: `Host ${request.headers.host ?? '(none)'} is not this loopback server` });
    }
    if (tokenForAll && !authorised(request)) {
      return reply.code(401).send({ error: 'this dashboard needs the token for every request (bound off loopback): Authorization: Bearer TOKEN, or open /?token=TOKEN once' });
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  app.get('/', async (request, reply) => {
    const q = tokenOfQuery(request);
    if (q !== null && tokenMatches(q, token)) {
      reply.header('set-cookie', `perp_arb_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      return reply.redirect('/');
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(asset(join(pageDir, 'index.html')));
  });
  for (const [path, a] of Object.entries(assets)) app.get(path, async (_r, reply) => reply.type(a.type).send(asset(a.path)));
  app.get('/favicon.ico', async (_r, reply) => reply.code(204).send());

  app.get('/api/state', async () => source.snapshot());
  app.get('/api/positions', async () => source.snapshot().positions);
  app.get('/api/funding', async () => source.snapshot().funding);
  app.get('/api/basis', async () => source.snapshot().basis);
  app.get('/api/risk', async () => source.snapshot().risk);
  app.get('/api/pnl', async () => {
    const s = source.snapshot();
    return { ...s.pnl, equityUsd: s.equityUsd, equity: s.equity };
  });
  app.get('/api/events', async () => source.snapshot().events);
  app.get('/api/orders', async () => source.snapshot().ordersInFlight);
  app.get('/api/stream', (request, reply) => {
    reply.hijack();
    stream.add(reply.raw);
    request.raw.on('error', () => {});
  });
  app.get('/metrics', async (_r, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  const control = (name: string, schema: z.ZodType, act: (body: never) => { ok: true; [k: string]: unknown } | { error: string; code: number }) =>
    app.post(`/api/control/${name}`, async (request, reply) => {
      if (!authorised(request)) return reply.code(401).send({ error: `control '${name}' needs the dashboard's token (Authorization: Bearer TOKEN; printed at start, in STATE_DIR/dashboard.token)` });
      const parsed = schema.safeParse(request.body ?? undefined);
      if (!parsed.success) return reply.code(400).send({ error: `control '${name}': ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` });
      if (source.engine === null || !source.snapshot().live) return reply.code(409).send({ error: `control '${name}': this dashboard shows a stored or finished session; no engine trades here` });
      const result = act(parsed.data as never);
      if ('error' in result) return reply.code(result.code as number).send({ error: result.error });
      push();
      return result;
    });
  const now = () => source.snapshot().nowMs ?? Date.now();
  const attempt = (fn: () => unknown) => {
    try {
      return { ok: true as const, result: fn() };
    } catch (error) {
      return { error: (error as Error).message, code: 400 };
    }
  };
  control('pause', PauseBody, (b: z.infer<typeof PauseBody>) => {
    const r = attempt(() => source.engine!.tradingState.pauseEntries(b.paused, { reason: b.reason ?? 'operator (dashboard)', source: 'operator', ts: now() }));
    return 'error' in r ? r : { ok: true, tradingState: source.engine!.tradingState.view() };
  });
  control('state', StateBody, (b: z.infer<typeof StateBody>) => {
    const r = attempt(() => source.engine!.tradingState.set(b.state as (typeof TRADING_STATES)[number], { venue: b.venue ?? null, reason: b.reason ?? 'operator (dashboard)', source: 'operator', ts: now() }));
    return 'error' in r ? r : { ok: true, tradingState: source.engine!.tradingState.view() };
  });
  control('close-pair', CloseBody, (b: z.infer<typeof CloseBody>) => {
    const refused = source.engine!.closePair(b.id, b.reason ?? 'operator close (dashboard)');
    return refused === null ? { ok: true, closing: b.id } : { error: refused, code: 409 };
  });
  control('flatten', FlattenBody, () => {
    const pairs = source.engine!.executor.activePairs().map((p) => p.id);
    const refused = source.engine!.flatten(now());
    return refused === null ? { ok: true, closing: pairs } : { error: refused, code: 409 };
  });

  const cursor: StreamCursor = { equityTs: -Infinity, eventSeq: 0, basisTs: new Map() };
  let pushedVersion = -1;
  function push(): void {
    if (stream.size === 0) {
      // Nobody listens: move the cursor on, so a new client gets only what follows /api/state.
      if (pushedVersion !== source.version()) updateSince(source.snapshot(), cursor);
      pushedVersion = source.version();
      return;
    }
    if (pushedVersion === source.version()) return;
    pushedVersion = source.version();
    stream.send('update', updateSince(source.snapshot(), cursor));
  }
  let refreshing = false;
  const timer = setInterval(() => {
    if (!refreshing) {
      refreshing = true;
      source
        .refresh()
        .catch(() => {})
        .finally(() => (refreshing = false));
    }
    push();
  }, options.pushIntervalMs ?? 500);
  timer.unref();
  const heartbeat = setInterval(() => stream.heartbeat(), 15_000);
  heartbeat.unref();

  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}/`,
    port: boundPort,
    host,
    stream,
    app,
    push,
    close: async () => {
      clearInterval(timer);
      clearInterval(heartbeat);
      stream.closeAll();
      await app.close();
    },
  };
}

function tokenOfQuery(request: FastifyRequest): string | null {
  const q = request.query as Record<string, unknown> | undefined;
  return q && typeof q.token === 'string' ? q.token : null;
}


