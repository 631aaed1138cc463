import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../support/paths.ts';

export const FIXTURES_DIR = join(PROJECT_ROOT, 'src', 'venues', 'ccxt', 'fixtures');

/** One recorded REST exchange: the request ccxt must send and the venue's answer. */
export interface RestFixture {
  /** File name, for messages. */
  name: string;
  request: {
    method: string;
    /** The real host, e.g. fapi.binance.com. */
    host: string;
    path: string;
    /** Exact query ccxt must send (string values); keys in ignoreQuery may take any value. */
    query?: Record<string, string>;
    ignoreQuery?: string[];
    /** Exact JSON body for POST requests. */
    body?: unknown;
  };
  response: { status: number; headers?: Record<string, string>; body: unknown };
}

export function loadVenueFixtures(venueDir: string): RestFixture[] {
  const dir = join(FIXTURES_DIR, venueDir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<RestFixture, 'name'>), name: `${venueDir}/${f}` }));
}
