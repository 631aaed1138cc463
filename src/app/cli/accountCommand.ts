import { cliIo } from './cliIo.ts';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { AccountBalance, AccountOrder, AccountPosition } from '../../venues/tradingTypes.ts';
import { CcxtAccount } from '../../venues/ccxt/ccxtAccount.ts';
import { requiredCredentialFields, resolveCredentials, type VenueCredentials } from '../../venues/ccxt/credentials.ts';
import { redactSecrets } from '../../venues/ccxt/errors.ts';
import { createCcxtExchange } from '../../venues/ccxt/exchangeFactory.ts';
import { SUPPORTED_VENUES, venueSpec } from '../../venues/ccxt/supportedVenues.ts';
import { formatTable, printJson, printLine, runAction } from './output.ts';

interface AccountCliOptions {
  venue: string;
  keyFile?: string;
  testnet?: boolean;
  json?: boolean;
  loopbackUrl?: string;
}

export interface AccountSnapshot {
  venue: string;
  testnet: boolean;
  credentialsFrom: string;
  balances: AccountBalance[];
  positions: AccountPosition[];
  openOrders: AccountOrder[];
}

const num = (v: number | null) => (v === null ? '-' : String(v));

/** Tests point the CLI at their loopback server; nothing else may receive the credentials. */
function checkLoopbackUrl(url: string): string {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+\/?$/.test(url)) throw new UsageError(`--loopback-url must be http://127.0.0.1:PORT (got ${url})`);
  return url;
}

async function readAccount(options: AccountCliOptions, credentials: VenueCredentials, ccxtId: string): Promise<AccountSnapshot> {
  const account = new CcxtAccount(ccxtId, {
    mode: options.testnet ? 'testnet' : 'readOnly',
    credentials,
    loopbackBaseUrl: options.loopbackUrl === undefined ? undefined : checkLoopbackUrl(options.loopbackUrl),
  });
  try {
    // One after the other: ccxt's throttle spaces them, and a first failure (bad key) stops the rest.
    const balances = await account.fetchBalances();
    const positions = await account.fetchPositions();
    const openOrders = await account.fetchOpenOrders();
    return { venue: account.venue, testnet: account.sandbox, credentialsFrom: credentials.source, balances, positions, openOrders };
  } finally {
    await account.close();
  }
}

function printSnapshot(s: AccountSnapshot): void {
  printLine(`${s.venue} ${s.testnet ? 'TESTNET (sandbox)' : 'mainnet'}, read-only; credentials from ${s.credentialsFrom}`);
  printLine();
  printLine('balances');
  printLine(formatTable(['asset', 'free', 'used', 'total'], s.balances.map((b) => [b.asset, num(b.free), num(b.used), num(b.total)])));
  printLine();
  printLine('positions');
  printLine(
    formatTable(
      ['symbol', 'quantity', 'entry', 'mark', 'uPnL', 'margin mode', 'leverage', 'liq. price'],
      s.positions.map((p) => [p.symbol, String(p.quantity), num(p.entryPrice), num(p.markPrice), num(p.unrealisedPnl), p.marginMode ?? '-', num(p.leverage), num(p.liquidationPrice)]),
    ),
  );
  printLine();
  printLine('open orders');
  printLine(
    formatTable(
      ['symbol', 'client id', 'order id', 'side', 'type', 'tif', 'quantity', 'price', 'filled', 'status'],
      s.openOrders.map((o) => [o.symbol, o.clientOrderId ?? '-', o.orderId, o.side ?? '-', o.type ?? '-', o.timeInForce ?? '-', num(o.quantity), num(o.limitPrice), num(o.filledQuantity), o.status ?? '-']),
    ),
  );
}

/** Venues whose private API is tested against recorded payloads; the others give market data only. */
const ACCOUNT_VENUES = SUPPORTED_VENUES.filter((v) => !v.marketDataOnly);

export function registerAccountCommand(program: Command): void {
  program
    .command('account')
    .description(
      'show balances, positions and open orders of a venue account (read-only: sends no order).\n' +
        'Credentials: PERP_ARB_<VENUE>_API_KEY, _SECRET, _PASSWORD (OKX/Bitget passphrase), _WALLET_ADDRESS and\n' +
        '_PRIVATE_KEY (Hyperliquid), or --key-file FILE: JSON { "<venue>": { "apiKey": ..., "secret": ..., "password": ... } }, chmod 600.',
    )
    .requiredOption('--venue <venue>', `one of ${ACCOUNT_VENUES.map((v) => v.venue).join(', ')}`)
    .option('--key-file <file>', 'read the credentials from this JSON file instead of the environment')
    .option('--testnet', "use the venue's sandbox (ccxt setSandboxMode): testnet keys", false)
    .option('--json', 'print one JSON object on stdout and nothing else there', false)
    .addOption(new Option('--loopback-url <url>', 'tests: serve every request from this 127.0.0.1 server').hideHelp())
    .action(
      runAction(async (options: AccountCliOptions) => {
        const spec = venueSpec(options.venue);
        if (!spec || spec.marketDataOnly) throw new UsageError(`${spec ? 'no account support (market data only) for' : 'unknown'} venue '${options.venue}' (one of ${ACCOUNT_VENUES.map((v) => v.venue).join(', ')})`);
        const required = requiredCredentialFields(createCcxtExchange(spec.ccxtId).requiredCredentials as unknown as Record<string, boolean>);
        const credentials = resolveCredentials(spec.venue, required, { keyFile: options.keyFile, env: cliIo().env });
        let snapshot: AccountSnapshot;
        try {
          snapshot = await readAccount(options, credentials, spec.ccxtId);
        } catch (error) {
          // Venue errors are scrubbed already; this also covers anything else that might quote a credential.
          throw new Error(redactSecrets(error instanceof Error ? error.message : String(error), credentials.secrets()));
        }
        if (options.json) printJson(snapshot);
        else printSnapshot(snapshot);
      }),
    );
}
