import type { Command } from 'commander';
import { CCXT_VERSION } from '../../venues/ccxt/exchangeFactory.ts';
import { venueCatalog } from '../../venues/ccxt/venueCatalog.ts';
import { MARKET_DATA_METHODS, type MethodSupport } from '../../venues/types.ts';
import { formatTable, printJson, printLine, runAction } from './output.ts';

interface VenuesCliOptions {
  json?: boolean;
  all?: boolean;
}

const mark: Record<MethodSupport, string> = { native: 'yes', emulated: 'emu', missing: '-' };

export function registerVenuesCommand(program: Command): void {
  program
    .command('venues')
    .description(
      'list the supported venues (ccxt exchanges) and what each can do, read from ccxt `exchange.has` (no network).\n' +
        "Methods: 'yes' native, 'emu' emulated by ccxt from other calls, '-' missing. FTX is gone (ccxt removed it in 2022).",
    )
    .option('--all', 'every ccxt exchange, not only the tested venues', false)
    .option('--json', 'print one JSON object on stdout and nothing else there', false)
    .action(
      runAction(async (options: VenuesCliOptions) => {
        const venues = venueCatalog(options.all);
        if (options.json) {
          printJson({ ccxtVersion: CCXT_VERSION, venues });
          return;
        }
        printLine(`ccxt ${CCXT_VERSION}`);
        const header = ['venue', 'ccxt id', 'usable', 'ws', ...MARKET_DATA_METHODS];
        const rows = venues.map((v) => [v.venue, v.ccxtId, v.usable ? 'yes' : `no (missing ${v.missing.join(', ')})`, v.websocket ? 'yes' : '-', ...MARKET_DATA_METHODS.map((m) => mark[v.methods[m]])]);
        printLine(formatTable(header, rows));
      }),
    );
}
