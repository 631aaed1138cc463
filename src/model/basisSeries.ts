/**
 * The basis s = (perp - spot) / spot, as a fraction, built from two price series that are aligned
 * on exact timestamps (an inner join). Pure: works for the same venue or across venues, from bar
 * closes or from bid/ask quotes. Times are integer ms UTC held in Float64Array.
 */

/** Which rows of two sorted series share a timestamp. */
export interface Alignment {
  /** The common timestamps, increasing. */
  tsMs: Float64Array;
  /** Row of the left (spot) series for each common timestamp. */
  leftRows: Int32Array;
  /** Row of the right (perp) series for each common timestamp. */
  rightRows: Int32Array;
  /** Left rows with no right row at the same time. */
  unmatchedLeft: number;
  /** Right rows with no left row at the same time. */
  unmatchedRight: number;
}

/** One hole in a sampled series: consecutive points further apart than the sampling interval. */
export interface SamplingGap {
  /** Time of the point before the hole. */
  afterMs: number;
  /** Time of the point after the hole. */
  beforeMs: number;
  /** Points the regular grid would have had in between. */
  missingPoints: number;
}

export interface Sampling {
  /** The most common gap between consecutive points (ties: the smaller); NaN with fewer than 2 points. */
  intervalMs: number;
  /** Number of consecutive pairs exactly one interval apart. */
  regularSteps: number;
  /** Gaps longer than the interval, in time order. */
  gaps: SamplingGap[];
  /** Sum of missingPoints over the gaps. */
  missingPoints: number;
  /** Gaps shorter than the interval (off-grid points); 0 on a clean grid. */
  shortSteps: number;
}

/** How the basis was built from prices. */
export type BasisPrices = 'close' | 'bidask';

export interface BasisSeries {
  prices: BasisPrices;
  tsMs: Float64Array;
  /**
   * The basis the model is fitted to (fraction): (perp_close - spot_close) / spot_close for closes,
   * the mid basis for bid/ask.
   */
  basis: Float64Array;
  /** Bid/ask only: (perp_bid - spot_ask) / spot_ask, the basis at which a short-perp/long-spot position OPENS (and a long-perp/short-spot one closes). */
  openShortPerp?: Float64Array;
  /** Bid/ask only: (perp_ask - spot_bid) / spot_bid, the basis at which a long-perp/short-spot position OPENS (and a short-perp/long-spot one closes). */
  openLongPerp?: Float64Array;
  /** Spot rows without a perp row at the same time. */
  unmatchedSpot: number;
  /** Perp rows without a spot row at the same time. */
  unmatchedPerp: number;
  /** Aligned rows left out because a price there was missing (NaN) or not positive. */
  droppedRows: number;
  sampling: Sampling;
}

/** Prices of one instrument at bar closes or last trades. */
export interface PriceColumns {
  tsMs: Float64Array;
  price: Float64Array;
}

/** Top-of-book prices of one instrument. */
export interface BidAskColumns {
  tsMs: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
}

function assertIncreasing(tsMs: Float64Array, name: string): void {
  for (let i = 1; i < tsMs.length; i++) {
    if (!(tsMs[i] > tsMs[i - 1])) throw new Error(`${name} timestamps are not strictly increasing at row ${i} (${tsMs[i - 1]} then ${tsMs[i]})`);
  }
}

/** Inner join of two strictly increasing timestamp arrays on exact equality. */
export function alignTimestamps(leftTsMs: Float64Array, rightTsMs: Float64Array): Alignment {
  assertIncreasing(leftTsMs, 'left');
  assertIncreasing(rightTsMs, 'right');
  const capacity = Math.min(leftTsMs.length, rightTsMs.length);
  const ts = new Float64Array(capacity);
  const leftRows = new Int32Array(capacity);
  const rightRows = new Int32Array(capacity);
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < leftTsMs.length && j < rightTsMs.length) {
    const a = leftTsMs[i];
    const b = rightTsMs[j];
    if (a === b) {
      ts[n] = a;
      leftRows[n] = i++;
      rightRows[n] = j++;
      n++;
    } else if (a < b) i++;
    else j++;
  }
  return {
    tsMs: ts.slice(0, n),
    leftRows: leftRows.slice(0, n),
    rightRows: rightRows.slice(0, n),
    unmatchedLeft: leftTsMs.length - n,
    unmatchedRight: rightTsMs.length - n,
  };
}

/** The sampling interval (most common step) of increasing timestamps and the gaps in it. */
export function samplingOf(tsMs: Float64Array): Sampling {
  if (tsMs.length < 2) return { intervalMs: NaN, regularSteps: 0, gaps: [], missingPoints: 0, shortSteps: 0 };
  const counts = new Map<number, number>();
  for (let i = 1; i < tsMs.length; i++) {
    const step = tsMs[i] - tsMs[i - 1];
    counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let intervalMs = NaN;
  let best = 0;
  for (const [step, count] of counts) {
    if (count > best || (count === best && step < intervalMs)) {
      intervalMs = step;
      best = count;
    }
  }
  const gaps: SamplingGap[] = [];
  let missingPoints = 0;
  let shortSteps = 0;
  for (let i = 1; i < tsMs.length; i++) {
    const step = tsMs[i] - tsMs[i - 1];
    if (step > intervalMs) {
      const missing = Math.ceil(step / intervalMs) - 1;
      gaps.push({ afterMs: tsMs[i - 1], beforeMs: tsMs[i], missingPoints: missing });
      missingPoints += missing;
    } else if (step < intervalMs) shortSteps++;
  }
  return { intervalMs, regularSteps: best, gaps, missingPoints, shortSteps };
}

const usable = (...prices: number[]) => prices.every((p) => p > 0 && Number.isFinite(p));

/** (perp - spot) / spot for two equally long arrays already aligned row by row. */
export function basisOfPrices(spotPrice: Float64Array, perpPrice: Float64Array): Float64Array {
  if (spotPrice.length !== perpPrice.length) throw new Error(`spot and perp have different lengths (${spotPrice.length} and ${perpPrice.length})`);
  const basis = new Float64Array(spotPrice.length);
  for (let i = 0; i < basis.length; i++) basis[i] = (perpPrice[i] - spotPrice[i]) / spotPrice[i];
  return basis;
}

/** The basis from closes (or any one price per row) of a spot and a perp series, joined on exact timestamps. */
export function basisFromCloses(spot: PriceColumns, perp: PriceColumns): BasisSeries {
  const alignment = alignTimestamps(spot.tsMs, perp.tsMs);
  const n = alignment.tsMs.length;
  const ts = new Float64Array(n);
  const basis = new Float64Array(n);
  let k = 0;
  for (let r = 0; r < n; r++) {
    const s = spot.price[alignment.leftRows[r]];
    const p = perp.price[alignment.rightRows[r]];
    if (!usable(s, p)) continue;
    ts[k] = alignment.tsMs[r];
    basis[k] = (p - s) / s;
    k++;
  }
  const tsMs = ts.slice(0, k);
  return {
    prices: 'close',
    tsMs,
    basis: basis.slice(0, k),
    unmatchedSpot: alignment.unmatchedLeft,
    unmatchedPerp: alignment.unmatchedRight,
    droppedRows: n - k,
    sampling: samplingOf(tsMs),
  };
}

/**
 * The basis from bid/ask: the executable basis for opening either direction, and the mid basis
 * (perp_mid - spot_mid) / spot_mid as the series to fit. Rows where either side lacks a bid or an
 * ask are left out (counted in droppedRows).
 */
// A loop of its own, like the closes' above: four prices and three outputs a row, where one generic
// loop would test the kind on every row.
export function basisFromBidAsk(spot: BidAskColumns, perp: BidAskColumns): BasisSeries {
  const alignment = alignTimestamps(spot.tsMs, perp.tsMs);
  const n = alignment.tsMs.length;
  const ts = new Float64Array(n);
  const mid = new Float64Array(n);
  const openShortPerp = new Float64Array(n);
  const openLongPerp = new Float64Array(n);
  let k = 0;
  for (let r = 0; r < n; r++) {
    const i = alignment.leftRows[r];
    const j = alignment.rightRows[r];
    const spotBid = spot.bid[i];
    const spotAsk = spot.ask[i];
    const perpBid = perp.bid[j];
    const perpAsk = perp.ask[j];
    if (!usable(spotBid, spotAsk, perpBid, perpAsk)) continue;
    const spotMid = (spotBid + spotAsk) / 2;
    const perpMid = (perpBid + perpAsk) / 2;
    ts[k] = alignment.tsMs[r];
    mid[k] = (perpMid - spotMid) / spotMid;
    openShortPerp[k] = (perpBid - spotAsk) / spotAsk;
    openLongPerp[k] = (perpAsk - spotBid) / spotBid;
    k++;
  }
  const tsMs = ts.slice(0, k);
  return {
    prices: 'bidask',
    tsMs,
    basis: mid.slice(0, k),
    openShortPerp: openShortPerp.slice(0, k),
    openLongPerp: openLongPerp.slice(0, k),
    unmatchedSpot: alignment.unmatchedLeft,
    unmatchedPerp: alignment.unmatchedRight,
    droppedRows: n - k,
    sampling: samplingOf(tsMs),
  };
}
