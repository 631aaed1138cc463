import { cliIo, setExitCode } from './cliIo.ts';
import { TerminalProgress } from './terminalProgress.ts';
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { escapeForTerminal } from '../../core/terminal.ts';
import { isoUtc, parseTimeArg } from '../../core/time.ts';
import { parseCsvMappingSpec } from '../../data/import/csvGeneric.ts';
import { IMPORTERS } from '../../data/import/formats.ts';
import { importPath, type ImportProgress, type ImportReport } from '../../data/import/importPath.ts';
import type { FormatId } from '../../data/import/types.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import { SERIES_TABLES, type SeriesTable } from '../../domain/series.ts';
import { type CommonOptions, EXIT, formatCount, formatTable, printError, printJson, printLine, runAction } from './output.ts';
import { checkPathOption } from './pathOption.ts';
import { checkRejectsPath, writeRejectsFile } from './rejectsFile.ts';
import { checkSymbolOption, checkTimezoneOption, checkVenueOption } from './idOptions.ts';
import { rowsAsObjects } from './rowsAsObjects.ts';
import { addLazyCommands } from './lazyCommands.ts';

const withCommon = (command: Command) =>
  command
    .option('--store <dir>', `market-data store directory (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--json', 'print one JSON object on stdout and nothing else there', false);

const openStore = (options: CommonOptions) => {
  checkPathOption('--store', options.store);
  return new MarketStore(options.store ?? defaultStoreDir(cliIo().env));
};

/** Listings skip manifest entries that cannot be read, and say so on stderr (also with --json). */
const warnUnreadable = (store: MarketStore) => store.unreadableWarnings().forEach((w) => printError(`warning: ${w}`));

interface ImportCliOptions extends CommonOptions {
  format?: FormatId;
  venue?: string;
  symbol?: string;
  timezone?: string;
  map?: string;
  table: SeriesTable;
  timeframe?: string;
  rejects?: string;
  force: boolean;
  skipBadFiles: boolean;
  quiet: boolean;
  /** false with --no-progress. */
  progress: boolean;
}

interface ShowCliOptions extends CommonOptions {
  table: SeriesTable;
  timeframe?: string;
  from?: string;
  to?: string;
  limit: string;
}

export async function registerDataCommands(program: Command, argv: readonly string[]): Promise<void> {
  const data = program.command('data').description('the market-data store: import, list, show, download and check series');

  withCommon(data.command('import'))
    .description(
      'import a file or a whole directory (recursively) into the store, in one transaction.\n' +
        'Formats are detected; bad rows are reported with file, line and reason, never dropped silently.\n' +
        'A file of a directory that cannot be read (truncated, forged) is listed with its reason and the\n' +
        'others are imported; the exit code is then 1 unless --skip-bad-files. Importing the same data again changes nothing.',
    )
    .argument('<path>', 'file or directory')
    .addOption(new Option('--format <format>', 'force a format instead of detecting it').choices(IMPORTERS.map((i) => i.id)))
    .option('--venue <id>', 'venue (ccxt id) when the source does not name one, e.g. binance')
    .option('--symbol <symbol>', 'unified symbol when the source does not name one, e.g. BTC/USDT:USDT')
    .option('--timezone <zone>', "zone of local times in the source: IANA name or offset ('Europe/London', '+03:00')")
    .option('--map <spec>', "csv: column mapping, e.g. 'ts=open_time_ms:ms,open=perp_open,high=perp_high,low=perp_low,close=perp_close,volume=perp_volume'; symbol=COLUMN routes rows per symbol")
    .addOption(new Option('--table <table>', 'csv: the kind of series').choices([...SERIES_TABLES]).default('bars'))
    .option('--timeframe <tf>', 'csv: bar length for bar tables, e.g. 1m, 8h')
    .option('--rejects <file>', 'write every rejected row (source, line, reason) to this new file (outside the store) as JSON lines')
    .option('--force', 'let --rejects overwrite an existing file', false)
    .option('--skip-bad-files', 'exit 0 when files of a directory could not be read (they are still listed)', false)
    .option('--quiet', 'no progress on stderr', false)
    .option('--no-progress', 'no progress on stderr (as --quiet)')
    .addHelpText(
      'after',
      `\nFormats:\n${IMPORTERS.map((i) => `  ${i.id.padEnd(17)} ${i.description}`).join('\n')}\n\nExamples:\n` +
        '  perp-arb data import ../shared/data\n' +
        "  perp-arb data import joined.csv --format csv --venue binance --symbol BTC/USDT:USDT --timeframe 1m \\\n" +
        "      --map 'ts=open_time_ms:ms,open=perp_open,high=perp_high,low=perp_low,close=perp_close,volume=perp_volume'",
    )
    .action(
      runAction(async (path: string, options: ImportCliOptions) => {
        checkPathOption('data import <path>', path);
        checkVenueOption('--venue', options.venue);
        checkSymbolOption('--symbol', options.symbol);
        checkTimezoneOption('--timezone', options.timezone);
        const store = openStore(options);
        if (options.rejects !== undefined) checkRejectsPath(options.rejects, store.root, options.force);
        const csvMapping = options.map ? parseCsvMappingSpec(options.map, options.table, options.timeframe ?? null) : undefined;
        if (options.format === 'csv' && !csvMapping) throw new UsageError('--format csv needs --map (see --help)');
        const report = await importPath(store, path, {
          format: options.format,
          venue: options.venue,
          symbol: options.symbol,
          timezone: options.timezone,
          csvMapping,
          onProgress: options.quiet || !options.progress ? undefined : importProgress(),
        });
        if (options.rejects !== undefined) {
          writeRejectsFile(options.rejects, report.files.flatMap((f) => f.rejections.map((r) => JSON.stringify(r))), options.force);
        }
        if (options.json) printJson(report);
        else printImportReport(report);
        reportFailedFiles(report, options);
      }),
    );

  withCommon(data.command('ls'))
    .description('list the stored series (kind, venue, symbol, timeframe, rows, first and last time) and instruments')
    .action(
      runAction(async (options: CommonOptions) => {
        const store = openStore(options);
        const series = store.listSeries();
        const instruments = store.instruments();
        warnUnreadable(store);
        if (options.json) {
          printJson({
            store: store.root,
            series: series.map((s) => ({ ...s.key, id: s.id, rows: s.rows, from: isoUtc(s.firstTs), to: isoUtc(s.lastTs), files: s.files })),
            instruments,
            unreadablePartitions: store.unreadablePartitions().map(({ name, file, reason }) => ({ name, file, reason })),
          });
          return;
        }
        if (series.length === 0) {
          printLine(`${escapeForTerminal(store.root)}: empty store (import data with: perp-arb data import <path>)`);
          return;
        }
        printLine(
          formatSafeTable(
            ['table', 'venue', 'symbol', 'tf', 'rows', 'from (UTC)', 'to (UTC)'],
            series.map((s) => [s.key.table, s.key.venue, s.key.symbol, s.key.timeframe ?? '', formatCount(s.rows), isoUtc(s.firstTs), isoUtc(s.lastTs)]),
          ),
        );
        printLine(`\n${series.length} series, ${formatCount(series.reduce((t, s) => t + s.rows, 0))} rows, ${instruments.length} instruments in ${escapeForTerminal(store.root)}`);
      }),
    );

  withCommon(data.command('show'))
    .description('show the rows of one series, optionally between two times')
    .argument('<venue>', 'venue id, e.g. binance')
    .argument('<symbol>', 'unified symbol, e.g. BTC/USDT:USDT')
    .addOption(new Option('--table <table>', 'kind of series').choices([...SERIES_TABLES]).default('bars'))
    .option('--timeframe <tf>', 'bar length when the store has several for this symbol, e.g. 1m')
    .option('--from <time>', 'first time, ISO-8601 (UTC unless a zone is given) or epoch ms')
    .option('--to <time>', 'end, exclusive: rows with from <= ts < to')
    .option('--limit <n>', 'at most this many rows (0: all)', '20')
    .action(
      runAction(async (venue: string, symbol: string, options: ShowCliOptions) => {
        checkVenueOption('<venue>', venue);
        checkSymbolOption('<symbol>', symbol);
        const store = openStore(options);
        warnUnreadable(store);
        const candidates = store
          .listSeries()
          .filter((s) => s.key.table === options.table && s.key.venue === venue && s.key.symbol === symbol)
          .filter((s) => options.timeframe === undefined || s.key.timeframe === options.timeframe);
        if (candidates.length === 0) {
          const have = store.listSeries().filter((s) => s.key.venue === venue && s.key.symbol === symbol).map((s) => s.id);
          throw new Error(`no ${options.table} for ${venue} ${symbol}${have.length ? `; the store has: ${have.join(', ')}` : ' (see perp-arb data ls)'}`);
        }
        if (candidates.length > 1) throw new UsageError(`several timeframes: ${candidates.map((c) => c.key.timeframe).join(', ')}; choose one with --timeframe`);
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number >= 0, got '${options.limit}'`);
        const range = { fromMs: options.from ? parseTimeArg(options.from) : undefined, toMs: options.to ? parseTimeArg(options.to) : undefined };
        if (range.fromMs !== undefined && range.toMs !== undefined && range.fromMs >= range.toMs) {
          throw new UsageError(`--from ${isoUtc(range.fromMs)} is not before --to ${isoUtc(range.toMs)}: the range [from, to) is empty`);
        }
        const data = await store.read(candidates[0].key, range, { skipUnreadableEntries: true });
        const shown = limit === 0 ? data.rows : Math.min(limit, data.rows);
        const rows = rowsAsObjects(data, shown);
        if (options.json) {
          printJson({ series: candidates[0].id, rows: data.rows, shown, data: rows });
          return;
        }
        const names = Object.keys(rows[0] ?? {});
        printLine(formatSafeTable(names, rows.map((r) => names.map((n) => String(r[n] ?? '')))));
        printLine(`\n${formatCount(shown)} of ${formatCount(data.rows)} rows of ${escapeForTerminal(candidates[0].id)}`);
      }),
    );
  // ccxt (1.4 s to load) only when the download is what runs.
  await addLazyCommands(
    data,
    [
      { name: 'download', summary: 'download history from a venue (ccxt) into the store: paginated, resumable', load: async () => (await import('./downloadCommand.ts')).registerDownloadCommand },
      { name: 'check', summary: 'verify every partition of the store; --repair quarantines damaged and orphaned files', load: async () => (await import('./dataCheckCommand.ts')).registerCheckCommand },
    ],
    argv,
  );
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** A table of values read from the store (the manifest is a file from outside too): every cell escaped. */
function formatSafeTable(header: string[], rows: string[][]): string {
  return formatTable(header.map(escapeForTerminal), rows.map((row) => row.map(escapeForTerminal)));
}

/** A bar over the files on a terminal; elsewhere a line per file read and done. */
function importProgress(): (progress: ImportProgress) => void {
  const stream = cliIo().stderr;
  if (stream.isTTY !== true) return printProgress;
  let current = '';
  const bar = new TerminalProgress({ stream, describe: (done, total) => `import ${done}/${total} files ${current}` });
  return (progress) => {
    current = progress.report || progress.failure ? '' : escapeForTerminal(progress.source);
    const done = progress.fileIndex + (progress.report || progress.failure ? 1 : 0);
    bar.update(done, progress.fileCount);
    if (done === progress.fileCount) bar.finish();
  };
}

function printProgress(progress: ImportProgress): void {
  const prefix = `[${progress.fileIndex + 1}/${progress.fileCount}]`;
  if (progress.failure) {
    printError(`${prefix} failed: ${progress.failure.reason}`);
    return;
  }
  if (!progress.report) {
    printError(`${prefix} reading ${progress.source}`);
    return;
  }
  const r = progress.report;
  printError(`${prefix} ${r.format}: ${formatCount(r.rowsRead)} rows read, ${formatCount(r.added)} added, ${formatCount(r.unchanged)} unchanged, ${formatCount(r.rejected)} rejected`);
}

/** The human report; every name and reason comes from the files, so each is escaped before printing. */
function printImportReport(report: ImportReport): void {
  const safe = escapeForTerminal;
  for (const file of report.files) {
    printLine(`${safe(file.source)} (${file.format})`);
    for (const s of file.series) printLine(`  ${safe(s.id)}: ${formatCount(s.taken)} rows, ${formatCount(s.added)} added, ${formatCount(s.unchanged)} unchanged`);
    for (const note of file.notes) printLine(`  note: ${safe(note)}`);
    const shown = file.rejections.slice(0, 10);
    for (const r of shown) printLine(`  rejected ${safe(r.source)}${r.line === null ? '' : `:${r.line}`}: ${safe(r.reason)}`);
    if (file.rejections.length > shown.length) printLine(`  ... ${formatCount(file.rejections.length - shown.length)} more rejections (use --rejects FILE or --json)`);
  }
  for (const s of report.skipped) printLine(`skipped ${safe(s.source)}: ${s.reason}`);
  if (report.failedFiles.length > 0) {
    printLine(`\n${plural(report.failedFiles.length, 'file')} failed (not imported):`);
    for (const f of report.failedFiles) printLine(`  failed ${safe(f.source)}: ${safe(f.reason)}`);
  }
  printLine(
    `\n${plural(report.files.length, 'file')}, ${formatCount(report.rowsRead)} records read: ${formatCount(report.added)} rows added, ${formatCount(report.unchanged)} already stored, ${formatCount(report.rejected)} rejected. ` +
      (report.changed ? `Store ${safe(report.store)} is now at version ${report.txid}.` : `Store ${safe(report.store)} unchanged (version ${report.txid}).`),
  );
}

/** One line on stderr when files failed; exit 1 unless --skip-bad-files. */
function reportFailedFiles(report: ImportReport, options: ImportCliOptions): void {
  const failed = report.failedFiles.length;
  if (failed === 0) return;
  const total = failed + report.files.length;
  const counts = `${failed} of ${plural(total, 'file')} could not be imported (${options.json ? 'failedFiles in the report' : 'listed above'})`;
  const others = `${report.files.length === 0 ? 'no other file was' : `the ${plural(report.files.length, 'other file')} ${report.files.length === 1 ? 'was' : 'were'}`} imported`;
  if (options.skipBadFiles) {
    printError(`warning: ${counts}; skipped with --skip-bad-files, ${others}`);
    return;
  }
  printError(`error: ${counts}; ${others}. Repair them and import again, or pass --skip-bad-files`);
  setExitCode(EXIT.failed);
}
