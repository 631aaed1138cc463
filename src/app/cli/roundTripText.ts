import { UsageError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import type { RoundTripRecord } from '../../engine/roundTrip.ts';
import type { BacktestSummary } from '../../engine/summary.ts';
import { formatTable } from './output.ts';

/** The backtest's PnL breakdown, fee share, notes and round-trip table as text lines (backtest and start). */

/** Round trips shown at each end of the table unless --trades says otherwise. */
export const DEFAULT_TRADES_SHOWN = 5;

const usd = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const signed = (x: number) => `${x > 0 ? '+' : ''}${usd(x)}`;

/** --trades N: a whole number >= 0 (0: no table). */
export function parseTradesShown(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TRADES_SHOWN;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--trades ${text}: expected a whole number >= 0 (round trips shown at the top and at the bottom)`);
  return Number(text.trim());
}

export function breakdownLines(s: BacktestSummary): string[] {
  const b = s.pnlBreakdown;
  const change = s.endEquityUsd - s.startEquityUsd;
  const gross = b.priceUsd + b.fundingUsd;
  const parts = [`price ${signed(b.priceUsd)}`, `funding ${signed(b.fundingUsd)}`, `fees ${signed(b.feesUsd)}`, `borrow ${signed(b.borrowUsd)}`];
  if (b.liquidationFeesUsd !== 0) parts.push(`liquidation fees ${signed(b.liquidationFeesUsd)}`);
  const share = s.feesShareOfGrossProfit === null ? `n/a (price + funding ${signed(gross)} USD)` : `${(s.feesShareOfGrossProfit * 100).toFixed(2)}% of price + funding (${signed(gross)} USD)`;
  return [`PnL            ${parts.join('  ')}  = ${signed(change)} USD`, `fees share     ${share}`, ...s.notes.map((n) => `note           ${n}`)];
}

/** "3d 04h", "5h 12m", "42m", "30s". */
export function formatHolding(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)}s`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days}d ${String(hours).padStart(2, '0')}h`;
  if (hours > 0) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${minutes}m`;
}

/** The legs as "+venue:SPOT -venue:PERP" (the venue left out when both legs share it). */
function legsText(t: RoundTripRecord): string {
  const venues = new Set(t.legs.map((l) => l.instrument.slice(0, l.instrument.indexOf(':'))));
  const name = (id: string) => (venues.size === 1 ? id.slice(id.indexOf(':') + 1) : id);
  return t.legs.map((l) => `${l.side === 'long' ? '+' : '-'}${name(l.instrument)}`).join(' ');
}

/**
 * The round trips by net PnL: all of them when there are at most 2 n, else the best n and the worst
 * n with a row saying how many are left out. Numbers right-aligned, USD.
 */
export function roundTripTableLines(trips: readonly RoundTripRecord[], n: number): string[] {
  if (n === 0 || trips.length === 0) return [];
  const sorted = [...trips].sort((a, b) => b.netPnlUsd - a.netPnlUsd || a.openedAt - b.openedAt);
  const all = sorted.length <= 2 * n;
  const shown: (RoundTripRecord | null)[] = all ? sorted : [...sorted.slice(0, n), null, ...sorted.slice(-n)];
  const withLiquidation = trips.some((t) => t.liquidationFeesUsd !== 0);
  const header = ['id', 'opened (UTC)', 'held', 'legs', 'net USD', 'price', 'funding', 'fees', 'borrow', ...(withLiquidation ? ['liq fees'] : []), 'exit'];
  const numeric = new Set([2, 4, 5, 6, 7, 8, ...(withLiquidation ? [9] : [])]);
  const rows = shown.map((t) =>
    t === null
      ? header.map((_, k) => (k === 0 ? `... ${sorted.length - 2 * n} more` : ''))
      : [
          t.id,
          isoUtc(t.openedAt).slice(0, 16).replace('T', ' '),
          formatHolding(t.holdingMs),
          legsText(t),
          signed(t.netPnlUsd),
          signed(t.pricePnlUsd),
          signed(t.fundingUsd),
          signed(t.feesUsd),
          signed(t.borrowUsd),
          ...(withLiquidation ? [signed(t.liquidationFeesUsd)] : []),
          t.exitReason,
        ],
  );
  const title = all ? `round trips    all ${trips.length}, by net PnL` : `round trips    best ${n} and worst ${n} of ${trips.length}, by net PnL (--trades N)`;
  return [title, ...formatTable(header, rows, header.map((_, k) => (numeric.has(k) ? 'right' : 'left'))).split('\n')];
}
