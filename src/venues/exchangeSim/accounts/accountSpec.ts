import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { assetNameSchema } from '../../../domain/config/keys.ts';
import { numberIn } from '../../../domain/config/range.ts';
import { RANGES } from '../../../domain/config/ranges.ts';
import { parseConfig } from '../../../domain/config/issue.ts';
import type { SimVenueId } from '../listings.ts';

/** The wallets of one account: Binance keeps spot and USDⓈ-M apart; Bybit's unified account holds spot and linear together. */
export type WalletId = 'binanceSpot' | 'binanceUsdm' | 'bybitUnified';
export const WALLET_IDS: readonly WalletId[] = ['binanceSpot', 'binanceUsdm', 'bybitUnified'];
export const WALLET_VENUE: Record<WalletId, SimVenueId> = { binanceSpot: 'binance', binanceUsdm: 'binance', bybitUnified: 'bybit' };

export interface ApiKeyPair {
  apiKey: string;
  secret: string;
}

export interface AccountSpec {
  name: string;
  keys: Partial<Record<SimVenueId, ApiKeyPair>>;
  balances: Record<WalletId, Record<string, number>>;
}

/** Starting balances of the default account and of file accounts that give none: 100,000 USDT in each wallet. */
export const DEFAULT_BALANCES: Readonly<Record<WalletId, Record<string, number>>> = Object.freeze({
  binanceSpot: { USDT: 100_000 },
  binanceUsdm: { USDT: 100_000 },
  bybitUnified: { USDT: 100_000 },
});

const keyPair = z.strictObject({
  apiKey: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, '8 to 128 characters of A-Z a-z 0-9 _ -'),
  secret: z.string().min(8).max(256),
});
const balances = z.record(assetNameSchema, numberIn(RANGES.balance));

const AccountsFileSchema = z.strictObject({
  accounts: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(64),
        keys: z.strictObject({ binance: keyPair.optional(), bybit: keyPair.optional() }),
        balances: z.strictObject({ binanceSpot: balances.optional(), binanceUsdm: balances.optional(), bybitUnified: balances.optional() }).optional(),
      }),
    )
    .min(1)
    .max(100),
});

/**
 * Reads an accounts file:
 * { "accounts": [ { "name": "alice", "keys": { "binance": { "apiKey": "...", "secret": "..." }, "bybit": {...} },
 *                   "balances": { "binanceSpot": { "USDT": 1000 }, "binanceUsdm": {...}, "bybitUnified": {...} } } ] }
 * Every API key must be unique across accounts and venues.
 */
export function readAccountsFile(path: string): AccountSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not a JSON accounts file (${(error as Error).message})`);
  }
  const parsed = parseConfig(AccountsFileSchema, value, path);
  const specs = parsed.accounts.map((a) => ({ name: a.name, keys: a.keys, balances: { ...DEFAULT_BALANCES, ...a.balances } }) as AccountSpec);
  checkUniqueKeys(specs, path);
  return specs;
}

export function checkUniqueKeys(specs: readonly AccountSpec[], source: string): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    for (const pair of Object.values(spec.keys)) {
      if (pair === undefined) continue;
      if (seen.has(pair.apiKey)) throw new Error(`${source}: account ${spec.name}: an API key is used twice`);
      seen.add(pair.apiKey);
    }
  }
}

/** A random key pair of the venue's own shape (64 alphanumerics for Binance; 18 / 36 for Bybit). */
function randomKey(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

/** The default test account, with fresh random keys (printed once at start, never logged). */
export function defaultAccount(): AccountSpec {
  return {
    name: 'default',
    keys: { binance: { apiKey: randomKey(64), secret: randomKey(64) }, bybit: { apiKey: randomKey(18), secret: randomKey(36) } },
    balances: { ...DEFAULT_BALANCES },
  };
}
