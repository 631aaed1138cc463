import { Command, CommanderError } from 'commander';
import { type CliIo, type CliStream, withCliIo } from './cliIo.ts';
import { COMMANDS } from './commandTable.ts';
import { addLazyCommands } from './lazyCommands.ts';
import { EXIT, oneLine } from './output.ts';
import { PACKAGE_VERSION } from './version.ts';

export interface RunCliOptions {
  stdout?: CliStream;
  stderr?: CliStream;
  env?: NodeJS.ProcessEnv;
  /** Relative paths are resolved against it (the process changes into it for the run). */
  cwd?: string;
}

/** Commander's own errors are all about the command line (unknown option, missing value, ...): exit 2. */
const commanderExitCode = (error: CommanderError) => (error.exitCode === 0 ? EXIT.ok : EXIT.usage);

let running = 0;

/**
 * The CLI as a function: runs `perp-arb <argv...>` in this process and returns its exit code.
 * The binary calls it with the process' streams; tests call it with buffers. `--debug` (anywhere
 * before `--`) adds stack traces to errors.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const end = argv.indexOf('--');
  const debug = argv.some((a, k) => a === '--debug' && (end === -1 || k < end));
  const args = argv.filter((a, k) => a !== '--debug' || (end !== -1 && k > end));
  const io: CliIo = {
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    debug,
    exitCode: EXIT.ok,
  };
  const previousCwd = process.cwd();
  if (io.cwd !== previousCwd) {
    if (running > 0) throw new Error('runCli: runs in other directories cannot overlap (the working directory is per process)');
    process.chdir(io.cwd);
  }
  running++;
  try {
    return await withCliIo(io, async () => {
      const program = new Command()
        .name('perp-arb')
        .description(
          'Market-neutral crypto arbitrage between spot, perpetual and dated-futures markets.\n' +
            'Store: ~/.perp-arb/store, or $PERP_ARB_STORE, or --store DIR on any command.\n' +
            'Exit codes: 0 done, 1 the work failed, 2 bad usage or configuration, 130 interrupted.',
        )
        .version(PACKAGE_VERSION)
        .option('--debug', 'print the stack trace of an error')
        .exitOverride()
        .configureOutput({
          writeOut: (text) => io.stdout.write(text),
          writeErr: (text) => io.stderr.write(text),
          outputError: (text, write) => write(`${oneLine(text)} (see --help)\n`),
        });
      await addLazyCommands(program, COMMANDS, args);
      try {
        await program.parseAsync(args, { from: 'user' });
      } catch (error) {
        if (error instanceof CommanderError) return Math.max(io.exitCode, commanderExitCode(error));
        throw error;
      }
      return io.exitCode;
    });
  } finally {
    running--;
    if (process.cwd() !== previousCwd) process.chdir(previousCwd);
  }
}
