import type { EpochMs } from '../../core/time.ts';
import { bookTopProblem, eventTimeProblem, fundingIntervalProblem, fundingRateProblem, ohlcProblem, priceProblem, quoteProblem, sizeProblem } from '../../domain/plausibility.ts';
import type { JournalRecord } from './recordTypes.ts';

function levelsProblem(side: 'bid' | 'ask', levels: readonly [number, number][]): string | null {
  for (const [k, [price, size]] of levels.entries()) {
    const problem = priceProblem(`${side}_prices[${k}]`, price) ?? sizeProblem(`${side}_sizes[${k}]`, size);
    if (problem) return problem;
  }
  return null;
}

/**
 * The first plausibility bound (domain/plausibility.ts) a live record breaks, named as the store's
 * columns are (the words compaction would use), or null. `nowMs` is the local clock at receipt.
 */
export function journalRecordProblem(record: JournalRecord, nowMs: EpochMs): string | null {
  const time = eventTimeProblem('ts', record.ts, nowMs) ?? eventTimeProblem('received_at', record.receivedAt, nowMs);
  if (time) return time;
  switch (record.kind) {
    case 'quote':
      return priceProblem('bid', record.bid) ?? priceProblem('ask', record.ask) ?? sizeProblem('bid_size', record.bidSize) ?? sizeProblem('ask_size', record.askSize) ?? quoteProblem(record.bid, record.ask);
    case 'book':
      return levelsProblem('bid', record.bids) ?? levelsProblem('ask', record.asks) ?? (record.bids.length > 0 && record.asks.length > 0 ? bookTopProblem(record.bids[0][0], record.asks[0][0]) : null);
    case 'markBar':
      return priceProblem('open', record.open) ?? priceProblem('high', record.high) ?? priceProblem('low', record.low) ?? priceProblem('close', record.close) ?? ohlcProblem(record.open, record.high, record.low, record.close);
    case 'funding':
      return (
        fundingRateProblem('rate', record.rate) ??
        (record.intervalMs === null ? null : fundingIntervalProblem('interval_ms', record.intervalMs)) ??
        (record.markPrice === null ? null : priceProblem('mark_price', record.markPrice))
      );
  }
}
