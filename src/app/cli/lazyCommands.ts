import type { Command } from 'commander';

/**
 * The commands, each with its one-line summary and a loader for its module. Only the module of the
 * command being run is imported (ccxt, DuckDB, vega and resvg load only in the commands that use
 * them); every other command is listed in `--help` by its summary alone.
 */
export interface LazyCommand {
  name: string;
  summary: string;
  /** The command's register function; `argv` is what follows the command's name (for nested lazy commands). */
  load: () => Promise<(parent: Command, argv: readonly string[]) => void | Promise<void>>;
}

/** The first argument that is not an option: the command asked for (`help X` asks for X). */
export function requestedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * Adds the commands to `parent`: the requested one in full (its module imported now), the others as
 * entries with their summary, enough for the parent's help.
 */
export async function addLazyCommands(parent: Command, commands: readonly LazyCommand[], argv: readonly string[]): Promise<void> {
  const requested = requestedCommand(argv);
  for (const entry of commands) {
    if (entry.name === requested) {
      const register = await entry.load();
      await register(parent, argv.slice(argv.indexOf(entry.name) + 1));
      parent.commands.find((c) => c.name() === entry.name)?.summary(entry.summary);
    } else {
      parent.command(entry.name).summary(entry.summary);
    }
  }
}
