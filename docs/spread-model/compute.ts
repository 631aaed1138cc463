/**
 * Numbers and figures of docs/spread-model.md that `perp-arb fit` does not print.
 *
 *   node bin/perp-arb.js data import ../shared/data --store /tmp/report-store
 *   node --import tsx docs/spread-model/compute.ts /tmp/report-store > docs/spread-model/compute-output.md
 *
 * Everything is computed with the project's own functions (src/model, src/data); this script only
 * loops over settings, counts band crossings and draws figures (vega-lite, rendered by resvg as the
 * fit CLI does). Writes docs/figures/{variogram,rolling-1d,reversion-times}.png. Deterministic.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { basisFromStore } from '../../src/data/basisFromStore.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import { renderSpreadSvg, svgToPng } from '../../src/app/plot/spreadPlot.ts';
import { fitAr1, FitError } from '../../src/model/ar1.ts';
import { bertramOptimalBands } from '../../src/model/bertram.ts';
import { closeProbabilitiesByWindow, probabilityReachMeanBy } from '../../src/model/firstPassage.ts';
import { leungLiOptimalLevels } from '../../src/model/leungLi.ts';
import { normalCdf } from '../../src/model/normal.ts';
import { ouStationarySd, reversionFraction } from '../../src/model/ouExpectation.ts';
import { fitOu, ouFromAr1, type OuFit } from '../../src/model/ouFit.ts';
import type { OuParams } from '../../src/model/ouParams.ts';
import {
  empiricalCloseProbabilitiesByWindow,
  fitNormalToTimes,
  measureReversionTimes,
  normalCloseProbabilitiesByWindow,
} from '../../src/model/reversionTimes.ts';
import { rollingOuFit } from '../../src/model/rollingFit.ts';
import { adfTest } from '../../src/model/stationarity.ts';
import { roundTripCostFromFeeRate, seedFormulaEntryThreshold, strategy1EntryThresholds } from '../../src/model/strategy1.ts';
import { decideStrategy2, strategy2ExpectedProfit } from '../../src/model/strategy2.ts';
import { volatilityRegimes } from '../../src/model/volatilityRegimes.ts';

const STORE = process.argv[2] ?? '/tmp/report-store';
const HERE = dirname(fileURLToPath(import.meta.url));
const FIGURES = join(HERE, '..', 'figures');
const SPOT = 'binance:BTC/USDT';
const PERP = 'binance:BTC/USDT:USDT';
const FUNDING_INTERVAL_S = 28_800;
const YEAR_S = 365 * 86_400;
const DISCOUNT_PER_YEAR = 0.05; // the CLI's Leung-Li default

/** Fee scenarios, fraction per leg; a round trip pays 4 f. */
const FEES: { name: string; f: number }[] = [
  { name: 'taker (CLI default: spot 0.10% + perp 0.05%, averaged)', f: 0.00075 },
  { name: 'VIP0 maker on both legs (spot 0.10% + perp 0.02%, averaged)', f: 0.0006 },
  { name: '0.02% per leg (the USD-M VIP0 maker rate on all four legs)', f: 0.0002 },
  { name: '0.01% per leg (VIP / market maker)', f: 0.0001 },
  { name: '0.0% (market maker, fees = rebates)', f: 0 },
];

// ---------------------------------------------------------------------------------------------
// formatting
// ---------------------------------------------------------------------------------------------
const out: string[] = [];
const say = (line = '') => out.push(line);
const bps = (x: number, d = 2) => (Number.isFinite(x) ? `${(x * 1e4).toFixed(d)}` : String(x));
const g = (x: number, p = 3) => (Number.isFinite(x) ? (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? Number(x.toPrecision(p)).toString() : x.toExponential(p - 1)) : String(x));
const pct = (x: number, d = 1) => `${(100 * x).toFixed(d)}%`;
function dur(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 120) return `${sign}${s.toFixed(s < 10 ? 2 : 1)} s`;
  if (s < 7200) return `${sign}${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s < 2 * 86_400) return `${sign}${(s / 3600).toFixed(2)} h`;
  if (s < 2 * YEAR_S) return `${sign}${(s / 86_400).toFixed(1)} d`;
  return `${sign}${g(s / YEAR_S)} years`;
}
function table(header: string[], rows: (string | number)[][]): void {
  say(`| ${header.join(' | ')} |`);
  say(`|${header.map(() => ' --- ').join('|')}|`);
  for (const r of rows) say(`| ${r.join(' | ')} |`);
  say();
}
const params = (f: OuFit): OuParams => ({ thetaPerSecond: f.thetaPerSecond, mu: f.mu, sigmaPerSqrtSecond: f.sigmaPerSqrtSecond });
const isoMin = (ms: number) => new Date(ms).toISOString().slice(0, 16) + 'Z';

async function renderPng(spec: TopLevelSpec, file: string): Promise<number> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const png = svgToPng(await view.toSVG(), 1.5);
    writeFileSync(join(FIGURES, file), png);
    return png.length;
  } finally {
    view.finalize();
  }
}
const FONT = { font: 'DejaVu Sans', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 700, labelFontSize: 11, title: null } };

function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}
function meanSd(values: ArrayLike<number>): { mean: number; sd: number } {
  let m = 0;
  for (let i = 0; i < values.length; i++) m += values[i];
  m /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - m) ** 2;
  return { mean: m, sd: Math.sqrt(ss / (values.length - 1)) };
}
/** Sample autocorrelation of s at a lag (one mean, divisor n). */
function acf(s: Float64Array, lag: number): number {
  const { mean } = meanSd(s);
  let c0 = 0;
  let ck = 0;
  for (let i = 0; i < s.length; i++) c0 += (s[i] - mean) ** 2;
  for (let i = lag; i < s.length; i++) ck += (s[i] - mean) * (s[i - lag] - mean);
  return ck / c0;
}
/** Var(s[t+k] - s[t]) over all t. */
function variogram(s: Float64Array, lag: number): number {
  let sum = 0;
  let ss = 0;
  const n = s.length - lag;
  for (let t = lag; t < s.length; t++) {
    const d = s[t] - s[t - lag];
    sum += d;
    ss += d * d;
  }
  return ss / n - (sum / n) ** 2;
}
/** E[T] = int_0^inf P(T > t) dt for the first passage to mu (closed form CDF), by the trapezoid rule. */
function meanFirstPassageSeconds(p: OuParams, s0: number): number {
  const step = 0.01 / p.thetaPerSecond;
  let total = 0;
  let prev = 1;
  for (let t = step; t < 60 / p.thetaPerSecond; t += step) {
    const surv = 1 - probabilityReachMeanBy(p, s0, t);
    total += ((prev + surv) / 2) * step;
    prev = surv;
    if (surv < 1e-12) break;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// data
// ---------------------------------------------------------------------------------------------
const store = new MarketStore(STORE);
const loaded = await basisFromStore(store, { spotId: SPOT, perpId: PERP, timeframe: '1m' });
const s = loaded.basis.basis;
const ts = loaded.basis.tsMs;
const n = s.length;
const DT = 60;
const observedMs = (i: number) => ts[i] + 60_000; // a 1m close is known at open + 1 min
const tauAt = (i: number) => {
  const next = (Math.floor(observedMs(i) / (FUNDING_INTERVAL_S * 1000)) + 1) * FUNDING_INTERVAL_S * 1000;
  return (next - observedMs(i)) / 1000;
};

const fundingKey = { table: 'funding' as const, venue: 'binance', symbol: 'BTC/USDT:USDT', timeframe: null };
const funding = await store.read(fundingKey, { fromMs: ts[0], toMs: ts[n - 1] + 60_000 });
const fTs = funding.columns.ts as Float64Array;
const fRate = funding.columns.rate as Float64Array;
const fStats = meanSd(fRate);
const meanFunding = fStats.mean;

say('# compute.ts output');
say();
say(`Store ${STORE}; ${SPOT} vs ${PERP}, 1m closes: ${n} aligned points, ${isoMin(ts[0])} .. ${isoMin(ts[n - 1])} (bar open times); ` +
  `unmatched spot rows ${loaded.basis.unmatchedSpot}, unmatched perp rows ${loaded.basis.unmatchedPerp}, gaps ${loaded.basis.sampling.gaps.length}.`);
say();

// ---------------------------------------------------------------------------------------------
// 1. the 1m fit and the shape of the series
// ---------------------------------------------------------------------------------------------
const fit1 = fitOu(s, DT);
const p1 = params(fit1);
const sd1 = ouStationarySd(p1);
const sample = meanSd(s);
say('## 1. Fit at 1m');
say();
table(
  ['quantity', 'value', 'std error', 'other units'],
  [
    ['theta', `${g(fit1.thetaPerSecond, 4)} /s`, g(fit1.stdErrors.thetaPerSecond, 2), `${g(fit1.thetaPerSecond * 3600, 4)} /h; ${g(fit1.thetaPerSecond * 60, 4)} per 1m step (= -ln b)`],
    ['mu', `${bps(fit1.mu, 3)} bps`, `${bps(fit1.stdErrors.mu, 3)} bps`, `${g(fit1.mu, 4)} as a fraction`],
    ['sigma', `${g(fit1.sigmaPerSqrtSecond, 4)} /sqrt(s)`, g(fit1.stdErrors.sigmaPerSqrtSecond, 2), `${bps(fit1.sigmaPerSqrtSecond * 60, 3)} bps/sqrt(h)`],
    ['half-life', `${g(fit1.halfLifeSeconds, 4)} s`, `${g(fit1.stdErrors.halfLifeSeconds, 3)} s`, `${g(fit1.halfLifeSeconds / 60, 3)} min`],
    ['AR(1) b = e^(-theta dt)', g(fit1.b, 4), g(fit1.ar1.bStdError, 2), ''],
    ['stationary sd sigma/sqrt(2 theta)', `${bps(sd1, 3)} bps`, '', `sample sd of s: ${bps(sample.sd, 3)} bps; sample mean ${bps(sample.mean, 3)} bps`],
  ],
);
const acfLags = [1, 2, 3, 5, 10, 15, 30, 60, 240, 480, 1440];
say('Autocorrelation of s (a single OU at the 1m fit would give b^k):');
say();
table(['lag', ...acfLags.map((k) => (k < 60 ? `${k} min` : `${k / 60} h`))], [
  ['sample ACF', ...acfLags.map((k) => acf(s, k).toFixed(3))],
  ['b^k (1m OU)', ...acfLags.map((k) => g(fit1.b ** k, 2))],
]);
let maxDev = 0;
let minDev = 0;
let argMax = 0;
let argMin = 0;
for (let i = 0; i < n; i++) {
  const d = s[i] - fit1.mu;
  if (d > maxDev) [maxDev, argMax] = [d, i];
  if (d < minDev) [minDev, argMin] = [d, i];
}
say(`Extremes: max s = ${bps(s[argMax])} bps at ${isoMin(ts[argMax])} (mu + ${g(maxDev / sd1)} sd), min s = ${bps(s[argMin])} bps at ${isoMin(ts[argMin])} (mu - ${g(-minDev / sd1)} sd). ` +
  `Quantiles of s (bps): 0.1% ${bps(quantile(s, 0.001))}, 1% ${bps(quantile(s, 0.01))}, 50% ${bps(quantile(s, 0.5))}, 99% ${bps(quantile(s, 0.99))}, 99.9% ${bps(quantile(s, 0.999))}.`);
say();

// zoom on one day with the MONTH's mu and the f = 0.01% bands at tau = 1 h (the spread plot of `perp-arb fit`, drawn at 1.5x to stay small)
{
  const DAY = Date.UTC(2025, 5, 9);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (ts[i] >= DAY && ts[i] < DAY + 86_400_000) idx.push(i);
  const th = strategy1EntryThresholds(p1, 3600, roundTripCostFromFeeRate(0.0001));
  const { svg, caption } = await renderSpreadSvg({
    tsMs: Float64Array.from(idx, (i) => ts[i]),
    basis: Float64Array.from(idx, (i) => s[i]),
    mu: p1.mu,
    upperEntry: th.upper,
    lowerEntry: th.lower,
    title: 'Basis (perp - spot) / spot, Binance BTC/USDT, 1m closes, 2025-06-09 (UTC)',
    notes: [
      `mu and bands from the whole month's 1m fit: mu ${bps(p1.mu)} bps, half-life ${fit1.halfLifeSeconds.toFixed(1)} s, stationary sd ${bps(sd1, 3)} bps`,
      'bands mu ± 4f / (1 - e^(-theta tau)) for f = 0.01% per leg and tau >= 1 h, where 1 - e^(-theta tau) = 1 to 13 digits',
    ],
  }, { widthPx: 900, heightPx: 330 });
  const png = svgToPng(svg, 1.5);
  writeFileSync(join(FIGURES, 'basis-day-2025-06-09.png'), png);
  say(`Figure basis-day-2025-06-09.png (${png.length} bytes): ${caption}; bands ${bps(th.upper)} / ${bps(th.lower)} bps.`);
  say();
}

// ---------------------------------------------------------------------------------------------
// 2. subsampling
// ---------------------------------------------------------------------------------------------
say('## 2. Subsampling: every k-th point, dt = 60 k s');
say();
const steps = [1, 2, 5, 15, 60, 240];
const subRows: (string | number)[][] = [];
const subFits = new Map<number, OuFit>();
for (const k of steps) {
  const pick = (offset: number) => Float64Array.from({ length: Math.floor((n - 1 - offset) / k) + 1 }, (_, j) => s[offset + j * k]);
  const x = pick(0);
  const f = fitOu(x, DT * k);
  subFits.set(k, f);
  const adf = adfTest(x);
  // every phase offset 0..k-1: the spread of the half-life across the k possible subsamples
  const hl: number[] = [];
  let failed = 0;
  for (let o = 0; o < k; o++) {
    try {
      hl.push(ouFromAr1(fitAr1(pick(o)), DT * k).halfLifeSeconds);
    } catch (e) {
      if (!(e instanceof FitError)) throw e;
      failed++;
    }
  }
  subRows.push([
    k === 1 ? '1m' : k < 60 ? `${k}m` : `${k / 60}h`,
    x.length,
    `${g(f.b, 3)} ± ${g(f.ar1.bStdError, 1)}`,
    g(fit1.b ** k, 2),
    `${g(f.thetaPerSecond, 3)} ± ${g(f.stdErrors.thetaPerSecond, 1)}`,
    `${dur(f.halfLifeSeconds)} ± ${dur(f.stdErrors.halfLifeSeconds)}`,
    k === 1 ? '-' : `${dur(Math.min(...hl))} .. ${dur(Math.max(...hl))}${failed ? ` (${failed} offsets b<=0)` : ''}`,
    bps(f.mu, 2),
    bps(f.sigmaPerSqrtSecond * 60, 2),
    bps(ouStationarySd(params(f)), 3),
    f.residuals ? f.residuals.lag1Autocorrelation.toFixed(3) : '',
    g(adf.pValue, 2),
  ]);
}
table(
  ['step', 'points', 'b ± se', 'b if one OU (b_1m^k)', 'theta /s ± se', 'half-life ± se', 'half-life over all k offsets', 'mu bps', 'sigma bps/sqrt(h)', 'stationary sd bps', 'resid. lag-1 AC', 'ADF p'],
  subRows,
);

// variogram figure
const vLags: number[] = [];
for (let i = 0; i <= 60; i++) {
  const k = Math.round(10 ** ((i / 60) * Math.log10(10_080)));
  if (k !== vLags[vLags.length - 1]) vLags.push(k);
}
const fit1h = subFits.get(60) as OuFit;
const p1h = params(fit1h);
const sd1h = ouStationarySd(p1h);
const vPoints: { lagMin: number; bps2: number; series: string }[] = [];
for (const k of vLags) {
  vPoints.push({ lagMin: k, bps2: variogram(s, k) * 1e8, series: 'data: Var(s[t+k] - s[t])' });
  vPoints.push({ lagMin: k, bps2: 2 * sd1 ** 2 * -Math.expm1(-p1.thetaPerSecond * 60 * k) * 1e8, series: `OU fitted at 1m (half-life ${dur(fit1.halfLifeSeconds)})` });
  vPoints.push({ lagMin: k, bps2: 2 * sd1h ** 2 * -Math.expm1(-p1h.thetaPerSecond * 60 * k) * 1e8, series: `OU fitted at 1h (half-life ${dur(fit1h.halfLifeSeconds)})` });
}
const vBytes = await renderPng(
  {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 760,
    height: 300,
    background: 'white',
    config: FONT,
    title: { text: 'Variogram of the basis: Var(s[t+k] - s[t]) against the lag k', subtitle: `Binance BTC/USDT perp vs spot, 1m closes ${isoMin(ts[0]).slice(0, 10)}..${isoMin(ts[n - 1]).slice(0, 10)}; an OU gives 2 sd^2 (1 - e^(-theta k))`, anchor: 'start' },
    data: { values: vPoints },
    mark: { type: 'line', point: { size: 14 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'lagMin', type: 'quantitative', scale: { type: 'log', domain: [1, 10_080] }, axis: { title: 'lag k, minutes (log scale)', values: [1, 5, 15, 60, 240, 1440, 10080] } },
      y: { field: 'bps2', type: 'quantitative', axis: { title: 'variance, bps^2' } },
      color: { field: 'series', type: 'nominal', scale: { range: ['#1f5fa8', '#c0392b', '#27ae60'] } },
    },
  },
  'variogram.png',
);
say(`Figure variogram.png (${vBytes} bytes): lags ${vLags[0]}..${vLags[vLags.length - 1]} min. ` +
  `Data at 1, 15, 60, 1440, 10080 min: ${[1, 15, 60, 1440, 10080].map((k) => g(variogram(s, k) * 1e8, 3)).join(', ')} bps^2; ` +
  `2 x stationary variance: 1m OU ${g(2 * sd1 ** 2 * 1e8, 3)}, 1h OU ${g(2 * sd1h ** 2 * 1e8, 3)}, 2 x sample variance ${g(2 * sample.sd ** 2 * 1e8, 3)} bps^2.`);
say();

// ---------------------------------------------------------------------------------------------
// 3. rolling 1-day refits and volatility regimes
// ---------------------------------------------------------------------------------------------
say('## 3. Rolling 1-day refits (1440 points, refit every hour, no look-ahead)');
say();
const roll = rollingOuFit(s, DT, { windowPoints: 1440, stepPoints: 60 });
const rollSd = Float64Array.from(roll.thetaPerSecond, (th, i) => roll.sigmaPerSqrtSecond[i] / Math.sqrt(2 * th));
const summary = (name: string, v: ArrayLike<number>, f: (x: number) => string) =>
  [name, f(quantile(v, 0)), f(quantile(v, 0.25)), f(quantile(v, 0.5)), f(quantile(v, 0.75)), f(quantile(v, 1))];
table(['quantity', 'min', '25%', 'median', '75%', 'max'], [
  summary('half-life, s', roll.halfLifeSeconds, (x) => x.toFixed(1)),
  summary('mu, bps', roll.mu, (x) => bps(x, 2)),
  summary('stationary sd, bps', rollSd, (x) => bps(x, 3)),
  summary('sigma, bps/sqrt(h)', roll.sigmaPerSqrtSecond, (x) => bps(x * 60, 2)),
]);
say(`${roll.endIndex.length} windows, ${roll.failedWindows} failed.`);
// the same on non-overlapping calendar-free days (every 1440 points from the start)
const days = rollingOuFit(s, DT, { windowPoints: 1440, stepPoints: 1440 });
say(`Non-overlapping 1-day windows: ${days.endIndex.length}; half-life median ${quantile(days.halfLifeSeconds, 0.5).toFixed(1)} s, range ${quantile(days.halfLifeSeconds, 0).toFixed(1)}..${quantile(days.halfLifeSeconds, 1).toFixed(1)} s; ` +
  `mu median ${bps(quantile(days.mu, 0.5))} bps, range ${bps(quantile(days.mu, 0))}..${bps(quantile(days.mu, 1))} bps.`);
{
  const dm = meanSd(days.mu);
  const dh = meanSd(days.halfLifeSeconds);
  const f1h = subFits.get(60) as OuFit;
  say(`Standard errors from the spread across days (sd / sqrt(${days.endIndex.length})): mu ${bps(dm.sd / Math.sqrt(days.endIndex.length), 3)} bps ` +
    `(AR(1) at 1m says ${bps(fit1.stdErrors.mu, 3)} bps, AR(1) at 1h ${bps(f1h.stdErrors.mu, 3)} bps); half-life ${(dh.sd / Math.sqrt(days.endIndex.length)).toFixed(1)} s (AR(1) at 1m says ${fit1.stdErrors.halfLifeSeconds.toFixed(2)} s). ` +
    `Day-to-day sd: mu ${bps(dm.sd, 3)} bps, half-life ${dh.sd.toFixed(1)} s.`);
}
say();
const rollPoints: { t: number; value: number; panel: string }[] = [];
for (let i = 0; i < roll.endIndex.length; i++) {
  const t = observedMs(roll.endIndex[i]);
  rollPoints.push({ t, value: roll.halfLifeSeconds[i], panel: 'half-life, seconds' });
  rollPoints.push({ t, value: roll.mu[i] * 1e4, panel: 'mu, bps' });
  rollPoints.push({ t, value: rollSd[i] * 1e4, panel: 'stationary sd, bps' });
}
const rBytes = await renderPng(
  {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: FONT,
    title: { text: 'Rolling 1-day OU refits (window 1440 x 1m, refit hourly, plotted at the window end)', subtitle: `full-month fit: half-life ${fit1.halfLifeSeconds.toFixed(1)} s, mu ${bps(fit1.mu)} bps, stationary sd ${bps(sd1, 3)} bps`, anchor: 'start' },
    data: { values: rollPoints },
    facet: { row: { field: 'panel', type: 'nominal', header: { title: null, labelFontSize: 12 } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 760,
      height: 120,
      mark: { type: 'line', strokeWidth: 1.2, color: '#1f5fa8' },
      encoding: {
        x: { field: 't', type: 'temporal', scale: { type: 'utc' }, axis: { title: 'window end (UTC)', format: '%b %d', labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, axis: { title: null } },
      },
    },
  },
  'rolling-1d.png',
);
say(`Figure rolling-1d.png (${rBytes} bytes).`);
say();

say('### Volatility regimes (trailing std of 1m increments, split at its median)');
say();
const regimeRows: (string | number)[][] = [];
for (const w of [60, 1440]) {
  const r = volatilityRegimes(s, DT, { windowPoints: w });
  for (const [label, reg] of [['low', r.low], ['high', r.high]] as const) {
    const f = reg.fit;
    regimeRows.push([
      w === 60 ? '1 h' : '1 day',
      `${bps(r.thresholdStd, 3)}`,
      label,
      pct(reg.fraction),
      reg.pairs,
      f ? `${f.halfLifeSeconds.toFixed(1)} ± ${f.stdErrors.halfLifeSeconds.toFixed(1)}` : reg.error ?? '',
      f ? bps(f.mu, 2) : '',
      f ? bps(ouStationarySd(params(f)), 3) : '',
      f ? bps(f.sigmaPerSqrtSecond * 60, 2) : '',
    ]);
  }
}
table(['vol window', 'threshold (sd of 1m increments, bps)', 'regime', 'share of time', 'pairs', 'half-life s ± se', 'mu bps', 'stationary sd bps', 'sigma bps/sqrt(h)'], regimeRows);

// ---------------------------------------------------------------------------------------------
// 4. strategy 1: thresholds and crossings
// ---------------------------------------------------------------------------------------------
say('## 4. Strategy 1 thresholds and how often the basis crossed them');
say();
say(`Thresholds mu ± 4f / (1 - e^(-theta tau)) with the 1m fit; for the counts tau is each minute's own time to the next 00/08/16 UTC settlement (from the bar close).`);
say();
const tauList = [30, 60, 120, 300, 3600, 28_800];
table(
  ['fee per leg f', 'c = 4f, bps', 'c in stationary sds', ...tauList.map((t) => `upper / lower at tau = ${dur(t)}`)],
  FEES.map(({ f }) => {
    const c = roundTripCostFromFeeRate(f);
    return [pct(f, 3), bps(c), g(c / sd1, 3), ...tauList.map((t) => {
      const th = strategy1EntryThresholds(p1, t, c);
      return `${bps(th.upper)} / ${bps(th.lower)}`;
    })];
  }),
);
/** Naive replay on 1m closes: open at a close beyond the band (E[P] > 0 there), close at the first close at/through mu or at the last close before the settlement. */
function replay(f: number) {
  const c = roundTripCostFromFeeRate(f);
  let entriesUp = 0;
  let entriesDown = 0;
  let minutesUp = 0;
  let minutesDown = 0;
  let prevUp = false;
  let prevDown = false;
  const pnl: number[] = [];
  const holds: number[] = [];
  let open = -1;
  let side = 0;
  for (let i = 0; i < n; i++) {
    const tau = tauAt(i);
    const th = strategy1EntryThresholds(p1, tau, c);
    const up = s[i] > th.upper;
    const down = s[i] < th.lower;
    if (up) minutesUp++;
    if (down) minutesDown++;
    if (up && !prevUp) entriesUp++;
    if (down && !prevDown) entriesDown++;
    prevUp = up;
    prevDown = down;
    if (open >= 0) {
      const reached = side > 0 ? s[i] <= p1.mu : s[i] >= p1.mu;
      // the next close would be after the settlement: close now
      const last = tauAt(i) <= 60 || i === n - 1;
      if (reached || last) {
        pnl.push(side * (s[open] - s[i]) - c);
        holds.push((i - open) * 60);
        open = -1;
      }
      continue;
    }
    if ((up || down) && tau > 60) {
      open = i;
      side = up ? 1 : -1;
    }
  }
  const total = pnl.reduce((a, b) => a + b, 0);
  return { entriesUp, entriesDown, minutesUp, minutesDown, trades: pnl.length, wins: pnl.filter((x) => x > 0).length, total, mean: pnl.length ? total / pnl.length : NaN, meanHold: holds.length ? meanSd(holds).mean : NaN };
}
table(
  ['fee per leg f', 'upcrossings of upper band', 'minutes above', 'downcrossings of lower band', 'minutes below', 'replay trades', 'won', 'mean P per trade, bps', 'sum of P, bps of notional', 'mean hold'],
  FEES.map(({ f }) => {
    const r = replay(f);
    return [pct(f, 3), r.entriesUp, r.minutesUp, r.entriesDown, r.minutesDown, r.trades, r.wins, bps(r.mean, 2), bps(r.total, 1), dur(r.meanHold)];
  }),
);
say('Replay: one position at a time, opened at a 1m close beyond the band (not within the last minute before a settlement), closed at the first close at or through mu, ' +
  'or at the last close before the settlement; P = side (s_open - s_close) - 4f at candle closes: no crossing of the book, no latency, both legs filled at the close.');
say();

// crossing cost order of magnitude: the only bid/ask in the data (Bybit, 2022-12-13, quote bars)
try {
  const q = await basisFromStore(store, { spotId: 'bybit:BTC/USDT', perpId: 'bybit:BTC/USDT:USDT', prices: 'bidask', timeframe: '1m' });
  const gap = Float64Array.from(q.basis.openLongPerp as Float64Array, (x, i) => x - (q.basis.openShortPerp as Float64Array)[i]);
  say(`Crossing cost (Bybit BTC/USDT spot + perp quote bars, ${isoMin(q.basis.tsMs[0])}..${isoMin(q.basis.tsMs[q.basis.tsMs.length - 1])}, ${gap.length} aligned minutes): ` +
    `(perp_ask - spot_bid)/spot_bid - (perp_bid - spot_ask)/spot_ask, i.e. both books' spreads = the crossing cost of one round trip at the touch: ` +
    `median ${bps(quantile(gap, 0.5), 2)} bps, 10% ${bps(quantile(gap, 0.1), 2)}, 90% ${bps(quantile(gap, 0.9), 2)} bps.`);
  say();
} catch (e) {
  say(`Crossing cost: not computed (${(e as Error).message}).`);
  say();
}

// ---------------------------------------------------------------------------------------------
// 5. p_k: OU first passage and the seed's normal reversion times
// ---------------------------------------------------------------------------------------------
say('## 5. p_k for the 8h funding schedule');
say();
say(`Funding over the span: ${funding.rows} settlements ${isoMin(fTs[0])} .. ${isoMin(fTs[funding.rows - 1])}; rate per 8h: mean ${pct(meanFunding, 4)} (${bps(meanFunding, 3)} bps), ` +
  `sd ${bps(fStats.sd, 3)} bps, min ${bps(Math.min(...fRate), 3)}, max ${bps(Math.max(...fRate), 3)} bps, negative ${fRate.filter((x) => x < 0).length}; ` +
  `APR of the mean ${pct(meanFunding * 3 * 365, 2)}. Settlement hours (UTC): ${[...new Set(Array.from(fTs, (t) => new Date(t).getUTCHours()))].sort((a, b) => a - b).join(', ')}.`);
say();
// funding vs the basis over the interval before each settlement (Binance: F = P + clamp(0.01% - P, -0.05%, 0.05%))
{
  const rows: { mean: number; rate: number; implied: number }[] = [];
  for (let j = 0; j < funding.rows; j++) {
    const end = fTs[j];
    const start = end - FUNDING_INTERVAL_S * 1000;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (observedMs(i) > start && observedMs(i) <= end) {
        sum += s[i];
        count++;
      }
    }
    if (count < 0.9 * 480) continue;
    const P = sum / count;
    rows.push({ mean: P, rate: fRate[j], implied: P + Math.min(0.0005, Math.max(-0.0005, 0.0001 - P)) });
  }
  const mr = meanSd(rows.map((r) => r.rate)).mean;
  const mi = meanSd(rows.map((r) => r.implied)).mean;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const r of rows) {
    sxy += (r.implied - mi) * (r.rate - mr);
    sxx += (r.implied - mi) ** 2;
    syy += (r.rate - mr) ** 2;
  }
  const mae = rows.reduce((a, r) => a + Math.abs(r.rate - r.implied), 0) / rows.length;
  say(`Funding vs basis: over ${rows.length} complete intervals, the mean 1m-close basis of the 8h before a settlement ranges ${bps(Math.min(...rows.map((r) => r.mean)))}..${bps(Math.max(...rows.map((r) => r.mean)))} bps. ` +
    `Plugging it as the premium P into Binance's F = P + clamp(0.01% - P, -0.05%, +0.05%) gives a mean of ${bps(mi, 3)} bps vs the actual mean ${bps(mr, 3)} bps; ` +
    `correlation ${g(sxy / Math.sqrt(sxx * syy), 3)}, mean absolute gap ${bps(mae, 3)} bps. (Binance's premium uses impact bid/ask against a multi-venue index, not spot closes: a consistency check, not a model.)`);
  say();
}

const startsSd = [1, 2, 3, 5];
const c1 = roundTripCostFromFeeRate(0.0001);
const c75 = roundTripCostFromFeeRate(0.00075);
const entries: { label: string; s0: number }[] = [
  ...startsSd.map((k) => ({ label: `mu + ${k} sd = ${bps(p1.mu + k * sd1)} bps`, s0: p1.mu + k * sd1 })),
  { label: `f = 0.01% upper threshold ${bps(strategy1EntryThresholds(p1, 3600, c1).upper)} bps`, s0: strategy1EntryThresholds(p1, 3600, c1).upper },
  { label: `taker upper threshold ${bps(strategy1EntryThresholds(p1, 3600, c75).upper)} bps`, s0: strategy1EntryThresholds(p1, 3600, c75).upper },
];
const pkTaus = [30, 60, 300, 4 * 3600];
say('OU first passage to mu (closed form), windows of 8h after the first settlement; p_k from the start s0, tau = time to the next settlement:');
say();
const pkRows: (string | number)[][] = [];
for (const e of entries) {
  for (const tau of pkTaus) {
    const w = closeProbabilitiesByWindow(p1, e.s0, p1.mu, tau, FUNDING_INTERVAL_S, 3);
    pkRows.push([e.label, dur(tau), g(w.probabilities[0], 4), g(w.probabilities[1], 4), g(w.probabilities[2], 3), g(w.remainder, 3)]);
  }
}
table(['start s0', 'tau', 'p_1', 'p_2', 'p_3', 'not back after 3'], pkRows);
say('OU mean time to reach mu, E[T] = int P(T > t) dt: ' +
  startsSd.map((k) => `from mu + ${k} sd: ${dur(meanFirstPassageSeconds(p1, p1.mu + k * sd1))}`).join('; ') +
  `; from the taker threshold: ${dur(meanFirstPassageSeconds(p1, entries[entries.length - 1].s0))}.`);
say();

say("### The seed's approach: measured reversion times, a normal fit, and its p_k");
say();
say('Times from the first 1m close beyond the band to the first close at or across mu (mu of the 1m fit), either side of mu; band in OU stationary sds.');
say();
const rtRows: (string | number)[][] = [];
const pkSeedRows: (string | number)[][] = [];
const rtFigure: { t: number; cdf: number; series: string }[] = [];
for (const k of [0, 1, 2, 3]) {
  const rt = measureReversionTimes(s, DT, p1.mu, { kind: 'kSigma', k, stationarySd: sd1 });
  const nf = fitNormalToTimes(rt.timesSeconds);
  const times = rt.timesSeconds;
  rtRows.push([
    k === 0 ? 'any side of mu (k = 0)' : `|s - mu| > ${k} sd (${bps(k * sd1, 2)} bps)`,
    nf.count,
    rt.censored,
    dur(nf.meanSeconds),
    dur(nf.sdSeconds),
    dur(quantile(times, 0.5)),
    dur(quantile(times, 0.9)),
    dur(quantile(times, 0.99)),
    dur(Math.max(...times)),
    pct(normalCdf(-nf.meanSeconds / nf.sdSeconds), 1),
    k === 0 ? '-' : dur(meanFirstPassageSeconds(p1, p1.mu + k * sd1)),
  ]);
  for (const tau of [60, 300, 4 * 3600]) {
    const normal = normalCloseProbabilitiesByWindow(nf, tau, FUNDING_INTERVAL_S, 2);
    const emp = empiricalCloseProbabilitiesByWindow(times, tau, FUNDING_INTERVAL_S, 2);
    const ou = k === 0 ? null : closeProbabilitiesByWindow(p1, p1.mu + k * sd1, p1.mu, tau, FUNDING_INTERVAL_S, 2);
    pkSeedRows.push([
      k === 0 ? 'k = 0' : `${k} sd`,
      dur(tau),
      g(normal.probabilities[0], 4),
      g(normal.probabilities[1], 3),
      pct(normalCdf(-nf.meanSeconds / nf.sdSeconds), 1),
      g(emp.probabilities[0], 4),
      ou ? g(ou.probabilities[0], 4) : '-',
    ]);
  }
  if (k === 1) {
    const sorted = Float64Array.from(times).sort();
    const ecdf = (t: number) => {
      let c = 0;
      while (c < sorted.length && sorted[c] <= t) c++;
      return c / sorted.length;
    };
    // measured times are whole minutes: the empirical CDF is a step function on the 1m grid
    rtFigure.push({ t: 1, cdf: 0, series: `measured: ${nf.count} excursions beyond 1 sd (1m closes), empirical CDF` });
    for (let t = 60; t <= 3600; t += 60) rtFigure.push({ t, cdf: ecdf(t), series: `measured: ${nf.count} excursions beyond 1 sd (1m closes), empirical CDF` });
    for (let i = 0; i <= 60; i++) {
      const t = 10 ** ((i / 60) * Math.log10(3600));
      rtFigure.push({ t, cdf: normalCdf((t - nf.meanSeconds) / nf.sdSeconds), series: `seed's method: normal fit N(${nf.meanSeconds.toFixed(0)} s, ${nf.sdSeconds.toFixed(0)} s) to the measured times` });
      rtFigure.push({ t, cdf: probabilityReachMeanBy(p1, p1.mu + sd1, t), series: 'OU (1m fit) first passage from mu + 1 sd, closed form' });
    }
  }
}
table(['band', 'count', 'censored', 'mean', 'sd', 'median', '90%', '99%', 'max', 'normal mass below 0', 'OU E[T] from the band edge'], rtRows);
table(['band', 'tau', 'seed normal p_1', 'seed normal p_2', '(of which t < 0)', 'empirical p_1', 'OU p_1 from the band edge'], pkSeedRows);
rtFigure.sort((a, b) => a.t - b.t);
const fBytes = await renderPng(
  {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 760,
    height: 300,
    background: 'white',
    config: FONT,
    title: { text: 'Time for the basis to return to mu after leaving the 1-sd band: P(T <= t)', subtitle: 'the normal fit of the seed puts mass at t < 0 (its value at t -> 0) and too little in the tail', anchor: 'start' },
    data: { values: rtFigure },
    encoding: {
      x: { field: 't', type: 'quantitative', scale: { type: 'log', domain: [1, 3600] }, axis: { title: 't, seconds (log scale)', values: [1, 10, 60, 300, 900, 3600] } },
      y: { field: 'cdf', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: 'P(T <= t)' } },
      color: { field: 'series', type: 'nominal', scale: { range: ['#c0392b', '#1f5fa8', '#27ae60'] } },
    },
    layer: [
      { transform: [{ filter: "indexof(datum.series, 'measured') === 0" }], mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 } },
      { transform: [{ filter: "indexof(datum.series, 'measured') !== 0" }], mark: { type: 'line', strokeWidth: 1.8 } },
    ],
  },
  'reversion-times.png',
);
say(`Figure reversion-times.png (${fBytes} bytes).`);
say();
{
  const seed = { meanSeconds: 408, sdSeconds: 2078 };
  const rows = [60, 1800, 3600, 28_800].map((tau) => {
    const hourly = normalCloseProbabilitiesByWindow(seed, tau, 3600, 3);
    return [dur(tau), g(hourly.probabilities[0], 4), g(hourly.probabilities[1], 3), g(hourly.probabilities[2], 3), pct(normalCdf(-seed.meanSeconds / seed.sdSeconds), 1)];
  });
  say("The seed's own figures (mean 6m48s = 408 s, sd 34m38s = 2078 s), FTX hourly funding (dT = 1 h):");
  say();
  table(['tau', 'p_1', 'p_2', 'p_3', 'normal mass below 0 (counted in p_1)'], rows);
}

say('### Strategy 2: E[P] = sum_k p_k E[P]_k with the month mean funding');
say();
say(`Funding ${bps(meanFunding, 3)} bps per 8h (positive: a short perp receives it, a long perp pays it). Exit at mu.`);
say();
const s2Rows: (string | number)[][] = [];
for (const f of [0.0001, 0]) {
  const c = roundTripCostFromFeeRate(f);
  for (const k of [5, -5, 37]) {
    const s0 = p1.mu + k * sd1;
    for (const tau of [30, 60, 4 * 3600]) {
      const r = strategy2ExpectedProfit({ params: p1, s0, cost: c, fundingRatePerInterval: meanFunding, fundingIntervalSeconds: FUNDING_INTERVAL_S, timeToFundingSeconds: tau });
      const d = decideStrategy2({ params: p1, s0, cost: c, fundingRatePerInterval: meanFunding, fundingIntervalSeconds: FUNDING_INTERVAL_S, timeToFundingSeconds: tau });
      const s1 = (s0 >= p1.mu ? 1 : -1) * (s0 - p1.mu) * reversionFraction(p1, tau) - c;
      s2Rows.push([
        pct(f, 2),
        `mu ${k > 0 ? '+' : '-'} ${Math.abs(k)} sd (${bps(s0)} bps)`,
        r.side === 'shortPerpLongSpot' ? 'short perp' : 'long perp',
        dur(tau),
        g(r.windows[0].probability, 4),
        g(r.windows[1]?.probability ?? 0, 4),
        bps(r.windows[1]?.fundingFraction ?? 0, 3),
        bps(r.expectedProfitFraction, 3),
        bps(s1, 3),
        `${d.bestCloseByWindow}: ${bps(d.bestCommitValueFraction, 3)}`,
      ]);
    }
  }
}
table(['f', 'open at', 'side', 'tau', 'p_1', 'p_2', 'funding if closed in window 2, bps', 'strategy 2 E[P], bps', 'strategy 1 E[P], bps', 'best close-by window: E[P] bps'], s2Rows);

// ---------------------------------------------------------------------------------------------
// 6. Bertram and Leung-Li
// ---------------------------------------------------------------------------------------------
say('## 6. Bertram and Leung-Li levels');
say();
const blRows: (string | number)[][] = [];
for (const { f } of FEES) {
  const c = roundTripCostFromFeeRate(f);
  let bert: string[];
  try {
    const b = bertramOptimalBands(p1, c, 'expectedReturn');
    const m = b.metrics;
    if (b.halfWidthSd < 1e-3) throw new Error(`degenerate: h -> 0 (${g(b.halfWidthSd, 2)} sd), the optimum of a costless rule is to trade every tick`);
    bert = [`± ${bps(b.halfWidth)} (${g(b.halfWidthSd, 3)} sd)`, `${bps(b.entry)} / ${bps(b.exit)}`, dur(m.expectedTradeLengthSeconds), bps(m.returnPerTradeFraction, 3), bps(m.expectedReturnPerSecond * 86_400, 3)];
  } catch (e) {
    bert = [`error: ${(e as Error).message}`, '', '', '', ''];
  }
  const ll = (side: 'longBasis' | 'shortBasis') => {
    try {
      const l = leungLiOptimalLevels(p1, { costExit: 2 * f, costEntry: 2 * f, discountRatePerSecond: DISCOUNT_PER_YEAR / YEAR_S, side });
      return `${bps(l.entry)} -> ${bps(l.exit)}`;
    } catch (e) {
      return `none (${(e as Error).message.replace(/(\d+\.\d{2})\d+/g, '$1')})`;
    }
  };
  blRows.push([pct(f, 3), g(c / sd1, 3), ...bert, ll('shortBasis'), ll('longBasis')]);
}
table(['f', 'c in sds', 'Bertram bands mu ± h', 'long-basis entry / exit, bps', 'E[cycle]', 'return per cycle, bps', 'return per day, bps', 'Leung-Li short perp: open -> close, bps', 'Leung-Li long perp: open -> close, bps'], blRows);

/**
 * Completed round trips of a band rule on the 1m closes: a long-basis position opens at a close <= entry and
 * closes at a close >= exit (short-basis: >= entry, <= exit); P = realised basis change - c. No funding, no crossing.
 */
function bandReplay(entry: number, exit: number, side: 1 | -1, c: number) {
  let open = -1;
  const pnl: number[] = [];
  for (let i = 0; i < n; i++) {
    if (open < 0) {
      if (side * (s[i] - entry) <= 0) open = i;
    } else if (side * (s[i] - exit) >= 0) {
      pnl.push(side * (s[i] - s[open]) - c);
      open = -1;
    }
  }
  return { cycles: pnl.length, total: pnl.reduce((a, b) => a + b, 0), stillOpen: open >= 0 };
}
say('The same levels on the month of 1m closes: completed round trips (open at a close at or beyond the entry, close at a close at or beyond the exit; P = realised change - c, no crossing, no funding):');
say();
const brRows: (string | number)[][] = [];
for (const { f } of FEES.filter((x) => x.f > 0)) {
  const c = roundTripCostFromFeeRate(f);
  const cells: string[] = [];
  try {
    const b = bertramOptimalBands(p1, c, 'expectedReturn');
    const m = b.metrics;
    const long = bandReplay(b.entry, b.exit, 1, c);
    const short = bandReplay(b.exit, b.entry, -1, c);
    const expected = (30 * 86_400) / m.expectedTradeLengthSeconds;
    cells.push(`${long.cycles} (${bps(long.total, 1)} bps)`, `${short.cycles} (${bps(short.total, 1)} bps)`, g(expected, 3));
  } catch (e) {
    cells.push((e as Error).message, '', '');
  }
  for (const side of ['shortBasis', 'longBasis'] as const) {
    try {
      const l = leungLiOptimalLevels(p1, { costExit: 2 * f, costEntry: 2 * f, discountRatePerSecond: DISCOUNT_PER_YEAR / YEAR_S, side });
      const r = bandReplay(l.entry, l.exit, side === 'longBasis' ? 1 : -1, c);
      cells.push(`${r.cycles} (${bps(r.total, 1)} bps)${r.stillOpen ? ', 1 left open' : ''}`);
    } catch {
      cells.push('no levels');
    }
  }
  brRows.push([pct(f, 3), ...cells]);
}
table(['f', 'Bertram long-basis cycles (sum P)', 'Bertram short-basis cycles (sum P)', 'Bertram cycles expected in 30 days (one side)', 'Leung-Li short perp trades (sum P)', 'Leung-Li long perp trades (sum P)'], brRows);

// ---------------------------------------------------------------------------------------------
// 7. seed comparison
// ---------------------------------------------------------------------------------------------
say('## 7. Seed comparison');
say();
say("The seed's threshold (mu (1 + e^(-theta tau)) + 4f) / (1 - e^(-theta tau)) vs the corrected mu + 4f / (1 - e^(-theta tau)) on this data (f = 0.01%):");
say();
table(['tau', 'e^(-theta tau)', 'corrected upper, bps', "seed's, bps", 'difference 2 mu e/(1-e), bps'], [15, 30, 60, 120, 300, 3600].map((tau) => {
  const e = Math.exp(-p1.thetaPerSecond * tau);
  const corrected = strategy1EntryThresholds(p1, tau, c1).upper;
  const seed = seedFormulaEntryThreshold(p1, tau, 0.0001);
  return [dur(tau), g(e, 3), bps(corrected), bps(seed), bps(seed - corrected)];
}));
say('The seed\'s theta = 0.248 per step of its (unstated) sampling interval, as theta per second, half-life, and the 1m-equivalent b:');
say();
table(['if one step is', 'theta /s', 'half-life', 'b at 1m', 'this data (1m fit)'], [15, 60, 300, 3600].map((step) => {
  const th = 0.248 / step;
  return [dur(step), g(th, 3), dur(Math.LN2 / th), g(Math.exp(-th * 60), 3), step === 60 ? `theta ${g(p1.thetaPerSecond, 3)} /s, half-life ${dur(fit1.halfLifeSeconds)}, b ${g(fit1.b, 3)}` : ''];
}));
{
  // the seed's threshold with its own numbers, under its own mixing of units
  const th = 0.248; // per minute (hypothesis)
  const rows = [1, 5, 30, 59].map((tauMin) => {
    const e = Math.exp(-th * tauMin);
    const seedAsWritten = (0.13 * (1 + e) + 4 * 0.00007) / (1 - e);
    const correctedPercent = 0.13 + (4 * 0.07) / (1 - e); // mu and fee both in percent
    return [`${tauMin} min`, g(e, 3), g(seedAsWritten, 4), g(correctedPercent, 4)];
  });
  say("The seed's numbers in its own formula (theta per minute assumed, mu = 0.13 as written, 4 x 0.00007 as written) vs the corrected formula with mu and fee both in percent (mu = 0.13%, f = 0.07%):");
  say();
  table(['tau', 'e^(-0.248 tau)', "seed's threshold as written", 'corrected, percent'], rows);
}
// era: Binance ETH and BTC funding in the seed's window (2020-09-01..14) vs the report's month
{
  const rows: (string | number)[][] = [];
  const windows: [string, string, number, number][] = [
    ['ETH/USDT:USDT', "2020-09-01..14 (the seed's window)", Date.UTC(2020, 8, 1), Date.UTC(2020, 8, 15) - 1],
    ['BTC/USDT:USDT', '2020-09-01..14', Date.UTC(2020, 8, 1), Date.UTC(2020, 8, 15) - 1],
    ['ETH/USDT:USDT', '2021-01-01..2022-12-31', Date.UTC(2021, 0, 1), Date.UTC(2023, 0, 1) - 1],
    ['BTC/USDT:USDT', '2021-01-01..2022-12-31', Date.UTC(2021, 0, 1), Date.UTC(2023, 0, 1) - 1],
    ['BTC/USDT:USDT', `${isoMin(ts[0]).slice(0, 10)}..${isoMin(ts[n - 1]).slice(0, 10)} (this report)`, ts[0], ts[n - 1] + 60_000],
  ];
  for (const [symbol, label, from, to] of windows) {
    try {
      const d = await store.read({ table: 'funding', venue: 'binance', symbol, timeframe: null }, { fromMs: from, toMs: to });
      const r = d.columns.rate as Float64Array;
      const m = meanSd(r);
      rows.push([`binance ${symbol}`, label, d.rows, `${bps(m.mean, 3)} bps`, `${bps(m.sd, 3)} bps`, pct(m.mean * 3 * 365, 1), `${bps(m.mean / 8, 4)} bps`]);
    } catch (e) {
      rows.push([`binance ${symbol}`, label, 0, (e as Error).message, '', '', '']);
    }
  }
  say('Funding by era (Binance USD-M, 8h settlements, from the store; per-hour = per-8h / 8 for comparison with hourly venues such as FTX):');
  say();
  table(['perp', 'span', 'settlements', 'mean per 8h', 'sd', 'APR of the mean', 'mean per hour'], rows);
}

const text = out.join('\n');
process.stdout.write(text + '\n');
