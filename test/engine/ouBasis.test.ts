import { replayInput } from '../../src/data/replay/replay.ts';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../src/core/time.ts';
import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import { generateSyntheticMarket, SYNTHETIC_VENUE, type SyntheticMarket, type SyntheticMarketOptions } from '../../src/data/synthetic/market.ts';
import { instrumentFromSymbol, type Instrument } from '../../src/domain/instrument.ts';
import { parseBacktestConfig } from '../../src/engine/backtest.ts';
import { Engine, type EngineResult } from '../../src/engine/engine.ts';
import { fitOu } from '../../src/model/ouFit.ts';
import { strategy1EntryThresholds } from '../../src/model/strategy1.ts';
import { OuBasisStrategy, parseOuBasisConfig, timeToNextFundingMs, type OuBasisConfigInput } from '../../src/strategy/ouBasis.ts';
import type { Intent, MarketUpdate, Strategy, StrategyContext } from '../../src/strategy/types.ts';
import { SimulatedVenue } from '../../src/venues/sim/simulatedVenue.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const SPOT = `${SYNTHETIC_VENUE}:SYN/USDT`;
const PERP = `${SYNTHETIC_VENUE}:SYN/USDT:USDT`;
const FUNDING_MS = 8 * HOUR_MS;

interface Recorded {
  timeMs: number;
  intent: Intent;
}

/** Passes events through and records every intent with the clock time. */
class Recorder implements Strategy {
  readonly name: string;
  readonly intents: Recorded[] = [];
  constructor(readonly inner: OuBasisStrategy) {
    this.name = inner.name;
  }
  instruments() {
    return this.inner.instruments();
  }
  onEvent(update: MarketUpdate, context: StrategyContext) {
    const out = this.inner.onEvent(update, context);
    for (const intent of out) this.intents.push({ timeMs: context.nowMs, intent });
    return out;
  }
}

function instrumentsFor(feeRate: number): Instrument[] {
  const spot = { ...instrumentFromSymbol(SYNTHETIC_VENUE, 'SYN/USDT'), makerFeeRate: feeRate, takerFeeRate: feeRate, lotSize: 0.00001 };
  const perp = { ...instrumentFromSymbol(SYNTHETIC_VENUE, 'SYN/USDT:USDT'), contractSize: 1, fundingIntervalMs: FUNDING_MS, makerFeeRate: feeRate, takerFeeRate: feeRate, lotSize: 0.001 };
  return [spot, perp];
}

const baseParams = {
  spot: SPOT,
  perp: PERP,
  notionalUsd: 40_000,
  feeRate: 0.00005,
  crossingCostFraction: 0.0002,
  fitWindowPoints: 720,
  refitEveryPoints: 30,
  closeBeforeFundingSeconds: 60,
} satisfies OuBasisConfigInput;

async function runOu(market: SyntheticMarket, params: OuBasisConfigInput, venueFeeRate = params.feeRate): Promise<{ strategy: OuBasisStrategy; recorder: Recorder; result: EngineResult }> {
  const instruments = instrumentsFor(venueFeeRate);
  const venue = new SimulatedVenue({
    venue: SYNTHETIC_VENUE,
    instruments,
    balances: { USDT: 100_000 },
    fill: { halfSpreadBps: 0.5, slippageCoefficientBps: 0, maxSlippageBps: 0 },
    margin: { defaults: { leverage: 3 } },
  });
  const strategy = new OuBasisStrategy(params);
  const recorder = new Recorder(strategy);
  const engine = new Engine({ venues: [venue], instruments, strategy: recorder, deposits: [{ venue: SYNTHETIC_VENUE, asset: 'USDT', amount: 100_000 }] });
  const sources = [market.spot, market.perp, market.funding].map((s) => sourceFromColumns(s.key, s.columns, s.rows));
  const result = await engine.run(replayInput(sources));
  return { strategy, recorder, result };
}

function market(overrides: Partial<SyntheticMarketOptions> = {}): SyntheticMarket {
  return generateSyntheticMarket({ seed: 11, bars: 10 * 1440, barIntervalMs: MINUTE_MS, ...overrides });
}

function basisOf(m: SyntheticMarket): Float64Array {
  const n = m.perp.rows;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (m.perp.columns.close[i] - m.spot.columns.close[i]) / m.spot.columns.close[i];
  return out;
}

/** Every open is followed by the close of the same pair before the next open. */
function expectAlternating(intents: readonly Recorded[]): void {
  let open: string | null = null;
  for (const { intent } of intents) {
    if (intent.kind === 'openPair') {
      expect(open).toBeNull();
      open = intent.id;
    } else {
      expect(intent.id).toBe(open);
      open = null;
    }
  }
  expect(open).toBeNull();
}

describe('OU basis strategy (seed 004, corrected) on a seeded synthetic market', () => {
  it('strategy 1 trades, closes every open, and enters only beyond the thresholds of the fit available then', async () => {
    const m = market();
    const { strategy, recorder, result } = await runOu(m, baseParams);
    const opens = recorder.intents.filter((r) => r.intent.kind === 'openPair');
    expect(opens.length).toBeGreaterThan(5);
    expectAlternating(recorder.intents);
    const counts = (type: string) => result.execution.filter((e) => e.type === type).length;
    expect(counts('pairOpened')).toBe(opens.length);
    expect(counts('pairClosed')).toBe(opens.length);
    expect(result.fundingPnlUsd).toBe(0); // closed before every settlement
    expect(strategy.fits).toBe(Math.floor((m.perp.rows - baseParams.fitWindowPoints) / baseParams.refitEveryPoints) + 1);

    // Recompute each entry's fit independently from the raw bars: the last refit at or before the entry point.
    const basis = basisOf(m);
    const W = baseParams.fitWindowPoints;
    const R = baseParams.refitEveryPoints;
    const cost = 4 * baseParams.feeRate + baseParams.crossingCostFraction;
    const entries = strategy.decisions.filter((d) => d.kind === 'open');
    expect(entries.length).toBe(opens.length);
    for (const d of entries) {
      const i = d.pointIndex;
      const last = W - 1 + Math.floor((i - (W - 1)) / R) * R;
      expect(d.fit.lastIndex).toBe(last);
      expect(last).toBeLessThanOrEqual(i);
      const fit = fitOu(basis.subarray(last - W + 1, last + 1), 60, { diagnostics: false });
      expect(d.fit.mu).toBeCloseTo(fit.mu, 12);
      expect(d.fit.thetaPerSecond).toBeCloseTo(fit.thetaPerSecond, 12);
      const t = m.perp.columns.ts[i] + MINUTE_MS; // the bar is known at its close
      expect(d.timeMs).toBe(t);
      const tau = timeToNextFundingMs(t, FUNDING_MS) / 1000;
      expect(d.timeToFundingSeconds).toBe(tau);
      const { upper, lower } = strategy1EntryThresholds(fit, tau, cost);
      expect(d.basis).toBeCloseTo(basis[i], 15);
      if (d.side === 'shortPerpLongSpot') expect(basis[i]).toBeGreaterThan(upper);
      else expect(basis[i]).toBeLessThan(lower);
    }
    // Closes: back at the entry mu, or within a minute of the funding settlement.
    for (const d of strategy.decisions.filter((x) => x.kind === 'close')) {
      const atMu = d.side === 'shortPerpLongSpot' ? d.basis <= d.fit.mu : d.basis >= d.fit.mu;
      expect(atMu || d.timeToFundingSeconds <= 60).toBe(true);
    }
    console.log(`strategy 1 synthetic: ${opens.length} trades, fits ${strategy.fits} (failed ${strategy.failedFits}), final equity ${result.finalEquityUsd.toFixed(2)}, fees ${result.feesPaidUsd.toFixed(2)}`);
  }, 60_000);

  it('has no look-ahead: changing the data after T leaves every intent before T unchanged', async () => {
    const m = market();
    const T = m.perp.columns.ts[0] + 5 * 86_400_000 + 37 * MINUTE_MS;
    const perturbed = market();
    const p = perturbed.perp.columns;
    for (let i = 0; i < perturbed.perp.rows; i++) {
      if (p.ts[i] + MINUTE_MS <= T) continue;
      const k = 1 + 0.002 * Math.sin(i / 7); // +-20 bps of basis, far beyond its 5 bps sd
      p.close[i] *= k;
      p.open[i] *= k;
      p.high[i] *= k;
      p.low[i] *= k;
    }
    const a = await runOu(m, baseParams);
    const b = await runOu(perturbed, baseParams);
    const before = (r: Recorded[]) => r.filter((x) => x.timeMs <= T);
    expect(before(a.recorder.intents).length).toBeGreaterThan(0);
    expect(before(b.recorder.intents)).toEqual(before(a.recorder.intents));
    expect(b.strategy.decisions.filter((d) => d.timeMs <= T)).toEqual(a.strategy.decisions.filter((d) => d.timeMs <= T));
    // Not vacuous: the perturbation changes what happens after T.
    expect(b.recorder.intents.filter((x) => x.timeMs > T)).not.toEqual(a.recorder.intents.filter((x) => x.timeMs > T));
  }, 60_000);

  it('does not trade with taker fees on the real-like calibration (theta 0.00855/s, sigma 1.06e-5)', async () => {
    const m = market({ thetaPerSecond: 0.00855, sigmaPerSqrtSecond: 1.06e-5, mu: 0.0002 });
    const params = { ...baseParams, feeRate: 0.0005, crossingCostFraction: 0.0002, minExpectedProfitFraction: 0 };
    const { strategy, recorder, result } = await runOu(m, params, 0.0005);
    const opens = recorder.intents.filter((r) => r.intent.kind === 'openPair').length;
    console.log(`real-like calibration, taker fees: ${opens} trades, fits ${strategy.fits} (failed ${strategy.failedFits})`);
    expect(opens).toBe(0);
    expect(result.feesPaidUsd).toBe(0);
    expect(strategy.fits).toBeGreaterThan(0);
  }, 60_000);

  it('strategy 2 (holdAcrossFunding) trades, closes at mu and collects funding', async () => {
    const m = market();
    const { strategy, recorder, result } = await runOu(m, { ...baseParams, mode: 'holdAcrossFunding', minExpectedProfitFraction: 0.0002 });
    const opens = recorder.intents.filter((r) => r.intent.kind === 'openPair').length;
    expect(opens).toBeGreaterThan(0);
    const closes = strategy.decisions.filter((d) => d.kind === 'close');
    expect(closes.length === opens || closes.length === opens - 1).toBe(true);
    for (const d of closes) expect(d.side === 'shortPerpLongSpot' ? d.basis <= d.fit.mu : d.basis >= d.fit.mu).toBe(true);
    console.log(`strategy 2 synthetic: ${opens} trades, funding ${result.fundingPnlUsd.toFixed(2)}, final equity ${result.finalEquityUsd.toFixed(2)}`);
  }, 60_000);
});

describe('OU basis strategy: fits and config', () => {
  /** Drives the strategy directly with a basis path (spot fixed at 100). */
  function drive(strategy: OuBasisStrategy, basis: readonly number[], startMs = Date.UTC(2024, 0, 1, 1)): Intent[] {
    const snap = (symbol: string) => ({ venue: SYNTHETIC_VENUE, symbol, price: 100, priceTs: 0, bid: NaN, ask: NaN, markPrice: NaN, markTs: NaN, fundingRatePerInterval: NaN, fundingIntervalMs: FUNDING_MS, fundingTs: NaN, predictedFundingRatePerInterval: NaN, predictedFundingTs: NaN, nextFundingTimeMs: NaN });
    const spot = snap('SYN/USDT');
    const perp = snap('SYN/USDT:USDT');
    const out: Intent[] = [];
    basis.forEach((s, i) => {
      perp.price = 100 * (1 + s);
      const nowMs = startMs + i * MINUTE_MS;
      const context: StrategyContext = {
        nowMs,
        market: { get: (_v, sym) => (sym === 'SYN/USDT' ? spot : perp), instrument: () => undefined },
        positions: { activePairs: () => [], pair: (id) => ({ id, long: { venue: '', symbol: '' }, short: { venue: '', symbol: '' }, status: 'open', longQty: 1, shortQty: 1, openedAtMs: nowMs }) },
        setTimer: () => {
          throw new Error('the OU strategy sets no timer');
        },
        cancelTimer: () => {},
        signal: () => {},
      };
      out.push(...strategy.onEvent({ kind: 'price', venue: SYNTHETIC_VENUE, symbol: 'SYN/USDT:USDT', timeMs: nowMs }, context));
    });
    return out;
  }

  it('a failed fit (not mean-reverting) blocks entries until the next successful refit, and is counted', () => {
    const strategy = new OuBasisStrategy({ ...baseParams, fitWindowPoints: 20, refitEveryPoints: 10 });
    // Alternating sign: lag-one autocorrelation -1, no OU fits it; then an extreme basis.
    const flip = Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.001 : -0.001));
    const intents = drive(strategy, [...flip, 0.05, 0.05]);
    expect(intents).toEqual([]);
    expect(strategy.fits).toBe(1);
    expect(strategy.failedFits).toBe(1);
    expect(strategy.failuresByCode['no-mean-reversion']).toBe(1);
    expect(strategy.currentFit).toBeNull();
  });

  it('opens beyond the threshold once a fit succeeds', () => {
    const strategy = new OuBasisStrategy({ ...baseParams, fitWindowPoints: 40, refitEveryPoints: 10 });
    // AR(1) path with b = 0.5 around 0, then an extreme basis.
    const path: number[] = [];
    let s = 0;
    let seed = 1;
    for (let i = 0; i < 40; i++) {
      seed = (seed * 16807) % 2147483647;
      s = 0.5 * s + 0.0001 * (seed / 2147483647 - 0.5);
      path.push(s);
    }
    const intents = drive(strategy, [...path, 0.01]);
    expect(strategy.failedFits).toBe(0);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ kind: 'openPair', long: { symbol: 'SYN/USDT' }, short: { symbol: 'SYN/USDT:USDT' } });
  });

  it('rejects unknown keys, naming them, in the strategy and in the backtest config', () => {
    expect(() => parseOuBasisConfig({ ...baseParams, fitWindow: 10 })).toThrow(/fitWindow/);
    expect(() => parseOuBasisConfig({ ...baseParams, mode: 'sometimes' })).toThrow(/mode/);
    const config = { strategy: { type: 'ouBasis', params: { ...baseParams, feeRates: 0.1 } }, data: { source: 'synthetic', seed: 1 }, instruments: [{ id: SPOT, makerFeeRate: 0.001, takerFeeRate: 0.001 }], venues: [{ venue: SYNTHETIC_VENUE, balances: {} }] };
    expect(() => parseBacktestConfig(config)).toThrow(/feeRates/);
    const ok = parseBacktestConfig({ ...config, strategy: { type: 'ouBasis', params: baseParams } });
    expect(ok.strategy.type).toBe('ouBasis');
  });

  it('the CLI backtests examples/backtest-ou-synthetic.json and trades', async () => {
    // Run from a scratch directory: the HTML report goes to ./reports there, not into the repository.
    const cwd = mkdtempSync(join(tmpdir(), 'perp-arb-ou-'));
    try {
      const { stdout } = await promisify(execFile)('node', [join(PROJECT_ROOT, 'bin', 'perp-arb.js'), 'backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json'), '--json'], { cwd, maxBuffer: 16 * 1024 * 1024 });
      checkSummary(JSON.parse(stdout));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});

function checkSummary(s: { trades: number; totalReturn: number; feesPaid: number; execution: Record<string, number> }): void {
  console.log(`examples/backtest-ou-synthetic.json: trades ${s.trades}, totalReturn ${s.totalReturn}, fees ${s.feesPaid}`);
  expect(s.trades).toBeGreaterThan(0);
  expect(s.execution.pairOpened).toBe(s.execution.pairClosed);
}
