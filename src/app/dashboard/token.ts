import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'dashboard.token';

/** A new control token (192 random bits, base64url), written to STATE_DIR/dashboard.token with mode 0600. */
export function createDashboardToken(stateDir: string): { token: string; path: string } {
  const token = randomBytes(24).toString('base64url');
  const path = join(stateDir, TOKEN_FILE);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  // The mode of writeFileSync applies only to a new file: an old one is tightened too.
  chmodSync(path, 0o600);
  return { token, path };
}

/** Whether `given` is the token, in constant time (both sides hashed to equal lengths first). */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** The token of a request: `Authorization: Bearer T`, else the `perp_arb_token` cookie. */
export function requestToken(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const cookie = headers.cookie;
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === 'perp_arb_token') return decodeURIComponent(value.join('='));
    }
  }
  return null;
}
