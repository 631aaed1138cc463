import type { ReplaySource } from '../../../data/replay/types.ts';
import type { Listing } from '../listings.ts';

/**
 * What the exchange trades and where its prices come from: the listings, and a way to make fresh
 * replay sources (every call starts a new read). The market is played from `startMs`: events before
 * `liveFromMs` at once before the server opens (history: funding settlements, the last prices),
 * the rest paced in wall time.
 */
export interface MarketSetup {
  listings: Listing[];
  /** Fresh sources, keyed by the exchange's venue ids (binance, bybit); spot and perp price series before funding. */
  sources(): ReplaySource[];
  startMs: number;
  liveFromMs: number;
  /** Funding's interest term and clamp, per interval, for the predicted rate between settlements. */
  interestRatePerInterval: number;
  capRatePerInterval: number;
  /** One line for the start-up banner, e.g. "synthetic (seed 1, 1s bars)". */
  description: string;
}
