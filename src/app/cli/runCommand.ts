import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { configHash } from '../../domain/config/hash.ts';
import { rangeProblem } from '../../domain/config/range.ts';
import { RANGES } from '../../domain/config/ranges.ts';
import type { BacktestProgress, BacktestRun } from '../../engine/backtest.ts';
import { loadRunConfig } from '../../engine/runtime/runConfig.ts';
import { runPaperSession, storeTimeOption, type PaperMarket } from '../../engine/runtime/paperSession.ts';
import { SessionState, type SessionMode } from '../../engine/runtime/sessionState.ts';
import { CcxtMarketDataVenue } from '../../venues/ccxt/ccxtMarketDataVenue.ts';
import { venueSpec } from '../../venues/ccxt/supportedVenues.ts';
import { ProgressReporter } from './backtestProgress.ts';
import { summaryLines } from './backtestCommand.ts';
import { cliIo, onFirstSignal } from './cliIo.ts';
import { durationOption, loopbackFromEnv } from './liveHooks.ts';
import { portOption } from '../dashboard/options.ts';
import { startSessionDashboard, type SessionDashboard } from '../dashboard/sessionDashboard.ts';
import { sessionAlertsFromEnv } from '../alerts/sessionAlerts.ts';
import { printError, printJson, printLine, runAction, type CommonOptions } from './output.ts';
import { checkPathOptions } from './pathOption.ts';
import { checkLiveEnabled, exchangeUrlOption } from './liveAccess.ts';
import { runLive } from './runLive.ts';
import { DEFAULT_TRADES_SHOWN, parseTradesShown } from './roundTripText.ts';

interface RunOptions extends CommonOptions {
  config: string;
  mode: SessionMode;
  state: string;
  replay?: string;
  from?: string;
  to?: string;
  speed: string;
  flattenOnExit: boolean;
  confirmLive: boolean;
  exchangeUrl?: string;
  keyFile?: string;
  progress: boolean;
  trades: string;
  for?: string;
  dashboard: boolean;
  host?: string;
  port?: string;
  allowRemote: boolean;
  dashboardKeep: boolean;
}

function speedOf(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const value = Number(text);
  const problem = rangeProblem('--speed', value, RANGES.speed);
  if (text.trim() === '' || problem) throw new UsageError(`${problem ?? `--speed must be a number or max, got '${text}'`} (or max)`);
  return value;
}

function marketOf(options: RunOptions): PaperMarket {
  const replay = options.replay;
  if (replay === undefined) {
    if (options.from !== undefined || options.to !== undefined) throw new UsageError('--from and --to choose the span of a --replay STORE_DIR');
    return { kind: 'live', venues: [], onReport: (line) => printError(`market: ${line}`) };
  }
  if (replay === 'synthetic') {
    if (options.from !== undefined || options.to !== undefined) throw new UsageError('--from and --to choose the span of a store replay; the synthetic market is the config\'s data (seed, days)');
    return { kind: 'replay', source: 'synthetic' };
  }
  if (!existsSync(replay) || !statSync(replay).isDirectory()) throw new UsageError(`--replay ${replay}: not 'synthetic' and not a store directory`);
  return { kind: 'replay', source: 'store', storeDir: resolve(replay), from: storeTimeOption('--from', options.from), to: storeTimeOption('--to', options.to) };
}

const HELP = `
Modes:
  paper    orders fill on simulated venues (the backtest's fill, fee, funding and margin models)
           against the live market (the config's venues through ccxt; needs internet) or a replay
           (--replay synthetic or --replay STORE_DIR, --speed N|max). On a replay at --speed max
           the session makes exactly the fills, ledger and summary of 'perp-arb backtest' of the
           same config: the same engine runs, only the input differs.
  testnet  the venues' sandboxes (ccxt's sandbox URLs), through the ccxt trading venue.
  live     real orders on the venues: needs "live": { "enabled": true } in the config AND
           --confirm-live, except against a loopback --exchange-url (a local exchange-sim), where
           live.enabled alone does. Refused (exit 2) before any venue is contacted otherwise.
           Keys: PERP_ARB_<VENUE>_API_KEY, _SECRET, _PASSWORD, or --key-file (chmod 600); never
           logged, printed or stored. The state directory resumes: run again with the same
           --state after a stop or a crash; open pairs, orders in flight and the ledger go on,
           reconciled with every venue on start and every reconcileEveryMs.

Stopping: Ctrl-C or SIGTERM stops new entries and ends the session with its summary (open pairs are
kept, or closed with --flatten-on-exit); a second Ctrl-C leaves at once (the ledger journal is
durable). --state DIR holds the session: ledger.sqlite (every entry, WAL, with its run marker) and
session.json (mode, status, summary); a directory in use by another session is refused.

Examples:
  perp-arb run --config examples/run-paper-synthetic.json --mode paper --state /tmp/s1 --replay synthetic --speed max
  perp-arb run --config examples/run-paper-synthetic.json --mode paper --state /tmp/s2 --replay synthetic --speed 600
  perp-arb run --config examples/run-live-local.json --mode live --state /tmp/live1 --exchange-url http://127.0.0.1:8765`;

const DISCONNECTED = /failed \(attempt \d+\), retrying|the book stream ended|no book update for/;

async function sessionDashboardOf(options: RunOptions, stateDir: string, source: string): Promise<SessionDashboard | null> {
  if (!options.dashboard) {
    if (options.host !== undefined || options.port !== undefined || options.allowRemote || options.dashboardKeep) throw new UsageError('--host, --port, --allow-remote and --dashboard-keep go with --dashboard');
    return null;
  }
  return startSessionDashboard({ stateDir, source, host: options.host, port: portOption(options.port), allowRemote: options.allowRemote, print: printError });
}

function waitForSignal(message: string): Promise<void> {
  printError(message);
  return new Promise((done) => {
    const remove = onFirstSignal(['SIGINT', 'SIGTERM'], () => {
      remove();
      done();
    });
  });
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('trade a strategy: paper on the live market or a replay, testnet on the sandboxes, live on the venues')
    .requiredOption('--config <file>', 'session config: a backtest config plus live, execution and reconcileEveryMs (examples/run-*.json)')
    .addOption(new Option('--mode <mode>', 'paper, testnet or live').choices(['paper', 'testnet', 'live']).makeOptionMandatory())
    .requiredOption('--state <dir>', 'state directory of the session (created; one session per directory)')
    .option('--replay <source>', "paper: replay 'synthetic' (the config's synthetic market) or a store directory instead of the live market")
    .option('--from <time>', 'with --replay STORE_DIR: first time (ISO-8601 or epoch ms; default: the config data.from)')
    .option('--to <time>', 'with --replay STORE_DIR: end, exclusive (default: the config data.to)')
    .option('--speed <n>', 'replay speed: times faster than wall time, or max', 'max')
    .option('--for <duration>', 'stop after this long (30s, 10m, 8h; wall time), as Ctrl-C would')
    .option('--flatten-on-exit', 'close every open pair when the session stops', false)
    .option('--confirm-live', 'confirm real orders (with live.enabled in the config)', false)
    .option('--exchange-url <url>', "point every venue's ccxt client at this base URL (a loopback exchange-sim)")
    .option('--key-file <file>', 'testnet, live: read the API keys from this JSON file (chmod 600) instead of PERP_ARB_<VENUE>_API_KEY / _SECRET / _PASSWORD')
    .option('--trades <n>', 'round trips listed at the end, the best n and the worst n by net PnL (0: none)', String(DEFAULT_TRADES_SHOWN))
    .option('--no-progress', 'no progress on stderr')
    .option('--json', 'print one JSON object (the summary) at the end')
    .option('--dashboard', 'serve the live dashboard (page, /api, /metrics) while the session runs; prints its URL and control token', false)
    .option('--host <address>', 'with --dashboard: address to bind (default 127.0.0.1; others need --allow-remote)')
    .option('--port <n>', 'with --dashboard: port (default: a free one)')
    .option('--allow-remote', 'with --dashboard: allow a non-loopback --host (every request then needs the token)', false)
    .option('--dashboard-keep', 'with --dashboard: keep serving after the session ends by itself, until Ctrl-C', false)
    .addHelpText('after', HELP)
    .action(
      runAction(async (options: RunOptions) => {
        checkPathOptions({ '--config': options.config, '--state': options.state, '--replay': options.replay === 'synthetic' ? undefined : options.replay });
        const config = loadRunConfig(options.config);
        const tradesShown = parseTradesShown(options.trades);
        const exchangeUrl = exchangeUrlOption(options.exchangeUrl);
        checkLiveEnabled(options.mode, config, { confirmLive: options.confirmLive, exchangeUrl, configFile: options.config });
        if (options.mode !== 'paper') return runLive({ ...options, mode: options.mode, exchangeUrl }, config, tradesShown, options.config);
        if (options.keyFile !== undefined) throw new UsageError('--key-file is for --mode testnet and live (paper needs no keys)');
        if (config.live.enabled) printError('note: live.enabled has no effect in paper mode: every order fills on the simulated venues');
        const speed = speedOf(options.speed);
        const forMs = options.for === undefined ? null : durationOption('--for', options.for);
        let market = marketOf(options);
        if (market.kind === 'replay' && options.exchangeUrl !== undefined) throw new UsageError('--exchange-url is for the live market, not a --replay');
        if (market.kind === 'live') {
          const hooks = options.exchangeUrl === undefined ? loopbackFromEnv(cliIo().env) : { loopbackBaseUrl: options.exchangeUrl };
          const venueIds = [...new Set(config.venues.map((v) => v.venue))];
          market = {
            ...market,
            venues: venueIds.map((id) => new CcxtMarketDataVenue(venueSpec(id)?.ccxtId ?? id, hooks)),
            // A loopback REST server without its websocket: poll the books.
            forcePolling: hooks.loopbackBaseUrl !== undefined && !('loopbackWsBaseUrl' in hooks && hooks.loopbackWsBaseUrl),
          };
        }
        const state = SessionState.create(options.state, {
          mode: options.mode,
          configHash: configHash(config),
          config: JSON.stringify(config),
          market: market.kind === 'live' ? `live: ${config.venues.map((v) => v.venue).join(', ')}` : market.source === 'synthetic' ? 'replay: synthetic' : `replay: ${market.storeDir}`,
        });
        const sourceLabel = market.kind === 'live' ? `paper session (live: ${config.venues.map((v) => v.venue).join(', ')})` : `paper session (replay: ${market.source === 'synthetic' ? 'SYNTHETIC' : market.storeDir}${speed === 'max' ? '' : `, ${speed}x`})`;
        const alerts = sessionAlertsFromEnv(cliIo().env, sourceLabel, printError);
        if (alerts && market.kind === 'live') {
          const report = market.onReport;
          // A venue's stream failing, ending or going silent: the venueDisconnected alert (once per venue per dedupe window).
          market = { ...market, onReport: (line) => (report?.(line), DISCONNECTED.test(line) && alerts.rules.venueDisconnected(line.split(' ')[0], line, Date.now())) };
        }
        const dashboard = await sessionDashboardOf(options, state.dir, sourceLabel);
        const stop = new AbortController();
        const leaveAtOnce = () => process.exit(130);
        const removeSignal = onFirstSignal(['SIGINT', 'SIGTERM'], (signal) => {
          printError(`stopping (${signal}): no new entries; the session ends with its summary (Ctrl-C again to leave at once)`);
          stop.abort(signal);
          // The journal is durable: a second signal leaves without the summary.
          process.once('SIGINT', leaveAtOnce).once('SIGTERM', leaveAtOnce);
        });
        const timer = forMs === null ? null : setTimeout(() => stop.abort(`--for ${options.for}`), forMs);
        const reporter = options.progress && market.kind === 'replay' ? new ProgressReporter({ stream: cliIo().stderr }) : null;
        let last: BacktestProgress | null = null;
        let run: BacktestRun;
        try {
          run = await runPaperSession(config, {
            state,
            market,
            speed,
            stop: stop.signal,
            flattenOnExit: options.flattenOnExit,
            observe: (events, engine) => {
              dashboard?.observe(events, engine);
              alerts?.observe(events, engine);
            },
            onProgress: reporter
              ? (progress) => {
                  last = progress;
                  reporter.update(progress);
                }
              : undefined,
          });
          state.end(stop.signal.aborted ? 'stopped' : 'finished', run.summary);
        } catch (error) {
          state.end('failed', null, error instanceof Error ? error.message : String(error));
          throw error;
        } finally {
          removeSignal();
          if (timer) clearTimeout(timer);
          process.off('SIGINT', leaveAtOnce).off('SIGTERM', leaveAtOnce);
          reporter?.finish(last);
          dashboard?.finish();
          await alerts?.finish();
          if (dashboard && options.dashboardKeep && !stop.signal.aborted) await waitForSignal(`session ended; the dashboard stays at ${dashboard.server.url} (Ctrl-C to leave)`);
          await dashboard?.close();
          state.close();
          if (market.kind === 'live') await Promise.all(market.venues.map((v) => v.close()));
        }
        if (options.json) {
          printJson({ mode: options.mode, state: state.dir, stopped: stop.signal.aborted, summary: run.summary });
          return;
        }
        printLine(`session        ${options.mode} on ${market.kind === 'live' ? 'the live market' : market.source === 'synthetic' ? 'the SYNTHETIC market (seeded generator, not market prices), replayed' : `${market.storeDir}, replayed`}${speed === 'max' ? '' : ` at ${speed}x`}${stop.signal.aborted ? ', stopped' : ''}`);
        for (const line of summaryLines(run.summary, tradesShown)) printLine(line);
        printLine(`state          ${state.dir} (ledger.sqlite, session.json)`);
      }),
    );
}
