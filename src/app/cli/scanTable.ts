/** The human table of `perp-arb scan` and the lines that explain it. */
import type { ScannerConfig } from '../../strategy/scanner/config.ts';
import { legSkewMs, legSkewToleranceMs } from '../../strategy/scanner/legTiming.ts';
import type { Opportunity, OpportunityLeg } from '../../strategy/scanner/opportunity.ts';
import type { Scanner } from '../../strategy/scanner/scanner.ts';
import { formatTable } from './output.ts';

const fmt = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Up to 8 significant digits (a VWAP has many). */
const priceText = (price: number) => String(Number(price.toPrecision(8)));

/** A duration in its largest whole units, at most two: 0s, 45s, 4h, 1d2h, 3m20s. */
export function shortDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms) / 1000);
  if (rest === 0) return Math.abs(ms) > 0 ? `${sign}${Math.abs(ms)}ms` : '0s';
  const parts: string[] = [];
  for (const [unit, seconds] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= seconds && parts.length < 2) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    } else if (parts.length > 0) break;
  }
  return sign + parts.join('');
}

function legCell(leg: OpportunityLeg): string {
  const price = leg.price === null ? 'no price' : `@ ${priceText(leg.price)}`;
  return `${leg.venue} ${leg.venueSymbol ?? leg.symbol} ${price}`;
}

/** A perp leg's funding per its own interval (e.g. +0.0100%/8h), '-' for other legs. */
function fundingCell(leg: OpportunityLeg): string {
  if (leg.kind !== 'perp') return '-';
  if (leg.fundingRatePerInterval == null || leg.fundingIntervalMs == null) return '?';
  const rate = leg.fundingRatePerInterval * 100;
  return `${rate >= 0 ? '+' : ''}${rate.toFixed(4)}%/${shortDuration(leg.fundingIntervalMs)}`;
}

export function opportunityTable(opportunities: readonly Opportunity[]): string {
  return formatTable(
    ['#', 'type', 'asset', 'buy', 'sell', 'gross bps', 'net bps', 'net APR %', 'profit USD', 'days', 'funding buy | sell', 'age buy | sell', 'skew', 'flags'],
    opportunities.map((o, k) => [
      String(k + 1),
      o.type,
      o.asset,
      legCell(o.legs[0]),
      legCell(o.legs[1]),
      fmt(o.grossBps, 1),
      fmt(o.netBps, 1),
      fmt(o.apr * 100, 2),
      fmt(o.expectedProfitUsd, 2),
      fmt(o.horizonDays, 1),
      `${fundingCell(o.legs[0])} | ${fundingCell(o.legs[1])}`,
      `${shortDuration(o.legs[0].ageMs ?? Number.NaN)} | ${shortDuration(o.legs[1].ageMs ?? Number.NaN)}`,
      o.legSkewMs === null ? '-' : shortDuration(o.legSkewMs),
      o.flags.join(','),
    ]),
  );
}

/** What the figures are: the basis of the APR and of the funding columns. */
export function unitsLine(config: ScannerConfig): string {
  return (
    `net APR = net over the horizon x 365 d / horizon (simple; ${config.holdingPeriodMs / 86_400_000} days unless a calendar spread, held to expiry); ` +
    'funding: each perp leg\'s last rate per its own interval, held over the horizon; age: since the leg\'s price was observed (a bar at its close); skew: between the legs'
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const tolerance = (config: ScannerConfig) =>
  config.maxLegSkewMs !== null ? `maxLegSkewMs ${shortDuration(config.maxLegSkewMs)}` : `half the shorter bar for bars, ${shortDuration(config.quoteLegSkewMs)} for quotes and books`;

/** Notes on pairs not compared (legs observed too far apart) and on suspect opportunities. */
export function timingNotes(scanner: Scanner): string[] {
  const notes: string[] = [];
  const summary = scanner.summary();
  if (summary.legsApart > 0) {
    const examples = scanner
      .notCompared(3)
      .map((slot) => `${slot.type} ${slot.a.id} ~ ${slot.b.id}: ${shortDuration(legSkewMs(slot.a, slot.b))} apart, tolerance ${shortDuration(legSkewToleranceMs(slot.a, slot.b, scanner.config))}`);
    notes.push(`${plural(summary.legsApart, 'pair')} not compared: their legs' prices were observed too far apart (${tolerance(scanner.config)}), e.g. ${examples.join('; ')}`);
  }
  if (summary.suspect > 0) {
    const s = scanner.config.suspect;
    notes.push(
      `${plural(summary.suspect, 'opportunity', 'opportunities')} flagged suspect and ranked last: seen for at most ${s.maxObservations} observation${s.maxObservations === 1 ? '' : 's'} ` +
        `with a price gap more than ${s.multipleOfMedian}x the pair's median over its last ${s.historyPoints} observations: a bad print, or legs stamped alike but taken apart, is likelier than a trade`,
    );
  }
  if (summary.misaligned > 0) {
    notes.push(
      `${plural(summary.misaligned, 'opportunity', 'opportunities')} flagged legsMisaligned and ranked last: their price history implies one leg is observed more than ` +
        `${scanner.config.suspect.maxImpliedLagFraction} of a bar before the other (the gap moves with one leg's own last move), whatever the timestamps say`,
    );
  }
  return notes;
}
