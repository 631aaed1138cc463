import { Command } from 'commander';
import { registerDataCommands } from './dataCommands.ts';
import { registerFitCommand } from './fitCommand.ts';
import { registerVenuesCommand } from './venuesCommand.ts';
import { registerScanCommand } from './scanCommand.ts';
import { registerBacktestCommand } from './backtestCommand.ts';
import { registerStartCommand } from './startCommand.ts';
import { registerRecordCommand } from './recordCommand.ts';
import { registerAccountCommand } from './accountCommand.ts';
import { registerSweepCommand } from './sweepCommand.ts';

// `perp-arb data ls | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command();
program
  .name('perp-arb')
  .description(
    'Market-neutral crypto arbitrage between spot, perpetual and dated-futures markets.\n' +
      'Store: ~/.perp-arb/store, or $PERP_ARB_STORE, or --store DIR on any command.',
  )
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)');

registerDataCommands(program);
registerFitCommand(program);
registerVenuesCommand(program);
registerScanCommand(program);
registerBacktestCommand(program);
registerStartCommand(program);
registerRecordCommand(program);
registerAccountCommand(program);
registerSweepCommand(program);

await program.parseAsync(process.argv);
