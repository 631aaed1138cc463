import type { BacktestSummary } from '../../engine/summary.ts';
import { escapeHtml } from './html.ts';

/** The report's PnL breakdown: each part as it moved equity, their sum (the equity change), and the summary's notes. */

const usd = (x: number) => `${x > 0 ? '+' : ''}${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function breakdownTableHtml(s: BacktestSummary): string {
  const b = s.pnlBreakdown;
  const rows: [string, string, number][] = [
    ['price', 'priceUsd', b.priceUsd],
    ['funding', 'fundingUsd', b.fundingUsd],
    ['fees', 'feesUsd', b.feesUsd],
    ['borrow', 'borrowUsd', b.borrowUsd],
    ['liquidation fees', 'liquidationFeesUsd', b.liquidationFeesUsd],
  ];
  const cell = (x: number) => `<td class="num${x < 0 ? ' neg' : ''}">${usd(x)}</td>`;
  const body = rows.map(([label, key, x]) => `<tr data-part="${key}"><th>${escapeHtml(label)}</th>${cell(x)}</tr>`).join('\n');
  const notes = s.notes.length > 0 ? `\n<ul class="notes" id="notes">\n${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>` : '';
  return `<table class="breakdown" id="pnl-breakdown">
<thead><tr><th>part</th><th>USD</th></tr></thead>
<tbody>
${body}
<tr data-part="total"><th>equity change (the sum, exact)</th>${cell(s.endEquityUsd - s.startEquityUsd)}</tr>
</tbody>
</table>${notes}`;
}
