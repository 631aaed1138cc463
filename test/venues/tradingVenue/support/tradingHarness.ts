import { SimulatedClock } from '../../../../src/engine/clock.ts';
import type { OrderRequest } from '../../../../src/domain/trading.ts';
import { CcxtAccount } from '../../../../src/venues/ccxt/ccxtAccount.ts';
import { VenueCredentials } from '../../../../src/venues/ccxt/credentials.ts';
import { CcxtTradingVenue, type CcxtTradingVenueOptions } from '../../../../src/venues/ccxt/trading/ccxtTradingVenue.ts';
import type { ExchangeSim } from '../../../../src/venues/exchangeSim/exchangeSim.ts';
import type { TradingVenueEvent } from '../../../../src/venues/tradingTypes.ts';
import { KEYS } from '../../exchangeSim/support/simHarness.ts';

export interface VenueRig {
  venue: CcxtTradingVenue;
  clock: SimulatedClock;
  events: TradingVenueEvent[];
  reports: string[];
  /** Moves the clock on by `ms` (its timers fire, in time order) and waits until the venue has no request pending. */
  step(ms: number): Promise<void>;
}

export interface RigOptions extends Partial<Omit<CcxtTradingVenueOptions, 'accounts' | 'clock'>> {
  /** Share one clock between venues (default: a new SimulatedClock at the wall time). */
  clock?: SimulatedClock;
  types?: ('spot' | 'swap')[];
  /** ccxt.pro clients (order and trade streams). */
  streamAccounts?: boolean;
  timeoutMs?: number;
}

/** A CcxtTradingVenue on the simulator's test account, driven by a SimulatedClock that starts at the wall time. */
export async function simVenue(sim: ExchangeSim, name: 'binance' | 'bybit', options: RigOptions = {}): Promise<VenueRig> {
  const { types = ['swap'], streamAccounts = false, timeoutMs = 3_000, clock = new SimulatedClock(Date.now()), ...rest } = options;
  const accounts = types.map(
    (accountType) =>
      new CcxtAccount(name, { mode: 'live', accountType, credentials: new VenueCredentials(name, 'test', KEYS[name]), loopbackBaseUrl: sim.baseUrl, loopbackWsBaseUrl: sim.wsBaseUrl, timeoutMs, rateLimitMs: 5, streams: streamAccounts }),
  );
  const events: TradingVenueEvent[] = [];
  const reports: string[] = [];
  const venue = new CcxtTradingVenue({ accounts, clock, onReport: (line) => reports.push(line), ...rest });
  venue.subscribe((e) => events.push(e));
  await venue.start();
  return {
    venue,
    clock,
    events,
    reports,
    async step(ms: number) {
      const target = clock.nowMs() + ms;
      // A timer's work may set timers due before the target (a check's next one, on its grid): fire those too.
      do {
        clock.fireDueUntil(target);
        await venue.idle();
      } while (clock.nextDueMs <= target);
    },
  };
}

let seq = 0;
/** A client order id valid on every venue, unique within the test run. */
export const newId = (): string => `tv${Date.now().toString(36)}${(++seq).toString(36)}`;

export const marketOrder = (venue: string, symbol: string, overrides: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: newId(),
  venue,
  symbol,
  side: 'buy',
  type: 'market',
  quantity: 0.01,
  limitPrice: null,
  timeInForce: 'IOC',
  reduceOnly: false,
  ts: Date.now(),
  ...overrides,
});

/** The events of one order, as `type:status` / `fill` tags, in order. */
export function eventTags(events: readonly TradingVenueEvent[], clientOrderId: string): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'order' && e.update.clientOrderId === clientOrderId) out.push(`order:${e.update.status}`);
    if (e.type === 'fill' && e.fill.clientOrderId === clientOrderId) out.push('fill');
  }
  return out;
}

/** Waits (wall time) until `ready()` or fails after `timeoutMs`. */
export async function until(ready: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
