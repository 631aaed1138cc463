import type { ReplayCursor } from '../../../src/data/replay/types.ts';
import { instrumentFromSymbol, type Instrument } from '../../../src/domain/instrument.ts';
import { seriesId, type SeriesKey, type SeriesTable } from '../../../src/domain/series.ts';
import type { OrderRequest } from '../../../src/domain/trading.ts';
import { SimulatedVenue } from '../../../src/venues/sim/simulatedVenue.ts';
import type { SimulatedVenueConfig } from '../../../src/venues/sim/simConfig.ts';
import type { TradingVenueEvent } from '../../../src/venues/tradingTypes.ts';

export const VENUE = 'sim';
export const PERP = 'BTC/USDT:USDT';
export const SPOT = 'BTC/USDT';
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** A linear BTC perp: tick 0.1, lot 0.001, maker 2 bps, taker 5 bps. */
export function perpInstrument(overrides: Partial<Instrument> = {}): Instrument {
  return {
    ...instrumentFromSymbol(VENUE, PERP),
    contractSize: 1,
    tickSize: 0.1,
    lotSize: 0.001,
    makerFeeRate: 0.0002,
    takerFeeRate: 0.0005,
    fundingIntervalMs: 8 * HOUR,
    ...overrides,
  };
}

/** BTC spot: 10 bps both sides, no tick or lot size. */
export function spotInstrument(overrides: Partial<Instrument> = {}): Instrument {
  return { ...instrumentFromSymbol(VENUE, SPOT), makerFeeRate: 0.001, takerFeeRate: 0.001, ...overrides };
}

export interface Harness {
  venue: SimulatedVenue;
  events: TradingVenueEvent[];
  of<T extends TradingVenueEvent['type']>(type: T): Extract<TradingVenueEvent, { type: T }>[];
}

export function harness(config: Partial<SimulatedVenueConfig> = {}): Harness {
  const venue = new SimulatedVenue({ venue: VENUE, instruments: [perpInstrument()], balances: { USDT: 10_000 }, ...config });
  const events: TradingVenueEvent[] = [];
  venue.subscribe((e) => events.push(e));
  return {
    venue,
    events,
    of: <T extends TradingVenueEvent['type']>(type: T) => events.filter((e): e is Extract<TradingVenueEvent, { type: T }> => e.type === type),
  };
}

let orderCounter = 0;
export function order(fields: Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'quantity'>): OrderRequest {
  return {
    clientOrderId: `o${++orderCounter}`,
    venue: VENUE,
    symbol: PERP,
    type: fields.limitPrice !== undefined && fields.limitPrice !== null ? 'limit' : 'market',
    limitPrice: null,
    timeInForce: 'GTC',
    reduceOnly: false,
    ts: 0,
    ...fields,
  };
}

/** A one-row replay cursor, as replay() would hand it to a handler. */
export function cursor(table: SeriesTable, symbol: string, time: number, values: Record<string, number>, timeframe: string | null = null, venue = VENUE): ReplayCursor {
  const key: SeriesKey = { table, venue, symbol, timeframe };
  const columns: Record<string, Float64Array> = {};
  for (const [name, value] of Object.entries(values)) columns[name] = Float64Array.of(value);
  return { seriesIndex: 0, key, seriesId: seriesId(key), row: 0, time, columns, chunkIndex: 0 };
}

export function quote(time: number, bid: number, ask: number, sizes: { bidSize?: number; askSize?: number } = {}, symbol = PERP): ReplayCursor {
  return cursor('quotes', symbol, time, { ts: time, bid, ask, bid_size: sizes.bidSize ?? Number.NaN, ask_size: sizes.askSize ?? Number.NaN, last: Number.NaN });
}

export interface Ohlcv {
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

/** A 1m trade bar opening at openTs, delivered at its close. */
export function bar(openTs: number, ohlcv: Ohlcv, symbol = PERP, table: 'bars' | 'mark_bars' = 'bars', timeframeMs = MINUTE): ReplayCursor {
  const timeframe = timeframeMs === MINUTE ? '1m' : timeframeMs === 8 * HOUR ? '8h' : `${timeframeMs / MINUTE}m`;
  return cursor(table, symbol, openTs + timeframeMs, { ts: openTs, ...ohlcv, volume: ohlcv.volume ?? Number.NaN }, timeframe);
}

export function funding(time: number, rate: number, symbol = PERP, markPrice = Number.NaN): ReplayCursor {
  return cursor('funding', symbol, time, { ts: time, rate, interval_ms: 8 * HOUR, mark_price: markPrice });
}
