import { sourceFromColumns } from '../../src/data/replay/sources.ts';
import type { ReplaySource } from '../../src/data/replay/types.ts';
import { instrumentFromSymbol, type Instrument } from '../../src/domain/instrument.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2025, 0, 1);

export function spot(venue: string, overrides: Partial<Instrument> = {}): Instrument {
  return { ...instrumentFromSymbol(venue, 'BTC/USDT'), makerFeeRate: 0.001, takerFeeRate: 0.001, ...overrides };
}

export function perp(venue: string, overrides: Partial<Instrument> = {}): Instrument {
  return {
    ...instrumentFromSymbol(venue, 'BTC/USDT:USDT'),
    contractSize: 1,
    lotSize: 0.001,
    tickSize: 0.1,
    makerFeeRate: 0.0002,
    takerFeeRate: 0.0005,
    fundingIntervalMs: 8 * HOUR,
    ...overrides,
  };
}

/** 1m bars (open times `ts`) with flat OHLC at `close`. */
export function bars(venue: string, symbol: string, rows: { ts: number; close: number }[]): ReplaySource {
  const col = (f: (r: { ts: number; close: number }) => number) => Float64Array.from(rows.map(f));
  const close = col((r) => r.close);
  return sourceFromColumns({ table: 'bars', venue, symbol, timeframe: '1m' }, { ts: col((r) => r.ts), open: close, high: close, low: close, close, volume: col(() => 1e6) }, rows.length);
}

export function fundingRows(venue: string, symbol: string, rows: { ts: number; rate: number; mark?: number }[]): ReplaySource {
  const col = (f: (r: { ts: number; rate: number; mark?: number }) => number) => Float64Array.from(rows.map(f));
  return sourceFromColumns(
    { table: 'funding', venue, symbol, timeframe: null },
    { ts: col((r) => r.ts), rate: col((r) => r.rate), interval_ms: col(() => 8 * HOUR), mark_price: col((r) => r.mark ?? Number.NaN) },
    rows.length,
  );
}

/** No crossing cost or slippage: fills at the bar close, so hand computations stay simple. */
export const EXACT_FILLS = { halfSpreadBps: 0, slippageCoefficientBps: 0, maxSlippageBps: 0 };
