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

export const COMMANDS: readonly LazyCommand[] = [
  { name: 'start', summary: 'the main job (npm start): carry and OU backtests on the stored Binance BTC pair, else the SYNTHETIC market', load: async () => (await import('./startCommand.ts')).registerStartCommand },
  { name: 'data', summary: 'the market-data store: import, download, list, show and check series', load: async () => (await import('./dataCommands.ts')).registerDataCommands },
  { name: 'fit', summary: 'fit an OU model to the spot/perp basis and derive fee-aware entry thresholds', load: async () => (await import('./fitCommand.ts')).registerFitCommand },
  { name: 'scan', summary: 'find carry, basis, cross-venue, funding-differential and calendar opportunities', load: async () => (await import('./scanCommand.ts')).registerScanCommand },
  { name: 'backtest', summary: 'backtest a strategy on stored or synthetic data (simulated venues, exact ledger)', load: async () => (await import('./backtestCommand.ts')).registerBacktestCommand },
  { name: 'sweep', summary: 'run a parameter grid of backtests on worker threads, optionally walk-forward, ranked', load: async () => (await import('./sweepCommand.ts')).registerSweepCommand },
  { name: 'venues', summary: 'list the supported venues (ccxt exchanges) and what each can do', load: async () => (await import('./venuesCommand.ts')).registerVenuesCommand },
  { name: 'record', summary: "stream a venue's live books, funding and marks into the store", load: async () => (await import('./recordCommand.ts')).registerRecordCommand },
  { name: 'account', summary: 'show balances, positions and open orders of a venue account (read-only)', load: async () => (await import('./accountCommand.ts')).registerAccountCommand },
];

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
