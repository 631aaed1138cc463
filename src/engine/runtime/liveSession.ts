import { join } from 'node:path';
import { sleepMs } from '../../core/retry.ts';
import { parseInstrumentId, type Instrument } from '../../domain/instrument.ts';
import type { OrderRequest } from '../../domain/trading.ts';
import { liveMarketInput, type LiveFeed } from '../../ingest/live/liveMarketInput.ts';
import { TradingStateHolder } from '../../risk/tradingState.ts';
import { createStrategy } from '../../strategy/registry.ts';
import { ClientOrderIds } from '../../venues/ccxt/trading/clientOrderIds.ts';
import type { CcxtTradingVenue } from '../../venues/ccxt/trading/ccxtTradingVenue.ts';
import type { BacktestRun } from '../backtest.ts';
import { WallClock } from '../clock.ts';
import type { Engine } from '../engine.ts';
import type { EngineEvent } from '../events.ts';
import type { EventStream } from '../eventStream.ts';
import { applyInstrumentOverrides, sessionEngine } from '../sessionSetup.ts';
import { summarize, type BacktestSummary } from '../summary.ts';
import { EXECUTION_FILE, ExecutionStore } from './executionStore.ts';
import { openLiveVenues, type LiveVenueAccess, type LiveVenues } from './liveVenues.ts';
import { differenceLines, reconcileAll, type ReconciliationReport } from './reconciliation.ts';
import type { RunConfig } from './runConfig.ts';
import type { SessionState } from './sessionState.ts';

export interface LiveSessionOptions {
  state: SessionState;
  access: LiveVenueAccess;
  /** Aborting it stops the session: no new entries; orders in flight get `settleMs` to end. */
  stop: AbortSignal;
  flattenOnExit: boolean;
  /** `perp-arb flatten`: no strategy, no new entries; every pair closed, then the session ends. */
  flattenOnly?: boolean;
  /** How long the end waits for orders in flight (default 15 s): those still unknown stay journalled. */
  settleMs?: number;
  onReport?: (line: string) => void;
  observe?: (events: EventStream<EngineEvent>, engine: Engine) => void;
  /** Each reconciliation's report (start, every reconcileEveryMs, end). */
  onReconciliation?: (report: ReconciliationReport) => void;
}

export interface LiveSessionRun extends Omit<BacktestRun, 'summary'> {
  /** Null when no market event arrived (no equity point to summarise). */
  summary: BacktestSummary | null;
  reconciliation: ReconciliationReport | null;
  /** Pairs resumed from the state directory. */
  resumedPairs: number;
  /** Orders of the journal in flight at the start, adopted from the venues. */
  adoptedOrders: number;
}

/**
 * A testnet or live session: the same engine, strategy, pair executor and ledger as paper and
 * backtests, on CcxtTradingVenues (one per configured venue) and the live market. The state
 * directory holds everything a restart needs: ledger.sqlite (every entry on disk before the next
 * order), execution.sqlite (the pair journal, written before every send; client id counter, fills,
 * the strategy's state, each reconciliation). On start a previous session's pairs are resumed,
 * its orders in flight adopted (settled by the venue's word), a naked leg completed or unwound by
 * the leg policy, and the ledger reconciled with every venue; then every reconcileEveryMs.
 */
export async function runLiveSession(config: RunConfig, options: LiveSessionOptions): Promise<LiveSessionRun> {
  const { state, stop } = options;
  const report = options.onReport ?? (() => {});
  const clock = new WallClock();
  const store = ExecutionStore.open(join(state.dir, EXECUTION_FILE));
  let venues: LiveVenues | null = null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  try {
    const unresolved = new Set<string>();
    venues = openLiveVenues(config, { ...options.access, fundingSinceMs: state.startedAtMs, onReport: report, onUnresolved: (_venue, order) => unresolved.add(order.clientOrderId) }, clock);
    const trading = venues.trading;
    const t0 = Date.now();
    const T = (what: string) => process.env.PERP_ARB_TIMING === '1' && report(`timing ${what} ${Date.now() - t0} ms`);
    await Promise.all(trading.map((v) => v.start()));
    T('venues started');
    const instruments = await sessionInstruments(config, trading);
    const resumed = state.resumedLedger;
    const firstStart = resumed === null || resumed.entryCount === 0;
    const deposits = firstStart ? await venueDeposits(trading) : [];
    const strategy = createStrategy(config.strategy);
    const saved = store.strategyState();
    if (saved !== undefined && strategy.restoreState) strategy.restoreState(saved);
    const tradingState = new TradingStateHolder(trading.map((v) => v.venue));
    const ids = new ClientOrderIds({ sessionTag: store.sessionTag, counter: store });
    const engine = sessionEngine(config, instruments, trading, {
      ledgerSink: state.ledger,
      clock,
      execution: { legPolicy: config.execution, journal: store.journal, clientOrderId: (venue) => ids.next(venue) },
      ledger: resumed !== null && resumed.entryCount > 0 ? resumed : undefined,
      tradingState,
      deposits: [],
      strategy,
      fundingAmountFrom: 'reported',
    });
    // Booked now, before the first reconciliation compares the ledger with the venues.
    for (const d of deposits) engine.ledger.recordDeposit({ ...d, ts: clock.nowMs() });
    if (options.flattenOnly) tradingState.pauseEntries(true, { reason: 'perp-arb flatten', source: 'operator', ts: clock.nowMs() });
    engine.events.subscribe(
      (event) => {
        if (event.type === 'fill') store.recordFill(event.fill, event.order);
        else if (event.type === 'intent' && strategy.saveState) store.saveStrategyState(event.ts, strategy.saveState());
      },
      { name: 'execution store', types: ['fill', 'intent'] },
    );
    options.observe?.(engine.events, engine);

    // Resume: the journal's pairs, and its orders in flight taken over by their venues.
    const journal = store.state();
    engine.executor.restore(journal, clock.nowMs());
    const byVenue = new Map(trading.map((v) => [v.venue, v]));
    for (const o of journal.openOrders.values()) {
      const request: OrderRequest = { clientOrderId: o.clientOrderId, venue: o.venue, symbol: o.symbol, side: o.side, type: 'market', quantity: o.quantity, limitPrice: null, timeInForce: 'IOC', reduceOnly: o.reduceOnly, ts: o.sentAtMs };
      byVenue.get(o.venue)?.adopt(request, o.sentAtMs);
    }
    const resumedPairs = [...journal.pairs.values()].filter((p) => p.status !== 'closed' && p.status !== 'failed').length;
    if (journal.pairs.size > 0) report(`resumed ${resumedPairs} pair(s) still open or in execution; ${journal.openOrders.size} order(s) in flight adopted`);
    await Promise.all(trading.map((v) => v.idle()));

    // Reconciliation: on start, every reconcileEveryMs, at the end.
    const sentIds = new Set<string>();
    for (const entry of store.entries()) if (entry.kind === 'send') sentIds.add(entry.order.clientOrderId);
    engine.executor.subscribeOrders((o) => sentIds.add(o.clientOrderId));
    const reconciliationHalted = new Set<string>();
    tradingState.subscribe((change) => {
      if (change.kind !== 'state' || change.venue === null) return;
      if (change.source === 'reconciliation' && change.state !== 'ACTIVE') reconciliationHalted.add(change.venue);
      else reconciliationHalted.delete(change.venue);
    });
    let last = store.lastReconciliation<ReconciliationReport>();
    let running: Promise<ReconciliationReport> | null = null;
    const reconcile = (): Promise<ReconciliationReport> => {
      running ??= (async () => {
        const now = clock.nowMs();
        // Fills from the last reconciliation (less a minute), never from before the session's first start.
        const sinceMs = Math.max((last?.at ?? 0) - 60_000, state.startedAtMs - 60_000);
        const openIds = new Set(engine.executor.pendingOrders().map((o) => o.clientOrderId));
        const result = await reconcileAll(
          trading,
          (venue) => ({
            ledger: engine.ledger,
            instruments: instruments.filter((i) => i.venue === venue.venue),
            isOwnOrder: (id) => sentIds.has(id),
            journalOpenOrders: openIds,
            sinceMs,
            nowMs: now,
            book: (fill) => engine.bookReconciledFill(fill),
          }),
          now,
        );
        for (const v of result.venues) {
          const current = tradingState.effective(v.venue);
          if (!v.ledgerMatchesVenue && current === 'ACTIVE') {
            tradingState.set('REDUCING', { venue: v.venue, reason: `reconciliation: ${v.differences.length} unexplained difference(s)`, source: 'reconciliation', ts: now });
          } else if (v.ledgerMatchesVenue && current === 'REDUCING' && reconciliationHalted.has(v.venue)) {
            tradingState.set('ACTIVE', { venue: v.venue, reason: 'reconciliation: the ledger matches the venue again', source: 'reconciliation', ts: now });
          }
        }
        for (const line of differenceLines(result)) report(`reconciliation: ${line}`);
        store.saveReconciliation(result);
        last = result;
        options.onReconciliation?.(result);
        return result;
      })().finally(() => {
        running = null;
      });
      return running;
    };
    T('resumed');
    await reconcile();
    T('reconciled');
    reconcileTimer = setInterval(() => {
      reconcile().catch((error: unknown) => report(`reconciliation failed: ${(error as Error).message}`));
    }, config.reconcileEveryMs);

    // The market: the venues' books and funding, as paper's live input.
    const feeds: LiveFeed[] = venues.market.map((venue) => ({ venue, instruments: instruments.filter((i) => i.venue === venue.venue) })).filter((f) => f.instruments.length > 0);
    const input = liveMarketInput({ feeds, signal: stop, onReport: (line) => report(`market: ${line}`), depth: 5, forcePolling: options.access.exchangeUrl !== undefined && process.env.PERP_ARB_LIVE_WS_BOOKS !== '1', seedLastSettlement: true });
    engine.events.subscribe(() => T('first market event'), { name: 'timing', types: ['market'] });
    let flattenAsked = false;
    const pump = setInterval(() => {
      engine.executor.onTime(clock.nowMs());
      if (options.flattenOnly && !flattenAsked) {
        flattenAsked = true;
        engine.flatten(clock.nowMs());
      }
    }, 250);
    let result;
    try {
      if (options.flattenOnly) {
        await waitFor(() => flattenAsked && engine.executor.activePairs().length === 0, stop, 60_000);
        result = await engine.run(emptyInput(), {});
      } else result = await engine.run(input, { flattenAtEnd: options.flattenOnExit });
    } finally {
      clearInterval(pump);
    }
    // Orders in flight get settleMs to end (a flatten's closes among them).
    await waitFor(() => engine.executor.pendingOrders().length === 0, null, options.settleMs ?? 15_000, () => engine.executor.onTime(clock.nowMs()));
    await Promise.all(trading.map((v) => v.idle()));
    if (reconcileTimer !== null) clearInterval(reconcileTimer);
    reconcileTimer = null;
    const final = await reconcile().catch(() => last);
    return { result, summary: result.equity.length > 0 && result.pnlBreakdown !== null ? summarize(result) : null, instruments, span: null, reconciliation: final, resumedPairs, adoptedOrders: journal.openOrders.size };
  } finally {
    if (reconcileTimer !== null) clearInterval(reconcileTimer);
    clock.cancelAll();
    if (venues !== null) {
      await Promise.all(venues.trading.map((v) => v.close().catch(() => {})));
      await Promise.all(venues.market.map((v) => v.close().catch(() => {})));
    }
    store.close();
  }
}

/** The config's instruments as the venues list them (lot, tick, fees from the venue), with the config's overrides. */
async function sessionInstruments(config: RunConfig, trading: readonly CcxtTradingVenue[]): Promise<Instrument[]> {
  const out: Instrument[] = [];
  for (const c of config.instruments) {
    const { venue, symbol } = parseInstrumentId(c.id);
    const v = trading.find((t) => t.venue === venue);
    if (v === undefined) throw new Error(`instrument ${c.id}: venue '${venue}' is not configured`);
    const found = (await v.instruments()).find((i) => i.symbol === symbol);
    if (found === undefined) throw new Error(`instrument ${c.id}: ${venue} does not list ${symbol}`);
    out.push(applyInstrumentOverrides(found, c));
  }
  return out;
}

/** The first start's deposits: every asset's total on each venue (wallets summed), as the venue says. */
async function venueDeposits(trading: readonly CcxtTradingVenue[]): Promise<{ venue: string; asset: string; amount: number }[]> {
  const out: { venue: string; asset: string; amount: number }[] = [];
  for (const v of trading) {
    const totals = new Map<string, number>();
    for (const { balances } of await v.accountBalances()) for (const b of balances) if (b.total !== null && b.total > 0) totals.set(b.asset, (totals.get(b.asset) ?? 0) + b.total);
    for (const [asset, amount] of totals) out.push({ venue: v.venue, asset, amount: Number(amount.toPrecision(15)) });
  }
  return out;
}

async function waitFor(done: () => boolean, stop: AbortSignal | null, timeoutMs: number, tick?: () => void): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end && !(stop?.aborted ?? false)) {
    tick?.();
    await sleepMs(100);
  }
}

/** A market input with no events (flatten: the executor works on the venues' events alone). */
function emptyInput() {
  const stats = { events: 0, firstTime: null, lastTime: null, perSeries: [] };
  return { keys: [], stats: () => stats, async *[Symbol.asyncIterator]() {} } as unknown as Parameters<Engine['run']>[0];
}
