import dns from 'node:dns';
import net from 'node:net';

/**
 * Side-effect module, loaded before every test file (vitest setupFiles). Any connection to a host that is not
 * loopback throws (and is recorded), so a test can never reach a real exchange, even by mistake.
 * The one exception: with PERP_ARB_SMOKE=1 (test/venues/smoke.test.ts against the real exchanges) no guard is installed.
 */
export const blockedConnections: string[] = ((globalThis as Record<symbol, unknown>)[Symbol.for('perp-arb.test-blocked-connections')] ??= []) as string[];

/** True only when PERP_ARB_SMOKE=1: the guard is off and tests may reach the internet. */
export const internetAllowed: boolean = process.env.PERP_ARB_SMOKE === '1';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;

function hostOf(args: unknown[]): string | undefined {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first);
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; path?: string };
    if (options.path !== undefined && options.host === undefined) return 'localhost'; // unix socket / pipe
    return options.host ?? 'localhost';
  }
  if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost';
  if (typeof first === 'string') return 'localhost'; // unix socket path
  return undefined;
}

// Test files share their worker process (vitest.config.ts, isolate: false): install the guard once.
const INSTALLED = Symbol.for('perp-arb.test-network-guard');
if (!internetAllowed && !(globalThis as Record<symbol, unknown>)[INSTALLED]) {
  (globalThis as Record<symbol, unknown>)[INSTALLED] = true;
  installGuard();
}

function installGuard(): void {
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (host !== undefined && !LOOPBACK.test(host)) {
      blockedConnections.push(host);
      throw new Error(`test network guard: connection to non-loopback host '${host}' refused (tests must use 127.0.0.1)`);
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  const originalLookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    if (!LOOPBACK.test(hostname)) {
      blockedConnections.push(hostname);
      const callback = rest[rest.length - 1];
      const error = Object.assign(new Error(`test network guard: DNS lookup of '${hostname}' refused`), { code: 'ENOTFOUND' });
      if (typeof callback === 'function') process.nextTick(() => (callback as (e: Error) => void)(error));
      return {};
    }
    return (originalLookup as (...a: unknown[]) => unknown).call(dns, hostname, ...rest);
  };
}
