import type { Command } from 'commander';
import { isoUtc } from '../../core/time.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { checkStore, type StoreCheckReport } from '../../data/store/storeCheck.ts';
import { shellWord } from '../../data/store/storeErrors.ts';
import { repairStore, type LostRange, type RepairReport } from '../../data/store/storeRepair.ts';
import { DOWNLOAD_KINDS, TABLE_OF_KIND, type DownloadKind } from '../../ingest/download/types.ts';
import { cliIo, setExitCode } from './cliIo.ts';
import { EXIT, formatCount, printJson, printLine, runAction, type CommonOptions } from './output.ts';

interface CheckCliOptions extends CommonOptions {
  repair: boolean;
}

const plural = (n: number, word: string, words = `${word}s`) => `${formatCount(n)} ${n === 1 ? word : words}`;

const KIND_OF_TABLE = new Map(Object.entries(TABLE_OF_KIND).map(([kind, table]) => [table, kind as DownloadKind]));

/** The kinds `data download` can fetch from a venue: none when it is not a ccxt venue. */
export type VenueKinds = (venue: string) => readonly DownloadKind[];

/**
 * The tested venues' own kinds (`data download --help`); any other ccxt id all kinds, as the
 * download tries them untested. Loads ccxt (over a second), so only when a lost range needs it.
 */
export async function loadVenueKinds(): Promise<VenueKinds> {
  const [{ ccxtExchangeIds }, { VENUE_HELP }] = await Promise.all([import('../../venues/ccxt/exchangeFactory.ts'), import('./downloadCommand.ts')]);
  const ids = new Set(ccxtExchangeIds());
  return (venue) => (VENUE_HELP[venue] ? (VENUE_HELP[venue].kinds.split(' ') as DownloadKind[]) : ids.has(venue) ? DOWNLOAD_KINDS : []);
}

/** The `perp-arb data download` command that fetches a lost range again, or null when no ccxt venue serves that table. */
export function refetchCommand(store: string, range: LostRange, venueKinds: VenueKinds): string | null {
  const { key, span } = range;
  if (!key || !span) return null;
  const kind = KIND_OF_TABLE.get(key.table);
  if (!kind || !venueKinds(key.venue).includes(kind)) return null;
  if (kind !== 'funding' && !key.timeframe) return null;
  const timeframe = kind === 'funding' ? '' : ` --timeframe ${key.timeframe}`;
  return `perp-arb data download --store ${shellWord(store)} --venue ${key.venue} --symbol ${shellWord(key.symbol)} --kind ${kind}${timeframe} --from ${isoUtc(span.fromMs)} --to ${isoUtc(span.toMs)}`;
}

/** One line per lost range: what to fetch or import again. */
export function lostRangeLine(store: string, range: LostRange, venueKinds: VenueKinds): string {
  if (!range.span) return `lost ${range.series} (${range.partitions.join(', ')}): ${range.note}`;
  const when = `${isoUtc(range.span.fromMs)} .. ${isoUtc(range.span.toMs)}`;
  const command = refetchCommand(store, range, venueKinds);
  return command
    ? `re-download (or re-import from its source) ${range.series} ${when}: ${command}`
    : `re-import ${range.series} ${when} from its source files: perp-arb data import <path> --store ${shellWord(store)}`;
}

const problemsJson = (report: StoreCheckReport) => report.problems.map(({ kind, partition, file, message }) => ({ kind, partition, file, message }));

function printCheck(report: StoreCheckReport): void {
  for (const problem of report.problems) printLine(problem.message);
  for (const note of report.notes) printLine(`note: ${note}`);
}

function printRepair(repair: RepairReport, venueKinds: VenueKinds): void {
  const { check } = repair;
  printCheck(check);
  if (check.problems.length === 0) {
    printLine(`store OK: ${formatCount(check.partitions)} partitions, ${formatCount(check.rows)} rows checked; nothing to repair`);
    return;
  }
  for (const file of repair.quarantined) printLine(`quarantined ${file}`);
  for (const entry of repair.removedEntries) printLine(`removed from the manifest: ${entry}`);
  for (const range of repair.lost) printLine(lostRangeLine(check.store, range, venueKinds));
  printLine(
    `\nrepaired ${check.store}: ${plural(repair.quarantined.length, 'file')} moved to ${repair.quarantineDir}, ` +
      `${plural(repair.removedEntries.length, 'manifest entry', 'manifest entries')} removed (version ${repair.txid})`,
  );
}

/** `perp-arb data check [--repair]`: verifies every partition of the store; repair quarantines what is damaged. */
export function registerCheckCommand(data: Command): void {
  data
    .command('check')
    .description(
      'verify the whole store: every manifest entry has its file and the file reads, row counts and first/last\n' +
        'times match the manifest, rows are sorted, unique, valid and inside their month, and no file under\n' +
        'series/ is unlisted. Prints each problem in one line; exit 1 when there is any.\n' +
        '--repair moves damaged and orphaned files into <store>/quarantine/<time>/ (never deletes), removes\n' +
        'their manifest entries under the store lock and prints what to download or import again.',
    )
    .option('--repair', 'quarantine damaged and orphaned files and remove their manifest entries', false)
    .option('--store <dir>', `market-data store directory (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--json', 'print one JSON object on stdout and nothing else there', false)
    .action(
      runAction(async (options: CheckCliOptions) => {
        const storeDir = options.store ?? defaultStoreDir(cliIo().env);
        if (options.repair) {
          const repair = await repairStore(storeDir);
          const venueKinds: VenueKinds = repair.lost.length > 0 ? await loadVenueKinds() : () => [];
          if (options.json) {
            printJson({
              store: repair.check.store,
              partitions: repair.check.partitions,
              rows: repair.check.rows,
              problems: problemsJson(repair.check),
              notes: repair.check.notes,
              quarantineDir: repair.quarantineDir,
              quarantined: repair.quarantined,
              removedEntries: repair.removedEntries,
              lost: repair.lost.map((r) => ({
                series: r.series,
                from: r.span ? isoUtc(r.span.fromMs) : null,
                to: r.span ? isoUtc(r.span.toMs) : null,
                note: r.note,
                partitions: r.partitions,
                command: refetchCommand(repair.check.store, r, venueKinds),
              })),
              txid: repair.txid,
            });
          } else printRepair(repair, venueKinds);
          return;
        }
        const report = await checkStore(storeDir);
        if (report.problems.length > 0) setExitCode(EXIT.failed);
        if (options.json) {
          printJson({ store: report.store, ok: report.problems.length === 0, partitions: report.partitions, rows: report.rows, problems: problemsJson(report), notes: report.notes, elapsedMs: Math.round(report.elapsedMs) });
          return;
        }
        printCheck(report);
        if (report.problems.length === 0) printLine(`store OK: ${formatCount(report.partitions)} partitions, ${formatCount(report.rows)} rows checked`);
        else printLine(`\n${plural(report.problems.length, 'problem')} in ${plural(report.partitions, 'partition')} of ${report.store}; repair with: perp-arb data check --store ${shellWord(report.store)} --repair`);
      }),
    );
}
