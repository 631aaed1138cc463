import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli as runCliInProcess, type RunCliOptions } from '../../src/app/cli/runCli.ts';
import { PROJECT_ROOT } from './paths.ts';

const run = promisify(execFile);
/** The real binary (it runs the build in dist/, which the test setup refreshes before the tests). */
export const CLI = join(PROJECT_ROOT, 'bin', 'perp-arb.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** A stream that keeps what is written (not a terminal). */
export class TextSink {
  text = '';
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs `perp-arb <args>` in this process (the CLI's runCli entry) and returns its output and exit code. */
export async function runCli(args: string[], options: Omit<RunCliOptions, 'stdout' | 'stderr'> = {}): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await runCliInProcess(args, { ...options, stdout, stderr });
  return { stdout: stdout.text, stderr: stderr.text, code };
}

/** Runs the built binary as its own process: for the end-to-end tests (install, exit codes, signals). */
export async function spawnCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { maxBuffer: 256 * 1024 * 1024, env: options.env ?? process.env, cwd: options.cwd });
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
