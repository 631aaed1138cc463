import { isoUtc } from '../../core/time.ts';
import type { RoundTripLeg, RoundTripRecord } from '../../engine/roundTrip.ts';
import { escapeHtml } from './html.ts';

/** The report's table of round trips: every one, in time order, up to MAX_ROWS (then the best and the worst by net PnL). */

export const MAX_ROWS = 1000;

const usd = (x: number) => `${x > 0 ? '+' : ''}${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** Prices to a useful precision: 2 decimals from 1,000, 4 from 1, else 6 significant digits. */
const price = (x: number | null) => (x === null ? '–' : x >= 1000 ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : x >= 1 ? x.toFixed(4) : x.toPrecision(6));
const quantity = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 8 });
const time = (ms: number | null) => (ms === null ? 'open at the end' : isoUtc(ms).slice(0, 16).replace('T', ' '));
const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;

function money(x: number): string {
  return `<td class="num${x < 0 ? ' neg' : ''}">${usd(x)}</td>`;
}

/** "long BTC/USDT 0.199 @ 50,000.00 → 50,500.00" (the venue named only when the legs are on different venues). */
function leg(l: RoundTripLeg, withVenue: boolean): string {
  const name = withVenue ? l.instrument : l.instrument.slice(l.instrument.indexOf(':') + 1);
  return `${l.side} ${escapeHtml(name)} ${quantity(l.quantity)} @ ${price(l.averageEntryPrice)} → ${price(l.averageExitPrice)}`;
}

function row(t: RoundTripRecord): string {
  const withVenue = new Set(t.legs.map((l) => l.instrument.slice(0, l.instrument.indexOf(':')))).size > 1;
  return [
    `<tr data-trip="${escapeHtml(t.id)}">`,
    `<td class="nowrap">${escapeHtml(t.id)}</td>`,
    `<td class="nowrap">${time(t.openedAt)}</td>`,
    `<td class="nowrap">${time(t.closedAt)}</td>`,
    `<td class="num">${hours(t.holdingMs)}</td>`,
    `<td class="legs">${t.legs.map((l) => leg(l, withVenue)).join('<br>')}</td>`,
    money(t.netPnlUsd),
    money(t.pricePnlUsd),
    money(t.fundingUsd),
    money(t.feesUsd),
    money(t.borrowUsd),
    money(t.liquidationFeesUsd),
    `<td title="${escapeHtml(t.entryReasonText)}">${escapeHtml(t.entryReason)}</td>`,
    `<td title="${escapeHtml(t.exitReasonText ?? '')}">${escapeHtml(t.exitReason)}</td>`,
    '</tr>',
  ].join('');
}

export function roundTripTableHtml(trips: readonly RoundTripRecord[]): string {
  if (trips.length === 0) return '<p class="source" id="no-trips">No round trips.</p>';
  let shown = [...trips];
  let caption = `${trips.length} round trips in time order. Net = price + funding + fees + borrow + liquidation fees, each as it moved equity (USD). Hover an entry or exit for the strategy's words.`;
  if (trips.length > MAX_ROWS) {
    const byNet = [...trips].sort((a, b) => b.netPnlUsd - a.netPnlUsd);
    shown = [...byNet.slice(0, MAX_ROWS / 2), ...byNet.slice(-MAX_ROWS / 2)];
    caption = `The best ${MAX_ROWS / 2} and the worst ${MAX_ROWS / 2} of ${trips.length} round trips by net PnL (all of them are in the --json summary).`;
  }
  const header = ['id', 'opened (UTC)', 'closed (UTC)', 'held', 'legs: quantity @ entry → exit', 'net', 'price', 'funding', 'fees', 'borrow', 'liq. fees', 'entry', 'exit'];
  return `<div class="scroll"><table class="trips" id="round-trips">
<caption>${escapeHtml(caption)}</caption>
<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${shown.map(row).join('\n')}
</tbody>
</table></div>`;
}
