/**
 * The child process the importer fuzz tests parse and import in (started by importSandbox.ts): a
 * parser that hangs or allocates without bound cannot be stopped inside the test process, but
 * this process can be killed. Requests come over IPC, one at a time; each answer says how the
 * call ended (a result, or the class and message of what was thrown).
 * Run as: node --import tsx importWorker.ts
 */
import { importerFor } from '../../../src/data/import/formats.ts';
import { importPath, type ImportPathOptions } from '../../../src/data/import/importPath.ts';
import type { FormatId, ImportOptions } from '../../../src/data/import/types.ts';
import { validateSeries } from '../../../src/data/import/validateSeries.ts';
import { MarketStore } from '../../../src/data/store/marketStore.ts';
import { errorOutcome, type CallOutcome } from './outcome.ts';

export type WorkerRequest =
  | { id: number; op: 'parse'; format: FormatId; path: string; options: ImportOptions; nowMs: number }
  | { id: number; op: 'import'; store: string; path: string; options: ImportPathOptions };

export type WorkerAnswer = { id: number } & CallOutcome;

/** Parses a file and validates its series, as an import does before it writes. */
async function parse(request: Extract<WorkerRequest, { op: 'parse' }>): Promise<CallOutcome> {
  const parsed = await importerFor(request.format).parse(request.path, request.options);
  let kept = 0;
  let rejected = parsed.rejections.length;
  for (const series of parsed.series) {
    const validated = validateSeries(series, { nowMs: request.nowMs });
    kept += validated.data.rows;
    rejected += validated.rejections.length;
  }
  return { ended: 'result', summary: { rowsRead: parsed.rowsRead, kept, rejected, series: parsed.series.length, instruments: parsed.instruments.length } };
}

async function importFile(request: Extract<WorkerRequest, { op: 'import' }>): Promise<CallOutcome> {
  const report = await importPath(new MarketStore(request.store), request.path, request.options);
  return {
    ended: 'result',
    summary: { added: report.added, unchanged: report.unchanged, rejected: report.rejected, changed: report.changed, failedFiles: report.failedFiles.length },
  };
}

process.on('message', (message: WorkerRequest) => {
  void (async () => {
    let outcome: CallOutcome;
    try {
      outcome = message.op === 'parse' ? await parse(message) : await importFile(message);
    } catch (error) {
      outcome = errorOutcome(error);
    }
    process.send!({ id: message.id, ...outcome } satisfies WorkerAnswer);
  })();
});
// The test process went away (its worker ended): nothing more will come.
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0, ended: 'result', summary: { ready: 1 } } satisfies WorkerAnswer);
