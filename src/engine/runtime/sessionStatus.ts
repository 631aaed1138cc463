import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { WallClock } from '../clock.ts';
import { SqliteLedgerStore } from '../../portfolio/sqliteLedgerStore.ts';
import type { Ledger } from '../../portfolio/ledger.ts';
import { parseInstrumentId } from '../../domain/instrument.ts';
import { readConfigFile } from '../../domain/config/configFile.ts';
import { EXECUTION_FILE, ExecutionStore } from './executionStore.ts';
import { openLiveVenues, type LiveVenueAccess } from './liveVenues.ts';
import { reconcileAll, type ReconciliationReport } from './reconciliation.ts';
import { parseRunConfig, type RunConfig } from './runConfig.ts';
import { LEDGER_FILE, SESSION_CONFIG_FILE, SessionState, type SessionRecord } from './sessionState.ts';

export interface StatusLeg {
  leg: 'long' | 'short';
  venue: string;
  symbol: string;
  /** Held, positive (the short leg's quantity short). */
  quantity: number;
  /** Average price of the leg's fills that opened it (null: none). */
  averagePrice: number | null;
}

export interface StatusPair {
  id: string;
  strategy: string;
  state: string;
  legs: StatusLeg[];
  /** Cash flows of the pair's fills (fees included) plus what it holds at the last fill price of each leg's market, USD. */
  pnlUsd: number;
  openedAt: string | null;
}

export interface SessionStatus {
  state: string;
  session: Pick<SessionRecord, 'mode' | 'status' | 'startedAt' | 'endedAt' | 'market' | 'error' | 'restarts'> & { alive: boolean };
  pairs: StatusPair[];
  /** Pairs not closed whose legs differ (a lone leg, or legs of unequal size). */
  nakedLegs: number;
  ordersInFlight: number;
  orders: { clientOrderId: string; pairId: string; venue: string; symbol: string; side: string; quantity: number; purpose: string; sentAt: string }[];
  /** Now (with venue access: `reconciledNow` true), else the session's last. */
  reconciliation: ReconciliationReport | null;
  reconciledNow: boolean;
}

const EPS = 1e-9;

/** What a state directory holds, read without its lock (a running session may be writing it). */
export function readSessionState(dir: string): { record: SessionRecord; config: RunConfig; ledger: Ledger; store: ExecutionStore } {
  const root = resolve(dir);
  const record = SessionState.read(root);
  if (record === null) throw new UsageError(`--state ${dir}: no session.json (not a session's state directory)`);
  if (record.mode === 'paper') throw new UsageError(`--state ${dir}: a paper session (status and flatten are for testnet and live sessions; see its session.json)`);
  if (!existsSync(join(root, LEDGER_FILE)) || !existsSync(join(root, EXECUTION_FILE))) throw new UsageError(`--state ${dir}: the session has no ledger.sqlite and execution.sqlite yet`);
  const ledgerStore = SqliteLedgerStore.open(join(root, LEDGER_FILE), { readonly: true });
  try {
    const run = ledgerStore.run();
    if (run === null) throw new UsageError(`--state ${dir}: the ledger has no run (no config)`);
    const configPath = join(root, SESSION_CONFIG_FILE);
    if (!existsSync(configPath)) throw new UsageError(`--state ${dir}: no ${SESSION_CONFIG_FILE} (the session's config)`);
    const config = parseRunConfig(readConfigFile(configPath), configPath);
    const ledger = ledgerStore.loadLedger({ attach: false, unfinished: 'allow' });
    const store = ExecutionStore.open(join(root, EXECUTION_FILE), { readonly: true });
    return { record, config, ledger, store };
  } finally {
    ledgerStore.close();
  }
}

/** `perp-arb status`: pairs, naked legs, orders in flight, and the reconciliation (now with venue access, else the last). */
export async function sessionStatus(dir: string, access: LiveVenueAccess | null): Promise<SessionStatus> {
  const { record, config, ledger, store } = readSessionState(dir);
  try {
    const journal = store.state();
    const fills = store.fills();
    const lastPrice = new Map<string, number>();
    for (const f of fills) lastPrice.set(`${f.fill.venue}:${f.fill.symbol}`, f.fill.price);
    const pairs: StatusPair[] = [...journal.pairs.values()].map((p) => {
      const own = fills.filter((f) => f.pairId === p.id);
      let cash = 0;
      for (const { fill } of own) cash += (fill.side === 'sell' ? 1 : -1) * fill.quantity * fill.price - fill.fee;
      const held = (ref: { venue: string; symbol: string }, signed: number) => signed * (lastPrice.get(`${ref.venue}:${ref.symbol}`) ?? 0);
      const avg = (leg: 'long' | 'short') => {
        const opening = own.filter((f) => f.leg === leg && (f.purpose === 'open' || f.purpose === 'complete'));
        const q = opening.reduce((s, f) => s + f.fill.quantity, 0);
        return q > 0 ? opening.reduce((s, f) => s + f.fill.quantity * f.fill.price, 0) / q : null;
      };
      return {
        id: p.id,
        strategy: config.strategy.type,
        state: p.status,
        legs: [
          { leg: 'long' as const, venue: p.long.venue, symbol: p.long.symbol, quantity: p.longQty, averagePrice: avg('long') },
          { leg: 'short' as const, venue: p.short.venue, symbol: p.short.symbol, quantity: p.shortQty, averagePrice: avg('short') },
        ],
        pnlUsd: Number((cash + held(p.long, p.longQty) + held(p.short, -p.shortQty)).toFixed(8)),
        openedAt: p.openedAtMs === null ? null : new Date(p.openedAtMs).toISOString(),
      };
    });
    const nakedLegs = pairs.filter((p) => p.state !== 'closed' && p.state !== 'failed' && Math.abs(p.legs[0].quantity - p.legs[1].quantity) > EPS).length;
    const orders = [...journal.openOrders.values()].map((o) => ({ clientOrderId: o.clientOrderId, pairId: o.pairId, venue: o.venue, symbol: o.symbol, side: o.side, quantity: o.quantity, purpose: o.purpose, sentAt: new Date(o.sentAtMs).toISOString() }));
    let reconciliation = store.lastReconciliation<ReconciliationReport>();
    let reconciledNow = false;
    if (access !== null) {
      reconciliation = await reconcileNow(config, ledger, store, access, reconciliation, Date.parse(record.startedAt));
      reconciledNow = true;
    }
    return {
      state: resolve(dir),
      session: { mode: record.mode, status: record.status, startedAt: record.startedAt, endedAt: record.endedAt, market: record.market, error: record.error, restarts: record.restarts, alive: SessionState.isAlive(record) },
      pairs,
      nakedLegs,
      ordersInFlight: orders.length,
      orders,
      reconciliation,
      reconciledNow,
    };
  } finally {
    store.close();
  }
}

async function reconcileNow(config: RunConfig, ledger: Ledger, store: ExecutionStore, access: LiveVenueAccess, last: ReconciliationReport | null, startedAtMs: number): Promise<ReconciliationReport> {
  const clock = new WallClock();
  const venues = openLiveVenues(config, { ...access, streams: false }, clock);
  try {
    for (const v of venues.trading) await v.start();
    const sent = new Set<string>();
    for (const e of store.entries()) if (e.kind === 'send') sent.add(e.order.clientOrderId);
    const open = new Set(store.state().openOrders.keys());
    const now = clock.nowMs();
    const instruments = await Promise.all(venues.trading.map(async (v) => (await v.instruments()).filter((i) => config.instruments.some((c) => { const id = parseInstrumentId(c.id); return id.venue === v.venue && id.symbol === i.symbol; }))));
    return await reconcileAll(venues.trading, (venue) => ({ ledger, instruments: instruments[venues.trading.indexOf(venue)], isOwnOrder: (id) => sent.has(id), journalOpenOrders: open, sinceMs: Math.max((last?.at ?? 0) - 60_000, startedAtMs - 60_000), nowMs: now }), now);
  } finally {
    clock.cancelAll();
    await Promise.all(venues.trading.map((v) => v.close().catch(() => {})));
    await Promise.all(venues.market.map((v) => v.close().catch(() => {})));
  }
}
