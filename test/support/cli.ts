import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './paths.ts';

const run = promisify(execFile);
export const CLI = join(PROJECT_ROOT, 'bin', 'perp-arb.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs the real `perp-arb` bin with the given arguments; a non-zero exit is returned, not thrown. */
export async function runCli(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** `perp-arb data import` of each path into the store; throws with the CLI's message when one fails. */
export async function importIntoStore(store: string, paths: string[], extraArgs: string[] = []): Promise<void> {
  for (const path of paths) {
    const result = await runCli(['data', 'import', path, '--store', store, '--quiet', '--json', ...extraArgs]);
    if (result.code !== 0) throw new Error(`import of ${path} failed: ${result.stdout}${result.stderr}`);
  }
}
