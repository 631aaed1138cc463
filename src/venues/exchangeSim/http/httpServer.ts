import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { FaultInjector } from '../faults/faultInjector.ts';
import type { SimVenueId } from '../listings.ts';
import type { HttpMethod, SimRequest, SimResponse, SimRoute, VenueProtocol } from './routeTypes.ts';

export interface HttpServerOptions {
  routes: readonly SimRoute[];
  protocols: Record<SimVenueId, VenueProtocol>;
  faults: FaultInjector;
  /** One line per notable event (faults, unknown routes, handler failures); never carries secrets. */
  log: (line: string) => void;
  /** Longest a `timeout` fault holds a request before closing its socket, ms. */
  maxHoldMs?: number;
}

/** Counters of what the server answered. */
export interface HttpStats {
  requests: number;
  byEndpoint: Record<string, number>;
  unknownRoutes: number;
}

const VENUE_OF_PREFIX: readonly [string, SimVenueId][] = [
  ['/api/', 'binance'],
  ['/fapi/', 'binance'],
  ['/sapi/', 'binance'],
  ['/v5/', 'bybit'],
];

function splitUrl(url: string): { path: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, rawQuery: '' } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

/** The path without a leading /<venue host> (ccxt's URLs rewritten by rewriteApiUrls carry it). */
export function stripHost(path: string): string {
  const m = /^\/[a-z0-9.-]+\.(?:com|vision)(?::\d+)?(\/.*)$/i.exec(path);
  return m ? m[1] : path;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function toSimRequest(req: FastifyRequest, path: string, rawQuery: string): SimRequest {
  const rawBody = typeof req.body === 'string' ? req.body : '';
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) params[k] = v;
  let json: unknown;
  const type = headerValue(req.headers['content-type']) ?? '';
  if (rawBody !== '') {
    if (type.includes('json')) {
      try {
        json = JSON.parse(rawBody);
      } catch {
        json = undefined;
      }
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
        for (const [k, v] of Object.entries(json)) if (v !== null && v !== undefined) params[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
    } else for (const [k, v] of new URLSearchParams(rawBody)) params[k] = v;
  }
  return { method: req.method as HttpMethod, path, params, json, rawQuery, rawBody, headers: req.headers, account: null };
}

/**
 * The REST side of exchange-sim on fastify: every route under /<venue host><path> and <path>, the
 * venue's authentication for private routes, the injected faults, and the venue's own answers for
 * unknown paths. Bodies are kept as raw text (signatures are over the exact bytes).
 */
export function createHttpServer(options: HttpServerOptions): { app: FastifyInstance; stats: HttpStats; held: Set<Socket> } {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1 << 20 });
  const stats: HttpStats = { requests: 0, byEndpoint: {}, unknownRoutes: 0 };
  const held = new Set<Socket>();
  const maxHoldMs = options.maxHoldMs ?? 120_000;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const hold = (reply: FastifyReply) => {
    reply.hijack();
    const socket = reply.raw.socket;
    if (socket === null) return;
    held.add(socket);
    const timer = setTimeout(() => socket.destroy(), maxHoldMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      held.delete(socket);
    });
  };
  const drop = (reply: FastifyReply) => {
    reply.hijack();
    reply.raw.socket?.destroy();
  };
  const send = (reply: FastifyReply, res: SimResponse) => {
    reply.code(res.status).headers({ 'content-type': res.html === undefined ? 'application/json' : 'text/html', ...res.headers });
    return reply.send(res.html ?? JSON.stringify(res.body));
  };

  const serve = async (route: SimRoute, req: FastifyRequest, reply: FastifyReply) => {
    stats.requests++;
    stats.byEndpoint[route.endpoint] = (stats.byEndpoint[route.endpoint] ?? 0) + 1;
    const { rawQuery } = splitUrl(req.url);
    const protocol = options.protocols[route.venue];
    const fault = options.faults.decide({ venue: route.venue, endpoint: route.endpoint, path: route.path, isPrivate: route.auth !== 'public' });
    if (fault !== null) {
      options.log(`fault ${fault.kind} (${fault.rule}) on ${route.venue} ${route.method} ${route.path}`);
      if (fault.kind === '429') return send(reply, protocol.rateLimited(fault.arg));
      if (fault.kind === '5xx') return send(reply, protocol.serverError(fault.arg));
      if (fault.kind === 'timeout') return hold(reply);
      if (fault.kind === 'drop') return drop(reply);
    }
    const request = toSimRequest(req, route.path, rawQuery);
    let response: SimResponse;
    if (route.auth !== 'public') {
      const auth = protocol.authenticate(request, route.auth);
      if ('error' in auth) return send(reply, auth.error);
      request.account = auth.account;
    }
    try {
      response = await route.handle(request);
    } catch (error) {
      options.log(`${route.venue} ${route.endpoint}: ${(error as Error).message}`);
      response = protocol.badRequest((error as Error).message);
    }
    if (fault?.kind === 'lostReply') return drop(reply);
    return send(reply, response);
  };

  for (const route of options.routes) {
    const handler = (req: FastifyRequest, reply: FastifyReply) => serve(route, req, reply);
    app.route({ method: route.method, url: route.path, handler });
    app.route({ method: route.method, url: `/${route.host}${route.path}`, handler });
  }

  app.setNotFoundHandler((req, reply) => {
    stats.unknownRoutes++;
    const { path, rawQuery } = splitUrl(req.url);
    const bare = stripHost(path);
    const venue = VENUE_OF_PREFIX.find(([prefix]) => bare.startsWith(prefix))?.[1];
    options.log(`no route ${req.method} ${bare}`);
    if (venue === undefined) return send(reply, { status: 404, body: { error: `exchange-sim serves no ${req.method} ${bare}` } });
    return send(reply, options.protocols[venue].notFound(toSimRequest(req, bare, rawQuery)));
  });

  return { app, stats, held };
}
