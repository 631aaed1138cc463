import { Command } from 'commander';
import { registerDataCommands } from './dataCommands.ts';

const program = new Command();
program
  .name('perp-arb')
  .description(
    'Market-neutral crypto arbitrage between spot, perpetual and dated-futures markets:\n' +
      'market data store, spread models, scanner, backtests, paper and live trading.',
  )
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)');

registerDataCommands(program);

await program.parseAsync(process.argv);
