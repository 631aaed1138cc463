/**
 * Scanner speed on a seeded synthetic universe: 10 venues x 300 instruments (per venue 100 assets x
 * spot, perp and one dated future; books of 5 levels a side; perps funding every 8 h or 1 h).
 * - scanUpdateP99Micros: 99th percentile of one update (book, top of book or funding, at random)
 *   applied and every opportunity involving the instrument recomputed; each timed alone.
 * - fullRescanMillis: median of full rescans (every opportunity and every instrument's clock-dependent
 *   terms; execution prices, computed at each book update, reused), and fullRescanWalkingBooksMillis
 *   with every book walked again too.
 * Run alone: `node --import tsx bench/scanBench.ts` prints one JSON object.
 */
import { fileURLToPath } from 'node:url';
import { DAY_MS, HOUR_MS } from '../src/core/time.ts';
import { Rng } from '../src/data/synthetic/rng.ts';
import type { Instrument } from '../src/domain/instrument.ts';
import { Scanner } from '../src/strategy/scanner/scanner.ts';

export interface UniverseOptions {
  seed?: number;
  venues?: number;
  /** Assets per venue; each has spot, perp and one dated future (3 instruments). */
  assetsPerVenue?: number;
  levels?: number;
}

export interface Universe {
  instruments: Instrument[];
  nowMs: number;
  /** Mid of each asset. */
  assetMids: Float64Array;
  levels: number;
}

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);

/** Instruments of the synthetic universe (venue 'synthetic-k', assets A0..An, USDT-quoted). */
export function syntheticUniverse(options: UniverseOptions = {}): Universe {
  const rng = new Rng(options.seed ?? 7);
  const venues = options.venues ?? 10;
  const assets = options.assetsPerVenue ?? 100;
  const instruments: Instrument[] = [];
  const assetMids = new Float64Array(assets);
  for (let a = 0; a < assets; a++) assetMids[a] = 10 ** (rng.uniform() * 5 - 1);
  const expiryMs = T0 + 60 * DAY_MS;
  const code = new Date(expiryMs).toISOString().slice(2, 10).replaceAll('-', '');
  for (let v = 0; v < venues; v++) {
    const venue = `synthetic-${v}`;
    const fundingIntervalMs = v % 3 === 2 ? HOUR_MS : 8 * HOUR_MS;
    for (let a = 0; a < assets; a++) {
      const base = `A${a}`;
      const common = { venue, venueSymbol: null, base, quote: 'USDT', contractSize: 1, tickSize: null, lotSize: null, makerFeeRate: null, takerFeeRate: null };
      instruments.push({ ...common, symbol: `${base}/USDT`, kind: 'spot', settle: null, linear: null, fundingIntervalMs: null, expiryMs: null });
      instruments.push({ ...common, symbol: `${base}/USDT:USDT`, kind: 'perp', settle: 'USDT', linear: true, fundingIntervalMs, expiryMs: null });
      instruments.push({ ...common, symbol: `${base}/USDT:USDT-${code}`, kind: 'future', settle: 'USDT', linear: true, fundingIntervalMs: null, expiryMs });
    }
  }
  return { instruments, nowMs: T0, assetMids, levels: options.levels ?? 5 };
}

/** A pool of pre-generated updates, applied in a loop: kind 0 book, 1 quote, 2 funding. */
export interface UpdatePool {
  size: number;
  kind: Uint8Array;
  instrument: Int32Array;
  bidPrices: Float64Array[];
  bidSizes: Float64Array[];
  askPrices: Float64Array[];
  askSizes: Float64Array[];
  rate: Float64Array;
}

export function updatePool(universe: Universe, scanner: Scanner, size: number, seed: number): UpdatePool {
  const rng = new Rng(seed);
  const n = universe.instruments.length;
  const pool: UpdatePool = {
    size,
    kind: new Uint8Array(size),
    instrument: new Int32Array(size),
    bidPrices: [],
    bidSizes: [],
    askPrices: [],
    askSizes: [],
    rate: new Float64Array(size),
  };
  const assets = universe.assetMids.length;
  for (let k = 0; k < size; k++) {
    const i = Math.floor(rng.uniform() * n);
    const inst = universe.instruments[i];
    const asset = Math.floor(i / 3) % assets;
    const isPerp = inst.kind === 'perp';
    const u = rng.uniform();
    const kind = isPerp && u < 0.15 ? 2 : u < 0.75 ? 0 : 1;
    pool.kind[k] = kind;
    pool.instrument[k] = scanner.indexOf(inst.venue, inst.symbol);
    const premium = inst.kind === 'future' ? 0.01 : isPerp ? 0.002 : 0;
    const mid = universe.assetMids[asset] * (1 + premium + 0.004 * rng.normal());
    const half = mid * (0.00005 + 0.0002 * rng.uniform());
    const levels = universe.levels;
    const bp = new Float64Array(levels);
    const bs = new Float64Array(levels);
    const ap = new Float64Array(levels);
    const as = new Float64Array(levels);
    for (let l = 0; l < levels; l++) {
      bp[l] = mid - half * (1 + 2 * l);
      ap[l] = mid + half * (1 + 2 * l);
      bs[l] = ((2000 + 20_000 * rng.uniform()) / mid) * (l + 1);
      as[l] = ((2000 + 20_000 * rng.uniform()) / mid) * (l + 1);
    }
    pool.bidPrices.push(bp);
    pool.bidSizes.push(bs);
    pool.askPrices.push(ap);
    pool.askSizes.push(as);
    pool.rate[k] = 0.0001 + 0.0003 * rng.normal();
  }
  return pool;
}

/** Applies update k of the pool. */
export function applyPoolUpdate(scanner: Scanner, pool: UpdatePool, k: number, nowMs: number): void {
  const i = pool.instrument[k];
  switch (pool.kind[k]) {
    case 0:
      scanner.updateBook(i, pool.bidPrices[k], pool.bidSizes[k], pool.askPrices[k], pool.askSizes[k], nowMs);
      break;
    case 1:
      scanner.updateQuote(i, pool.bidPrices[k][0], pool.bidSizes[k][0], pool.askPrices[k][0], pool.askSizes[k][0], nowMs);
      break;
    default: {
      const s = scanner.state.instruments[i];
      scanner.updateFunding(i, pool.rate[k], s.fundingIntervalMs, Number.NaN, nowMs + s.fundingIntervalMs / 2);
    }
  }
}

/** A scanner over the universe with every instrument given a first book (and funding for perps). */
export function populatedScanner(universe: Universe, seed: number): { scanner: Scanner; pool: UpdatePool } {
  const scanner = new Scanner({ nowMs: universe.nowMs });
  for (const instrument of universe.instruments) scanner.addInstrument(instrument);
  const pool = updatePool(universe, scanner, 50_000, seed);
  // Every instrument once: a book, and funding for perps.
  const first = updatePool(universe, scanner, 1, seed + 1);
  for (let i = 0; i < universe.instruments.length; i++) {
    first.instrument[0] = i;
    first.kind[0] = 0;
    const asset = Math.floor(i / 3) % universe.assetMids.length;
    const scale = universe.assetMids[asset] / (first.bidPrices[0][0] + first.askPrices[0][0]) * 2;
    const bp = first.bidPrices[0].map((p) => p * scale);
    const ap = first.askPrices[0].map((p) => p * scale);
    scanner.updateBook(i, bp, first.bidSizes[0], ap, first.askSizes[0], universe.nowMs);
    const s = scanner.state.instruments[i];
    if (s.instrument.kind === 'perp') scanner.updateFunding(i, 0.0001 * ((i % 7) - 2), s.fundingIntervalMs, Number.NaN, universe.nowMs + s.fundingIntervalMs / 2);
  }
  return { scanner, pool };
}

export interface ScanBenchResult {
  scanUpdateP99Micros: number;
  scanUpdateP50Micros: number;
  scanUpdateMeanMicros: number;
  /** Median full rescan: every opportunity and every clock-dependent term recomputed; books walked on their last update are reused. */
  fullRescanMillis: number;
  /** The same, walking all 3,000 books again (as after a config change). */
  fullRescanWalkingBooksMillis: number;
  scanInstruments: number;
  scanOpportunitySlots: number;
  scanSlotsPerUpdateMean: number;
  scanUpdatesTimed: number;
}

export function benchScan(options: { seed?: number; updates?: number; rescans?: number } = {}): ScanBenchResult {
  const seed = options.seed ?? 42;
  const universe = syntheticUniverse({ seed });
  const { scanner, pool } = populatedScanner(universe, seed + 1);
  const updates = options.updates ?? 300_000;
  const warmup = 100_000;
  const timings = new Float64Array(updates);
  const now = universe.nowMs;
  for (let k = 0; k < warmup; k++) applyPoolUpdate(scanner, pool, k % pool.size, now);
  const recomputedBefore = scanner.stats.recomputations;
  for (let k = 0; k < updates; k++) {
    const j = (k * 7919) % pool.size;
    const t0 = performance.now();
    applyPoolUpdate(scanner, pool, j, now);
    timings[k] = performance.now() - t0;
  }
  const slotsPerUpdate = (scanner.stats.recomputations - recomputedBefore) / updates;
  const sorted = Float64Array.from(timings).sort();
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000;
  let sum = 0;
  for (let k = 0; k < updates; k++) sum += timings[k];

  const rescans = options.rescans ?? 200;
  const timeRescans = (refreshBooks: boolean): number => {
    for (let k = 0; k < 20; k++) scanner.rescan({ refreshBooks });
    const times: number[] = [];
    for (let k = 0; k < rescans; k++) {
      const t0 = performance.now();
      scanner.rescan({ refreshBooks });
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(rescans / 2)];
  };
  const fullRescanMillis = timeRescans(false);
  const fullRescanWalkingBooksMillis = timeRescans(true);
  return {
    scanUpdateP99Micros: round(quantile(0.99)),
    scanUpdateP50Micros: round(quantile(0.5)),
    scanUpdateMeanMicros: round((sum / updates) * 1000),
    fullRescanMillis: round(fullRescanMillis),
    fullRescanWalkingBooksMillis: round(fullRescanWalkingBooksMillis),
    scanInstruments: universe.instruments.length,
    scanOpportunitySlots: scanner.slots.length,
    scanSlotsPerUpdateMean: round(slotsPerUpdate),
    scanUpdatesTimed: updates,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(benchScan(), null, 2)}\n`);
}
