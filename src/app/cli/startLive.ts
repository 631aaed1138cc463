import { join, resolve } from 'node:path';
import { configHash } from '../../domain/config/hash.ts';
import { parseRunConfig } from '../../engine/runtime/runConfig.ts';
import { runPaperSession, type PaperMarket } from '../../engine/runtime/paperSession.ts';
import { SessionState } from '../../engine/runtime/sessionState.ts';
import { sessionAlertsFromEnv } from '../alerts/sessionAlerts.ts';
import { startSessionDashboard } from '../dashboard/sessionDashboard.ts';
import { summaryLines } from './backtestCommand.ts';
import { cliIo, onFirstSignal } from './cliIo.ts';
import { printError, printLine } from './output.ts';

export interface StartLiveOptions {
  /** The backtest config's input (parsed here as a session config). */
  config: Record<string, unknown>;
  /** The store replayed (a config of data.source store), or undefined for the synthetic market. */
  storeDir?: string;
  speed: number;
  host?: string;
  port?: number;
  tradesShown: number;
}

/**
 * `npm start` in a terminal: the paper runtime on the replayed market (the same strategy, engine,
 * simulated venues and ledger as a live session; only the input is a replay paced at `speed` times
 * wall time) with the dashboard, until Ctrl-C. When the replay ends the dashboard stays up.
 */
export async function runStartLive(options: StartLiveOptions): Promise<void> {
  const config = parseRunConfig({ ...options.config, live: { enabled: false }, execution: { onLegFailure: 'unwind', legTimeoutMs: 30_000 } }, 'perp-arb start (built-in paper config)');
  const stamp = new Date().toISOString().replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
  const stateDir = resolve(cliIo().cwd, '.perp-arb', 'sessions', `start-${stamp}`);
  const market: PaperMarket = options.storeDir === undefined ? { kind: 'replay', source: 'synthetic' } : { kind: 'replay', source: 'store', storeDir: options.storeDir };
  const state = SessionState.create(stateDir, { mode: 'paper', configHash: configHash(config), config: JSON.stringify(config), market: options.storeDir === undefined ? 'replay: synthetic' : `replay: ${options.storeDir}` });
  const label = `paper session, ${config.strategy.type} on ${options.storeDir === undefined ? 'the SYNTHETIC market' : 'the stored Binance BTC pair'}, replayed at ${options.speed}x`;
  const alerts = sessionAlertsFromEnv(cliIo().env, label, printError);
  const dashboard = await startSessionDashboard({ stateDir, source: label, host: options.host, port: options.port, print: printLine });
  printLine(`session        ${label}; state in ${join(stateDir)}`);
  printLine('               open the dashboard URL in a browser; Ctrl-C stops the session');
  const stop = new AbortController();
  let interrupted = false;
  const removeSignal = onFirstSignal(['SIGINT', 'SIGTERM'], () => {
    interrupted = true;
    stop.abort();
  });
  try {
    const run = await runPaperSession(config, {
      state,
      market,
      speed: options.speed,
      stop: stop.signal,
      flattenOnExit: false,
      observe: (events, engine) => {
        dashboard.observe(events, engine);
        alerts?.observe(events, engine);
      },
    });
    state.end(interrupted ? 'stopped' : 'finished', run.summary);
    dashboard.finish();
    await alerts?.finish();
    printLine();
    for (const line of summaryLines(run.summary, options.tradesShown)) printLine(line);
    if (!interrupted) {
      printLine();
      printLine(`replay ended; the dashboard stays at ${dashboard.server.url} (Ctrl-C to leave)`);
      await new Promise<void>((done) => {
        const remove = onFirstSignal(['SIGINT', 'SIGTERM'], () => {
          remove();
          done();
        });
      });
    }
  } finally {
    removeSignal();
    await dashboard.close();
    state.close();
  }
}
