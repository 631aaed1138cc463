/**
 * Binance-like funding from a premium path, simplified: at each settlement T (a multiple of
 * fundingIntervalMs since the epoch, like 00:00/08:00/16:00 UTC), rate = clamp(mean premium over the
 * bar closes in (T - interval, T] + interest, -cap, +cap). (Binance also clamps the interest term to
 * +-0.05% around the premium; left out so the rate's sign follows the premium.)
 */
export interface FundingFromPremiumInput {
  /** Open time of the first perp bar, ms. */
  perpStartMs: number;
  barIntervalMs: number;
  /** Premium (perp / spot - 1) at each perp bar's close. */
  premium: Float64Array;
  /** Perp close price of each bar, reported as the mark price at settlement. */
  perpClose: Float64Array;
  fundingIntervalMs: number;
  interestRatePerInterval: number;
  capRatePerInterval: number;
}

export interface FundingColumns {
  rows: number;
  columns: { ts: Float64Array; rate: Float64Array; interval_ms: Float64Array; mark_price: Float64Array };
}

/** The settlements whose whole interval is covered by the closes of `perpBars` bars from perpStartMs: the first one's time and their count. */
export function settlementGrid(perpStartMs: number, barIntervalMs: number, perpBars: number, intervalMs: number): { firstSettlementMs: number; rows: number } {
  const lastCloseMs = perpStartMs + perpBars * barIntervalMs;
  const firstSettlementMs = Math.ceil((perpStartMs + intervalMs) / intervalMs) * intervalMs;
  const rows = firstSettlementMs > lastCloseMs ? 0 : Math.floor((lastCloseMs - firstSettlementMs) / intervalMs) + 1;
  return { firstSettlementMs, rows };
}

/** Settlements whose whole interval is covered by perp bar closes. */
export function fundingFromPremium(input: FundingFromPremiumInput): FundingColumns {
  const { perpStartMs, barIntervalMs, premium, perpClose, fundingIntervalMs: intervalMs } = input;
  const { firstSettlementMs, rows } = settlementGrid(perpStartMs, barIntervalMs, premium.length, intervalMs);
  const columns = {
    ts: new Float64Array(rows),
    rate: new Float64Array(rows),
    interval_ms: new Float64Array(rows).fill(intervalMs),
    mark_price: new Float64Array(rows),
  };
  const cap = input.capRatePerInterval;
  for (let j = 0; j < rows; j++) {
    const settlementMs = firstSettlementMs + j * intervalMs;
    // Bar k closes at perpStartMs + (k + 1) * barIntervalMs.
    const firstBar = Math.floor((settlementMs - intervalMs - perpStartMs) / barIntervalMs);
    const lastBar = Math.floor((settlementMs - perpStartMs) / barIntervalMs) - 1;
    let sum = 0;
    for (let k = firstBar; k <= lastBar; k++) sum += premium[k];
    const meanPremium = sum / (lastBar - firstBar + 1);
    columns.ts[j] = settlementMs;
    columns.rate[j] = Math.min(cap, Math.max(-cap, meanPremium + input.interestRatePerInterval));
    columns.mark_price[j] = perpClose[lastBar];
  }
  return { rows, columns };
}

/**
 * The settlements of fundingFromPremium, computed as the perp bars arrive one by one (for a market
 * generated chunk by chunk): the same sums in the same order, so the same rates bit for bit.
 * Consecutive settlements average consecutive, non-overlapping runs of bars.
 */
export class FundingAccumulator {
  private readonly perpStartMs: number;
  private readonly barIntervalMs: number;
  private readonly intervalMs: number;
  private readonly interest: number;
  private readonly cap: number;
  /** Index of the next perp bar, and the settlement it contributes to. */
  private bar = 0;
  private settlementMs: number;
  private firstBar = 0;
  private lastBar = 0;
  private sum = 0;
  private readonly ts: number[] = [];
  private readonly rate: number[] = [];
  private readonly markPrice: number[] = [];

  constructor(input: Omit<FundingFromPremiumInput, 'premium' | 'perpClose'>) {
    this.perpStartMs = input.perpStartMs;
    this.barIntervalMs = input.barIntervalMs;
    this.intervalMs = input.fundingIntervalMs;
    this.interest = input.interestRatePerInterval;
    this.cap = input.capRatePerInterval;
    this.settlementMs = Math.ceil((this.perpStartMs + this.intervalMs) / this.intervalMs) * this.intervalMs;
    this.bounds();
  }

  private bounds(): void {
    this.firstBar = Math.floor((this.settlementMs - this.intervalMs - this.perpStartMs) / this.barIntervalMs);
    this.lastBar = Math.floor((this.settlementMs - this.perpStartMs) / this.barIntervalMs) - 1;
    this.sum = 0;
  }

  /** The next perp bar: its premium and close. */
  push(premium: number, perpClose: number): void {
    const k = this.bar++;
    if (k < this.firstBar) return;
    this.sum += premium;
    if (k < this.lastBar) return;
    const meanPremium = this.sum / (this.lastBar - this.firstBar + 1);
    this.ts.push(this.settlementMs);
    this.rate.push(Math.min(this.cap, Math.max(-this.cap, meanPremium + this.interest)));
    this.markPrice.push(perpClose);
    this.settlementMs += this.intervalMs;
    this.bounds();
  }

  /** The settlements completed since the last take, as funding columns. */
  take(): FundingColumns {
    const rows = this.ts.length;
    const columns = {
      ts: Float64Array.from(this.ts),
      rate: Float64Array.from(this.rate),
      interval_ms: new Float64Array(rows).fill(this.intervalMs),
      mark_price: Float64Array.from(this.markPrice),
    };
    this.ts.length = this.rate.length = this.markPrice.length = 0;
    return { rows, columns };
  }
}
