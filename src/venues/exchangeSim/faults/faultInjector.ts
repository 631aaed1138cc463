import { Rng } from '../../../data/synthetic/rng.ts';
import type { SimVenueId } from '../listings.ts';
import type { FaultKind, FaultRule } from './faultSpec.ts';

/** What the server is about to answer. */
export interface RequestContext {
  venue: SimVenueId;
  /** The endpoint's name (createOrder, fetchOrderBook, ...). */
  endpoint: string;
  /** The request path without the host prefix, e.g. /fapi/v1/order. */
  path: string;
  isPrivate: boolean;
}

export interface Fault {
  kind: FaultKind;
  arg: number;
  rule: string;
}

function matches(scope: string, ctx: RequestContext): boolean {
  if (scope.startsWith('/')) return ctx.path === scope;
  if (scope === 'public') return !ctx.isPrivate;
  if (scope === 'private') return ctx.isPrivate;
  if (scope === 'binance' || scope === 'bybit') return ctx.venue === scope;
  return ctx.endpoint === scope;
}

/**
 * Decides, per request, whether a fault is injected: the first rule whose scopes all match and
 * whose draw falls under its rate. Each rule has its own generator seeded from the exchange seed,
 * so the same seed and the same sequence of requests give the same faults. After a 429 the venue
 * answers 429 to every request until Retry-After has passed, as the venues ban a client that
 * keeps sending.
 */
export class FaultInjector {
  readonly counts: Record<FaultKind, number> = { '429': 0, '5xx': 0, timeout: 0, drop: 0, lostReply: 0 };
  private readonly rngs: Rng[];
  private readonly blockedUntilMs = new Map<SimVenueId, number>();

  constructor(
    readonly rules: readonly FaultRule[],
    seed: number,
    private readonly wallNowMs: () => number = Date.now,
  ) {
    this.rngs = rules.map((_, i) => new Rng(seed * 7919 + i + 1));
  }

  decide(ctx: RequestContext): Fault | null {
    const now = this.wallNowMs();
    const blocked = this.blockedUntilMs.get(ctx.venue);
    if (blocked !== undefined && now < blocked) {
      this.counts['429']++;
      return { kind: '429', arg: Math.max(1, Math.ceil((blocked - now) / 1000)), rule: 'rate-limit window' };
    }
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (rule.scopes.includes('ws') || !rule.scopes.every((s) => matches(s, ctx))) continue;
      if (!(this.rngs[i].uniform() < rule.rate)) continue;
      this.counts[rule.kind]++;
      if (rule.kind === '429' && rule.arg > 0) this.blockedUntilMs.set(ctx.venue, now + rule.arg * 1000);
      return { kind: rule.kind, arg: rule.arg, rule: rule.text };
    }
    return null;
  }

  /** Websocket streams: whether to drop the connection instead of sending the next message (rules scoped to `ws`; only `drop` applies). */
  dropStream(venue: SimVenueId, isPrivate: boolean): boolean {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (rule.kind !== 'drop' || !rule.scopes.includes('ws')) continue;
      const ok = rule.scopes.every((s) => s === 'ws' || s === venue || (s === 'private' && isPrivate) || (s === 'public' && !isPrivate));
      if (!ok || !(this.rngs[i].uniform() < rule.rate)) continue;
      this.counts.drop++;
      return true;
    }
    return false;
  }
}
