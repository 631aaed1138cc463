import { UsageError } from '../../core/errors.ts';
import type { LiveVenueAccess } from '../../engine/runtime/liveVenues.ts';
import type { RunConfig } from '../../engine/runtime/runConfig.ts';
import { resolveCredentials } from '../../venues/ccxt/credentials.ts';
import { cliIo } from './cliIo.ts';

/** A base URL on this machine (127.0.0.0/8, localhost, [::1]): a local exchange-sim, where no real money is. */
export function isLoopbackUrl(url: string): boolean {
  return /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(url);
}

/** --exchange-url: an http(s) base URL, checked. */
export function exchangeUrlOption(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) throw new UsageError(`--exchange-url must be a base URL like http://127.0.0.1:8765 (got ${url})`);
  return url.replace(/\/$/, '');
}

/**
 * The safety rules of real orders: testnet trades on the venues' sandboxes; live needs the
 * config's live.enabled AND --confirm-live, except against a loopback --exchange-url (a local
 * exchange-sim), where live.enabled alone does. Refused before any venue is contacted.
 */
export function checkLiveEnabled(mode: 'paper' | 'testnet' | 'live', config: RunConfig, options: { confirmLive: boolean; exchangeUrl?: string; configFile: string }): void {
  if (mode !== 'live') {
    if (options.confirmLive) throw new UsageError('--confirm-live is for --mode live');
    return;
  }
  const loopback = options.exchangeUrl !== undefined && isLoopbackUrl(options.exchangeUrl);
  if (!config.live.enabled) {
    throw new UsageError(`--mode live sends real orders: set "live": { "enabled": true } in ${options.configFile}${loopback ? '' : ' and pass --confirm-live'}; nothing was sent`);
  }
  if (!loopback && !options.confirmLive) throw new UsageError('--mode live sends real orders: pass --confirm-live as well (live.enabled is set); nothing was sent');
}

/** Credentials from PERP_ARB_<VENUE>_API_KEY / _SECRET / _PASSWORD, or a key file (chmod 600; looser is refused). */
export function liveAccess(mode: 'testnet' | 'live', options: { exchangeUrl?: string; keyFile?: string }): LiveVenueAccess {
  return {
    mode,
    exchangeUrl: options.exchangeUrl,
    credentials: (venue, required) => {
      try {
        return resolveCredentials(venue, required, { keyFile: options.keyFile, env: cliIo().env });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    },
  };
}

/**
 * ccxt.pro's Binance listen-key refresh timer (20 min) outlives the client's close(): once a live
 * command is done and its output written, the process leaves instead of waiting for it. Only when
 * the CLI owns the process (not under a test's withCliIo).
 */
export function leaveWhenDone(): void {
  if (cliIo().stdout !== process.stdout) return;
  setTimeout(() => process.exit(), 300).unref();
}
