import type { AssetAmounts } from '../portfolio/balances.ts';
import { entryCashFlows } from '../portfolio/entryFlows.ts';
import { minorToNumber, type Minor } from '../portfolio/money.ts';
import type { EngineEvent } from './events.ts';
import type { EventStream } from './eventStream.ts';
import type { RunValuer } from './valuer.ts';

/**
 * Where a run's equity change came from, computed from the exact ledger: every funding, fee, borrow
 * and liquidation-fee posting after the first equity point, each converted to USD when booked
 * (exact for USD, USDT, USDC; other assets at the engine's prices then) and summed in minor units.
 * priceUsd is the rest of the equity change: trading PnL, realised and, for positions open at the
 * end, unrealised at the final marks, plus the revaluation of every non-USD balance since it was
 * booked (a long spot leg's PnL is the revaluation of the coins it bought). So, exactly,
 *   priceUsd + fundingUsd + feesUsd + borrowUsd + liquidationFeesUsd = end equity - start equity
 * for a run without deposits or withdrawals after its start (netDepositsMinor keeps those apart).
 */
export interface PnlBreakdown {
  priceUsd: number;
  fundingUsd: number;
  feesUsd: number;
  borrowUsd: number;
  liquidationFeesUsd: number;
}

/** The same in USD minor units, with the equity it explains. */
export interface PnlBreakdownMinor {
  priceUsd: Minor;
  fundingUsd: Minor;
  feesUsd: Minor;
  borrowUsd: Minor;
  liquidationFeesUsd: Minor;
  startEquityUsd: Minor;
  endEquityUsd: Minor;
  /** Deposits minus withdrawals after the first equity point (none in a backtest): not PnL. */
  netDepositsUsd: Minor;
}

/** The cumulative breakdown at one equity point, for charts (floats: Number(minor) / 1e8, cheap at every sample). */
export interface PnlPoint extends PnlBreakdown {
  ts: number;
}

export class PnlBreakdownTracker {
  private readonly valuer: RunValuer;
  private start: Minor | null = null;
  private end: Minor = 0n;
  private funding = 0n;
  private fees = 0n;
  private borrow = 0n;
  private liquidationFees = 0n;
  private deposits = 0n;
  readonly series: PnlPoint[] = [];

  constructor(stream: EventStream<EngineEvent>, valuer: RunValuer) {
    this.valuer = valuer;
    stream.subscribe((event) => this.onEvent(event), { name: 'PnL breakdown', types: ['equity', 'ledgerEntry'] });
  }

  /** Null before the first equity point. */
  breakdownMinor(): PnlBreakdownMinor | null {
    if (this.start === null) return null;
    return {
      priceUsd: this.priceMinor(),
      fundingUsd: this.funding,
      feesUsd: this.fees,
      borrowUsd: this.borrow,
      liquidationFeesUsd: this.liquidationFees,
      startEquityUsd: this.start,
      endEquityUsd: this.end,
      netDepositsUsd: this.deposits,
    };
  }

  private priceMinor(): Minor {
    return this.end - this.start! - this.deposits - this.funding - this.fees - this.borrow - this.liquidationFees;
  }

  private onEvent(event: EngineEvent): void {
    if (event.type === 'equity') {
      if (this.start === null) this.start = event.equityMinor;
      this.end = event.equityMinor;
      const point: PnlPoint = {
        ts: event.ts,
        priceUsd: chartUsd(this.priceMinor()),
        fundingUsd: chartUsd(this.funding),
        feesUsd: chartUsd(this.fees),
        borrowUsd: chartUsd(this.borrow),
        liquidationFeesUsd: chartUsd(this.liquidationFees),
      };
      // Several samples at one time (the final one after the last event) keep the latest, as the equity curve does.
      if (this.series.length > 0 && this.series[this.series.length - 1].ts === event.ts) this.series[this.series.length - 1] = point;
      else this.series.push(point);
      return;
    }
    // Entries before the first equity point (the opening deposits) are in the start equity.
    if (event.type !== 'ledgerEntry' || this.start === null) return;
    const flows = entryCashFlows(event.entry);
    this.funding += this.usd(flows.fundingNet);
    this.fees += this.usd(flows.fees);
    this.borrow += this.usd(flows.borrow);
    this.liquidationFees += this.usd(flows.liquidationFees);
    this.deposits += this.usd(flows.netDeposits);
  }

  private usd(amounts: AssetAmounts): Minor {
    let total = 0n;
    for (const asset in amounts) total += this.valuer.usdValue(asset, amounts[asset]);
    return total;
  }
}

const chartUsd = (minor: Minor) => Number(minor) / 1e8;

/** Each part converted once from minor units. */
export function breakdownUsd(b: PnlBreakdownMinor): PnlBreakdown {
  return {
    priceUsd: minorToNumber(b.priceUsd),
    fundingUsd: minorToNumber(b.fundingUsd),
    feesUsd: minorToNumber(b.feesUsd),
    borrowUsd: minorToNumber(b.borrowUsd),
    liquidationFeesUsd: minorToNumber(b.liquidationFeesUsd),
  };
}
