import { isoUtc } from '../../core/time.ts';
import type { RiskSummary } from '../../risk/riskFigures.ts';
import { escapeHtml } from './html.ts';

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`);
const usd = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** The report's "Risk" section: VaR/CVaR, exposure, liquidation distance, margin use and the risk layer's actions (README "Risk"). */
export function riskSectionHtml(risk: RiskSummary): string {
  const h = risk.var.historical;
  const p = risk.var.parametric;
  const rows: [string, string][] = [
    ['risk section', risk.configured ? 'configured' : 'absent: safety minimum only (leg minimums, 100 orders/s per venue)'],
    ['1-day VaR 95% / CVaR 95% (historical)', `${pct(h.var95)} / ${pct(h.cvar95)}`],
    ['1-day VaR 99% / CVaR 99% (historical)', `${pct(h.var99)} / ${pct(h.cvar99)}`],
    ['1-day VaR 95% / CVaR 95% (parametric, normal)', `${pct(p.var95)} / ${pct(p.cvar95)}`],
    ['1-day VaR 99% / CVaR 99% (parametric, normal)', `${pct(p.var99)} / ${pct(p.cvar99)}`],
    ['daily returns', String(risk.var.days)],
    ['min liquidation distance', pct(risk.minLiquidationDistance)],
    ['max margin use (initial margin / collateral)', pct(risk.maxMarginUse)],
    ['max gross leverage', risk.maxGrossLeverage === null ? 'n/a' : `${risk.maxGrossLeverage.toFixed(2)}x`],
  ];
  const table = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  const exposure = risk.exposure.length === 0 ? '<p>No exposure at the end.</p>' : `<table class="breakdown" id="risk-exposure"><tr><th>venue</th><th>asset</th><th>gross USD</th><th>net USD</th></tr>\n${risk.exposure.map((e) => `<tr><td>${escapeHtml(e.venue)}</td><td>${escapeHtml(e.asset)}</td><td class="num">${usd(e.grossUsd)}</td><td class="num">${usd(e.netUsd)}</td></tr>`).join('\n')}</table>`;
  const counts = Object.entries(risk.actionCounts);
  const actions =
    risk.actions.length === 0
      ? '<p>The risk layer took no action.</p>'
      : `<p>${escapeHtml(counts.map(([k, n]) => `${k} ${n}`).join(', '))}</p><div class="scroll"><table class="trips" id="risk-actions"><tr><th>time</th><th>action</th><th>rule</th><th>pair</th><th>venue</th><th>why</th></tr>\n${risk.actions
          .map((a) => `<tr><td class="nowrap">${escapeHtml(isoUtc(a.ts))}</td><td>${escapeHtml(a.kind)}</td><td>${escapeHtml(a.rule)}</td><td>${escapeHtml(a.pairId ?? '')}</td><td>${escapeHtml(a.venue ?? '')}</td><td>${escapeHtml(a.reason)}</td></tr>`)
          .join('\n')}</table></div>`;
  return `<table class="metrics" id="risk">\n${table}\n</table>\n<h3>Exposure at the end</h3>\n${exposure}\n<h3>Risk actions</h3>\n${actions}`;
}
