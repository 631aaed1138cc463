import type { ReplayCursor } from '../data/replay/types.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { InstrumentSnapshot, MarketUpdate, MarketView } from '../strategy/types.ts';
import { freshestMarkPrice } from '../model/markPrice.ts';

/**
 * Mutable snapshot kept by the engine; strategies see it read-only. Its fields resemble the
 * scanner's state and the simulated venue's market state: each keeps what its reader needs, in its
 * own layout for its hot path; what they must agree on (which price values a derivative) is one
 * function, model/markPrice.ts.
 */
export class Snapshot implements InstrumentSnapshot {
  price = Number.NaN;
  priceTs = Number.NaN;
  bid = Number.NaN;
  ask = Number.NaN;
  markPrice = Number.NaN;
  markTs = Number.NaN;
  /** The mark-price candidates apart (quote mid and trade price, each with its time), for valuePrice(). */
  quoteTs = -Infinity;
  tradePrice = Number.NaN;
  tradeTs = -Infinity;
  fundingRatePerInterval = Number.NaN;
  fundingIntervalMs = Number.NaN;
  fundingTs = Number.NaN;
  predictedFundingRatePerInterval = Number.NaN;
  predictedFundingTs = Number.NaN;
  nextFundingTimeMs = Number.NaN;
  constructor(
    readonly venue: string,
    readonly symbol: string,
    /** Position of the instrument in the list the view was built from. */
    readonly index: number,
  ) {}

  /**
   * The price a derivative is valued at: the freshest of the venue's mark, the quote mid and the
   * trade price, by the simulated venue's own rule (freshestMarkPrice), so equity and the venue's
   * margin agree. NaN when nothing is known.
   */
  valuePrice(): number {
    const mid = this.quoteTs > -Infinity ? (this.bid + this.ask) / 2 : Number.NaN;
    return freshestMarkPrice(this.markPrice, this.markTs, mid, this.quoteTs, this.tradePrice, this.tradeTs);
  }
}

/** How a series' rows move a snapshot. */
const Table = { Bar: 0, Mark: 1, Quote: 2, QuoteBar: 3, Trade: 4, Funding: 5, FundingQuote: 6 } as const;
type Table = (typeof Table)[keyof typeof Table];

const TABLES: Record<string, Table | undefined> = {
  bars: Table.Bar,
  mark_bars: Table.Mark,
  quotes: Table.Quote,
  quote_bars: Table.QuoteBar,
  trades: Table.Trade,
  funding: Table.Funding,
  funding_quotes: Table.FundingQuote,
};

/**
 * One series: its snapshot (null when the instrument is not tracked), how its rows apply, and the
 * columns it reads, looked up by name once per chunk (when the cursor's columns object changes).
 */
class Route {
  columns: Record<string, Float64Array> | null = null;
  a: Float64Array | undefined = undefined;
  b: Float64Array | undefined = undefined;
  c: Float64Array | undefined = undefined;
  readonly update: MarketUpdate;
  constructor(
    readonly key: ReplayCursor['key'],
    readonly snap: Snapshot | null,
    readonly table: Table | undefined,
  ) {
    this.update = { kind: 'price', venue: snap?.venue ?? key.venue, symbol: snap?.symbol ?? key.symbol, timeMs: 0 };
  }

  /** Looks the table's columns up once per chunk (apply reads them per event: the same tables, switched on twice on purpose). */
  bind(columns: Record<string, Float64Array>): void {
    this.columns = columns;
    switch (this.table) {
      case Table.Bar:
      case Table.Mark:
        this.a = columns.close;
        break;
      case Table.Quote:
        this.a = columns.bid;
        this.b = columns.ask;
        this.c = columns.last;
        break;
      case Table.QuoteBar:
        this.a = columns.bid_close;
        this.b = columns.ask_close;
        break;
      case Table.Trade:
        this.a = columns.price;
        break;
      case Table.Funding:
        this.a = columns.rate;
        this.b = columns.interval_ms;
        this.c = columns.mark_price;
        break;
      case Table.FundingQuote:
        this.a = columns.rate;
        this.b = columns.next_funding_ms;
        this.c = columns.interval_ms;
        break;
    }
  }
}

/** The latest state of every tracked instrument, updated from replay cursors (one route per series). */
export class EngineMarketView implements MarketView {
  /** Snapshots and instruments in the order given. */
  readonly snapshotList: readonly Snapshot[];
  readonly instrumentList: readonly Instrument[];
  /** venue -> symbol -> index: two lookups on the caller's (hash-cached) strings, no key built per call. */
  private readonly indexByVenue = new Map<string, Map<string, number>>();
  /** By replay series index; a route is reused while the cursor carries the same key object. */
  private readonly routes: (Route | undefined)[] = [];

  constructor(instruments: readonly Instrument[]) {
    const snaps: Snapshot[] = [];
    const list: Instrument[] = [];
    for (const i of instruments) {
      let bySymbol = this.indexByVenue.get(i.venue);
      if (bySymbol === undefined) this.indexByVenue.set(i.venue, (bySymbol = new Map()));
      // An instrument listed twice keeps its first place and its last definition.
      const index = bySymbol.get(i.symbol) ?? snaps.length;
      bySymbol.set(i.symbol, index);
      const snap = new Snapshot(i.venue, i.symbol, index);
      if (i.fundingIntervalMs !== null) snap.fundingIntervalMs = i.fundingIntervalMs;
      snaps[index] = snap;
      list[index] = i;
    }
    this.snapshotList = snaps;
    this.instrumentList = list;
  }

  /** Index of the instrument in the list the view was built from, -1 when not tracked. */
  indexOf(venue: string, symbol: string): number {
    return this.indexByVenue.get(venue)?.get(symbol) ?? -1;
  }

  get(venue: string, symbol: string): InstrumentSnapshot | undefined {
    const index = this.indexOf(venue, symbol);
    return index < 0 ? undefined : this.snapshotList[index];
  }

  instrument(venue: string, symbol: string): Instrument | undefined {
    const index = this.indexOf(venue, symbol);
    return index < 0 ? undefined : this.instrumentList[index];
  }

  snapshots(): Iterable<Snapshot> {
    return this.snapshotList;
  }

  /** Applies a market event; returns the update to show the strategy, or null (untracked or not a trigger). */
  apply(cursor: ReplayCursor): MarketUpdate | null {
    let route = this.routes[cursor.seriesIndex];
    if (route === undefined || route.key !== cursor.key) route = this.routeFor(cursor);
    const s = route.snap;
    if (s === null) return null;
    if (route.columns !== cursor.columns) route.bind(cursor.columns);
    const row = cursor.row;
    const time = cursor.time;
    const update = route.update;
    switch (route.table) {
      case Table.Bar:
      case Table.Trade: {
        const price = route.a![row];
        s.price = price;
        s.priceTs = time;
        s.tradePrice = price;
        s.tradeTs = time;
        update.kind = 'price';
        break;
      }
      case Table.Mark:
        s.markPrice = route.a![row];
        s.markTs = time;
        return null;
      case Table.Quote:
      case Table.QuoteBar: {
        // Top of book; the price is the mid.
        const bid = route.a![row];
        const ask = route.b![row];
        s.bid = bid;
        s.ask = ask;
        s.price = (bid + ask) / 2;
        s.priceTs = time;
        s.quoteTs = time;
        // A quote's last trade price (quotes only; quote bars have none), as the venue reads it.
        const last = route.c?.[row];
        if (last !== undefined && last > 0) {
          s.tradePrice = last;
          s.tradeTs = time;
        }
        update.kind = 'price';
        break;
      }
      case Table.Funding: {
        s.fundingRatePerInterval = route.a![row];
        const interval = route.b?.[row];
        if (interval !== undefined && interval > 0) s.fundingIntervalMs = interval;
        const mark = route.c?.[row];
        if (mark !== undefined && mark > 0) {
          s.markPrice = mark;
          s.markTs = time;
        }
        s.fundingTs = time;
        // Until the venue announces the next one: the grid of the interval.
        if (!(s.nextFundingTimeMs > time)) s.nextFundingTimeMs = s.fundingIntervalMs > 0 ? time + s.fundingIntervalMs : Number.NaN;
        update.kind = 'funding';
        break;
      }
      case Table.FundingQuote: {
        // The venue's predicted rate: no settlement, so not a strategy trigger and no payment.
        s.predictedFundingRatePerInterval = route.a![row];
        s.predictedFundingTs = time;
        const next = route.b?.[row];
        if (next !== undefined && next > 0) s.nextFundingTimeMs = next;
        const interval = route.c?.[row];
        if (interval !== undefined && interval > 0) s.fundingIntervalMs = interval;
        return null;
      }
    }
    update.timeMs = time;
    return update;
  }

  private routeFor(cursor: ReplayCursor): Route {
    const index = this.indexOf(cursor.key.venue, cursor.key.symbol);
    const table = TABLES[cursor.key.table];
    const route = new Route(cursor.key, index >= 0 && table !== undefined ? this.snapshotList[index] : null, table);
    this.routes[cursor.seriesIndex] = route;
    return route;
  }
}
