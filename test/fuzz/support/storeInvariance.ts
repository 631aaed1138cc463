import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { importPath, type ImportPathOptions } from '../../../src/data/import/importPath.ts';
import type { ColumnData, SeriesData } from '../../../src/data/import/types.ts';
import { MarketStore } from '../../../src/data/store/marketStore.ts';
import { instrumentId, type Instrument } from '../../../src/domain/instrument.ts';
import { seriesId, type SeriesKey } from '../../../src/domain/series.ts';
import { runCli } from '../../support/cli.ts';
import { importSandbox } from './importSandbox.ts';
import { contractBreach } from './outcome.ts';

/** A store holding one good import, and what it held right after, to compare every later state with. */
export interface StoreBaseline {
  root: string;
  manifestText: string;
  totalRows: number;
  series: { key: SeriesKey; data: SeriesData }[];
  instruments: Instrument[];
}

const manifestPath = (root: string) => join(root, 'manifest.json');
const totalRows = (store: MarketStore) => store.manifest().partitions.reduce((n, p) => n + p.rows, 0);

/** Imports the good files into a new store (in this process: they are known to parse); removeBaseline deletes it. */
export async function makeBaseline(goodFiles: readonly string[], options: ImportPathOptions): Promise<StoreBaseline> {
  const root = mkdtempSync(join(tmpdir(), 'perp-arb-fuzz-baseline-'));
  const store = new MarketStore(root);
  for (const file of goodFiles) await importPath(store, file, options);
  const series = [];
  for (const summary of store.listSeries()) series.push({ key: summary.key, data: await store.read(summary.key) });
  if (series.length === 0) throw new Error(`the baseline import of ${goodFiles.join(', ')} stored nothing`);
  return { root, manifestText: readFileSync(manifestPath(root), 'utf8'), totalRows: totalRows(store), series, instruments: store.instruments() };
}

export function removeBaseline(baseline: StoreBaseline | undefined): void {
  if (baseline) rmSync(baseline.root, { recursive: true, force: true });
}

const same = (a: unknown, b: unknown): boolean =>
  a instanceof Float64Array && b instanceof Float64Array ? a.length === b.length && a.every((x, i) => Object.is(x, b[i])) : Object.is(a, b);

/** The first row of `before` that `after` does not hold with the same values, or null. */
function lostRow(before: SeriesData, after: SeriesData): string | null {
  const names = Object.keys(before.columns);
  const cell = (columns: Record<string, ColumnData>, name: string, i: number) => (columns[name] as ArrayLike<unknown>)[i];
  const tsAfter = after.columns.ts as Float64Array;
  const tradeIds = after.columns.trade_id as (string | null)[] | undefined;
  let j = 0;
  for (let i = 0; i < before.rows; i++) {
    const ts = (before.columns.ts as Float64Array)[i];
    while (j < after.rows && tsAfter[j] < ts) j++;
    let k = j;
    // Trades may share a ts: look through every row at it for the same trade id.
    while (k < after.rows && tsAfter[k] === ts && tradeIds && tradeIds[k] !== cell(before.columns, 'trade_id', i)) k++;
    if (k >= after.rows || tsAfter[k] !== ts) return `row ${i} (ts ${new Date(ts).toISOString()}) is gone`;
    const changed = names.find((name) => !same(cell(before.columns, name, i), cell(after.columns, name, k)));
    if (changed) return `row ${i} (ts ${new Date(ts).toISOString()}) changed its ${changed}: ${String(cell(before.columns, changed, i))} -> ${String(cell(after.columns, changed, k))}`;
  }
  return null;
}

/** A known (non-null) fact of a stored instrument that a later import changed or removed, or null. */
function changedInstrument(before: readonly Instrument[], after: readonly Instrument[]): string | null {
  const byId = new Map(after.map((i) => [instrumentId(i.venue, i.symbol), i]));
  for (const known of before) {
    const now = byId.get(instrumentId(known.venue, known.symbol));
    if (!now) return `instrument ${known.venue} ${known.symbol} is gone`;
    for (const [field, value] of Object.entries(known)) {
      if (value !== null && !Object.is((now as unknown as Record<string, unknown>)[field], value)) {
        return `instrument ${known.venue} ${known.symbol}: ${field} ${String(value)} -> ${String((now as unknown as Record<string, unknown>)[field])}`;
      }
    }
  }
  return null;
}

/**
 * Imports `bytes` (written as `name`, in the child process) into a copy of the baseline store and
 * returns why the result breaks the contract, or null: the import must end in a report or a
 * one-line project error naming the file; a failed import must leave the manifest byte for byte as
 * it was; every row and known instrument fact of the baseline must still be there, unchanged; the
 * rows added must be exactly those the report counts (no partial partition); and `perp-arb data
 * check` must find no problem.
 */
export async function mutatedImportBreach(baseline: StoreBaseline, name: string, bytes: Uint8Array, options: ImportPathOptions): Promise<string | null> {
  const work = mkdtempSync(join(tmpdir(), 'perp-arb-fuzz-store-'));
  try {
    const root = join(work, 'store');
    cpSync(baseline.root, root, { recursive: true });
    const file = join(work, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    const outcome = await importSandbox().run({ op: 'import', store: root, path: file, options });
    const breach = contractBreach(outcome, basename(file));
    if (breach) return `import: ${breach}`;
    const manifestText = readFileSync(manifestPath(root), 'utf8');
    const changed = outcome.ended === 'result' && outcome.summary.changed === true;
    if (!changed && manifestText !== baseline.manifestText) return `the import ${outcome.ended === 'error' ? `failed (${outcome.message})` : 'changed nothing'} but the manifest changed`;
    const store = new MarketStore(root);
    for (const { key, data } of baseline.series) {
      const lost = lostRow(data, await store.read(key));
      if (lost) return `${seriesId(key)}: ${lost}`;
    }
    const instrument = changedInstrument(baseline.instruments, store.instruments());
    if (instrument) return instrument;
    const added = outcome.ended === 'result' ? Number(outcome.summary.added) : 0;
    const rows = totalRows(store);
    if (rows !== baseline.totalRows + added) return `the store holds ${rows} rows, ${baseline.totalRows} before plus ${added} the report says were added would be ${baseline.totalRows + added}`;
    const check = await runCli(['data', 'check', '--store', root, '--json']);
    if (check.code !== 0) return `data check exit ${check.code}: ${check.stdout}${check.stderr}`;
    return null;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
