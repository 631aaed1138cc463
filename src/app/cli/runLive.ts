import { UsageError } from '../../core/errors.ts';
import { configHash } from '../../domain/config/hash.ts';
import { runLiveSession, type LiveSessionRun } from '../../engine/runtime/liveSession.ts';
import type { RunConfig } from '../../engine/runtime/runConfig.ts';
import { SESSION_CONFIG_FILE, SessionState } from '../../engine/runtime/sessionState.ts';
import { readConfigFile } from '../../domain/config/configFile.ts';
import { writeFileAtomic } from '../../data/store/atomicWrite.ts';
import { join } from 'node:path';
import { summaryLines } from './backtestCommand.ts';
import { onFirstSignal } from './cliIo.ts';
import { leaveWhenDone, liveAccess } from './liveAccess.ts';
import { durationOption } from './liveHooks.ts';
import { printError, printJson, printLine } from './output.ts';

export interface RunLiveOptions {
  mode: 'testnet' | 'live';
  state: string;
  replay?: string;
  exchangeUrl?: string;
  keyFile?: string;
  flattenOnExit: boolean;
  for?: string;
  json?: boolean;
}

/** `perp-arb run --mode testnet|live`: the session on the venues until stopped (Ctrl-C, SIGTERM, --for). */
export async function runLive(options: RunLiveOptions, config: RunConfig, tradesShown: number, configFile: string): Promise<void> {
  if (options.replay !== undefined) throw new UsageError(`--replay is for --mode paper: --mode ${options.mode} trades the venues' market`);
  const forMs = options.for === undefined ? null : durationOption('--for', options.for);
  const access = liveAccess(options.mode, options);
  const state = SessionState.openLive(options.state, {
    mode: options.mode,
    configHash: configHash(config),
    config: JSON.stringify(config),
    market: `${options.mode}: ${config.venues.map((v) => v.venue).join(', ')}${options.exchangeUrl ? ` at ${options.exchangeUrl}` : ''}`,
  });
  // The config as written (status and flatten read it back; it holds no keys: those come from the environment or a key file).
  writeFileAtomic(join(state.dir, SESSION_CONFIG_FILE), `${JSON.stringify(readConfigFile(configFile), null, 2)}\n`);
  const stop = new AbortController();
  const leaveAtOnce = () => process.exit(130);
  const removeSignal = onFirstSignal(['SIGINT', 'SIGTERM'], (signal) => {
    printError(`stopping (${signal}): no new entries; orders in flight get 15 s to end (Ctrl-C again to leave at once: the journal is durable)`);
    stop.abort(signal);
    process.once('SIGINT', leaveAtOnce).once('SIGTERM', leaveAtOnce);
  });
  const timer = forMs === null ? null : setTimeout(() => stop.abort(`--for ${options.for}`), forMs);
  let run: LiveSessionRun;
  try {
    run = await runLiveSession(config, { state, access, stop: stop.signal, flattenOnExit: options.flattenOnExit, onReport: (line) => printError(line) });
    state.end('stopped', run.summary);
  } catch (error) {
    state.end('failed', null, error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    removeSignal();
    if (timer) clearTimeout(timer);
    process.off('SIGINT', leaveAtOnce).off('SIGTERM', leaveAtOnce);
    state.close();
    leaveWhenDone();
  }
  if (options.json) {
    printJson({ mode: options.mode, state: state.dir, stopped: true, resumedPairs: run.resumedPairs, adoptedOrders: run.adoptedOrders, reconciliation: run.reconciliation, summary: run.summary });
    return;
  }
  printLine(`session        ${options.mode} on ${config.venues.map((v) => v.venue).join(', ')}${options.exchangeUrl ? ` at ${options.exchangeUrl}` : ''}, stopped`);
  if (run.summary === null) printLine('summary        none: no market event arrived');
  else for (const line of summaryLines(run.summary, tradesShown)) printLine(line);
  const r = run.reconciliation;
  printLine(`reconciliation ${r === null ? 'none' : r.ok ? `ledger matches every venue (${r.atIso})` : `DIFFERENCES (${r.atIso}): see perp-arb status --state ${state.dir}`}`);
  printLine(`state          ${state.dir} (ledger.sqlite, execution.sqlite, session.json): run again with the same --state to resume`);
}
