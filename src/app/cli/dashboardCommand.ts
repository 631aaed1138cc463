import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseBacktestConfig, runBacktest } from '../../engine/backtest.ts';
import { DashboardModel, type DashboardSource } from '../dashboard/dashboardModel.ts';
import { portOption } from '../dashboard/options.ts';
import { startDashboardServer } from '../dashboard/server.ts';
import { StoredDashboard } from '../dashboard/storedDashboard.ts';
import { createDashboardToken } from '../dashboard/token.ts';
import { RunsDb } from '../runs/runsDb.ts';
import { runsDbPath } from '../runs/runsDbPath.ts';
import { cliIo, onFirstSignal } from './cliIo.ts';
import { printError, runAction, type CommonOptions } from './output.ts';

interface DashboardOptions extends CommonOptions {
  state?: string;
  run?: string;
  runsDb?: string | false;
  host?: string;
  port?: string;
  allowRemote: boolean;
  /** Tests: serve this long, then exit (ms). */
  for?: string;
}

/** A finished backtest of the runs database, replayed from its recorded config into a dashboard model (the same engine, so the same fills). */
async function runDashboard(options: DashboardOptions): Promise<{ source: DashboardSource; label: string }> {
  const text = options.run!;
  const match = /^#?(\d+)$/.exec(text.trim());
  if (!match || Number(match[1]) < 1) throw new UsageError(`--run '${text}' is not a run id (a whole number >= 1 from perp-arb runs ls)`);
  const id = Number(match[1]);
  const path = runsDbPath(options.runsDb, cliIo().env);
  if (path === null) throw new UsageError('--run: recording is off ($PERP_ARB_RUNS_DB=off): give --runs-db FILE');
  const db = RunsDb.openForReading(path);
  const run = db?.get(id) ?? null;
  db?.close();
  if (run === null) throw new UsageError(`no run #${id} in the runs database ${path} (perp-arb runs ls)`);
  if (run.kind !== 'backtest') throw new UsageError(`run #${id} is a ${run.kind}; the dashboard shows backtests (one strategy, one equity curve)`);
  const config = parseBacktestConfig(asInput(run.config), `run #${id} in ${path}`);
  const model = new DashboardModel({ source: `backtest run #${id} (${run.strategy ?? config.strategy.type}, ${config.data.source === 'synthetic' ? 'SYNTHETIC' : `store ${run.store}`}), replayed from its config` });
  printError(`replaying run #${id} from its recorded config...`);
  await runBacktest(config, { storeDir: run.store ?? undefined, observe: (events, engine) => model.attach(events, engine) });
  model.markFinished();
  return { source: model, label: `run #${id}` };
}

/** The runs database keeps the parsed config: instrument references back to their 'venue:symbol' form. */
function asInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asInput);
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  const v = value as Record<string, unknown>;
  if (keys.length === 2 && typeof v.venue === 'string' && typeof v.symbol === 'string') return `${v.venue}:${v.symbol}`;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asInput(x)]));
}

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description("serve the dashboard of a session's state directory (--state DIR, written by run --dashboard) or of a recorded backtest (--run ID)")
    .option('--state <dir>', 'a session state directory: its dashboard.json, re-read while the session runs')
    .option('--run <id>', 'a backtest of the runs database (perp-arb runs ls), replayed from its recorded config')
    .option('--runs-db <file>', 'with --run: the runs database (default: $PERP_ARB_RUNS_DB or ~/.perp-arb/runs.sqlite)')
    .option('--host <address>', 'address to bind (default 127.0.0.1; others need --allow-remote)')
    .option('--port <n>', 'port (default: a free one)')
    .option('--allow-remote', 'allow a non-loopback --host (every request then needs the token)', false)
    .option('--for <ms>', 'serve this many ms, then exit (default: until Ctrl-C)')
    .action(
      runAction(async (options: DashboardOptions) => {
        if ((options.state === undefined) === (options.run === undefined)) throw new UsageError('give one of --state DIR or --run ID');
        const { source } = options.state !== undefined ? { source: new StoredDashboard(resolve(options.state)) } : await runDashboard(options);
        // The token guards the controls (none works on a stored session) and, off loopback, every request.
        const tokenDir = options.state !== undefined ? resolve(options.state) : mkdtempSync(join(tmpdir(), 'perp-arb-dashboard-'));
        const { token, path: tokenPath } = createDashboardToken(tokenDir);
        const server = await startDashboardServer({ source, token, host: options.host, port: portOption(options.port), allowRemote: options.allowRemote });
        printError(`dashboard      ${server.url}`);
        printError(`token          ${token} (shown once; also in ${tokenPath}, mode 0600)`);
        const forMs = options.for === undefined ? null : Number(options.for);
        if (forMs !== null && !(forMs >= 0)) throw new UsageError(`--for must be a number of ms, got '${options.for}'`);
        await new Promise<void>((done) => {
          let timer: NodeJS.Timeout | undefined;
          const remove = onFirstSignal(['SIGINT', 'SIGTERM'], () => {
            clearTimeout(timer);
            done();
          });
          if (forMs !== null)
            timer = setTimeout(() => {
              remove();
              done();
            }, forMs);
        });
        await server.close();
      }),
    );
}
