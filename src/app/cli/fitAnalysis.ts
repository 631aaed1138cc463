import { isoUtc } from '../../core/time.ts';
import { fundingApr, perSecondFromPerYear } from '../../model/annualisation.ts';
import { FitError } from '../../model/ar1.ts';
import { bertramOptimalBands, type BertramBands } from '../../model/bertram.ts';
import { closeProbabilitiesByWindow } from '../../model/firstPassage.ts';
import { leungLiOptimalLevels, type LeungLiLevels } from '../../model/leungLi.ts';
import { ouStationarySd, reversionFraction } from '../../model/ouExpectation.ts';
import { fitOu, type OuFit } from '../../model/ouFit.ts';
import type { OuParams } from '../../model/ouParams.ts';
import { assessMeanReversion, type MeanReversionAssessment } from '../../model/stationarity.ts';
import {
  decideStrategy1,
  entryThresholdFromFeeRate,
  roundTripCostFromFeeRate,
  seedFormulaEntryThreshold,
  sideSign,
  strategy1EntryThresholds,
  strategy1ExpectedProfitForSide,
  type PositionSide,
} from '../../model/strategy1.ts';
import { cumulativeFunding, decideStrategy2, strategy2ExpectedProfit } from '../../model/strategy2.ts';
import type { FitInput } from './fitInput.ts';

/** Fewer points than this cannot carry the stationarity tests (variance ratio up to q = 16, Hurst lags). */
export const MIN_REPORT_POINTS = 50;

export interface FitSettings {
  /** Fee rate per leg (fraction); the round trip pays it four times. */
  feeRate: number;
  timeToFundingSeconds: number;
  timeToFundingSource: string;
  fundingIntervalSeconds: number;
  fundingIntervalSource: string;
  /** Expected funding rate per interval (fraction; positive: longs pay shorts), for strategy 2. */
  fundingRatePerInterval: number;
  fundingRateSource: string;
  windows: number;
  /** Leung-Li discount rate, per year (fraction). */
  discountRatePerYear: number;
  /** Go on when the tests say the series does not mean-revert. */
  force: boolean;
}

export interface WindowRow {
  k: number;
  /** Seconds from the last point to the end of window k (the k-th settlement). */
  endsInSeconds: number;
  /** p_k for a position opened at the last point, closing when s first returns to mu. */
  probabilityFromLast: number;
  cumulativeFromLast: number;
  /** p_k for a position opened at the entry threshold on the last point's side of mu. */
  probabilityFromEntry: number;
  /** Funding received (+) or paid (-) over the k - 1 settlements crossed, per unit notional, opened at the threshold. */
  fundingFractionFromEntry: number;
  /** E[P]_k: profit per unit notional if that position closes in window k. */
  expectedProfitIfClosedFromEntry: number;
}

type Outcome<T> = T | { error: string };

const attempt = <T>(compute: () => T): Outcome<T> => {
  try {
    return compute();
  } catch (error) {
    return { error: (error as Error).message };
  }
};

const sideText = (side: PositionSide) => (side === 'shortPerpLongSpot' ? 'short perp / long spot' : 'long perp / short spot');

/** Time to the next settlement on a grid of whole intervals from the epoch (UTC 00:00, 08:00, 16:00 for 8h). */
export function secondsToNextSettlement(observedMs: number, fundingIntervalSeconds: number): number {
  const intervalMs = fundingIntervalSeconds * 1000;
  const next = (Math.floor(observedMs / intervalMs) + 1) * intervalMs;
  return (next - observedMs) / 1000;
}

function fitOrExplain(input: FitInput): OuFit {
  const points = input.basis.length;
  if (points < MIN_REPORT_POINTS) throw new Error(`too short: ${points} points from ${input.source}; the fit and its tests need at least ${MIN_REPORT_POINTS}`);
  try {
    return fitOu(input.basis, input.dtSeconds);
  } catch (error) {
    if (error instanceof FitError) {
      const prefix = error.code === 'no-mean-reversion' ? 'no mean reversion' : error.code === 'constant' ? 'constant series' : 'cannot fit';
      throw new Error(`${prefix}: ${error.message} (${input.source})`);
    }
    throw error;
  }
}

function assessOrExplain(input: FitInput, force: boolean): MeanReversionAssessment {
  let assessment: MeanReversionAssessment;
  try {
    assessment = assessMeanReversion(input.basis);
  } catch (error) {
    if (error instanceof FitError) throw new Error(`${error.code === 'constant' ? 'constant series' : 'cannot test'}: ${error.message} (${input.source})`);
    throw error;
  }
  if (assessment.verdict === 'not mean-reverting' && !force) {
    throw new Error(
      `no mean reversion in ${input.source}: ADF p = ${assessment.adf.pValue.toPrecision(3)}, ` +
        `VR(${assessment.varianceRatios[0].q}) = ${assessment.varianceRatios[0].ratio.toPrecision(3)}, Hurst ${assessment.hurst.hurst.toPrecision(3)}; ` +
        'OU thresholds would be meaningless (add --force to see them anyway)',
    );
  }
  return assessment;
}

/** Fits the OU model, runs the tests and evaluates strategies 1 and 2, Bertram and Leung-Li. The result is the --json body. */
export function analyseBasis(input: FitInput, settings: FitSettings) {
  const fit = fitOrExplain(input);
  const assessment = assessOrExplain(input, settings.force);
  const params: OuParams = { thetaPerSecond: fit.thetaPerSecond, mu: fit.mu, sigmaPerSqrtSecond: fit.sigmaPerSqrtSecond };
  const { feeRate, timeToFundingSeconds: tau, fundingIntervalSeconds, fundingRatePerInterval, windows } = settings;
  const n = input.basis.length;
  const last = input.basis[n - 1];
  const cost = roundTripCostFromFeeRate(feeRate);
  const thresholds = strategy1EntryThresholds(params, tau, cost);
  const entryThreshold = entryThresholdFromFeeRate(params, tau, feeRate);
  const decision = decideStrategy1(params, last, tau, cost);
  const executable =
    input.openShortPerp && input.openLongPerp
      ? {
          openShortPerpBasis: input.openShortPerp[n - 1],
          openLongPerpBasis: input.openLongPerp[n - 1],
          expectedProfitShortPerpFraction: strategy1ExpectedProfitForSide(params, input.openShortPerp[n - 1], tau, cost, 'shortPerpLongSpot'),
          expectedProfitLongPerpFraction: strategy1ExpectedProfitForSide(params, input.openLongPerp[n - 1], tau, cost, 'longPerpShortSpot'),
        }
      : null;

  // p_k: from the last point, and for a position opened at the threshold on the last point's side.
  const entryLevel = last >= params.mu ? thresholds.upper : thresholds.lower;
  const fromLast = closeProbabilitiesByWindow(params, last, params.mu, tau, fundingIntervalSeconds, windows);
  const fromEntry = strategy2ExpectedProfit({ params, s0: entryLevel, cost, fundingRatePerInterval, fundingIntervalSeconds, timeToFundingSeconds: tau, maxWindows: Math.max(windows, 10_000) });
  const entryWindows = closeProbabilitiesByWindow(params, entryLevel, params.mu, tau, fundingIntervalSeconds, windows);
  const entryFunding = cumulativeFunding(fromEntry.side, fundingRatePerInterval, windows);
  const entryGain = sideSign(fromEntry.side) * (entryLevel - params.mu);
  let cumulative = 0;
  const windowRows: WindowRow[] = Array.from({ length: windows }, (_, i) => {
    cumulative += fromLast.probabilities[i];
    return {
      k: i + 1,
      endsInSeconds: fromLast.windowEndsSeconds[i],
      probabilityFromLast: fromLast.probabilities[i],
      cumulativeFromLast: cumulative,
      probabilityFromEntry: entryWindows.probabilities[i],
      fundingFractionFromEntry: entryFunding[i],
      expectedProfitIfClosedFromEntry: entryGain - cost + entryFunding[i],
    };
  });
  const strategy2Now = decideStrategy2({ params, s0: last, cost, fundingRatePerInterval, fundingIntervalSeconds, timeToFundingSeconds: tau });

  const bertram = attempt<BertramBands>(() => bertramOptimalBands(params, cost, 'expectedReturn'));
  const discountRatePerSecond = perSecondFromPerYear(settings.discountRatePerYear);
  const leungLi = (side: 'longBasis' | 'shortBasis') =>
    attempt<LeungLiLevels>(() => leungLiOptimalLevels(params, { costExit: 2 * feeRate, costEntry: 2 * feeRate, discountRatePerSecond, side }));

  const tsMs = input.tsMs;
  return {
    warnings: input.warnings,
    source: input.source,
    points: n,
    from: tsMs ? isoUtc(tsMs[0]) : null,
    to: tsMs ? isoUtc(tsMs[n - 1]) : null,
    lastObservedAt: input.lastObservedMs === null ? null : isoUtc(input.lastObservedMs),
    dtSeconds: input.dtSeconds,
    sampling: input.sampling
      ? { intervalSeconds: input.sampling.intervalMs / 1000, gaps: input.sampling.gaps.length, missingPoints: input.sampling.missingPoints, offGridSteps: input.sampling.shortSteps, largestGaps: [...input.sampling.gaps].sort((a, b) => b.beforeMs - b.afterMs - (a.beforeMs - a.afterMs)).slice(0, 5).map((g) => ({ after: isoUtc(g.afterMs), before: isoUtc(g.beforeMs), missingPoints: g.missingPoints })) }
      : null,
    unmatchedSpot: input.unmatchedSpot,
    unmatchedPerp: input.unmatchedPerp,
    droppedRows: input.droppedRows,

    theta: fit.thetaPerSecond,
    mu: fit.mu,
    sigma: fit.sigmaPerSqrtSecond,
    halfLifeSeconds: fit.halfLifeSeconds,
    stdErrors: { theta: fit.stdErrors.thetaPerSecond, mu: fit.stdErrors.mu, sigma: fit.stdErrors.sigmaPerSqrtSecond, halfLifeSeconds: fit.stdErrors.halfLifeSeconds },
    stationarySd: ouStationarySd(params),
    adfPValue: assessment.adf.pValue,
    hurst: assessment.hurst.hurst,
    verdict: assessment.verdict,

    feeRate,
    roundTripCost: cost,
    timeToFundingSeconds: tau,
    timeToFundingSource: settings.timeToFundingSource,
    fundingIntervalSeconds,
    fundingIntervalSource: settings.fundingIntervalSource,
    fundingRatePerInterval,
    /** The same rate per year, simple: rate x 365 d / interval. */
    fundingApr: fundingApr(fundingRatePerInterval, fundingIntervalSeconds * 1000),
    fundingRateSource: settings.fundingRateSource,
    entryThreshold,
    lowerEntryThreshold: thresholds.lower,
    lastBasis: last,

    fit: { b: fit.b, noiseVariance: fit.noiseVariance, ar1: { a: fit.ar1.a, b: fit.ar1.b, aStdError: fit.ar1.aStdError, bStdError: fit.ar1.bStdError }, residuals: fit.residuals },
    stationarity: { verdict: assessment.verdict, reasons: assessment.reasons, adf: assessment.adf, varianceRatios: assessment.varianceRatios, hurst: assessment.hurst },
    strategy1: {
      reversionFraction: reversionFraction(params, tau),
      upperEntry: thresholds.upper,
      lowerEntry: thresholds.lower,
      side: decision.side,
      sideText: sideText(decision.side),
      expectedProfitFraction: decision.expectedProfitFraction,
      open: decision.open,
      seedFormulaEntryThreshold: seedFormulaEntryThreshold(params, tau, feeRate),
      executable,
    },
    windows: {
      entryLevel,
      entrySide: sideText(fromEntry.side),
      rows: windowRows,
      remainderFromLast: fromLast.remainder,
      remainderFromEntry: entryWindows.remainder,
      method: fromLast.method,
    },
    strategy2: {
      fromEntry: { expectedProfitFraction: fromEntry.expectedProfitFraction, termsUsed: fromEntry.termsUsed, tailProbability: fromEntry.tailProbability, converged: fromEntry.converged },
      fromLast: {
        side: strategy2Now.side,
        open: strategy2Now.open,
        expectedProfitHoldToExitFraction: strategy2Now.expectedProfitHoldToExitFraction,
        bestCloseByWindow: strategy2Now.bestCloseByWindow,
        bestCommitValueFraction: strategy2Now.bestCommitValueFraction,
      },
    },
    bertram: 'error' in bertram ? bertram : { objective: 'expectedReturn', ...bertram },
    leungLi: { discountRatePerYear: settings.discountRatePerYear, costPerTransaction: 2 * feeRate, shortPerpLongSpot: leungLi('shortBasis'), longPerpShortSpot: leungLi('longBasis') },
  };
}

export type FitResult = ReturnType<typeof analyseBasis>;
