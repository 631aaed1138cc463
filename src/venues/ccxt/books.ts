import type { OrderBook } from 'ccxt';
import { InputError } from '../../core/errors.ts';
import type { EpochMs } from '../../core/time.ts';
import type { BookLevel, BookSnapshotEvent, TsSource } from '../../domain/events.ts';
import { bookTopProblem, priceProblem } from '../../domain/plausibility.ts';
import { stampTimes } from './eventTime.ts';
import { finiteOrNull, requirePlausible } from './validate.ts';

/** A value from the answer, short (JSON.stringify gives undefined for some values and throws for none here). */
const shown = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 100);

function levels(raw: unknown, venue: string, symbol: string, side: 'bids' | 'asks', depth: number | undefined, sizeMultiplier: number): BookLevel[] {
  if (!Array.isArray(raw)) throw new InputError({ source: `${venue} orderBook ${symbol}` }, `${side} is not a list of [price, size] levels: ${shown(raw)}`);
  const out: BookLevel[] = [];
  for (const [index, level] of raw.entries()) {
    if (depth !== undefined && out.length >= depth) break;
    const [price, size] = Array.isArray(level) ? (level as unknown[]) : [];
    if (typeof price !== 'number' || !(price > 0) || typeof size !== 'number' || !(size >= 0) || !Number.isFinite(price) || !Number.isFinite(size)) {
      throw new InputError({ source: `${venue} orderBook ${symbol}` }, `${side}[${index}] is not [price > 0, size >= 0]: ${shown(level)}`);
    }
    requirePlausible(priceProblem(`${side}[${index}] price`, price), `${venue} orderBook ${symbol}`, '');
    const units = sizeMultiplier === 1 ? size : Number((size * sizeMultiplier).toPrecision(12));
    // A finite amount of contracts can still overflow in base units (1.8e308 x 100): garbage, not a size.
    if (!Number.isFinite(units)) throw new InputError({ source: `${venue} orderBook ${symbol}` }, `${side}[${index}] size ${size} x contract size ${sizeMultiplier} is not a finite amount`);
    out.push({ price, size: units });
  }
  for (let k = 1; k < out.length; k++) {
    const ordered = side === 'bids' ? out[k].price < out[k - 1].price : out[k].price > out[k - 1].price;
    if (!ordered) throw new InputError({ source: `${venue} orderBook ${symbol}` }, `${side} are not sorted best first at level ${k}`);
  }
  return out;
}

/** A book from a live venue: `tsSource` is always set. */
export type LiveBookSnapshotEvent = BookSnapshotEvent & { tsSource: TsSource };

/**
 * A ccxt order book as a normalised snapshot: best first, validated (prices > 0 and below the
 * ceiling, not crossed, a plausible time), with the local receipt time (and, when ccxt gives none,
 * the receipt time as `ts` with tsSource 'receipt').
 * ccxt gives contract amounts for derivatives; `sizeMultiplier` (the contract size for linear
 * contracts) turns them into base units, as the domain wants (inverse books stay in contracts).
 */
export function toBookSnapshot(venue: string, symbol: string, book: OrderBook, receivedAt: EpochMs, depth?: number, sizeMultiplier = 1): LiveBookSnapshotEvent {
  const bids = levels(book.bids, venue, symbol, 'bids', depth, sizeMultiplier);
  const asks = levels(book.asks, venue, symbol, 'asks', depth, sizeMultiplier);
  if (bids.length && asks.length) requirePlausible(bookTopProblem(bids[0].price, asks[0].price), `${venue} orderBook ${symbol}`, '');
  return {
    type: 'book',
    venue,
    symbol,
    ...stampTimes(book.timestamp, receivedAt, `${venue} orderBook ${symbol}`, ''),
    bids,
    asks,
    sequence: finiteOrNull(book.nonce),
  };
}
