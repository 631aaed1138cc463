import { errors } from 'ccxt';
import { VenueError, type VenueErrorKind } from '../types.ts';

/** ccxt error classes in the order to test them (subclasses before their parents). */
const KINDS: [new (...args: never[]) => Error, VenueErrorKind, boolean][] = [
  [errors.RateLimitExceeded, 'rateLimited', true],
  [errors.DDoSProtection, 'rateLimited', true],
  [errors.RequestTimeout, 'timeout', true],
  [errors.InvalidNonce, 'invalidNonce', true],
  [errors.OnMaintenance, 'unavailable', true],
  [errors.ExchangeNotAvailable, 'unavailable', true],
  [errors.NetworkError, 'network', true],
  // The venue says the request failed and may succeed if retried (e.g. Binance -1001 'Internal error').
  [errors.OperationFailed, 'network', true],
  [errors.BadSymbol, 'badSymbol', false],
  [errors.InsufficientFunds, 'insufficientFunds', false],
  [errors.AuthenticationError, 'authentication', false],
  [errors.NotSupported, 'unsupported', false],
  [errors.BadResponse, 'badResponse', false],
  [errors.NullResponse, 'badResponse', false],
];

/** Query parameters and headers that carry credentials in some venue's requests. */
const SECRET_PATTERN = /((?:api[-_]?key|apikey|secret|signature|sign|passphrase|access[-_]?key|token|x-mbx-apikey|ok-access-[a-z]+|x-bapi-[a-z-]+|acc(?:ess)?-sign)["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi;

/** Removes the given secrets and anything that looks like a credential parameter from a message. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out.replace(SECRET_PATTERN, '$1[redacted]');
}

/** The credentials an exchange holds, to scrub from messages. */
export function exchangeSecrets(exchange: { apiKey?: string; secret?: string; password?: string; uid?: string; privateKey?: string; walletAddress?: string; token?: string }): string[] {
  return [exchange.apiKey, exchange.secret, exchange.password, exchange.uid, exchange.privateKey, exchange.token].filter((s): s is string => typeof s === 'string' && s !== '');
}

const MAX_DETAIL_CHARS = 500;

/** Maps any error thrown by a ccxt call to a VenueError naming the venue and method. */
export function toVenueError(error: unknown, venue: string, method: string, secrets: readonly string[] = []): VenueError {
  if (error instanceof VenueError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const found = KINDS.find(([Class]) => err instanceof Class);
  const [kind, retryable]: [VenueErrorKind, boolean] = found ? [found[1], found[2]] : ['exchange', false];
  const className = err instanceof errors.BaseError ? err.constructor.name : err.name;
  let detail = redactSecrets(`${className}: ${err.message}`, secrets);
  if (detail.length > MAX_DETAIL_CHARS) detail = `${detail.slice(0, MAX_DETAIL_CHARS)}...`;
  // The ccxt error is not attached as `cause`: its message and request may carry credentials.
  return new VenueError(venue, method, kind, detail, retryable, err instanceof errors.BaseError ? className : null);
}

/** Whether a VenueError came from ccxt's error class `name` or one of its subclasses (InvalidOrder covers OrderNotFillable, ...). */
export function isCcxtError(error: unknown, name: keyof typeof errors): boolean {
  if (!(error instanceof VenueError) || error.ccxtClass === null) return false;
  const Class = (errors as unknown as Record<string, (new (...args: never[]) => Error) | undefined>)[error.ccxtClass];
  const Parent = errors[name] as unknown as new (...args: never[]) => Error;
  return Class !== undefined && (Class === Parent || Class.prototype instanceof Parent);
}
