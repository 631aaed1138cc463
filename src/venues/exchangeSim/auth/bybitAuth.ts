import type { AccountRegistry, ExchangeAccount } from '../accounts/exchangeAccount.ts';
import { hmacSha256Hex, signatureMatches } from './hmac.ts';

export type BybitAuth = { ok: true; account: ExchangeAccount } | { ok: false; retCode: number; retMsg: string };

const DEFAULT_RECV_WINDOW_MS = 5000;
const MAX_AHEAD_MS = 1000;

const fail = (retCode: number, retMsg: string): BybitAuth => ({ ok: false, retCode, retMsg });

/**
 * A private v5 request as Bybit checks it: headers X-BAPI-API-KEY, X-BAPI-TIMESTAMP,
 * X-BAPI-RECV-WINDOW (default 5000 ms) and X-BAPI-SIGN = hex HMAC-SHA256 of
 * timestamp + apiKey + recvWindow + (the raw query string for GET, the raw JSON body for POST).
 */
export function verifyBybitSigned(method: string, rawQuery: string, rawBody: string, headers: Record<string, string | string[] | undefined>, accounts: AccountRegistry, wallNowMs: number): BybitAuth {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const apiKey = header('x-bapi-api-key');
  if (apiKey === undefined || apiKey === '') return fail(10003, 'API key is invalid.');
  const account = accounts.byApiKey('bybit', apiKey);
  if (account === undefined) return fail(10003, 'API key is invalid.');
  const timestampText = header('x-bapi-timestamp') ?? '';
  const recvWindowText = header('x-bapi-recv-window');
  const signature = header('x-bapi-sign');
  const timestamp = Number(timestampText);
  const recvWindow = recvWindowText === undefined ? DEFAULT_RECV_WINDOW_MS : Number(recvWindowText);
  if (timestampText === '' || !Number.isFinite(timestamp)) return fail(10001, 'invalid request, please check your timestamp and recv_window param');
  if (!(timestamp < wallNowMs + MAX_AHEAD_MS && wallNowMs - recvWindow <= timestamp)) {
    return fail(10002, `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestampText}],server_timestamp[${wallNowMs}],recv_window[${recvWindowText ?? DEFAULT_RECV_WINDOW_MS}]`);
  }
  if (signature === undefined || signature === '') return fail(10004, 'Error sign, please check your signature generation algorithm.');
  const payload = `${timestampText}${apiKey}${recvWindowText ?? ''}${method === 'GET' ? rawQuery : rawBody}`;
  if (!signatureMatches(signature, hmacSha256Hex(account.secretFor('bybit')!, payload))) return fail(10004, 'Error sign, please check your signature generation algorithm.');
  return { ok: true, account };
}

/** Bybit's websocket auth: args [apiKey, expires, signature], signature = hex HMAC-SHA256 of "GET/realtime" + expires. */
export function verifyBybitWsAuth(args: unknown, accounts: AccountRegistry, wallNowMs: number): BybitAuth {
  if (!Array.isArray(args) || args.length !== 3) return fail(10001, 'params error');
  const [apiKey, expires, signature] = args as [unknown, unknown, unknown];
  const account = typeof apiKey === 'string' ? accounts.byApiKey('bybit', apiKey) : undefined;
  if (account === undefined) return fail(10003, 'Invalid apikey');
  const expiresMs = Number(expires);
  if (!(expiresMs > wallNowMs)) return fail(10002, 'Params Error: expires is expired');
  if (typeof signature !== 'string' || !signatureMatches(signature, hmacSha256Hex(account.secretFor('bybit')!, `GET/realtime${String(expires)}`))) return fail(10004, 'Invalid sign');
  return { ok: true, account };
}
