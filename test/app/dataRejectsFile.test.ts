import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { useTempDirs } from '../support/tempDir.ts';

/** A LEAN funding file with one bad row: every import has a rejection to write. */
function fundingFile(root: string): string {
  const dir = join(root, 'Data/cryptofuture/bybit/margin_interest');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'btcusdt.csv');
  writeFileSync(path, '20221213 00:00:00,-0.0002016\n20221213 08:00:00,x\n20221213 16:00:00,-0.00038555\n');
  return path;
}

describe('data import --rejects FILE', () => {
  const tempDir = useTempDirs();
  let store: string;
  let out: string;
  let source: string;
  let manifest: string;

  beforeEach(async () => {
    store = tempDir();
    out = tempDir();
    source = fundingFile(tempDir());
    const first = await runCli(['data', 'import', source, '--store', store, '--quiet', '--json']);
    expect(first.code, first.stderr).toBe(0);
    manifest = readFileSync(join(store, 'manifest.json'), 'utf8');
  });

  const importWithRejects = (rejects: string, ...extra: string[]) => runCli(['data', 'import', source, '--store', store, '--quiet', '--rejects', rejects, ...extra]);

  it('refuses a path inside the store however it is spelled, before importing, with exit 2 and one line', async () => {
    mkdirSync(join(out, 'real'));
    symlinkSync(store, join(out, 'storeLink'));
    symlinkSync(join(store, 'manifest.json'), join(out, 'manifestLink.jsonl'));
    symlinkSync(join(store, 'series'), join(out, 'seriesLink'));
    symlinkSync(join(store, 'not-yet.jsonl'), join(out, 'dangling.jsonl'));
    const insideStore = [
      join(store, 'manifest.json'),
      join(store, 'rejects.jsonl'),
      `${store}/series/../manifest.json`,
      join(out, 'storeLink', 'manifest.json'),
      join(out, 'manifestLink.jsonl'),
      // Lexically out/manifest.json; the kernel takes '..' after the link, i.e. store/manifest.json.
      `${out}/seriesLink/../manifest.json`,
      join(out, 'dangling.jsonl'),
      store,
    ];
    for (const rejects of insideStore) {
      for (const extra of [[], ['--force']]) {
        const result = await importWithRejects(rejects, ...extra);
        expect(result.code, rejects).toBe(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines, rejects).toHaveLength(1);
        expect(lines[0], rejects).toMatch(/^error: --rejects: '.*' is inside the store .*; write the rejections to a file outside the store$/);
        expect(readFileSync(join(store, 'manifest.json'), 'utf8')).toBe(manifest);
      }
    }
    expect(existsSync(join(store, 'rejects.jsonl'))).toBe(false);
    expect(existsSync(join(store, 'not-yet.jsonl'))).toBe(false);
  });

  it('refuses to overwrite an existing file unless --force', async () => {
    const rejects = join(out, 'rejects.jsonl');
    writeFileSync(rejects, 'keep me\n');
    const refused = await importWithRejects(rejects);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(`error: --rejects: '${rejects}' exists; pass --force to overwrite it, or give a new file name`);
    expect(readFileSync(rejects, 'utf8')).toBe('keep me\n');

    const forced = await importWithRejects(rejects, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    const written = readFileSync(rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(written).toEqual([{ source, line: 2, reason: "rate 'x' is not a number" }]);
    expect(readFileSync(join(store, 'manifest.json'), 'utf8')).toBe(manifest);
  });

  it('writes a new file, and refuses a directory or a missing parent directory', async () => {
    const fresh = join(out, 'fresh.jsonl');
    const ok = await importWithRejects(fresh);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(fresh, 'utf8')).toContain("rate 'x' is not a number");

    const dir = await importWithRejects(out, '--force');
    expect(dir.code).toBe(2);
    expect(dir.stderr.trim()).toBe(`error: --rejects: '${out}' is a directory; give a file name`);
    const missing = await importWithRejects(join(out, 'no', 'such', 'r.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`error: --rejects: the directory of '${join(out, 'no', 'such', 'r.jsonl')}' (${join(out, 'no', 'such')}) does not exist`);
  });
});
