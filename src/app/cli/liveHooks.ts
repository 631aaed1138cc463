import { UsageError } from '../../core/errors.ts';
import ms, { type StringValue } from 'ms';

/**
 * Test hook: PERP_ARB_TEST_LOOPBACK_URL (REST) and PERP_ARB_TEST_LOOPBACK_WS_URL (websocket) point
 * the venues at a loopback server serving recorded payloads. Honoured only for 127.0.0.1, so it can
 * never redirect a real session elsewhere.
 */
export const LOOPBACK_ENV = { rest: 'PERP_ARB_TEST_LOOPBACK_URL', ws: 'PERP_ARB_TEST_LOOPBACK_WS_URL' } as const;

export interface LoopbackHooks {
  loopbackBaseUrl?: string;
  loopbackWsBaseUrl?: string;
}

export function loopbackFromEnv(env: NodeJS.ProcessEnv): LoopbackHooks {
  const read = (name: string, scheme: 'http:' | 'ws:') => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    if (!new RegExp(`^${scheme}//127\\.0\\.0\\.1:\\d+/?$`).test(value)) throw new UsageError(`${name} is a test hook and only accepts ${scheme}//127.0.0.1:PORT (got ${value})`);
    return value;
  };
  const rest = read(LOOPBACK_ENV.rest, 'http:');
  const ws = read(LOOPBACK_ENV.ws, 'ws:');
  if (ws !== undefined && rest === undefined) throw new UsageError(`${LOOPBACK_ENV.ws} needs ${LOOPBACK_ENV.rest} as well`);
  return rest === undefined ? {} : { loopbackBaseUrl: rest, loopbackWsBaseUrl: ws };
}

/** A duration option ('30s', '5m', '2h', '1.5d', '30d'; parsed by the ms library) in ms; a usage error naming the option otherwise. */
export function durationOption(option: string, text: string): number {
  const value = /^\s*\d+(\.\d+)?\s*[a-z]+\s*$/i.test(text) ? ms(text as StringValue) : Number.NaN;
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`${option}: '${text}' is not a duration (e.g. 30s, 5m, 2h, 1d)`);
  return Math.round(value);
}
