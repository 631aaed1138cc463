import { InputError } from '../../../core/errors.ts';
import { VenueError } from '../../types.ts';
import { errorCodes } from '../accountErrors.ts';
import { isCcxtError } from '../errors.ts';
import { TradingDisabledError } from '../tradingMode.ts';

/**
 * What a failed createOrder says about the order:
 * - rejected: the venue answered that it did not take it (balance, order rules, symbol, keys,
 *   timestamp outside the receive window), or perp-arb refused it before sending anything;
 * - retry: refused before it was processed (HTTP 429 / DDoS protection: the gateway turns the
 *   request away), so the same request, under the same client id, may go again after a pause;
 * - inFlight: no proof either way (timeout, 5xx, dropped connection, a reply that could not be read,
 *   an error the venue itself calls "execution status unknown"): settled later by the venue's word.
 * The asymmetry is deliberate: calling a taken order rejected leaves a naked or doubled leg; calling
 * a refused one in flight only delays the answer until the fetch by client id.
 */
export type SubmitFailure = { outcome: 'rejected' | 'retry' | 'inFlight'; reason: string };

/** Venue codes that say an order with this client id already exists (so the id was taken: find it). */
const DUPLICATE_CLIENT_ID: Record<string, { codes: readonly string[]; message?: RegExp }> = {
  binance: { codes: ['-4116', '-2010'], message: /ClientOrderId is duplicated|Duplicate order sent/i },
  bybit: { codes: ['110072'] },
  okx: { codes: ['51016'] },
  bitget: { codes: ['40757', '43116'] },
};

/** Venue codes whose message says the outcome is unknown, whatever class ccxt gives them. */
const STATUS_UNKNOWN_CODES: Record<string, readonly string[]> = {
  // -1000 unknown error, -1001 internal error (ccxt: ExchangeError on one host, OperationFailed on another),
  // -1006 unexpected response from the message bus, -1007 timeout waiting for the backend ("execution status unknown").
  binance: ['-1000', '-1001', '-1006', '-1007'],
  // 10016 system error, 10019 service restarting.
  bybit: ['10016', '10019'],
  // 50001 service temporarily unavailable, 50004 endpoint request timeout, 50013 system busy.
  okx: ['50001', '50004', '50013'],
};

const REFUSED_CLASSES = ['InvalidOrder', 'BadRequest', 'BadSymbol', 'InsufficientFunds', 'AuthenticationError', 'AccountSuspended', 'PermissionDenied', 'ArgumentsRequired', 'NotSupported', 'InvalidNonce'] as const;

function hasCode(error: VenueError, table: Record<string, readonly string[]>, ccxtId: string): boolean {
  const codes = table[ccxtId];
  return codes !== undefined && errorCodes(error.message).some((c) => codes.includes(c));
}

function isDuplicateClientId(error: VenueError, ccxtId: string): boolean {
  const rule = DUPLICATE_CLIENT_ID[ccxtId];
  if (rule === undefined || !errorCodes(error.message).some((c) => rule.codes.includes(c))) return false;
  return rule.message === undefined || rule.message.test(error.message);
}

export function classifySubmitFailure(error: unknown, ccxtId: string): SubmitFailure {
  const reason = error instanceof Error ? error.message : String(error);
  // Refused here: nothing was sent.
  if (error instanceof InputError || error instanceof TradingDisabledError) return { outcome: 'rejected', reason };
  if (!(error instanceof VenueError)) return { outcome: 'inFlight', reason };
  if (error.kind === 'unsupported' && error.ccxtClass === null) return { outcome: 'rejected', reason };
  if (isDuplicateClientId(error, ccxtId)) return { outcome: 'inFlight', reason: `an order with this client id exists: ${reason}` };
  if (hasCode(error, STATUS_UNKNOWN_CODES, ccxtId)) return { outcome: 'inFlight', reason };
  if (error.kind === 'rateLimited') return { outcome: 'retry', reason };
  if (error.kind === 'insufficientFunds' || error.kind === 'badSymbol' || error.kind === 'authentication' || error.kind === 'invalidNonce') return { outcome: 'rejected', reason };
  if (REFUSED_CLASSES.some((name) => isCcxtError(error, name)) && !isCcxtError(error, 'OrderNotFound')) return { outcome: 'rejected', reason };
  // The venue answered with its own error code (Binance "code", Bybit "retCode", OKX "sCode"): it
  // looked at the order and refused it, whatever ccxt calls the code (Binance USDⓈ-M -4164 min
  // notional is a plain ExchangeError), the "status unknown" codes above aside.
  if (isCcxtError(error, 'ExchangeError') && errorCodes(error.message).some((c) => c !== '0')) return { outcome: 'rejected', reason };
  return { outcome: 'inFlight', reason };
}
