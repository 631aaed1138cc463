/**
 * Every figure of docs/performance-expectations.md that is not a backtest summary, and the tables
 * built from the backtest summaries that docs/performance/reproduce.sh writes first.
 *
 *   bash docs/performance/reproduce.sh            (imports the two stores, runs the backtests, then this)
 *   node --import tsx docs/performance/compute.ts MAIN_STORE SUPERVIK_STORE docs/performance/out > docs/performance/out/compute-output.md
 *
 * Reads the store with the project's own modules (MarketStore, basisFromStore, the opportunity
 * Scanner); this script only loops, buckets and counts. Writes OUT/compute.json (the headline
 * numbers) beside the markdown it prints. Deterministic.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS, HOUR_MS, isoUtc, parseTimeArg, YEAR_MS } from '../../src/core/time.ts';
import { annualised, fundingApr, fundingRatePer } from '../../src/model/annualisation.ts';
import { basisFromStore } from '../../src/data/basisFromStore.ts';
import { MarketStore } from '../../src/data/store/marketStore.ts';
import type { SeriesKey } from '../../src/domain/series.ts';
import type { BacktestSummary } from '../../src/engine/summary.ts';
import { parseScannerConfig } from '../../src/strategy/scanner/config.ts';
import { Scanner } from '../../src/strategy/scanner/scanner.ts';

const STORE = process.argv[2] ?? '/tmp/perf-doc/main';
const SUPERVIK_STORE = process.argv[3] ?? '/tmp/perf-doc/supervik';
const OUT = process.argv[4] ?? 'docs/performance/out';
const CONFIGS = 'docs/performance';
/** AHA-HH, freqtrade, LEAN, cryptofeed. */
const store = new MarketStore(STORE);
/** The supervik funding files alone (see reproduce.sh for why they are kept apart). */
const supervik = new MarketStore(SUPERVIK_STORE);
const EIGHT_H = 8 * HOUR_MS;
const json: Record<string, unknown> = {};

// ---------------------------------------------------------------------------------------------
// Cost assumptions (fractions). Source: ccxt 4.5.84's published base tier, the rates the project's
// venue adapter reports (node_modules/ccxt/js/src/<venue>.js, `fees`): see the doc's cost table.
// ---------------------------------------------------------------------------------------------
const TAKER = {
  binance: { spot: 0.001, perp: 0.0005, inverse: 0.0005 },
  bybit: { spot: 0.001, perp: 0.0006 },
  okx: { spot: 0.0015, perp: 0.0005 },
} as const;
/** Crossing cost per fill against bar closes (the backtests' halfSpreadBps), fraction. */
const HALF_SPREAD = 0.5e-4;
/** Fee per perp fill for the seven-venue funding differential (the scanner's default taker rate). */
const DIFFERENTIAL_FEE = 0.0005;
/** Round trip of a spot/perp carry: open and close both legs at taker, plus four crossings. */
const carryRoundTrip = (venue: keyof typeof TAKER) => 2 * (TAKER[venue].spot + TAKER[venue].perp) + 4 * HALF_SPREAD;

// ---------------------------------------------------------------------------------------------
// formatting
// ---------------------------------------------------------------------------------------------
const out: string[] = [];
const say = (line = '') => out.push(line);
const pct = (x: number, d = 2) => (Number.isFinite(x) ? `${(100 * x).toFixed(d)}%` : 'n/a');
const bp = (x: number, d = 1) => (Number.isFinite(x) ? (x * 1e4).toFixed(d) : 'n/a');
const day = (ms: number) => isoUtc(ms).slice(0, 10);
function table(header: string[], rows: (string | number)[][]): void {
  say(`| ${header.join(' | ')} |`);
  say(`|${header.map(() => ' --- ').join('|')}|`);
  for (const r of rows) say(`| ${r.join(' | ')} |`);
  say();
}
function quantile(sorted: Float64Array | number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
const sortedOf = (values: ArrayLike<number>) => Float64Array.from(values).sort();
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------------------------------------
// data access
// ---------------------------------------------------------------------------------------------
interface Funding {
  id: string;
  ts: Float64Array;
  rate: Float64Array;
  intervalMs: Float64Array;
}
const f64 = (columns: Record<string, unknown>, name: string) => columns[name] as Float64Array;
const supervikIds = new Set(supervik.listSeries().map((s) => s.id));

async function funding(venue: string, symbol: string, fromMs?: number, toMs?: number, from: MarketStore = store): Promise<Funding> {
  const key: SeriesKey = { table: 'funding', venue, symbol, timeframe: null };
  const data = await from.read(key, { fromMs, toMs });
  const ts = f64(data.columns, 'ts');
  const rate = f64(data.columns, 'rate');
  const stored = f64(data.columns, 'interval_ms');
  const fallback = from.instruments().find((i) => i.venue === venue && i.symbol === symbol)?.fundingIntervalMs ?? null;
  const intervalMs = new Float64Array(data.rows);
  for (let i = 0; i < data.rows; i++) {
    const v = stored[i] > 0 ? stored[i] : fallback;
    if (v === null || !(v > 0)) throw new Error(`funding/${venue}/${symbol}: row at ${isoUtc(ts[i])} has no interval and the instrument none either`);
    intervalMs[i] = v;
  }
  return { id: `${venue}:${symbol}`, ts, rate, intervalMs };
}

async function bars(venue: string, symbol: string, timeframe: string, fromMs?: number, toMs?: number) {
  const data = await store.read({ table: 'bars', venue, symbol, timeframe }, { fromMs, toMs });
  return { ts: f64(data.columns, 'ts'), close: f64(data.columns, 'close') };
}

/**
 * Funding series of the linear perps, by venue and asset, each from one source:
 * supervik (its own store; 2020-2023), AHA-HH (2023-01..2024-06) and freqtrade (Binance BTC 2025)
 * from the main store. Binance and Bybit 2023 are in both: both are shown, as a cross-check.
 */
interface FundingSource {
  venue: string;
  asset: string;
  symbol: string;
  source: 'supervik' | 'AHA-HH' | 'freqtrade';
  fromMs?: number;
  toMs?: number;
  store: MarketStore;
}
const linearSymbol = (venue: string, asset: string) => (venue === 'dydx' ? `${asset}/USD:USDC` : `${asset}/USDT:USDT`);
const SOURCES: FundingSource[] = [];
for (const venue of ['binance', 'bybit', 'okx', 'gate', 'htx', 'kucoin', 'mexc', 'dydx']) {
  for (const asset of ['BTC', 'ETH']) {
    const symbol = linearSymbol(venue, asset);
    if (supervikIds.has(`funding/${venue}/${symbol}`)) SOURCES.push({ venue, asset, symbol, source: 'supervik', store: supervik });
    if (['binance', 'bybit', 'okx'].includes(venue)) SOURCES.push({ venue, asset, symbol, source: 'AHA-HH', fromMs: parseTimeArg('2023-01-01T00:00Z'), toMs: parseTimeArg('2024-07-01T00:00Z'), store });
    if (venue === 'binance' && asset === 'BTC') SOURCES.push({ venue, asset, symbol, source: 'freqtrade', fromMs: parseTimeArg('2025-01-01T00:00Z'), store });
  }
}
const loadSource = (s: FundingSource) => funding(s.venue, s.symbol, s.fromMs, s.toMs === undefined ? undefined : s.toMs - 1, s.store);

/** One history per venue and asset for F2: supervik, then AHA-HH after the last supervik settlement (no 2025: an 11-month gap). */
async function history(venue: string, asset: string): Promise<Funding> {
  const parts: Funding[] = [];
  let end = -Infinity;
  for (const s of SOURCES.filter((x) => x.venue === venue && x.asset === asset && x.source !== 'freqtrade')) {
    const f = await loadSource(s);
    const keep: number[] = [];
    for (let i = 0; i < f.ts.length; i++) if (f.ts[i] > end + HOUR_MS) keep.push(i);
    parts.push({ id: f.id, ts: Float64Array.from(keep, (i) => f.ts[i]), rate: Float64Array.from(keep, (i) => f.rate[i]), intervalMs: Float64Array.from(keep, (i) => f.intervalMs[i]) });
    if (keep.length) end = f.ts[keep[keep.length - 1]];
  }
  const cat = (k: 'ts' | 'rate' | 'intervalMs') => Float64Array.from(parts.flatMap((p) => Array.from(p[k])));
  return { id: `${venue}:${linearSymbol(venue, asset)}`, ts: cat('ts'), rate: cat('rate'), intervalMs: cat('intervalMs') };
}

const YEARS = [2020, 2021, 2022, 2023, 2024, 2025];
const yearStart = (y: number) => Date.UTC(y, 0, 1);

// =============================================================================================
say('# Computed figures for docs/performance-expectations.md');
say();
say(`Stores: ${STORE} (AHA-HH, freqtrade, LEAN, cryptofeed) and ${SUPERVIK_STORE} (supervik funding). Generated by docs/performance/compute.ts; every number below is recomputed from the store (and, for the backtest tables, from ${OUT}/backtest-*.json).`);
say();

// ---------------------------------------------------------------------------------------------
// F1. Funding APR per venue, asset and year
// ---------------------------------------------------------------------------------------------
say('## F1. Funding APR per venue, asset and UTC year (gross, constant notional, funding only)');
say();
say('APR = sum of the settled rates / (settlements x interval) x 365 days: what a short perp of constant notional received, per unit of notional, annualised. ' +
  'Per-settlement APR = rate x (365 d / interval). ">= 0.05%" and "<= -0.03%" count settlements at or beyond the seed\'s bull and bear rates, each rate scaled to 8 h.');
say();
const f1: (string | number)[][] = [];
const aprTable: Record<string, number> = {};
for (const s of SOURCES) {
  const all = await loadSource(s);
  for (const y of YEARS) {
    const from = yearStart(y);
    const to = yearStart(y + 1);
    const idx: number[] = [];
    for (let i = 0; i < all.ts.length; i++) if (all.ts[i] >= from && all.ts[i] < to) idx.push(i);
    if (idx.length === 0) continue;
    let sum = 0;
    let span = 0;
    let positive = 0;
    let bull = 0;
    let bear = 0;
    const perApr: number[] = [];
    for (const i of idx) {
      const r = all.rate[i];
      const iv = all.intervalMs[i];
      sum += r;
      span += iv;
      if (r > 0) positive++;
      const r8 = fundingRatePer(r, iv, EIGHT_H);
      if (r8 >= 0.0005 - 1e-12) bull++;
      if (r8 <= -0.0003 + 1e-12) bear++;
      perApr.push(fundingApr(r, iv));
    }
    const apr = annualised(sum, span);
    aprTable[`${s.venue}:${s.asset}:${y}:${s.source}`] = apr;
    const sorted = sortedOf(perApr);
    const first = all.ts[idx[0]];
    const last = all.ts[idx[idx.length - 1]];
    f1.push([
      s.venue,
      s.asset,
      y,
      s.source,
      `${day(first)}..${day(last)}`,
      idx.length,
      `${(all.intervalMs[idx[0]] / HOUR_MS).toFixed(0)} h`,
      pct(apr),
      pct(quantile(sorted, 0.5)),
      pct(quantile(sorted, 0.05)),
      pct(quantile(sorted, 0.95)),
      pct(positive / idx.length, 0),
      pct(bull / idx.length, 1),
      pct(bear / idx.length, 1),
    ]);
  }
}
table(['venue', 'asset', 'year', 'source', 'settlements from..to', 'n', 'interval', 'APR', 'median', 'p5', 'p95', 'rate > 0', '>= 0.05%/8h', '<= -0.03%/8h'], f1);
say('Summary (the APR column above; 2023 for binance and bybit is the same in both sources; 2024 = January-June, 2025 = 2025-05-25..06-24):');
say();
{
  const rows: string[][] = [];
  for (const venue of ['binance', 'bybit', 'okx', 'gate', 'htx', 'kucoin', 'mexc', 'dydx']) {
    for (const asset of ['BTC', 'ETH']) {
      const cells = YEARS.map((y) => {
        const v = ['supervik', 'AHA-HH', 'freqtrade'].map((src) => aprTable[`${venue}:${asset}:${y}:${src}`]).find((x) => x !== undefined);
        return v === undefined ? '-' : pct(v, 1);
      });
      rows.push([`${venue} ${asset}`, ...cells]);
    }
  }
  table(['venue asset', ...YEARS.map((y) => (y === 2024 ? '2024H1' : y === 2025 ? '2025 (1 month)' : String(y)))], rows);
}
json.fundingApr = Object.fromEntries(Object.entries(aprTable).map(([k, v]) => [k, round(v, 6)]));
say('binance and bybit 2023 come from both supervik and AHA-HH: the two rows of each pair should agree (same rates; Binance times differ by milliseconds). 2024 is 2024-01-01..2024-07-01 (AHA-HH); 2025 is the freqtrade month 2025-05-25..06-24.');
say();

// ---------------------------------------------------------------------------------------------
// F2. The seed's three market conditions, as funding levels
// ---------------------------------------------------------------------------------------------
say('## F2. Time spent in the seed\'s "bull 0.05% / neutral 0.01% / bear -0.03%" conditions');
say();
say('Rule: at each settlement t, the trailing mean of the rates settled in (t - 30 d, t], each scaled to 8 h, is assigned to the nearest of the seed\'s three levels: ' +
  'bull when >= 0.03% (midway between 0.01% and 0.05%), bear when < -0.01% (midway between 0.01% and -0.03%), neutral otherwise. Settlements of the first 30 days of each series are not classified. ' +
  '"next 30 d APR" is the funding a constant-notional short perp received over (t, t + 30 d], annualised, averaged over the settlements in that state: what a carry opened in that state earned next, gross.');
say();
const f2: (string | number)[][] = [];
const bucketShares: Record<string, number[]> = {};
const histories = new Map<string, Funding>();
for (const venue of ['binance', 'bybit', 'okx', 'gate', 'htx', 'kucoin', 'mexc', 'dydx']) for (const asset of ['BTC', 'ETH']) histories.set(`${venue}:${asset}`, await history(venue, asset));
for (const [key, f] of histories) {
  const [venue, asset] = key.split(':');
  const s = { venue, asset };
  const n = f.ts.length;
  const r8 = new Float64Array(n);
  for (let i = 0; i < n; i++) r8[i] = (f.rate[i] * EIGHT_H) / f.intervalMs[i];
  const count = [0, 0, 0];
  const fwdSum = [0, 0, 0];
  const fwdN = [0, 0, 0];
  let lo = 0;
  let sum = 0;
  let hiF = 0;
  let sumF = 0;
  let spanF = 0;
  let loF = 0;
  for (let i = 0; i < n; i++) {
    sum += r8[i];
    while (f.ts[lo] <= f.ts[i] - 30 * DAY_MS) sum -= r8[lo++];
    // forward window (t, t + 30 d]
    while (hiF < n && f.ts[hiF] <= f.ts[i] + 30 * DAY_MS) {
      sumF += f.rate[hiF];
      spanF += f.intervalMs[hiF];
      hiF++;
    }
    while (loF <= i) {
      if (loF < hiF) {
        sumF -= f.rate[loF];
        spanF -= f.intervalMs[loF];
      }
      loF++;
    }
    if (f.ts[i] - f.ts[0] < 30 * DAY_MS) continue;
    const mean = sum / (i - lo + 1);
    const b = mean >= 0.0003 ? 0 : mean < -0.0001 ? 2 : 1;
    count[b]++;
    if (f.ts[i] + 30 * DAY_MS <= f.ts[n - 1] && spanF > 0) {
      fwdSum[b] += annualised(sumF, spanF);
      fwdN[b]++;
    }
  }
  const total = count[0] + count[1] + count[2];
  bucketShares[`${s.venue}:${s.asset}`] = count.map((c) => round(c / total, 4));
  f2.push([
    s.venue,
    s.asset,
    `${day(f.ts[0])}..${day(f.ts[n - 1])}`,
    pct(count[0] / total, 1),
    pct(count[1] / total, 1),
    pct(count[2] / total, 1),
    fwdN[0] ? pct(fwdSum[0] / fwdN[0], 1) : '-',
    fwdN[1] ? pct(fwdSum[1] / fwdN[1], 1) : '-',
    fwdN[2] ? pct(fwdSum[2] / fwdN[2], 1) : '-',
  ]);
}
table(['venue', 'asset', 'span', 'bull share', 'neutral share', 'bear share', 'bull: next 30 d APR', 'neutral: next 30 d APR', 'bear: next 30 d APR'], f2);
json.seedBucketShares = bucketShares;

// ---------------------------------------------------------------------------------------------
// F3. Market regimes from prices (AHA-HH, 2023-01..2024-06)
// ---------------------------------------------------------------------------------------------
const AHA_FROM = parseTimeArg('2023-01-01T00:00Z');
const AHA_TO = parseTimeArg('2024-07-01T00:00Z');
say('## F3. Funding by market regime defined from prices (AHA-HH, 2023-01-01..2024-07-01)');
say();
say('Rule: at each settlement t, r30 = close of the 8h Binance SPOT bar of the same asset that closes at t / the one that closed at t - 30 d, minus 1. ' +
  'bull: r30 > +10%; bear: r30 < -10%; neutral otherwise (known at t: no look-ahead). Mean rate per 8 h of the settlements in each regime, and its APR (x 3 x 365). ' +
  'Settlements before 2023-01-31 have no 30-day history and are left out.');
say();
const f3: (string | number)[][] = [];
const regimeJson: Record<string, unknown> = {};
for (const asset of ['BTC', 'ETH']) {
  const px = await bars('binance', `${asset}/USDT`, '8h', AHA_FROM - 40 * DAY_MS, AHA_TO);
  const closeAt = new Map<number, number>();
  for (let i = 0; i < px.ts.length; i++) closeAt.set(px.ts[i] + EIGHT_H, px.close[i]);
  const regimeOf = (t: number): number | null => {
    const now = closeAt.get(t);
    const then = closeAt.get(t - 30 * DAY_MS);
    if (now === undefined || then === undefined) return null;
    const r = now / then - 1;
    return r > 0.1 ? 0 : r < -0.1 ? 2 : 1;
  };
  // shares of time (same for every venue: one price series)
  for (const venue of ['binance', 'bybit', 'okx']) {
    const f = await funding(venue, `${asset}/USDT:USDT`, AHA_FROM, AHA_TO - 1);
    const sum = [0, 0, 0];
    const n = [0, 0, 0];
    for (let i = 0; i < f.ts.length; i++) {
      const g = regimeOf(f.ts[i]);
      if (g === null) continue;
      sum[g] += (f.rate[i] * EIGHT_H) / f.intervalMs[i];
      n[g]++;
    }
    const total = n[0] + n[1] + n[2];
    const mean = sum.map((x, k) => (n[k] ? x / n[k] : Number.NaN));
    regimeJson[`${venue}:${asset}`] = { share: n.map((k) => round(k / total, 4)), meanRatePer8h: mean.map((m) => round(m, 8)) };
    f3.push([
      venue,
      asset,
      total,
      `${pct(n[0] / total, 0)} / ${pct(n[1] / total, 0)} / ${pct(n[2] / total, 0)}`,
      `${pct(mean[0], 4)} (${pct(mean[0] * 3 * 365, 1)})`,
      `${pct(mean[1], 4)} (${pct(mean[1] * 3 * 365, 1)})`,
      `${pct(mean[2], 4)} (${pct(mean[2] * 3 * 365, 1)})`,
    ]);
  }
}
table(['venue', 'asset', 'settlements', 'bull / neutral / bear share', 'bull: mean rate per 8h (APR)', 'neutral: mean rate (APR)', 'bear: mean rate (APR)'], f3);
json.priceRegimes = regimeJson;

// ---------------------------------------------------------------------------------------------
// C. Carry per venue and period: constant notional from the rates, and the backtests
// ---------------------------------------------------------------------------------------------
say('## C1. Spot/perp carry (long spot, short perp), constant notional, from the settled rates');
say();
say('Gross = sum of rates over the period, annualised by the period length. Net = gross minus one round trip (open at the start, close at the end: ' +
  '2 x (spot taker + perp taker) + 4 x 0.5 bps crossing) spread over the period. Always in the market, whatever the sign of funding. ' +
  'Rebalancing the notional as prices move is assumed free here (the backtests below hold a fixed quantity instead).');
say();
const PERIODS: [string, number, number][] = [
  ['2023', parseTimeArg('2023-01-01T00:00Z'), parseTimeArg('2024-01-01T00:00Z')],
  ['2024H1', parseTimeArg('2024-01-01T00:00Z'), parseTimeArg('2024-07-01T00:00Z')],
  ['2023-2024H1', AHA_FROM, AHA_TO],
];
const c1: (string | number)[][] = [];
const carryJson: Record<string, unknown> = {};
for (const venue of ['binance', 'bybit', 'okx'] as const) {
  for (const asset of ['BTC', 'ETH']) {
    for (const [name, from, to] of PERIODS) {
      const f = await funding(venue, `${asset}/USDT:USDT`, from, to - 1);
      let sum = 0;
      let negative = 0;
      for (let i = 0; i < f.rate.length; i++) {
        sum += f.rate[i];
        if (f.rate[i] < 0) negative++;
      }
      const years = (to - from) / YEAR_MS;
      const gross = sum / years;
      const rt = carryRoundTrip(venue);
      carryJson[`${venue}:${asset}:${name}`] = { gross: round(gross, 6), net: round(gross - rt / years, 6) };
      c1.push([venue, asset, name, f.rate.length, pct(negative / f.rate.length, 0), pct(sum, 2), pct(gross), pct(rt, 2), pct(gross - rt / years)]);
    }
  }
}
table(['venue', 'asset', 'period', 'settlements', 'share < 0', 'sum of rates', 'gross APR', 'round trip', 'net APR'], c1);
json.carryConstantNotional = carryJson;

interface Config {
  strategy: { type: string; params: Record<string, unknown> };
  data: { from?: string; to?: string; barTimeframe?: string };
  instruments: { id: string; takerFeeRate?: number; lotSize?: number }[];
  venues: { balances: Record<string, number>; leverage: number; halfSpreadBps?: number }[];
}
const summaries = new Map<string, { config: Config; summary: BacktestSummary }>();
for (const file of readdirSync(CONFIGS).filter((f) => f.endsWith('.json')).sort()) {
  const name = file.replace(/\.json$/, '');
  const config = JSON.parse(readFileSync(join(CONFIGS, file), 'utf8')) as Config;
  const summary = JSON.parse(readFileSync(join(OUT, `backtest-${name}.json`), 'utf8')) as BacktestSummary;
  summaries.set(name, { config, summary });
}
const days = (s: BacktestSummary) => (s.endTs - s.startTs) / DAY_MS;

say('## C2. Backtests: carry held for the whole period (`carry-hold-*`)');
say();
say('Each run: 100,000 USDT on the venue, 20,000 USD per leg at the first price after the start (a fixed quantity from then on), perp leverage 3, cross margin, taker fills against 8h bar closes with 0.5 bps half-spread and the default size slippage, ' +
  'fees of the cost table, never closed (the position is valued at the last close; closing would cost about the opening fees again, scaled by the price change). ' +
  'On equity = the backtest\'s total return annualised over 100,000; on notional = funding received / 20,000, annualised. ' +
  'Check = the funding the rates alone give for the same fixed quantity (rate x quantity x the perp close at each settlement): it should match the backtest\'s funding.');
say();
const c2: (string | number)[][] = [];
const holdJson: Record<string, unknown> = {};
for (const [name, { config, summary }] of summaries) {
  if (!name.startsWith('carry-hold-')) continue;
  const p = config.strategy.params;
  const [venue, perpSymbol] = String(p.perp).split(/:(.*)/s);
  const spotSymbol = String(p.spot).split(':')[1];
  const notional = Number(p.notionalUsd);
  const from = parseTimeArg(config.data.from!);
  const to = parseTimeArg(config.data.to!);
  // Entry at the first bar close after the start (the first settlement finds no closed bar yet).
  const perpBars = await bars(venue, perpSymbol, '8h', from, to - 1);
  const spotBars = await bars(venue, spotSymbol, '8h', from, to - 1);
  const perpLot = config.instruments.find((i) => i.id === p.perp)!.lotSize!;
  const spotLot = config.instruments.find((i) => i.id === p.spot)!.lotSize!;
  const entrySpot = spotBars.close[0];
  let qty = notional / entrySpot;
  for (const lot of [spotLot, perpLot]) qty = Math.floor(qty / lot + 1e-9) * lot;
  const closeAt = new Map<number, number>();
  for (let i = 0; i < perpBars.ts.length; i++) closeAt.set(perpBars.ts[i] + EIGHT_H, perpBars.close[i]);
  const f = await funding(venue, perpSymbol, from + EIGHT_H, to - 1);
  let check = 0;
  for (let i = 0; i < f.ts.length; i++) check += qty * f.rate[i] * (closeAt.get(f.ts[i]) ?? Number.NaN);
  const y = days(summary) / 365;
  const endPrice = perpBars.close[perpBars.close.length - 1];
  holdJson[name] = { totalReturn: summary.totalReturn, fundingPnl: summary.fundingPnl, feesPaid: summary.feesPaid, onNotionalApr: round(summary.fundingPnl / notional / y, 6), liquidations: summary.liquidations };
  c2.push([
    name.replace('carry-hold-', ''),
    days(summary).toFixed(0),
    `${qty.toFixed(perpLot < 0.01 ? 3 : 2)} @ ${entrySpot.toFixed(entrySpot > 1000 ? 0 : 1)}`,
    `x${(endPrice / entrySpot).toFixed(2)}`,
    summary.fundingPnl.toFixed(0),
    check.toFixed(0),
    summary.feesPaid.toFixed(0),
    pct(summary.totalReturn),
    pct(summary.totalReturn / y),
    pct(summary.fundingPnl / notional / y, 1),
    pct(summary.maxDrawdown),
    summary.liquidations,
  ]);
}
table(['run', 'days', 'quantity @ entry', 'price end/entry', 'funding USD', 'check USD', 'fees USD', 'return', 'APR on equity', 'APR on notional', 'max DD', 'liq.'], c2);
json.carryHold = holdJson;

say('## C3. Backtests: carry that enters and exits on the funding signal (`carry-switch-*`, 2023-01-01..2024-07-01)');
say();
say('FundingCarry rule: at each settlement open long spot / short perp when the last rate x 3 x 365 >= the round trip / 30 days (the roundTripCostRate of the config: 0.32% binance, 0.34% bybit, 0.42% okx, i.e. 3.9%, 4.1%, 5.1% APR), close when it turns negative. ' +
  'Same sizing, fills and fees as C2.');
say();
const c3: (string | number)[][] = [];
const switchJson: Record<string, unknown> = {};
for (const [name, { config, summary }] of summaries) {
  if (!name.startsWith('carry-switch-')) continue;
  const notional = Number(config.strategy.params.notionalUsd);
  const y = days(summary) / 365;
  switchJson[name] = { totalReturn: summary.totalReturn, trades: summary.trades, fundingPnl: summary.fundingPnl, feesPaid: summary.feesPaid };
  c3.push([
    name.replace('carry-switch-', ''),
    summary.trades,
    pct(summary.timeInMarket ?? Number.NaN, 0),
    summary.fundingPnl.toFixed(0),
    summary.feesPaid.toFixed(0),
    pct(summary.totalReturn),
    pct(summary.totalReturn / y),
    pct((summary.fundingPnl - summary.feesPaid) / notional / y, 1),
    pct(summary.maxDrawdown),
  ]);
}
table(['run', 'round trips', 'time in market', 'funding USD', 'fees USD', 'return', 'APR on equity', '(funding - fees) / notional, APR', 'max DD'], c3);
json.carrySwitch = switchJson;

say('## C4. Backtests on Binance BTC 1m, 2025-05-25..06-24 (carry and OU basis, three fee scenarios)');
say();
const c4: (string | number)[][] = [];
const minuteJson: Record<string, unknown> = {};
for (const [name, { config, summary }] of summaries) {
  if (!name.includes('-1m-2025-')) continue;
  const fees = config.instruments.map((i) => pct(i.takerFeeRate ?? Number.NaN, 3)).join(' / ');
  minuteJson[name] = { totalReturn: summary.totalReturn, trades: summary.trades, fundingPnl: summary.fundingPnl, feesPaid: summary.feesPaid };
  c4.push([name, fees, summary.trades, summary.fundingPnl.toFixed(0), summary.feesPaid.toFixed(0), pct(summary.totalReturn), pct(summary.apr ?? Number.NaN), pct(summary.maxDrawdown), pct(summary.timeInMarket ?? Number.NaN, 0)]);
}
table(['run', 'fee spot / perp', 'round trips', 'funding USD', 'fees USD', 'return (30 d)', 'APR on equity', 'max DD', 'time in market'], c4);
json.minute2025 = minuteJson;

// ---------------------------------------------------------------------------------------------
// B. Basis sizes
// ---------------------------------------------------------------------------------------------
say('## B1. Basis size distribution, s = perp close / spot close - 1 (same venue, same bar time)');
say();
const THRESHOLDS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02];
const b1: (string | number)[][] = [];
const basisJson: Record<string, unknown> = {};
async function basisRow(label: string, spotId: string, perpId: string, timeframe: string, fromMs?: number, toMs?: number) {
  const { basis } = await basisFromStore(store, { spotId, perpId, timeframe, fromMs, toMs });
  const s = basis.basis;
  const abs = sortedOf(Array.from(s, Math.abs));
  const sorted = sortedOf(s);
  const shares = THRESHOLDS.map((t) => {
    let k = 0;
    for (let i = 0; i < s.length; i++) if (Math.abs(s[i]) >= t) k++;
    return k / s.length;
  });
  basisJson[label] = { points: s.length, shareAtLeast: Object.fromEntries(THRESHOLDS.map((t, i) => [String(t), round(shares[i], 6)])), maxAbs: round(abs[abs.length - 1], 6) };
  b1.push([label, timeframe, s.length, bp(quantile(sorted, 0.01)), bp(quantile(sorted, 0.5)), bp(quantile(sorted, 0.99)), bp(abs[abs.length - 1]), ...shares.map((x) => pct(x, x > 0 && x < 0.001 ? 3 : 1))]);
  return basis;
}
await basisRow('binance BTC 2025-05-25..06-24', 'binance:BTC/USDT', 'binance:BTC/USDT:USDT', '1m');
const basis8h = new Map<string, Awaited<ReturnType<typeof basisRow>>>();
for (const venue of ['binance', 'bybit', 'okx']) {
  for (const asset of ['BTC', 'ETH']) {
    basis8h.set(`${venue}:${asset}`, await basisRow(`${venue} ${asset} 2023-01..2024-06`, `${venue}:${asset}/USDT`, `${venue}:${asset}/USDT:USDT`, '8h', AHA_FROM, AHA_TO - 1));
  }
}
table(['series', 'bars', 'points', 'p1 bps', 'median bps', 'p99 bps', 'max abs bps', ...THRESHOLDS.map((t) => `abs >= ${pct(t, t < 0.001 ? 2 : 1)}`)], b1);
json.basis = basisJson;

say('## B2. What follows a basis of a given size (8h AHA-HH closes, 2023-01..2024-06)');
say();
say('Entry: the first 8h close where |s| >= X after a close where it was below. Direction: short perp / long spot when s > 0 (the seed\'s trade); long perp / short spot when s < 0. ' +
  'Exit: the first later close where s has reached 0 or crossed it (full convergence, the seed\'s assumption), else the end of the data (counted as not converged). ' +
  'Convergence = |s_entry| - (signed s_exit); funding = what the perp leg received over (entry, exit]; cost = the venue\'s carry round trip (C1). Returns per unit notional of one leg.');
say();
const b2: (string | number)[][] = [];
const episodesJson: Record<string, unknown> = {};
for (const [key, basis] of basis8h) {
  const [venue, asset] = key.split(':') as ['binance' | 'bybit' | 'okx', string];
  const f = await funding(venue, `${asset}/USDT:USDT`, AHA_FROM, AHA_TO - 1);
  const rateAt = new Map<number, number>();
  for (let i = 0; i < f.ts.length; i++) rateAt.set(f.ts[i], f.rate[i]);
  const s = basis.basis;
  const ts = basis.tsMs;
  for (const X of [0.001, 0.002, 0.005, 0.01, 0.02]) {
    const holds: number[] = [];
    const conv: number[] = [];
    const fund: number[] = [];
    let notConverged = 0;
    let episodes = 0;
    for (let i = 1; i < s.length; i++) {
      if (!(Math.abs(s[i]) >= X && Math.abs(s[i - 1]) < X)) continue;
      episodes++;
      const d = Math.sign(s[i]);
      let j = i + 1;
      while (j < s.length && d * s[j] > 0) j++;
      if (j >= s.length) {
        notConverged++;
        continue;
      }
      // bar ts = open; the close is known at ts + 8h, a settlement at that time is paid to the position from the next one on
      let received = 0;
      for (let t = ts[i] + 2 * EIGHT_H; t <= ts[j] + EIGHT_H; t += EIGHT_H) received += d * (rateAt.get(t) ?? 0);
      holds.push((ts[j] - ts[i]) / DAY_MS);
      conv.push(d * (s[i] - s[j]));
      fund.push(received);
    }
    const n = holds.length;
    const med = (a: number[]) => quantile(sortedOf(a), 0.5);
    const rt = carryRoundTrip(venue);
    const net = conv.map((c, k) => c + fund[k] - rt);
    episodesJson[`${key}:${X}`] = { episodes, converged: n, medianHoldDays: round(med(holds), 3), medianConvergence: round(med(conv), 6), medianNet: round(med(net), 6) };
    if (episodes === 0) continue;
    b2.push([
      `${venue} ${asset}`,
      pct(X, 1),
      episodes,
      n,
      n ? med(holds).toFixed(1) : '-',
      n ? `${bp(med(conv))}` : '-',
      n ? `${bp(med(fund))}` : '-',
      n ? bp(med(net)) : '-',
      n ? pct(net.filter((x) => x > 0).length / n, 0) : '-',
    ]);
  }
}
table(['series', 'X', 'episodes', 'converged', 'median hold (days)', 'median convergence bps', 'median funding bps', 'median net bps', 'net > 0'], b2);
json.basisEpisodes = episodesJson;

say('## B3. Dated futures: the only calendar basis in the data (FTX /api/markets, 2021-07-22 22:45 UTC, one snapshot)');
say();
{
  const rows: (string | number)[][] = [];
  const spotQ = await store.read({ table: 'quotes', venue: 'ftx', symbol: 'BTC/USD', timeframe: null });
  const spotMid = (f64(spotQ.columns, 'bid')[0] + f64(spotQ.columns, 'ask')[0]) / 2;
  const asOf = f64(spotQ.columns, 'ts')[0];
  const futures = store.instruments().filter((i) => i.venue === 'ftx' && i.base === 'BTC' && i.quote === 'USD' && (i.kind === 'future' || i.kind === 'perp'));
  const calendar: Record<string, unknown> = {};
  for (const inst of futures.sort((a, b) => (a.expiryMs ?? 0) - (b.expiryMs ?? 0))) {
    const q = await store.read({ table: 'quotes', venue: 'ftx', symbol: inst.symbol, timeframe: null });
    const mid = (f64(q.columns, 'bid')[0] + f64(q.columns, 'ask')[0]) / 2;
    const basis = mid / spotMid - 1;
    const toExpiry = inst.expiryMs ? inst.expiryMs - asOf : null;
    calendar[inst.symbol] = { basis: round(basis, 6) };
    rows.push([inst.symbol, inst.expiryMs ? day(inst.expiryMs) : 'perp', toExpiry ? (toExpiry / DAY_MS).toFixed(1) : '-', bp(basis), toExpiry ? pct(annualised(basis, toExpiry), 1) : '-']);
  }
  say(`Spot BTC/USD mid ${spotMid.toFixed(1)}. Mids, so no crossing and no fees.`);
  say();
  table(['instrument', 'expiry', 'days to expiry', 'basis to spot bps', 'basis annualised to expiry'], rows);
  json.ftxCalendar = calendar;
}

// ---------------------------------------------------------------------------------------------
// S. Cross-venue spreads
// ---------------------------------------------------------------------------------------------
say('## S1. Cross-venue gaps between 8h closes (AHA-HH, 2023-01..2024-06; last prices, lastPriceOnly)');
say();
say('gap = close_B / close_A - 1 for the same asset and contract type on two venues, same bar. Closes are last trades, not bid/ask. ' +
  'Alignment check: the least-squares slope of the gap on venue A\'s own previous 8h move (close_A(t) / close_A(t - 8h) - 1). ' +
  'Bars that end at the same instant give a slope near 0; a slope near -k means venue B\'s bar ends about k x 8 h before venue A\'s.');
say();
const SPREAD_T = [0.001, 0.003, 0.005];
const s1: (string | number)[][] = [];
const spreadJson: Record<string, unknown> = {};
for (const asset of ['BTC', 'ETH']) {
  for (const [kind, sym] of [['perp', `${asset}/USDT:USDT`], ['spot', `${asset}/USDT`]] as const) {
    for (const [a, b] of [['binance', 'bybit'], ['binance', 'okx'], ['bybit', 'okx']]) {
      const { basis } = await basisFromStore(store, { spotId: `${a}:${sym}`, perpId: `${b}:${sym}`, timeframe: '8h', fromMs: AHA_FROM, toMs: AHA_TO - 1 });
      const pa = await bars(a, sym, '8h', AHA_FROM - EIGHT_H, AHA_TO - 1);
      const closeA = new Map<number, number>();
      for (let i = 0; i < pa.ts.length; i++) closeA.set(pa.ts[i], pa.close[i]);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < basis.tsMs.length; i++) {
        const now = closeA.get(basis.tsMs[i]);
        const prev = closeA.get(basis.tsMs[i] - EIGHT_H);
        if (now === undefined || prev === undefined) continue;
        xs.push(now / prev - 1);
        ys.push(basis.basis[i]);
      }
      const mx = xs.reduce((p, x) => p + x, 0) / xs.length;
      const my = ys.reduce((p, y) => p + y, 0) / ys.length;
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < xs.length; i++) {
        sxy += (xs[i] - mx) * (ys[i] - my);
        sxx += (xs[i] - mx) ** 2;
      }
      const slope = sxy / sxx;
      const abs = sortedOf(Array.from(basis.basis, Math.abs));
      const shares = SPREAD_T.map((t) => abs.filter((x) => x > t).length / abs.length);
      spreadJson[`8h:${asset}:${kind}:${a}-${b}`] = { points: abs.length, shareAbove: shares.map((x) => round(x, 6)), maxAbs: round(abs[abs.length - 1], 6), alignmentSlope: round(slope, 3) };
      s1.push([asset, kind, `${a} - ${b}`, abs.length, slope.toFixed(2), bp(quantile(abs, 0.5), 2), bp(quantile(abs, 0.99), 1), bp(abs[abs.length - 1], 1), ...shares.map((x) => pct(x, 2))]);
    }
  }
}
table(['asset', 'contract', 'venues A - B', 'bars', 'alignment slope', 'median abs bps', 'p99 abs bps', 'max abs bps', '> 0.1%', '> 0.3%', '> 0.5%'], s1);

say('## S2. Cross-venue gaps, 1-minute data of 2022-12-13 (LEAN: Bybit and Binance)');
say();
say('Executable gap = the better of (bid_B - ask_A) / ask_A and (bid_A - ask_B) / ask_B: buy on one venue at its ask and sell on the other at its bid, at the minute\'s closing quotes. ' +
  'For trade bars the gap is |close_B / close_A - 1| (last prices). "Pays the fees" = the gap exceeds the round trip of four taker fees (open and close both legs) and would fully close. ' +
  'Quote currencies differ (USDT vs USD or BUSD): part of any gap is the stablecoin rate, which the data does not give.');
say();
const s2: (string | number)[][] = [];
const lean: [string, string, string, 'close' | 'bidask', number][] = [
  ['perps, quotes', 'bybit:BTC/USDT:USDT', 'binance:BTC/USD:BTC', 'bidask', 2 * (TAKER.bybit.perp + TAKER.binance.inverse)],
  ['perps, trade closes', 'bybit:BTC/USDT:USDT', 'binance:BTC/USD:BTC', 'close', 2 * (TAKER.bybit.perp + TAKER.binance.inverse)],
  ['spot, trade closes', 'bybit:BTC/USDT', 'binance:BTC/BUSD', 'close', 2 * (TAKER.bybit.spot + TAKER.binance.spot)],
  ['bybit spot quotes vs binance coin-M perp quotes', 'bybit:BTC/USDT', 'binance:BTC/USD:BTC', 'bidask', 2 * (TAKER.bybit.spot + TAKER.binance.inverse)],
];
for (const [label, a, b, prices, rt] of lean) {
  const { basis } = await basisFromStore(store, { spotId: a, perpId: b, timeframe: '1m', prices });
  const n = basis.basis.length;
  const gap = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    gap[i] = prices === 'bidask' ? Math.max(basis.openShortPerp![i], -basis.openLongPerp![i] / (1 + basis.openLongPerp![i])) : Math.abs(basis.basis[i]);
  }
  const sorted = sortedOf(gap);
  const above = (t: number) => gap.filter((x) => x > t).length;
  // runs of consecutive minutes above 0.1%: "how many trades a day"
  let runs = 0;
  for (let i = 0; i < n; i++) if (gap[i] > 0.001 && (i === 0 || gap[i - 1] <= 0.001 || basis.tsMs[i] - basis.tsMs[i - 1] > 60_000)) runs++;
  spreadJson[`1m:${label}`] = { minutes: n, above: SPREAD_T.map(above), paysFees: above(rt), roundTrip: rt, median: round(quantile(sorted, 0.5), 7), max: round(sorted[n - 1], 7) };
  s2.push([label, `${a} / ${b}`, `${day(basis.tsMs[0])} ${isoUtc(basis.tsMs[0]).slice(11, 16)}..${isoUtc(basis.tsMs[n - 1]).slice(11, 16)}`, n, bp(quantile(sorted, 0.5), 2), bp(quantile(sorted, 0.99), 2), bp(sorted[n - 1], 2), ...SPREAD_T.map(above), runs, `${pct(rt, 2)}: ${above(rt)}`]);
}
table(['pair', 'legs A / B', 'span (UTC)', 'minutes', 'median bps', 'p99 bps', 'max bps', 'minutes > 0.1%', '> 0.3%', '> 0.5%', 'runs > 0.1%', 'round trip: minutes above'], s2);
json.spreads = spreadJson;

// ---------------------------------------------------------------------------------------------
// D. Funding differential across seven venues, with the scanner
// ---------------------------------------------------------------------------------------------
say('## D1. Best cross-venue funding differential per day (seven venues, 2020-2023; FUNDING ONLY)');
say();
const HOLD_DAYS = 7;
const scanConfig = parseScannerConfig({
  notionalUsd: 10000,
  holdingPeriodMs: HOLD_DAYS * DAY_MS,
  feeRate: DIFFERENTIAL_FEE,
  thresholds: { minFundingRatePer8h: 0 },
});
say(`Every day at 00:00 UTC the project's Scanner (src/strategy/scanner, the fundingDifferential math) is given every settlement of the linear BTC and ETH perps of binance, bybit, gate, htx, kucoin, mexc and dydx up to that time ` +
  `and ranks the pairs by net bps: holding ${HOLD_DAYS} days, the last rate of each leg held for every settlement in the horizon, ${pct(DIFFERENTIAL_FEE, 2)} per fill on each of the 4 fills (${pct(4 * DIFFERENTIAL_FEE, 2)} per round trip), no crossing (no prices: flagged noQuote), ` +
  'no price risk, no margin cost. The best pair is then "held" for the next 7 days and credited the funding its two legs actually settled over (t, t + 7 d], minus the same fees. ' +
  'Funding that a venue reports in UTC+3 was converted at import. dydx (USDC) against USDT perps is flagged quoteMismatch and included.');
say();
{
  const perps = SOURCES.filter((s) => s.source === 'supervik');
  const scanner = new Scanner({ config: scanConfig });
  const instruments = supervik.instruments();
  const events: { t: number; index: number; rate: number; interval: number }[] = [];
  const series = new Map<string, Funding>();
  for (const s of perps) {
    const inst = instruments.find((i) => i.venue === s.venue && i.symbol === s.symbol);
    if (!inst) throw new Error(`instrument ${s.venue}:${s.symbol} not in the store`);
    const state = scanner.addInstrument(inst);
    const f = await loadSource(s);
    series.set(`${s.venue}:${s.symbol}`, f);
    for (let i = 0; i < f.ts.length; i++) events.push({ t: f.ts[i], index: state.index, rate: f.rate[i], interval: f.intervalMs[i] });
  }
  events.sort((x, y) => x.t - y.t || x.index - y.index);
  const realised = (id: string, from: number, to: number) => {
    const f = series.get(id)!;
    let sum = 0;
    for (let i = 0; i < f.ts.length; i++) if (f.ts[i] > from && f.ts[i] <= to) sum += f.rate[i];
    return sum;
  };
  const byYear = new Map<number, { exAnte: number[]; real: number[]; pairs: Map<string, number> }>();
  let e = 0;
  const start = parseTimeArg('2020-01-02T00:00Z');
  const end = parseTimeArg('2023-12-31T00:00Z') - HOLD_DAYS * DAY_MS;
  for (let t = start; t <= end; t += DAY_MS) {
    while (e < events.length && events[e].t <= t) {
      const ev = events[e++];
      scanner.updateFunding(ev.index, ev.rate, ev.interval, ev.t, Number.NaN);
    }
    scanner.setNow(t);
    scanner.rescan();
    const best = scanner.opportunities({ types: ['fundingDifferential'], sort: 'netBps', top: 1 })[0];
    if (!best) continue;
    const long = best.legs.find((l) => l.side === 'buy')!;
    const short = best.legs.find((l) => l.side === 'sell')!;
    const got = realised(`${short.venue}:${short.symbol}`, t, t + HOLD_DAYS * DAY_MS) - realised(`${long.venue}:${long.symbol}`, t, t + HOLD_DAYS * DAY_MS) - 4 * DIFFERENTIAL_FEE;
    const y = new Date(t).getUTCFullYear();
    if (!byYear.has(y)) byYear.set(y, { exAnte: [], real: [], pairs: new Map() });
    const bucket = byYear.get(y)!;
    bucket.exAnte.push(best.netBps / 1e4);
    bucket.real.push(got);
    const pair = `${best.asset} short ${short.venue} / long ${long.venue}`;
    bucket.pairs.set(pair, (bucket.pairs.get(pair) ?? 0) + 1);
  }
  const rows: (string | number)[][] = [];
  const dJson: Record<string, unknown> = {};
  const ann = (x: number) => (x * 365) / HOLD_DAYS;
  for (const [y, b] of [...byYear].sort((p, q) => p[0] - q[0])) {
    const ex = sortedOf(b.exAnte);
    const re = sortedOf(b.real);
    const mean = b.real.reduce((a, x) => a + x, 0) / b.real.length;
    const top = [...b.pairs].sort((p, q) => q[1] - p[1]).slice(0, 2).map(([k, v]) => `${k} (${v} d)`).join('; ');
    dJson[y] = { days: b.real.length, medianExAnteNet7d: round(quantile(ex, 0.5), 6), medianRealisedNet7d: round(quantile(re, 0.5), 6), meanRealisedNet7d: round(mean, 6), shareRealisedPositive: round(re.filter((x) => x > 0).length / re.length, 4) };
    rows.push([y, b.real.length, `${bp(quantile(ex, 0.5))} (${pct(ann(quantile(ex, 0.5)), 1)})`, `${bp(quantile(re, 0.5))} (${pct(ann(quantile(re, 0.5)), 1)})`, `${bp(mean)} (${pct(ann(mean), 1)})`, `${bp(quantile(re, 0.1))} / ${bp(quantile(re, 0.9))}`, pct(re.filter((x) => x > 0).length / re.length, 0), top]);
  }
  table(['year', 'days', 'ex-ante best net, 7 d, bps (APR)', 'realised net, median bps (APR)', 'realised net, mean bps (APR)', 'realised p10 / p90 bps', 'realised > 0', 'most chosen pairs'], rows);
  json.fundingDifferential = dJson;
}

say('## D2. Backtests of the FundingDifferential strategy on AHA-HH (2023-01-01..2024-07-01; `differential/*.json`)');
say();
say('src/strategy/fundingDifferential.ts: at each settlement, short the perp with the highest funding APR and long the lowest when the difference minus the round trip / 30 days >= entryMarginApr; close when the held pair\'s difference < exitApr. ' +
  '20,000 USD per leg, 100,000 USDT per venue, leverage 3, taker fills on 8h closes with 0.5 bps half-spread, fees of the cost table. ' +
  'price PnL = the change in equity - funding + fees: what the two legs\' prices did. With binance in the set it is not trustworthy: AHA-HH binance bars end about 4 h after bybit\'s and okx\'s (S1).');
say();
{
  const rows: (string | number)[][] = [];
  const dir = join(CONFIGS, 'differential');
  const diffJson: Record<string, unknown> = {};
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    files = [];
  }
  for (const file of files) {
    const name = file.replace(/\.json$/, '');
    const config = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Config;
    const summary = JSON.parse(readFileSync(join(OUT, `backtest-differential-${name}.json`), 'utf8')) as BacktestSummary;
    const p = config.strategy.params;
    const pricePnl = summary.endEquityUsd - summary.startEquityUsd - summary.fundingPnl + summary.feesPaid;
    diffJson[name] = { totalReturn: summary.totalReturn, trades: summary.trades, fundingPnl: summary.fundingPnl, feesPaid: summary.feesPaid, pricePnl: round(pricePnl, 2) };
    rows.push([name, `${pct(Number(p.entryMarginApr), 0)} / ${pct(Number(p.exitApr), 0)}`, summary.trades, pct(summary.timeInMarket ?? Number.NaN, 0), summary.fundingPnl.toFixed(0), summary.feesPaid.toFixed(0), pricePnl.toFixed(0), summary.startEquityUsd.toFixed(0), pct(summary.totalReturn), pct(summary.maxDrawdown)]);
  }
  if (rows.length) table(['run', 'entry margin / exit APR', 'round trips', 'time in market', 'funding USD', 'fees USD', 'price PnL USD', 'equity at start', 'return', 'max DD'], rows);
  else say('TODO: no config under docs/performance/differential/.');
  say();
  json.differentialBacktests = diffJson;
}

writeFileSync(join(OUT, 'compute.json'), JSON.stringify(json, null, 2) + '\n');
process.stdout.write(out.join('\n') + '\n');
