import type { ReplayCursor } from '../data/replay/types.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { InstrumentSnapshot, MarketUpdate, MarketView } from '../strategy/types.ts';

/** Mutable snapshot kept by the engine; strategies see it read-only. */
export class Snapshot implements InstrumentSnapshot {
  price = Number.NaN;
  priceTs = Number.NaN;
  bid = Number.NaN;
  ask = Number.NaN;
  markPrice = Number.NaN;
  fundingRatePerInterval = Number.NaN;
  fundingIntervalMs = Number.NaN;
  fundingTs = Number.NaN;
  constructor(
    readonly venue: string,
    readonly symbol: string,
  ) {}
}

type Apply = (snap: Snapshot, cursor: ReplayCursor) => MarketUpdate['kind'] | null;

interface Route {
  snap: Snapshot;
  apply: Apply;
  update: MarketUpdate;
}

const applyBar: Apply = (s, c) => {
  s.price = c.columns.close[c.row];
  s.priceTs = c.time;
  return 'price';
};
const applyMark: Apply = (s, c) => {
  s.markPrice = c.columns.close[c.row];
  return null;
};
/** Top of book from the given bid and ask columns; the price is the mid. */
const topOfBook =
  (bidColumn: string, askColumn: string): Apply =>
  (s, c) => {
    s.bid = c.columns[bidColumn][c.row];
    s.ask = c.columns[askColumn][c.row];
    s.price = (s.bid + s.ask) / 2;
    s.priceTs = c.time;
    return 'price';
  };
const applyQuote = topOfBook('bid', 'ask');
const applyQuoteBar = topOfBook('bid_close', 'ask_close');
const applyTrade: Apply = (s, c) => {
  s.price = c.columns.price[c.row];
  s.priceTs = c.time;
  return 'price';
};
const applyFunding: Apply = (s, c) => {
  s.fundingRatePerInterval = c.columns.rate[c.row];
  const interval = c.columns.interval_ms?.[c.row];
  if (interval !== undefined && interval > 0) s.fundingIntervalMs = interval;
  const mark = c.columns.mark_price?.[c.row];
  if (mark !== undefined && mark > 0) s.markPrice = mark;
  s.fundingTs = c.time;
  return 'funding';
};

const APPLY_BY_TABLE: Record<string, Apply | undefined> = {
  bars: applyBar,
  mark_bars: applyMark,
  quotes: applyQuote,
  quote_bars: applyQuoteBar,
  trades: applyTrade,
  funding: applyFunding,
};

/** The latest state of every tracked instrument, updated from replay cursors (one route per series). */
export class EngineMarketView implements MarketView {
  private readonly snaps = new Map<string, Snapshot>();
  private readonly instrumentsById = new Map<string, Instrument>();
  private readonly routes: (Route | null | undefined)[] = [];

  constructor(instruments: readonly Instrument[]) {
    for (const i of instruments) {
      const id = `${i.venue}:${i.symbol}`;
      this.instrumentsById.set(id, i);
      const snap = new Snapshot(i.venue, i.symbol);
      if (i.fundingIntervalMs !== null) snap.fundingIntervalMs = i.fundingIntervalMs;
      this.snaps.set(id, snap);
    }
  }

  get(venue: string, symbol: string): InstrumentSnapshot | undefined {
    return this.snaps.get(`${venue}:${symbol}`);
  }

  instrument(venue: string, symbol: string): Instrument | undefined {
    return this.instrumentsById.get(`${venue}:${symbol}`);
  }

  snapshots(): Iterable<Snapshot> {
    return this.snaps.values();
  }

  /** Applies a market event; returns the update to show the strategy, or null (untracked or not a trigger). */
  apply(cursor: ReplayCursor): MarketUpdate | null {
    let route = this.routes[cursor.seriesIndex];
    if (route === undefined) {
      const snap = this.snaps.get(`${cursor.key.venue}:${cursor.key.symbol}`);
      const apply = APPLY_BY_TABLE[cursor.key.table];
      route = snap && apply ? { snap, apply, update: { kind: 'price', venue: snap.venue, symbol: snap.symbol, timeMs: 0 } } : null;
      this.routes[cursor.seriesIndex] = route;
    }
    if (route === null) return null;
    const kind = route.apply(route.snap, cursor);
    if (kind === null) return null;
    route.update.kind = kind;
    route.update.timeMs = cursor.time;
    return route.update;
  }
}
