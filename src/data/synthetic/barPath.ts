import { YEAR_MS } from '../../core/time.ts';
import { Rng } from './rng.ts';
/**
 * What the path needs (all resolved): the part of the market's options (market.ts's
 * SyntheticMarketOptions extends it) that the path reads, so the path does not import the market.
 */
export interface BarPathOptions {
  seed: number;
  /** Open time of the first spot bar, ms UTC. */
  startMs: number;
  barIntervalMs: number;
  /** Number of spot bars. */
  bars: number;
  /** Number of perp bars: the perp covers the last perpBars bars of the spot span. */
  perpBars: number;
  /** Path points per bar, from which each bar's high and low are taken. */
  stepsPerBar: number;
  initialPrice: number;
  gbmDriftAnnual: number;
  gbmVolAnnual: number;
  /** OU basis s = perp / spot - 1 (a fraction): ds = theta (mu - s) dt + sigma dW, t in seconds. */
  thetaPerSecond: number;
  mu: number;
  sigmaPerSqrtSecond: number;
  /** Basis at the start; null: drawn from the stationary law N(mu, sigma^2 / (2 theta)). */
  initialBasis: number | null;
  /** Mean bar volume in base units (log-normal). */
  meanVolume: number;
  /**
   * Expiry of a dated future on the same mid (ms UTC), null for none. Its price is
   * mid x (1 + futureBasisAnnual x (expiry - t) / year + (s - mu) x (expiry - t) / (expiry - startMs)):
   * a carry that decays linearly to zero and the perp's basis noise fading with it, so the future
   * converges on the mid at its expiry. It has bars from the first spot bar to the last one that
   * closes at or before the expiry; its values take no random draws, so the spot and perp are the
   * same with and without it.
   */
  futureExpiryMs: number | null;
  futureBasisAnnual: number;
}

/** OHLCV columns of bars, written from row 0. */
export type BarColumns = Record<'ts' | 'open' | 'high' | 'low' | 'close' | 'volume', Float64Array>;

export const barColumns = (n: number): BarColumns => ({
  ts: new Float64Array(n),
  open: new Float64Array(n),
  high: new Float64Array(n),
  low: new Float64Array(n),
  close: new Float64Array(n),
  volume: new Float64Array(n),
});

/** Bars whose normal draws are made in one go. */
const BLOCK_BARS = 512;

/**
 * The random path behind the synthetic market, bar after bar: a GBM mid price and an OU basis
 * simulated exactly, `stepsPerBar` points per bar. One generator serves the whole market at once and
 * chunk by chunk: it draws the same numbers in the same order either way, so both give the same
 * values bit for bit.
 */
export class SyntheticBarPath {
  /** Index of the next spot bar. */
  bar = 0;
  readonly firstPerpBar: number;
  private readonly rng: Rng;
  private readonly logDrift: number;
  private readonly logVol: number;
  private readonly decay: number;
  private readonly basisStepSd: number;
  private logMid: number;
  private s: number;
  /** Normal draws for up to BLOCK_BARS bars at a time. */
  private readonly normals: Float64Array;
  /** Bars of the dated future (0 without one): bars 0 .. futureBars - 1. */
  readonly futureBars: number;

  constructor(private readonly o: BarPathOptions) {
    this.rng = new Rng(o.seed);
    const stepMs = o.barIntervalMs / o.stepsPerBar;
    const stepYears = stepMs / YEAR_MS;
    this.logDrift = (o.gbmDriftAnnual - 0.5 * o.gbmVolAnnual ** 2) * stepYears;
    this.logVol = o.gbmVolAnnual * Math.sqrt(stepYears);
    this.decay = Math.exp(-o.thetaPerSecond * (stepMs / 1000));
    this.basisStepSd = o.sigmaPerSqrtSecond * Math.sqrt((1 - this.decay * this.decay) / (2 * o.thetaPerSecond));
    const stationarySd = o.sigmaPerSqrtSecond / Math.sqrt(2 * o.thetaPerSecond);
    this.firstPerpBar = o.bars - o.perpBars;
    this.normals = new Float64Array(BLOCK_BARS * (2 * o.stepsPerBar + 2));
    this.logMid = Math.log(o.initialPrice);
    this.s = o.initialBasis ?? o.mu + stationarySd * this.rng.normal();
    this.futureBars = o.futureExpiryMs === null ? 0 : Math.max(0, Math.min(o.bars, Math.floor((o.futureExpiryMs - o.startMs) / o.barIntervalMs)));
  }

  /** Rows of the dated future among spot bars from .. end - 1 (they are its first rows, from `from`). */
  futureRowsIn(from: number, end: number): number {
    return Math.max(0, Math.min(end, this.futureBars) - from);
  }

  /** Bars not generated yet. */
  get remaining(): number {
    return this.o.bars - this.bar;
  }

  /**
   * Generates the next `count` spot bars into `spot` rows 0.., and the perp bars among them (those of
   * the perp's span) into `perp` rows 0.. with their premium (the basis at the close). Returns the
   * number of perp rows written.
   */
  next(count: number, spot: BarColumns, perp: BarColumns, premium: Float64Array, future?: BarColumns): number {
    const o = this.o;
    const rng = this.rng;
    const { logDrift, logVol, decay, basisStepSd } = this;
    const normals = this.normals;
    const perBar = 2 * o.stepsPerBar + 2;
    let logMid = this.logMid;
    let s = this.s;
    const from = this.bar;
    const end = Math.min(o.bars, from + count);
    // Perp row of a bar: k - perpBase, where k is its index in the perp span.
    const perpBase = Math.max(0, from - this.firstPerpBar);
    // Every draw is a normal, in this order: per step the mid's then the basis', then the two volumes.
    // Exactly the draws of this call's bars are made, so none is left over for the next call.
    let filled = 0;
    let n = 0;
    for (let bar = from; bar < end; bar++) {
      if (n === filled) {
        filled = Math.min(BLOCK_BARS, end - bar) * perBar;
        rng.fill(normals, filled);
        n = 0;
      }
      const i = bar - from;
      const k = bar - this.firstPerpBar;
      const p = k - perpBase;
      const ts = o.startMs + bar * o.barIntervalMs;
      let mid = Math.exp(logMid);
      let perpPrice = mid * (1 + s);
      spot.ts[i] = ts;
      spot.open[i] = spot.high[i] = spot.low[i] = mid;
      if (k >= 0) {
        perp.ts[p] = ts;
        perp.open[p] = perp.high[p] = perp.low[p] = perpPrice;
      }
      const withFuture = future !== undefined && bar < this.futureBars;
      if (withFuture) {
        future.ts[i] = ts;
        future.open[i] = future.high[i] = future.low[i] = this.futurePrice(mid, s, ts);
      }
      for (let step = 0; step < o.stepsPerBar; step++) {
        logMid += logDrift + logVol * normals[n++];
        s = o.mu + (s - o.mu) * decay + basisStepSd * normals[n++];
        mid = Math.exp(logMid);
        perpPrice = mid * (1 + s);
        if (mid > spot.high[i]) spot.high[i] = mid;
        if (mid < spot.low[i]) spot.low[i] = mid;
        if (k >= 0) {
          if (perpPrice > perp.high[p]) perp.high[p] = perpPrice;
          if (perpPrice < perp.low[p]) perp.low[p] = perpPrice;
        }
        if (withFuture) {
          const f = this.futurePrice(mid, s, ts + ((step + 1) * o.barIntervalMs) / o.stepsPerBar);
          if (f > future.high[i]) future.high[i] = f;
          if (f < future.low[i]) future.low[i] = f;
          if (step === o.stepsPerBar - 1) future.close[i] = f;
        }
      }
      spot.close[i] = mid;
      spot.volume[i] = o.meanVolume * Math.exp(0.5 * normals[n++] - 0.125);
      const perpVolume = o.meanVolume * 3 * Math.exp(0.5 * normals[n++] - 0.125);
      if (k >= 0) {
        perp.close[p] = perpPrice;
        perp.volume[p] = perpVolume;
        premium[p] = s;
      }
      if (withFuture) future.volume[i] = perpVolume / 3;
    }
    this.logMid = logMid;
    this.s = s;
    this.bar = end;
    return Math.max(0, end - Math.max(from, this.firstPerpBar));
  }

  /** The dated future's price at time tMs on the mid and the perp's basis s (see futureExpiryMs). */
  private futurePrice(mid: number, s: number, tMs: number): number {
    const o = this.o;
    const leftMs = o.futureExpiryMs! - tMs;
    return mid * (1 + (o.futureBasisAnnual * leftMs) / YEAR_MS + ((s - o.mu) * leftMs) / (o.futureExpiryMs! - o.startMs));
  }
}
