import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { compareRuns } from '../runs/compareRuns.ts';
import { RunsDb, type RunRecord } from '../runs/runsDb.ts';
import { runsDbPath } from '../runs/runsDbPath.ts';
import { cliIo } from './cliIo.ts';
import { printJson, printLine, runAction, type CommonOptions } from './output.ts';
import { comparisonJson, comparisonText, runJson, runLines, runsTable } from './runsFormat.ts';

interface RunsOptions extends CommonOptions {
  runsDb?: string;
}

interface LsOptions extends RunsOptions {
  limit: string;
  kind?: string;
}

const withCommon = (command: Command) =>
  command
    .option('--runs-db <file>', 'the runs database (default: $PERP_ARB_RUNS_DB or ~/.perp-arb/runs.sqlite)')
    .option('--json', 'print one JSON object on stdout and nothing else there', false);

function databasePath(options: RunsOptions): string {
  const path = runsDbPath(options.runsDb, cliIo().env);
  if (path === null) throw new UsageError('runs: recording is off ($PERP_ARB_RUNS_DB=off): give --runs-db FILE');
  return path;
}

/** The database, or null when no run was ever recorded there (no file yet). */
function openRuns(options: RunsOptions): { path: string; db: RunsDb | null } {
  const path = databasePath(options);
  return { path, db: RunsDb.openForReading(path) };
}

function parseRunId(text: string): number {
  const match = /^#?(\d+)$/.exec(text.trim());
  if (!match || Number(match[1]) < 1) throw new UsageError(`'${text}' is not a run id (a whole number >= 1 from perp-arb runs ls, e.g. 3 or #3)`);
  return Number(match[1]);
}

function getRuns(db: RunsDb | null, path: string, ids: readonly string[]): RunRecord[] {
  return ids.map(parseRunId).map((id) => {
    const run = db?.get(id) ?? null;
    if (run === null) throw new UsageError(`no run #${id} in the runs database ${path}${db ? ` (it holds ${db.count()} runs: perp-arb runs ls)` : ' (no run recorded yet)'}`);
    return run;
  });
}

export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('the runs database: every backtest and sweep, with its config, git commit, data, seed, state and summary')
    .addHelpText(
      'after',
      '\nA run killed on the way (kill -9, a crash) is shown as unfinished, never as a result.\n' +
        '\nExamples:\n  perp-arb runs ls\n  perp-arb runs show 3\n  perp-arb runs compare 3 4 --json',
    );

  withCommon(runs.command('ls'))
    .description('list recorded runs, the latest first')
    .option('--limit <n>', 'at most this many runs (0: all)', '20')
    .option('--kind <kind>', 'only runs of this kind (backtest, sweep)')
    .action(
      runAction(async (options: LsOptions) => {
        if (!/^\d+$/.test(options.limit)) throw new UsageError(`--limit ${options.limit}: must be a whole number >= 0`);
        const { path, db } = openRuns(options);
        try {
          const list = db?.list({ limit: Number(options.limit), kind: options.kind }) ?? [];
          const total = db?.count() ?? 0;
          if (options.json) {
            printJson({ database: path, total, runs: list.map((r) => runJson(r)) });
            return;
          }
          if (list.length === 0) {
            printLine(`no runs recorded in ${path}${options.kind ? ` of kind ${options.kind}` : ''}`);
            return;
          }
          printLine(runsTable(list));
          printLine(`${list.length} of ${total} runs in ${path}${list.length < total ? ' (--limit 0 lists all)' : ''}`);
        } finally {
          db?.close();
        }
      }),
    );

  withCommon(runs.command('show'))
    .description('one run in full: state, config, git commit, data range, seed and figures')
    .argument('<id>', 'run id (perp-arb runs ls)')
    .action(
      runAction(async (id: string, options: RunsOptions) => {
        const { path, db } = openRuns(options);
        try {
          const [run] = getRuns(db, path, [id]);
          if (options.json) {
            printJson(runJson(run, true));
            return;
          }
          for (const line of runLines(run)) printLine(line);
          printLine('config');
          printLine(JSON.stringify(run.config, null, 2));
        } finally {
          db?.close();
        }
      }),
    );

  withCommon(runs.command('compare'))
    .description('runs side by side: their figures, the differences from the first run, and where their configs differ')
    .argument('<ids...>', 'two or more run ids (perp-arb runs ls)')
    .action(
      runAction(async (ids: string[], options: RunsOptions) => {
        if (ids.length < 2) throw new UsageError('runs compare: give two or more run ids');
        const { path, db } = openRuns(options);
        try {
          const comparison = compareRuns(getRuns(db, path, ids));
          if (options.json) printJson(comparisonJson(comparison));
          else for (const line of comparisonText(comparison)) printLine(line);
        } finally {
          db?.close();
        }
      }),
    );
}
