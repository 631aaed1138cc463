import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { DAY_MS, HOUR_MS, SECOND_MS } from '../core/time.ts';
import { parseConfig } from '../domain/config/issue.ts';
import { numberIn } from '../domain/config/range.ts';
import { RANGES } from '../domain/config/ranges.ts';
import { instrumentIdSchema } from './instrumentIdSchema.ts';
import { NO_INTENTS, type InstrumentRef, type InstrumentSnapshot, type Intent, type MarketUpdate, type MarketView, type Strategy, type StrategyContext } from './types.ts';

/**
 * Cross-venue perp spread: perps of one asset on two or more venues trade at different PRICES
 * (not only different funding). Buy the cheap perp, sell the dear one, the same base quantity on
 * each (the pair executor sizes both legs alike), and close when the prices have converged. The
 * opportunity the scanner ranks as `crossVenueSpread` (src/strategy/scanner/crossVenueSpread.ts).
 *
 * For a candidate (long L, short S), at executable prices (buy L at its ask, sell S at its bid; the
 * last price where no quote is known):
 *   spread   = (sell(S) - buy(L)) / buy(L)
 *   cost     = roundTripCostRate, or when null 2 (takerFee(L) + takerFee(S)) + crossingCostRate
 *   funding  = expectedHoldingMs x (rate(S) / interval(S) - rate(L) / interval(L))
 *              (the short receives its rate, the long pays its own, each per its own interval;
 *               the venue's predicted rate where known, else the last settled one, else
 *               fundingRateWhenUnknown; a candidate with a leg without any is not traded)
 *   net      = spread - cost + funding
 * Flat: the candidate with the largest net over every ordered pair of the listed perps opens when
 * net >= entryNetBps / 1e4. Held, with the spread now measured at the closing prices
 * (sell L at its bid, buy S at its ask), the pair closes on the first of:
 *   - convergence: spread <= exitSpreadBps / 1e4 (reasonCode meanReversion);
 *   - stop: spread - entrySpread >= stopLossBps / 1e4, the gap widened against the pair (stopLoss);
 *   - maxHoldingDays since the open (maxHolding).
 * One pair at a time; a close is not followed by an open in the same decision.
 *
 * Decisions are taken on price updates, only when every listed perp's price is at most
 * maxPriceSkewSeconds older than the newest one (0: bars of one clock must all be in, so a venue's
 * new bar is never compared with another venue's previous one).
 *
 * Funding is not decided here: each venue settles its own leg at its own interval and times (the
 * simulated venue in backtests and paper, the exchange live), and the ledger books each payment.
 *
 * Transfer constraints: each leg is margined by collateral ON ITS OWN VENUE; nothing moves cash
 * between venues. While the gap widens one venue's leg loses and its margin must carry it (size the
 * balances so each venue holds its leg to the stop); after convergence the profit sits on one venue
 * and the loss on the other, and evening them out is a withdrawal and deposit (minutes to hours,
 * a withdrawal fee) that no backtest here models and the strategy never assumes.
 */

/** Every ordered pair is a candidate at each decision (n(n-1)): 20 perps, 380 candidates. */
const MAX_PERPS = 20;

export const CrossVenueSpreadConfigSchema = z.strictObject({
  /** The perps, 'venue:BASE/QUOTE:SETTLE', at least two, one base asset. */
  perps: z.array(instrumentIdSchema).min(2).max(MAX_PERPS),
  /** Notional of each leg, USD. */
  notionalUsd: numberIn(RANGES.notionalUsd),
  /** Round-trip cost as a fraction of one leg's notional (4 fills plus crossing); null: from the legs' taker fee rates plus crossingCostRate. */
  roundTripCostRate: numberIn(RANGES.roundTripCostRate).nullable().default(null),
  /** Crossing cost of the round trip, fraction of one leg's notional, added to the fees when roundTripCostRate is null. */
  crossingCostRate: numberIn(RANGES.crossingCostRate).default(0.0002),
  /** Open when spread - cost + expected funding is at least this, bps of one leg's notional. */
  entryNetBps: numberIn(RANGES.netBps).default(0),
  /** Close when the held pair's spread (at closing prices) is at most this, bps (0: the prices met). */
  exitSpreadBps: numberIn(RANGES.netBps).default(0),
  /** Close when the spread has widened this much beyond its value at the open, bps; null: no stop. */
  stopLossBps: numberIn({ ...RANGES.thresholdBps, min: 0, minExclusive: true }).nullable().default(null),
  /** Close a pair held this long, days. */
  maxHoldingDays: numberIn(RANGES.holdingDays).default(7),
  /** Horizon of the expected funding of both legs at entry, days. */
  expectedHoldingDays: numberIn(RANGES.holdingDays).default(1),
  /** Largest age difference between the legs' prices for a decision, seconds (0: same bar time). */
  maxPriceSkewSeconds: numberIn(RANGES.priceSkewSeconds).default(0),
  /** Funding rate per interval assumed for a perp before any is known (neither predicted nor settled); null: no entry until every perp has a rate. */
  fundingRateWhenUnknown: numberIn(RANGES.fundingRatePerInterval).nullable().default(null),
  /** Funding interval when neither the data nor the instrument gives one, hours. */
  defaultFundingIntervalHours: numberIn(RANGES.fundingIntervalHours).default(8),
});

export type CrossVenueSpreadConfigInput = z.input<typeof CrossVenueSpreadConfigSchema>;
export type CrossVenueSpreadConfig = z.output<typeof CrossVenueSpreadConfigSchema>;

export function parseCrossVenueSpreadConfig(value: unknown): CrossVenueSpreadConfig {
  const parsed = parseConfig(CrossVenueSpreadConfigSchema, value, 'crossVenueSpread config');
  const ids = parsed.perps.map(ref);
  const dup = ids.find((id, k) => ids.indexOf(id) !== k);
  if (dup) throw new ConfigError('crossVenueSpread config', [`perps: ${dup} is listed twice`]);
  return parsed;
}

/** One way to trade a pair of perps: buy `long`, sell `short`. Fractions of one leg's notional. */
export interface SpreadCandidate {
  long: InstrumentRef;
  short: InstrumentRef;
  spread: number;
  cost: number;
  funding: number;
  net: number;
}

interface HeldPair {
  id: string;
  long: InstrumentRef;
  short: InstrumentRef;
  entrySpread: number;
  openedAtMs: number;
}

export class CrossVenueSpreadStrategy implements Strategy {
  readonly name = 'crossVenueSpread';
  readonly config: CrossVenueSpreadConfig;
  private readonly perps: readonly InstrumentRef[];
  private readonly skewMs: number;
  private held: HeldPair | null = null;
  private pairSeq = 0;
  private checked = false;

  /** Takes the raw config (validated here) or one already parsed by CrossVenueSpreadConfigSchema. */
  constructor(config: CrossVenueSpreadConfigInput | CrossVenueSpreadConfig) {
    const parsedAlready = Array.isArray(config.perps) && config.perps.every((p) => typeof p === 'object');
    this.config = parsedAlready ? (config as CrossVenueSpreadConfig) : parseCrossVenueSpreadConfig(config);
    this.perps = this.config.perps;
    this.skewMs = this.config.maxPriceSkewSeconds * SECOND_MS;
  }

  instruments(): readonly InstrumentRef[] {
    return this.perps;
  }

  onEvent(update: MarketUpdate, context: StrategyContext): readonly Intent[] {
    if (!this.checked) this.checkInstruments(context.market);
    if (update.kind !== 'price' || !this.pricesAligned(context.market)) return NO_INTENTS;
    return this.decide(context);
  }

  /** Every ordered pair with prices and funding rates, best (largest net) first; ties keep the listing order. */
  candidates(market: MarketView): SpreadCandidate[] {
    const out: SpreadCandidate[] = [];
    const snaps = this.perps.map((p) => market.get(p.venue, p.symbol));
    for (let i = 0; i < this.perps.length; i++) {
      for (let j = 0; j < this.perps.length; j++) {
        const l = snaps[i];
        const s = snaps[j];
        if (i === j || !l || !s) continue;
        const buy = buyPrice(l);
        const sell = sellPrice(s);
        if (!(buy > 0) || !(sell > 0)) continue;
        const spread = (sell - buy) / buy;
        const cost = this.roundTripCost(market, this.perps[i], this.perps[j]);
        const funding = this.config.expectedHoldingDays * DAY_MS * (this.ratePerMs(market, this.perps[j], s) - this.ratePerMs(market, this.perps[i], l));
        if (Number.isNaN(funding)) continue;
        out.push({ long: this.perps[i], short: this.perps[j], spread, cost, funding, net: spread - cost + funding });
      }
    }
    return out.sort((x, y) => y.net - x.net);
  }

  /** Round-trip cost of a pair, fraction of one leg's notional. */
  roundTripCost(market: MarketView, a: InstrumentRef, b: InstrumentRef): number {
    if (this.config.roundTripCostRate !== null) return this.config.roundTripCostRate;
    const taker = (r: InstrumentRef) => {
      const rate = market.instrument(r.venue, r.symbol)?.takerFeeRate;
      if (rate === null || rate === undefined) throw new Error(`crossVenueSpread: ${ref(r)} has no taker fee rate; give it in the instruments or set roundTripCostRate`);
      return rate;
    };
    return 2 * (taker(a) + taker(b)) + this.config.crossingCostRate;
  }

  /** The held pair's spread at closing prices (sell the long at its bid, buy the short at its ask); NaN without prices. */
  heldSpread(market: MarketView): number {
    if (!this.held) return Number.NaN;
    const l = market.get(this.held.long.venue, this.held.long.symbol);
    const s = market.get(this.held.short.venue, this.held.short.symbol);
    if (!l || !s) return Number.NaN;
    const sellLong = sellPrice(l);
    return (buyPrice(s) - sellLong) / sellLong;
  }

  private decide(context: StrategyContext): readonly Intent[] {
    const market = context.market;
    if (this.held) {
      const view = context.positions.pair(this.held.id);
      if (!view || view.status === 'failed' || view.status === 'closed') this.held = null;
    }
    if (this.held) {
      if (context.wantsSignals === true) context.signal('spread', { heldSpreadBps: this.heldSpread(market) * 1e4 });
      return this.exitIntents(context);
    }
    const best = this.candidates(market)[0];
    if (context.wantsSignals === true && best) context.signal('spread', { spreadBps: best.spread * 1e4, costBps: best.cost * 1e4, fundingBps: best.funding * 1e4, netBps: best.net * 1e4 });
    if (!best || best.net * 1e4 < this.config.entryNetBps) return NO_INTENTS;
    const id = `xspread-${++this.pairSeq}`;
    this.held = { id, long: best.long, short: best.short, entrySpread: best.spread, openedAtMs: context.nowMs };
    const reason = `spread ${bps(best.spread)} (long ${ref(best.long)}, short ${ref(best.short)}) - cost ${bps(best.cost)} + funding ${bps(best.funding)} = ${bps(best.net)} >= entry ${this.config.entryNetBps} bps`;
    return [{ kind: 'openPair', id, long: best.long, short: best.short, notionalUsd: this.config.notionalUsd, reason, reasonCode: 'threshold' }];
  }

  private exitIntents(context: StrategyContext): readonly Intent[] {
    const held = this.held!;
    const spread = this.heldSpread(context.market);
    if (Number.isNaN(spread)) return NO_INTENTS;
    const close = (reason: string, reasonCode: 'meanReversion' | 'stopLoss' | 'maxHolding'): readonly Intent[] => {
      this.held = null;
      return [{ kind: 'closePair', id: held.id, reason, reasonCode }];
    };
    if (spread * 1e4 <= this.config.exitSpreadBps) return close(`spread ${bps(spread)} <= exit ${this.config.exitSpreadBps} bps`, 'meanReversion');
    const stop = this.config.stopLossBps;
    if (stop !== null && (spread - held.entrySpread) * 1e4 >= stop) return close(`spread ${bps(spread)} widened from ${bps(held.entrySpread)} by >= stop ${stop} bps`, 'stopLoss');
    if (context.nowMs - held.openedAtMs >= this.config.maxHoldingDays * DAY_MS) return close(`held ${this.config.maxHoldingDays} days (spread ${bps(spread)})`, 'maxHolding');
    return NO_INTENTS;
  }

  /** Funding rate per ms of a perp: the predicted rate when known, else the last settled, else fundingRateWhenUnknown; NaN when none. */
  private ratePerMs(market: MarketView, r: InstrumentRef, snap: InstrumentSnapshot): number {
    const known = Number.isFinite(snap.predictedFundingRatePerInterval) ? snap.predictedFundingRatePerInterval : Number.isFinite(snap.fundingRatePerInterval) ? snap.fundingRatePerInterval : Number.NaN;
    const rate = Number.isNaN(known) ? (this.config.fundingRateWhenUnknown ?? Number.NaN) : known;
    return rate / this.intervalMs(market, r, snap);
  }

  private intervalMs(market: MarketView, r: InstrumentRef, snap: InstrumentSnapshot): number {
    if (snap.fundingIntervalMs > 0) return snap.fundingIntervalMs;
    const own = market.instrument(r.venue, r.symbol)?.fundingIntervalMs;
    return own !== null && own !== undefined && own > 0 ? own : this.config.defaultFundingIntervalHours * HOUR_MS;
  }

  /** Whether every leg has a price and none is more than maxPriceSkewSeconds older than the newest. */
  private pricesAligned(market: MarketView): boolean {
    let oldest = Infinity;
    let newest = -Infinity;
    for (const p of this.perps) {
      const snap = market.get(p.venue, p.symbol);
      if (!snap || !(snap.price > 0)) return false;
      if (snap.priceTs < oldest) oldest = snap.priceTs;
      if (snap.priceTs > newest) newest = snap.priceTs;
    }
    return newest - oldest <= this.skewMs;
  }

  /** The configured legs must be perps of one base asset (checked once, against the engine's instruments). */
  private checkInstruments(market: MarketView): void {
    this.checked = true;
    let base: string | null = null;
    for (const p of this.perps) {
      const inst = market.instrument(p.venue, p.symbol);
      if (!inst) throw new Error(`crossVenueSpread: ${ref(p)} is not an instrument of the run`);
      if (inst.kind !== 'perp') throw new Error(`crossVenueSpread: ${ref(p)} is a ${inst.kind}, not a perp`);
      if (base !== null && inst.base !== base) throw new Error(`crossVenueSpread: ${ref(p)} is on ${inst.base}, the other legs on ${base}`);
      base = inst.base;
    }
  }
}

/** What a market buy pays: the ask when quoted, else the last price. */
function buyPrice(s: InstrumentSnapshot): number {
  return s.ask > 0 ? s.ask : s.price;
}

/** What a market sell gets: the bid when quoted, else the last price. */
function sellPrice(s: InstrumentSnapshot): number {
  return s.bid > 0 ? s.bid : s.price;
}

function ref(r: InstrumentRef): string {
  return `${r.venue}:${r.symbol}`;
}

function bps(x: number): string {
  return `${(x * 1e4).toFixed(2)} bps`;
}
