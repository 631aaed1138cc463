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

/** Settlements whose whole interval is covered by perp bar closes. */
export function fundingFromPremium(input: FundingFromPremiumInput): FundingColumns {
  const { perpStartMs, barIntervalMs, premium, perpClose, fundingIntervalMs: intervalMs } = input;
  const lastCloseMs = perpStartMs + premium.length * barIntervalMs;
  const firstSettlementMs = Math.ceil((perpStartMs + intervalMs) / intervalMs) * intervalMs;
  const rows = firstSettlementMs > lastCloseMs ? 0 : Math.floor((lastCloseMs - firstSettlementMs) / intervalMs) + 1;
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
