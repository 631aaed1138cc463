import { VenueError, type VenueErrorKind } from '../types.ts';
import { toVenueError } from './errors.ts';

/**
 * Venue error codes that say the account lacks margin or balance for an order, by ccxt id. ccxt maps
 * them too, but Binance's mapping depends on the request's host (spot, USDT-M, COIN-M and portfolio
 * margin have separate tables, and portfolio margin calls -2019 OperationFailed, a retryable error),
 * so the code itself decides here.
 */
const INSUFFICIENT_FUNDS_CODES: Record<string, readonly string[]> = {
  // -2018 Balance is insufficient, -2019 Margin is insufficient.
  binance: ['-2018', '-2019'],
  // 110004 wallet balance, 110007 available balance, 110012 available balance (reduce), 110044 available margin.
  bybit: ['110004', '110007', '110012', '110044'],
  // 51008 insufficient balance or margin, 51127 available balance is 0.
  okx: ['51008', '51127'],
  // Labels: INSUFFICIENT_AVAILABLE (futures order margin), BALANCE_NOT_ENOUGH (spot), MARGIN_BALANCE_NOT_ENOUGH,
  // FUTURES_BALANCE_NOT_ENOUGH (transfers). (ccxt also classes TRADE_RESTRICTED as InsufficientFunds: kept as ccxt maps it.)
  gate: ['INSUFFICIENT_AVAILABLE', 'BALANCE_NOT_ENOUGH', 'MARGIN_BALANCE_NOT_ENOUGH', 'FUTURES_BALANCE_NOT_ENOUGH'],
  // 40711 insufficient contract account balance, 40712 insufficient margin, 40762 order amount exceeds the balance, 43012 insufficient balance.
  bitget: ['40711', '40712', '40762', '43012'],
  // 10009 not_enough_funds (JSON-RPC error code).
  deribit: ['10009'],
};

/**
 * The codes a venue's error body carries: Binance, Bitget and Deribit (error.code) "code", Bybit
 * "retCode", OKX "sCode" (per order) and "code", Gate "label".
 */
export function errorCodes(message: string): string[] {
  const codes: string[] = [];
  for (const match of message.matchAll(/"(?:code|retCode|sCode)"\s*:\s*"?(-?\d+)"?/g)) codes.push(match[1]);
  for (const match of message.matchAll(/"label"\s*:\s*"([A-Z_]+)"/g)) codes.push(match[1]);
  return codes;
}

/** toVenueError, with the venue's insufficient-funds codes mapped to kind insufficientFunds whatever class ccxt chose. */
export function toAccountVenueError(error: unknown, ccxtId: string, venue: string, method: string, secrets: readonly string[]): VenueError {
  const mapped = toVenueError(error, venue, method, secrets);
  const codes = INSUFFICIENT_FUNDS_CODES[ccxtId];
  if (!codes || mapped.kind === 'insufficientFunds' || !(error instanceof Error)) return mapped;
  if (!errorCodes(error.message).some((c) => codes.includes(c))) return mapped;
  const kind: VenueErrorKind = 'insufficientFunds';
  const detail = mapped.message.slice(`${venue} ${method}: ${mapped.kind}: `.length);
  return new VenueError(venue, method, kind, detail, false, mapped.ccxtClass);
}
