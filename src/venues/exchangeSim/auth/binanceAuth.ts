import type { ExchangeAccount, AccountRegistry } from '../accounts/exchangeAccount.ts';
import { hmacSha256Hex, signatureMatches, stripParam } from './hmac.ts';

export interface BinanceAuthError {
  status: number;
  code: number;
  msg: string;
}

export type BinanceAuth = { ok: true; account: ExchangeAccount } | { ok: false; error: BinanceAuthError };

const DEFAULT_RECV_WINDOW_MS = 5000;
const MAX_RECV_WINDOW_MS = 60_000;
/** Binance refuses a timestamp more than 1 s ahead of its clock. */
const MAX_AHEAD_MS = 1000;

const fail = (status: number, code: number, msg: string): BinanceAuth => ({ ok: false, error: { status, code, msg } });

/** The API key of a request (header X-MBX-APIKEY), checked against the accounts. */
export function binanceApiKeyAccount(apiKey: string | undefined, accounts: AccountRegistry): BinanceAuth {
  if (apiKey === undefined || apiKey === '') return fail(401, -2014, 'API-key format invalid.');
  const account = accounts.byApiKey('binance', apiKey);
  if (account === undefined) return fail(401, -2015, 'Invalid API-key, IP, or permissions for action.');
  return { ok: true, account };
}

/**
 * A SIGNED request as Binance checks it: the API key, then `timestamp` within `recvWindow` (default
 * 5000 ms, at most 60000) of the server's wall clock, then `signature` = hex HMAC-SHA256 of the query
 * string followed by the body, the signature parameter itself left out.
 */
export function verifyBinanceSigned(rawQuery: string, rawBody: string, apiKey: string | undefined, accounts: AccountRegistry, wallNowMs: number): BinanceAuth {
  const keyed = binanceApiKeyAccount(apiKey, accounts);
  if (!keyed.ok) return keyed;
  const query = stripParam(rawQuery, 'signature');
  const body = stripParam(rawBody, 'signature');
  const signature = query.value ?? body.value;
  const params = new URLSearchParams(`${query.rest}&${body.rest}`);
  if (signature === undefined || signature === '') return fail(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  const timestampText = params.get('timestamp');
  if (timestampText === null || timestampText === '') return fail(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  const timestamp = Number(timestampText);
  const recvWindowText = params.get('recvWindow');
  const recvWindow = recvWindowText === null ? DEFAULT_RECV_WINDOW_MS : Number(recvWindowText);
  if (!Number.isFinite(timestamp)) return fail(400, -1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.");
  if (!(recvWindow > 0) || recvWindow > MAX_RECV_WINDOW_MS) return fail(400, -1131, 'recvWindow must be less than 60000');
  if (timestamp > wallNowMs + MAX_AHEAD_MS || wallNowMs - timestamp > recvWindow) return fail(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  const payload = `${query.rest}${body.rest}`;
  const secret = keyed.account.secretFor('binance')!;
  if (!signatureMatches(signature, hmacSha256Hex(secret, payload))) return fail(400, -1022, 'Signature for this request is not valid.');
  return keyed;
}
