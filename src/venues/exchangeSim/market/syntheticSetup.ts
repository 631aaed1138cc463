import { DAY_MS, HOUR_MS, SECOND_MS } from '../../../core/time.ts';
import { RANGES } from '../../../domain/config/ranges.ts';
import { syntheticMarketStream } from '../../../data/synthetic/chunks.ts';
import { DEFAULT_SYNTHETIC_OPTIONS, type SyntheticMarketOptions } from '../../../data/synthetic/market.ts';
import type { ReplaySource } from '../../../data/replay/types.ts';
import { makeListing, SIM_VENUES, type Listing } from '../listings.ts';
import type { MarketSetup } from './marketSetup.ts';

export interface SyntheticSetupOptions {
  seed: number;
  /** Wall time at start, ms (the market's present). */
  nowMs: number;
  /** Market time played at once before the present (funding history, warm prices). Default 1 day. */
  historyMs?: number;
  /** How long the market runs after the present, market time. Default 30 days (capped by the generator's bar limit). */
  liveMs?: number;
  /** Generator options (barIntervalMs defaults to 1 s here, so the book moves every second). */
  synthetic?: Partial<Omit<SyntheticMarketOptions, 'seed' | 'startMs' | 'bars' | 'perpBars'>>;
}

export const DEFAULT_SIM_HISTORY_MS = DAY_MS;
const DEFAULT_LIVE_MS = 30 * DAY_MS;

/**
 * The synthetic market on every venue: one seeded generator per venue (seed, seed + 1, ...), so the
 * venues' prices and funding differ as real venues' do. Symbols SYN/USDT and SYN/USDT:USDT; the
 * market starts on a funding boundary `historyMs` before now, so settlements fall on the venue's
 * schedule (multiples of the interval since the epoch: 00:00, 08:00, 16:00 UTC for 8 h).
 */
export function syntheticSetup(options: SyntheticSetupOptions): MarketSetup {
  const given = { barIntervalMs: SECOND_MS, ...options.synthetic };
  const o = { ...DEFAULT_SYNTHETIC_OPTIONS, ...given };
  const fundingIntervalMs = o.fundingIntervalMs ?? 8 * HOUR_MS;
  const historyMs = options.historyMs ?? DEFAULT_SIM_HISTORY_MS;
  const liveFromMs = Math.floor(options.nowMs / o.barIntervalMs) * o.barIntervalMs;
  const startMs = Math.floor((liveFromMs - historyMs) / fundingIntervalMs) * fundingIntervalMs;
  const wantedBars = Math.ceil((liveFromMs - startMs + (options.liveMs ?? DEFAULT_LIVE_MS)) / o.barIntervalMs);
  const bars = Math.min(wantedBars, RANGES.bars.max);
  const streams = SIM_VENUES.map((venue, i) => ({
    venue,
    stream: syntheticMarketStream({ ...given, seed: options.seed + i, startMs, bars, perpBars: null }),
  }));
  const listings: Listing[] = [];
  for (const { venue, stream } of streams) {
    const price = stream.options.initialPrice;
    listings.push(makeListing(venue, stream.keys.spot.symbol, price, null));
    listings.push(makeListing(venue, stream.keys.perp.symbol, price, stream.options.fundingIntervalMs));
  }
  return {
    listings,
    sources(): ReplaySource[] {
      return streams.flatMap(({ venue, stream }) => stream.sources().map((s) => ({ key: { ...s.key, venue }, chunks: s.chunks })));
    },
    startMs,
    liveFromMs,
    interestRatePerInterval: o.interestRatePerInterval,
    capRatePerInterval: o.capRatePerInterval,
    description: `synthetic (seed ${options.seed}${SIM_VENUES.length > 1 ? ` for binance, ${options.seed + 1} for bybit` : ''}, ${o.barIntervalMs / SECOND_MS}s bars, funding every ${fundingIntervalMs / HOUR_MS}h)`,
  };
}
