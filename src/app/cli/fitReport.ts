import { formatCount, formatTable } from './output.ts';
import type { FitResult } from './fitAnalysis.ts';
import { fundingRatePerDay } from '../../model/annualisation.ts';
import { bps, duration, percent, sig } from './fitFormat.ts';
import { warningTag } from './fitLegs.ts';

const shortIso = (iso: string | null) => (iso === null ? '?' : iso.replace(':00.000Z', 'Z').replace('.000Z', 'Z'));
const roundNumbers = (text: string) => text.replace(/-?\d+\.\d{4,}(e[-+]?\d+)?/g, (m) => sig(Number(m)));
const isError = (value: object): value is { error: string } => 'error' in value;

function dataSection(r: FitResult): string[] {
  const lines = ['Data'];
  const every = `every ${duration(r.dtSeconds)}`;
  if (r.from && r.to) {
    const spanSeconds = (Date.parse(r.to) - Date.parse(r.from)) / 1000;
    lines.push(`  ${formatCount(r.points)} points ${every}, ${shortIso(r.from)} to ${shortIso(r.to)} (${duration(spanSeconds)}); last value observed ${shortIso(r.lastObservedAt)}`);
  } else {
    lines.push(`  ${formatCount(r.points)} points ${every} (no times: rows taken as consecutive samples)`);
  }
  if (r.unmatchedSpot !== null) {
    lines.push(`  aligned on exact timestamps: ${formatCount(r.unmatchedSpot)} spot and ${formatCount(r.unmatchedPerp ?? 0)} perp rows had no partner${r.droppedRows ? `, ${formatCount(r.droppedRows)} rows lacked a price` : ''}`);
  }
  if (r.sampling) {
    const g = r.sampling;
    lines.push(
      g.gaps === 0
        ? '  no gaps in the sampling'
        : `  ${formatCount(g.gaps)} gaps (${formatCount(g.missingPoints)} missing points, largest ${g.largestGaps[0].after} to ${g.largestGaps[0].before}); the fit bridges each gap as one step`,
    );
    if (g.offGridSteps) lines.push(`  ${formatCount(g.offGridSteps)} steps shorter than the interval (off-grid points)`);
  }
  return lines;
}

function fitSection(r: FitResult): string[] {
  const se = r.stdErrors;
  const res = r.fit.residuals;
  const lines = [
    'OU fit   ds = theta (mu - s) dt + sigma dW, s = (perp - spot) / spot, time in seconds (exact AR(1) discretisation = MLE)',
    `  theta       ${sig(r.theta)} /s ± ${sig(se.theta, 2)}   (${sig(r.theta * 3600)} per hour)`,
    `  mu          ${bps(r.mu, 3)} ± ${bps(se.mu, 3)}   (${sig(r.mu)} as a fraction)`,
    `  sigma       ${sig(r.sigma)} /sqrt(s) ± ${sig(se.sigma, 2)}   (${bps(r.sigma * Math.sqrt(3600))} per sqrt(hour))`,
    `  half-life   ${duration(r.halfLifeSeconds)} ± ${duration(se.halfLifeSeconds)}   (ln 2 / theta)`,
    `  stationary sd sigma / sqrt(2 theta) = ${bps(r.stationarySd, 3)}`,
  ];
  if (res) {
    lines.push(
      `  residuals: lag-1 autocorrelation ${sig(res.lag1Autocorrelation)}, excess kurtosis ${sig(res.excessKurtosis)}, Ljung-Box(${res.ljungBoxLags}) p = ${sig(res.ljungBoxPValue)}` +
        (res.ljungBoxPValue < 0.05 ? ' (not white noise: the AR(1) is a first approximation)' : ''),
    );
  }
  if (r.halfLifeSeconds < 2 * r.dtSeconds) lines.push(`  note: the half-life is under two sampling steps: sample faster to resolve the reversion`);
  return lines;
}

function stationaritySection(r: FitResult): string[] {
  const s = r.stationarity;
  const vr = s.varianceRatios.map((v) => `VR(${v.q}) ${sig(v.ratio)} (p ${sig(v.pValue, 2)})`).join(', ');
  return [
    'Mean reversion',
    `  ADF             tau ${sig(s.adf.statistic)} (lag ${s.adf.usedLag}, 5% critical ${sig(s.adf.criticalValues['5%'])}), p = ${sig(s.adf.pValue, 2)}`,
    `  variance ratio  ${vr}`,
    `  Hurst           ${sig(s.hurst.hurst)} (lagged-difference variance, lags ${s.hurst.lags[0]}-${s.hurst.lags[s.hurst.lags.length - 1]} steps; 0.5 = random walk)`,
    `  verdict         ${s.verdict}`,
  ];
}

function strategy1Section(r: FitResult): string[] {
  const s1 = r.strategy1;
  const lines = [
    `Strategy 1: close when s returns to mu, or before the next funding (no funding paid or received)`,
    `  fee ${percent(r.feeRate, 3)} per leg, round trip c = 4 f = ${bps(r.roundTripCost)} = ${sig(r.roundTripCost / r.stationarySd)} stationary sds`,
    `  time to funding tau = ${duration(r.timeToFundingSeconds)} (${r.timeToFundingSource}); 1 - e^(-theta tau) = ${s1.reversionFraction.toFixed(6)}`,
    `  open short perp / long spot when s > mu + c / (1 - e^(-theta tau)) = ${bps(s1.upperEntry)}   (entryThreshold ${sig(r.entryThreshold, 6)})`,
    `  open long perp / short spot when s < mu - c / (1 - e^(-theta tau)) = ${bps(s1.lowerEntry)}`,
    `  (the seed's (mu (1 + e^(-theta tau)) + 4 f) / (1 - e^(-theta tau)) gives ${bps(s1.seedFormulaEntryThreshold)}; it is off by 2 mu e^(-theta tau) / (1 - e^(-theta tau)))`,
    `  last basis ${bps(r.lastBasis)}: ${s1.sideText}, E[P] = |s - mu| (1 - e^(-theta tau)) - c = ${bps(s1.expectedProfitFraction)} -> ${s1.open ? 'OPEN' : 'do not open'}`,
  ];
  if (s1.executable) {
    const e = s1.executable;
    lines.push(
      `  executable now: short perp / long spot at ${bps(e.openShortPerpBasis)} (E[P] ${bps(e.expectedProfitShortPerpFraction)}), ` +
        `long perp / short spot at ${bps(e.openLongPerpBasis)} (E[P] ${bps(e.expectedProfitLongPerpFraction)}); closing crosses the books again`,
    );
  }
  return lines;
}

function windowSection(r: FitResult): string[] {
  const w = r.windows;
  const table = formatTable(
    ['k', 'ends in', 'p_k from last', 'cumulative', 'p_k from entry', 'funding', 'E[P]_k from entry'],
    w.rows.map((row) => [
      String(row.k),
      duration(row.endsInSeconds),
      sig(row.probabilityFromLast, 4),
      sig(row.cumulativeFromLast, 6),
      sig(row.probabilityFromEntry, 4),
      bps(row.fundingFractionFromEntry),
      bps(row.expectedProfitIfClosedFromEntry),
    ]),
  );
  const s2 = r.strategy2;
  return [
    `Funding windows: p_k = P(s first returns to mu in window k), OU first passage (${w.method}); window 1 ends at the next settlement, then every ${duration(r.fundingIntervalSeconds)}`,
    `  funding rate ${percent(r.fundingRatePerInterval, 4)} per ${duration(r.fundingIntervalSeconds)} interval = ${percent(fundingRatePerDay(r.fundingRatePerInterval, r.fundingIntervalSeconds * 1000), 4)} per day = ${percent(r.fundingApr, 2)} APR (${r.fundingRateSource}); "from entry" = ${w.entrySide} opened at ${bps(w.entryLevel)}`,
    ...table.split('\n').map((l) => `  ${l}`),
    `  not returned within ${w.rows.length} windows: ${sig(w.remainderFromLast, 3)} from last, ${sig(w.remainderFromEntry, 3)} from entry`,
    `Strategy 2: hold across settlements until s returns to mu; E[P] = sum p_k E[P]_k`,
    `  opened at the entry threshold: E[P] = ${bps(s2.fromEntry.expectedProfitFraction)} (${s2.fromEntry.termsUsed} window${s2.fromEntry.termsUsed === 1 ? "" : "s"} summed)`,
    `  opened now at the last basis: hold to mu E[P] = ${bps(s2.fromLast.expectedProfitHoldToExitFraction)}, best close-by window ${s2.fromLast.bestCloseByWindow} E[P] = ${bps(s2.fromLast.bestCommitValueFraction)} -> ${s2.fromLast.open ? 'OPEN' : 'do not open'}`,
  ];
}

function bandsSection(r: FitResult): string[] {
  const lines = ['Optimal bands (no funding; c per round trip)'];
  const b = r.bertram;
  if (isError(b)) lines.push(`  Bertram: ${b.error}`);
  else {
    const m = b.metrics;
    const perDay = m.expectedReturnPerSecond * 86_400;
    lines.push(
      `  Bertram (max expected return per unit time): long perp / short spot at mu - ${bps(b.halfWidth)} = ${bps(b.entry)}, close at mu + ${bps(b.halfWidth)} = ${bps(b.exit)} (${sig(b.halfWidthSd)} sd; the mirror for short perp)`,
      `    one cycle lasts ${duration(m.expectedTradeLengthSeconds)} on average and earns ${bps(m.returnPerTradeFraction)}: ${bps(perDay)} per day` +
        (m.expectedTradeLengthSeconds > 365 * 86_400 ? ' -- in practice never: the cost is too many sds wide' : ''),
    );
  }
  const ll = r.leungLi;
  lines.push(`  Leung-Li (discount ${percent(ll.discountRatePerYear, 1)} per year, cost ${bps(ll.costPerTransaction)} per open and per close):`);
  for (const [name, levels] of [['short perp / long spot', ll.shortPerpLongSpot], ['long perp / short spot', ll.longPerpShortSpot]] as const) {
    if (isError(levels)) lines.push(`    ${name}: no levels (${roundNumbers(levels.error)})`);
    else {
      const [enter, exit] = levels.side === 'shortBasis' ? ['above', 'below'] : ['below', 'above'];
      lines.push(`    ${name}: open ${enter} ${bps(levels.entry)}, close ${exit} ${bps(levels.exit)}`);
    }
  }
  return lines;
}

/** The human report of `perp-arb fit`; with warnings (mixed base assets), every line carries the tag and the report opens with them. */
export function formatFitReport(r: FitResult, plot: { path: string; caption: string } | null): string {
  const sections = [
    [...r.warnings.map((w) => `WARNING: ${w}`), `perp-arb fit: ${r.source}`],
    dataSection(r),
    fitSection(r),
    stationaritySection(r),
    strategy1Section(r),
    windowSection(r),
    bandsSection(r),
  ];
  if (plot) sections.push([`Plot written to ${plot.path} (${plot.caption})`]);
  const tag = warningTag(r.warnings);
  return sections.map((lines) => lines.map((line) => `${tag}${line}`).join('\n')).join(tag ? `\n${tag.trimEnd()}\n` : '\n\n');
}
