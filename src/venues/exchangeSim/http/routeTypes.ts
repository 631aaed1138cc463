import type { ExchangeAccount } from '../accounts/exchangeAccount.ts';
import type { SimVenueId } from '../listings.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A request as a route sees it: query and form or JSON body parameters merged (body wins), the raw texts, and the caller's account once authenticated. */
export interface SimRequest {
  method: HttpMethod;
  path: string;
  params: Record<string, string>;
  /** The parsed JSON body (Bybit POSTs), else undefined. */
  json: unknown;
  rawQuery: string;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  /** Set for private routes after the venue's authentication. */
  account: ExchangeAccount | null;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as text/html instead of the JSON body (a gateway's error page). */
  html?: string;
}

/** What a load balancer in front of a venue answers when the venue is down: no JSON, so clients go by the status. */
export function gatewayError(status: number): SimResponse {
  const text = status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Timeout' : 'Service Unavailable';
  return { status, body: null, html: `<html><head><title>${status} ${text}</title></head><body><center><h1>${status} ${text}</h1></center></body></html>` };
}

/** public: no key; apiKey: the key header only (Binance listenKey); signed: key and signature. */
export type RouteAuth = 'public' | 'apiKey' | 'signed';

export interface SimRoute {
  venue: SimVenueId;
  /** The venue's host the path lives on (served as /<host><path> and as <path>). */
  host: string;
  method: HttpMethod;
  path: string;
  /** Endpoint name for logs and fault scopes, after the ccxt method it serves (createOrder, fetchOrderBook, ...). */
  endpoint: string;
  auth: RouteAuth;
  handle(request: SimRequest): SimResponse | Promise<SimResponse>;
}

/** How one venue authenticates and words its generic errors. */
export interface VenueProtocol {
  venue: SimVenueId;
  authenticate(request: SimRequest, auth: Exclude<RouteAuth, 'public'>): { account: ExchangeAccount } | { error: SimResponse };
  rateLimited(retryAfterS: number): SimResponse;
  serverError(status: number): SimResponse;
  notFound(request: SimRequest): SimResponse;
  badRequest(message: string): SimResponse;
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): SimResponse => ({ status, body, headers });
