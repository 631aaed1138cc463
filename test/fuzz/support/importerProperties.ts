import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { FormatId, ImportOptions } from '../../../src/data/import/types.ts';
import { checkProperty, FUZZ_NOW_MS, PROPERTY_TIMEOUT_MS } from './fuzzRun.ts';
import { importSandbox } from './importSandbox.ts';
import { expectContract } from './outcome.ts';
import { Tally } from './tally.ts';
import { makeBaseline, mutatedImportBreach, removeBaseline, type StoreBaseline } from './storeInvariance.ts';

export interface ImporterFuzzSpec {
  /** What is fuzzed, for the test names. */
  title: string;
  /** Where the file sits below a temp dir; importers read venue, pair and format from the path. */
  fileName: string;
  format: FormatId;
  /** The good file. */
  seed: Uint8Array;
  /**
   * What the store holds before the damaged file comes (default: the good file). An earlier part of
   * it makes every import add rows to stored partitions, so merging is tested too, not only refusal.
   */
  baselineSeed?: Uint8Array;
  /** Damaged copies of the good file. */
  mutation: fc.Arbitrary<{ bytes: Uint8Array }>;
  /** Import options as the command line would give them (JSON: they go to the child process). */
  options?: ImportOptions;
  /** Cases inside npm test: parsing is milliseconds a case, a store round trip a few hundred. */
  parseRuns?: number;
  storeRuns?: number;
}

/**
 * The two properties every importer keeps, registered as tests:
 * - a damaged file parses (and validates) to rows and rejections, or fails with a one-line project
 *   error naming the file; never a crash, and never a hang (it runs in the child process);
 * - imported into a store that holds the good file, it leaves every stored row and instrument fact
 *   as it was, the manifest byte for byte when it fails, and a store `data check` finds no fault in.
 */
export function describeImporterFuzz(spec: ImporterFuzzSpec): void {
  const options = { ...spec.options, format: spec.format };
  describe(`fuzz: ${spec.title}`, () => {
    let dir: string;
    let baseline: StoreBaseline | undefined;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'perp-arb-fuzz-'));
      const good = join(dir, 'good', spec.fileName);
      mkdirSync(dirname(good), { recursive: true });
      writeFileSync(good, spec.baselineSeed ?? spec.seed);
      baseline = await makeBaseline([good], { ...options, nowMs: FUZZ_NOW_MS });
    });
    afterAll(() => {
      removeBaseline(baseline);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a damaged file parses to rows and rejections or fails naming the file; never a crash or a hang', async () => {
      const path = join(dir, 'parse', spec.fileName);
      mkdirSync(dirname(path), { recursive: true });
      const tally = new Tally(`${spec.title}: parse`);
      await checkProperty(
        fc.asyncProperty(spec.mutation, async ({ bytes }) => {
          writeFileSync(path, bytes);
          const outcome = await importSandbox().run({ op: 'parse', format: spec.format, path, options: spec.options ?? {}, nowMs: FUZZ_NOW_MS });
          tally.add(outcome);
          expectContract(outcome, path);
        }),
        spec.parseRuns ?? 60,
      );
      tally.print();
    }, PROPERTY_TIMEOUT_MS);

    it('imported into a store holding the good file: stored rows unchanged, data check clean', async () => {
      await checkProperty(
        fc.asyncProperty(spec.mutation, async ({ bytes }) => {
          const breach = await mutatedImportBreach(baseline!, spec.fileName, bytes, { ...options, nowMs: FUZZ_NOW_MS });
          if (breach) throw new Error(breach);
        }),
        spec.storeRuns ?? 4,
      );
    }, PROPERTY_TIMEOUT_MS);
  });
}
