import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of `payload` with `secret`, as Binance and Bybit sign requests. */
export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Constant-time comparison of a given hex signature with the expected one (case-insensitive). */
export function signatureMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Removes `name=value` from a raw query or form string, keeping the rest byte for byte. */
export function stripParam(raw: string, name: string): { rest: string; value: string | undefined } {
  if (raw === '') return { rest: '', value: undefined };
  let value: string | undefined;
  const kept: string[] = [];
  for (const part of raw.split('&')) {
    if (part.startsWith(`${name}=`) && value === undefined) value = decodeURIComponent(part.slice(name.length + 1));
    else kept.push(part);
  }
  return { rest: kept.join('&'), value };
}
