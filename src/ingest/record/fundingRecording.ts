import { MINUTE_MS } from '../../core/time.ts';
import { venueTimestamp, type FundingRateQuoteEvent, type MarketDataVenue } from '../../venues/types.ts';
import type { FundingRecord } from './recordTypes.ts';

/** A settlement time the venue announced, now passed, that its history has not shown yet. */
interface DueSettlement {
  symbol: string;
  settlementMs: number;
  polls: number;
}

export interface FundingRecordingOptions {
  venue: MarketDataVenue;
  symbols: string[];
  now: () => number;
  /** A settlement's history row may carry a time this far from the announced one (venues stamp a few ms late). */
  toleranceMs?: number;
  /** Polls after which a settlement the history still lacks is reported missing and no longer asked for (default 30). */
  maxPolls?: number;
}

export type FundingPollEvent =
  | { type: 'fundingQuote'; quote: FundingRateQuoteEvent }
  | { type: 'settlement'; record: FundingRecord }
  | { type: 'settlementMissing'; symbol: string; settlementMs: number; polls: number }
  /** A history row without the venue's settlement time (tsSource 'receipt'): never stored, the settlement stays due. */
  | { type: 'settlementWithoutVenueTime'; symbol: string; settlementMs: number; receiptTs: number };

/**
 * Funding for the recorder. The current (predicted) rate of a perp is NOT a settlement, so it is
 * never written to the `funding` table: each poll returns it as a `fundingQuote` event (the
 * recorder logs it). When a poll finds that a perp's announced next-funding time has passed, that
 * settlement is asked of the venue's funding history on each poll until it appears; the row the
 * venue reports is the one recorded, with the time it was received.
 */
export class FundingRecording {
  private readonly options: FundingRecordingOptions;
  private readonly announced = new Map<string, number>();
  private due: DueSettlement[] = [];

  constructor(options: FundingRecordingOptions) {
    this.options = options;
  }

  async poll(): Promise<FundingPollEvent[]> {
    const { venue, symbols, now } = this.options;
    const events: FundingPollEvent[] = [];
    const quotes = await venue.fetchFundingRates(symbols);
    const at = now();
    for (const quote of quotes) {
      events.push({ type: 'fundingQuote', quote });
      const previous = this.announced.get(quote.symbol);
      if (previous !== undefined && previous <= at && previous !== quote.nextFundingTimeMs) this.due.push({ symbol: quote.symbol, settlementMs: previous, polls: 0 });
      if (quote.nextFundingTimeMs !== null) this.announced.set(quote.symbol, quote.nextFundingTimeMs);
    }
    events.push(...(await this.collectDue()));
    return events;
  }

  private async collectDue(): Promise<FundingPollEvent[]> {
    const { venue, now } = this.options;
    const toleranceMs = this.options.toleranceMs ?? MINUTE_MS;
    const maxPolls = this.options.maxPolls ?? 30;
    const events: FundingPollEvent[] = [];
    const stillDue: DueSettlement[] = [];
    for (const due of this.due) {
      const rows = await venue.fetchFundingHistory(due.symbol, due.settlementMs - toleranceMs, now() + 1);
      const receivedAt = now();
      // A settlement's ts must be the venue's: a row stamped only with its receipt time is refused (and
      // reported), since a receipt time stored in `funding` would read as the settlement time.
      for (const row of rows.filter((r) => venueTimestamp(r) === null)) {
        events.push({ type: 'settlementWithoutVenueTime', symbol: due.symbol, settlementMs: due.settlementMs, receiptTs: row.ts });
      }
      const found = rows.filter((r) => venueTimestamp(r) !== null && Math.abs(r.ts - due.settlementMs) <= toleranceMs);
      for (const row of found) {
        events.push({
          type: 'settlement',
          record: { kind: 'funding', symbol: row.symbol, ts: row.ts, receivedAt, rate: row.fundingRatePerInterval, intervalMs: row.fundingIntervalMs, markPrice: row.markPrice },
        });
      }
      if (found.length > 0) continue;
      due.polls++;
      if (due.polls >= maxPolls) events.push({ type: 'settlementMissing', symbol: due.symbol, settlementMs: due.settlementMs, polls: due.polls });
      else stillDue.push(due);
    }
    this.due = stillDue;
    return events;
  }
}
