import type { Exchange } from 'ccxt';
import { InputError } from '../../core/errors.ts';
import { MINUTE_MS } from '../../core/time.ts';
import { eventTimeProblem, priceProblem } from '../../domain/plausibility.ts';
import { UnsupportedMethodError } from '../../venues/types.ts';
import { hasMethod } from '../../venues/ccxt/capabilities.ts';
import { toVenueError } from '../../venues/ccxt/errors.ts';
import type { MarkBarRecord } from './recordTypes.ts';

/** The venue's own 1m mark-price candles. */
export interface MarkBarSource {
  /** Candles opening at or after `sinceMs`, as the venue returns them (the newest may still be open). */
  fetchMarkBars(symbol: string, sinceMs: number): Promise<MarkBarRecord[]>;
}

/**
 * Mark candles through ccxt's fetchMarkOHLCV. Every candle is checked (finite prices > 0, high and
 * low around open and close, then the plausibility bounds: a time from 2009-01-03 to a day after
 * receipt, prices below the ceiling); a bad one fails the call with an error naming venue, method and symbol.
 */
export function ccxtMarkBarSource(exchange: Exchange, venue: string, now: () => number): MarkBarSource {
  if (!hasMethod(exchange, 'fetchMarkOHLCV')) throw new UnsupportedMethodError(venue, 'fetchMarkOHLCV', exchange.id);
  return {
    async fetchMarkBars(symbol, sinceMs) {
      let candles: unknown[];
      try {
        candles = await exchange.fetchMarkOHLCV(symbol, '1m', sinceMs, 100);
      } catch (error) {
        throw toVenueError(error, venue, 'fetchMarkOHLCV');
      }
      const receivedAt = now();
      return candles.map((candle, index) => {
        const [ts, open, high, low, close] = Array.isArray(candle) ? (candle as unknown[]) : [];
        const prices = [open, high, low, close];
        const valid =
          typeof ts === 'number' && Number.isInteger(ts) && prices.every((p) => typeof p === 'number' && Number.isFinite(p) && p > 0) &&
          (high as number) >= Math.max(open as number, close as number, low as number) && (low as number) <= Math.min(open as number, close as number);
        if (!valid) throw new InputError({ source: `${venue} fetchMarkOHLCV ${symbol}` }, `candle ${index} is not [ts, open, high, low, close] with high >= open, close >= low > 0: ${JSON.stringify(candle)}`);
        let problem = eventTimeProblem('ts', ts as number, receivedAt);
        for (const [k, name] of ['open', 'high', 'low', 'close'].entries()) problem ??= priceProblem(name, prices[k] as number);
        if (problem) throw new InputError({ source: `${venue} fetchMarkOHLCV ${symbol}` }, `candle ${index}: ${problem}`);
        return { kind: 'markBar', symbol, ts: ts as number, receivedAt, open: open as number, high: high as number, low: low as number, close: close as number };
      });
    },
  };
}

/** Keeps, per symbol, the closed candles not recorded yet; a candle still open is left for a later poll. */
export class MarkBarRecording {
  private readonly source: MarkBarSource;
  private readonly nextOpenMs = new Map<string, number>();

  /** Recording starts with the candle that contains `startMs`. */
  constructor(source: MarkBarSource, symbols: string[], startMs: number) {
    this.source = source;
    for (const symbol of symbols) this.nextOpenMs.set(symbol, Math.floor(startMs / MINUTE_MS) * MINUTE_MS);
  }

  async poll(): Promise<MarkBarRecord[]> {
    const out: MarkBarRecord[] = [];
    for (const [symbol, sinceMs] of this.nextOpenMs) {
      const bars = await this.source.fetchMarkBars(symbol, sinceMs);
      let next = sinceMs;
      for (const bar of bars.sort((a, b) => a.ts - b.ts)) {
        if (bar.ts < next || bar.ts + MINUTE_MS > bar.receivedAt) continue;
        out.push(bar);
        next = bar.ts + MINUTE_MS;
      }
      this.nextOpenMs.set(symbol, next);
    }
    return out;
  }
}
