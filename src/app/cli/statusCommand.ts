import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { configHash } from '../../domain/config/hash.ts';
import { runLiveSession } from '../../engine/runtime/liveSession.ts';
import { differenceLines } from '../../engine/runtime/reconciliation.ts';
import { SessionState } from '../../engine/runtime/sessionState.ts';
import { readSessionState, sessionStatus, type SessionStatus } from '../../engine/runtime/sessionStatus.ts';
import { exchangeUrlOption, leaveWhenDone, liveAccess } from './liveAccess.ts';
import { formatTable, printError, printJson, printLine, runAction } from './output.ts';

interface StatusOptions {
  state: string;
  exchangeUrl?: string;
  keyFile?: string;
  offline?: boolean;
  json?: boolean;
}

const num = (v: number | null) => (v === null ? '-' : String(Number(v.toPrecision(10))));

function printStatus(s: SessionStatus): void {
  printLine(`session        ${s.session.mode}, ${s.session.alive ? 'RUNNING' : s.session.status}${s.session.restarts ? `, resumed ${s.session.restarts} time(s)` : ''} (${s.state})`);
  printLine(`pairs          ${s.pairs.filter((p) => p.state !== 'closed' && p.state !== 'failed').length} open of ${s.pairs.length}; naked legs ${s.nakedLegs}; orders in flight ${s.ordersInFlight}`);
  if (s.pairs.length > 0) {
    printLine(
      formatTable(
        ['id', 'strategy', 'state', 'long', 'qty', 'avg', 'short', 'qty', 'avg', 'PnL USD'],
        s.pairs.map((p) => [p.id, p.strategy, p.state, `${p.legs[0].venue}:${p.legs[0].symbol}`, num(p.legs[0].quantity), num(p.legs[0].averagePrice), `${p.legs[1].venue}:${p.legs[1].symbol}`, num(p.legs[1].quantity), num(p.legs[1].averagePrice), p.pnlUsd.toFixed(2)]),
      ),
    );
  }
  for (const o of s.orders) printLine(`in flight      ${o.clientOrderId} ${o.venue} ${o.symbol} ${o.side} ${o.quantity} (${o.purpose} of ${o.pairId}, sent ${o.sentAt})`);
  const r = s.reconciliation;
  if (r === null) printLine('reconciliation none yet');
  else {
    printLine(`reconciliation ${r.ok ? 'the ledger matches every venue' : 'DIFFERENCES'} (${s.reconciledNow ? 'now' : 'last'}, ${r.atIso}): ${r.venues.map((v) => `${v.venue} ${v.ledgerMatchesVenue ? 'ok' : `${v.differences.length} difference(s)`}`).join(', ')}`);
    for (const line of differenceLines(r)) printLine(`  ${line}`);
  }
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('a testnet or live session: pairs (legs, prices, PnL), naked legs, orders in flight, and the reconciliation with the venues (now when the venues can be reached, else the last one)')
    .requiredOption('--state <dir>', 'the session state directory')
    .option('--exchange-url <url>', "point every venue's ccxt client at this base URL (a loopback exchange-sim)")
    .option('--key-file <file>', 'API keys from this JSON file (chmod 600) instead of PERP_ARB_<VENUE>_API_KEY / _SECRET / _PASSWORD')
    .option('--offline', 'do not contact the venues: show the last reconciliation of the state', false)
    .option('--json', 'print one JSON object', false)
    .action(
      runAction(async (options: StatusOptions) => {
        const exchangeUrl = exchangeUrlOption(options.exchangeUrl);
        const { record, store } = readSessionState(options.state);
        store.close();
        let access = options.offline ? null : liveAccess(record.mode as 'testnet' | 'live', { exchangeUrl, keyFile: options.keyFile });
        if (access !== null && exchangeUrl === undefined && options.keyFile === undefined) {
          // Venue access without a URL or key file: only when every venue's keys are in the environment.
          try {
            const { config } = readSessionState(options.state);
            for (const v of config.venues) access.credentials(v.venue, []);
          } catch {
            access = null;
          }
        }
        try {
          const status = await sessionStatus(options.state, access);
          if (options.json) printJson(status);
          else printStatus(status);
        } finally {
          leaveWhenDone();
        }
      }),
    );
}

interface FlattenOptions {
  state: string;
  yes?: boolean;
  exchangeUrl?: string;
  keyFile?: string;
  json?: boolean;
}

export function registerFlattenCommand(program: Command): void {
  program
    .command('flatten')
    .description("close every pair of a testnet or live session with the same two-leg execution (the session's state directory; not while the session runs)")
    .requiredOption('--state <dir>', 'the session state directory')
    .option('--yes', 'close them (without it: show what would be closed, send nothing)', false)
    .option('--exchange-url <url>', "point every venue's ccxt client at this base URL (a loopback exchange-sim)")
    .option('--key-file <file>', 'API keys from this JSON file (chmod 600) instead of PERP_ARB_<VENUE>_API_KEY / _SECRET / _PASSWORD')
    .option('--json', 'print one JSON object', false)
    .action(
      runAction(async (options: FlattenOptions) => {
        const exchangeUrl = exchangeUrlOption(options.exchangeUrl);
        const { record, config, store } = readSessionState(options.state);
        const open = [...store.state().pairs.values()].filter((p) => p.status !== 'closed' && p.status !== 'failed');
        store.close();
        if (!options.yes) {
          if (options.json) printJson({ closed: false, pairs: open.map((p) => p.id) });
          else printLine(`${open.length} pair(s) to close: ${open.map((p) => p.id).join(', ') || 'none'}; pass --yes to close them (nothing was sent)`);
          return;
        }
        const mode = record.mode as 'testnet' | 'live';
        if (mode === 'live' && !config.live.enabled) throw new UsageError('the session config has live.enabled false: nothing was sent');
        const state = SessionState.openLive(options.state, { mode, configHash: configHash(config), config: JSON.stringify(config), market: record.market });
        try {
          const run = await runLiveSession(config, { state, access: liveAccess(mode, { exchangeUrl, keyFile: options.keyFile }), stop: new AbortController().signal, flattenOnExit: false, flattenOnly: true, onReport: (line) => printError(line) });
          state.end('stopped', run.summary);
          const status = await sessionStatusAfter(options.state);
          if (options.json) printJson({ closed: true, pairs: open.map((p) => p.id), remaining: status.pairs.filter((p) => p.state !== 'closed' && p.state !== 'failed').map((p) => p.id), nakedLegs: status.nakedLegs, reconciliation: run.reconciliation });
          else {
            printLine(`flatten        ${open.length} pair(s) to close; open now: ${status.pairs.filter((p) => p.state !== 'closed' && p.state !== 'failed').length}; naked legs ${status.nakedLegs}`);
            printLine(`reconciliation ${run.reconciliation?.ok ? 'the ledger matches every venue' : 'DIFFERENCES: see perp-arb status'}`);
          }
        } catch (error) {
          state.end('failed', null, error instanceof Error ? error.message : String(error));
          throw error;
        } finally {
          state.close();
          leaveWhenDone();
        }
      }),
    );
}

async function sessionStatusAfter(dir: string): Promise<SessionStatus> {
  return sessionStatus(dir, null);
}
