import type { PnlBreakdown } from './pnlBreakdown.ts';

/**
 * Plain sentences about where a run's money went, for the summary's `notes` (JSON and the human
 * output alike). Gross profit = price + funding: what the trades earned before fees, borrow and
 * liquidation fees.
 */

export interface TurnoverFigures {
  breakdown: PnlBreakdown;
  roundTrips: number;
  fills: number;
  liquidations: number;
  startEquityUsd: number;
  endEquityUsd: number;
}

/** price + funding, USD. */
export function grossProfitUsd(b: PnlBreakdown): number {
  return b.priceUsd + b.fundingUsd;
}

/** Trading fees paid / gross profit (0.25: fees took a quarter of it); null when the gross profit is not positive. */
export function feesShareOfGrossProfit(b: PnlBreakdown): number | null {
  const gross = grossProfitUsd(b);
  return gross > 0 ? -b.feesUsd / gross : null;
}

const usd = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const signed = (x: number) => `${x > 0 ? '+' : ''}${usd(x)}`;
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function turnoverNotes(f: TurnoverFigures): string[] {
  const notes: string[] = [];
  const b = f.breakdown;
  const fees = -b.feesUsd;
  const gross = grossProfitUsd(b);
  if (fees > 0 && fees > gross) {
    const change = f.endEquityUsd - f.startEquityUsd;
    const result = change < 0 ? `lost ${usd(-change)} USD (${pct(change / f.startEquityUsd)})` : `made ${usd(change)} USD`;
    const head = `Fees of ${usd(fees)} USD over ${plural(f.roundTrips, 'round trip')} (${plural(f.fills, 'fill')}) exceed what funding (${signed(b.fundingUsd)} USD) and price (${signed(b.priceUsd)} USD) earned together (${signed(gross)} USD)`;
    // With a gross profit the fees turned it into a loss; without one they are most of the loss.
    const tail = gross > 0 || change >= 0 ? `after fees the run ${result}.` : `they are ${pct(fees / -change)} of the run's loss of ${usd(-change)} USD (${pct(change / f.startEquityUsd)}).`;
    notes.push(`${head}: ${tail}`);
  }
  if (f.liquidations > 0) {
    notes.push(`${plural(f.liquidations, 'liquidation')} closed a leg at the venue: ${usd(-b.liquidationFeesUsd)} USD of liquidation fees, and the pair's other leg was closed at once.`);
  }
  return notes;
}
