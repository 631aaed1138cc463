import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseTimeArg } from '../../core/time.ts';
import { readAccountsFile, type AccountSpec } from '../../venues/exchangeSim/accounts/accountSpec.ts';
import { startExchangeSim, type ExchangeSimMarket } from '../../venues/exchangeSim/exchangeSim.ts';
import { simUrls } from '../../venues/exchangeSim/simUrls.ts';
import { credentialEnvName } from '../../venues/ccxt/credentials.ts';
import { cliIo, onFirstSignal } from './cliIo.ts';
import { durationOption } from './liveHooks.ts';
import { printError, printLine, runAction } from './output.ts';

interface ExchangeSimCliOptions {
  port: string;
  host: string;
  seed: string;
  faults?: string;
  market: string;
  speed: string;
  accounts?: string;
  history?: string;
  fundingInterval?: string;
  from?: string;
  to?: string;
  quiet: boolean;
  json?: boolean;
}

function integerOption(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name}: '${text}' is not a whole number from ${min} to ${max}`);
  return n;
}

function marketOption(o: ExchangeSimCliOptions): ExchangeSimMarket {
  const historyMs = o.history === undefined ? undefined : durationOption('--history', o.history);
  if (o.market === 'synthetic') {
    if (o.from !== undefined || o.to !== undefined) throw new UsageError('--from and --to apply to a store market (--market STORE_DIR)');
    const fundingIntervalMs = o.fundingInterval === undefined ? undefined : durationOption('--funding-interval', o.fundingInterval);
    return { kind: 'synthetic', historyMs, synthetic: fundingIntervalMs === undefined ? undefined : { fundingIntervalMs } };
  }
  if (o.fundingInterval !== undefined) throw new UsageError('--funding-interval applies to the synthetic market (a store has its own settlements)');
  const time = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      return parseTimeArg(text);
    } catch (error) {
      throw new UsageError(`${name}: ${(error as Error).message}`);
    }
  };
  return { kind: 'store', dir: o.market, fromMs: time('--from', o.from), toMs: time('--to', o.to), historyMs };
}

/** The generated default account's keys as the env variables perp-arb reads (printed once, at start). */
function keyEnv(spec: AccountSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [venue, pair] of Object.entries(spec.keys)) {
    if (pair === undefined) continue;
    env[credentialEnvName(venue, 'apiKey')] = pair.apiKey;
    env[credentialEnvName(venue, 'secret')] = pair.secret;
  }
  return env;
}

export function registerExchangeSimCommand(program: Command): void {
  program
    .command('exchange-sim')
    .description(
      'a local exchange for rehearsals and tests: the REST API and websocket streams of Binance spot + USDⓈ-M and Bybit v5\n' +
        'on 127.0.0.1, close enough to the venues that ccxt runs against it unchanged. Orders match against the synthetic\n' +
        'market or a store played in wall time, through the simulated venue (fills, fees, margin, funding); keys and\n' +
        'signatures are checked per account. Runs until SIGINT/SIGTERM.\n' +
        'Faults: --faults "429:0.05,5xx:0.02,timeout:0.01,drop:0.01,lostReply@createOrder:0.02" (KIND[@SCOPE[+SCOPE]]:RATE[:ARG]; see the README).',
    )
    .option('--port <n>', 'TCP port on the loopback address (0: any free port)', '8765')
    .option('--host <address>', 'loopback address to listen on (127.0.0.0/8 only)', '127.0.0.1')
    .option('--seed <n>', 'seed of the synthetic market (bybit uses seed + 1), the order ids and the faults', '1')
    .option('--faults <spec>', 'faults to inject, e.g. 429:0.05,5xx:0.02,timeout:0.01,drop:0.01,lostReply:0.02')
    .option('--market <synthetic|dir>', 'the market: the seeded synthetic market, or a store directory (its binance and bybit spot and linear perp series)', 'synthetic')
    .option('--speed <n>', 'market time per wall time (1: real time; 60: a minute a second)', '1')
    .option('--accounts <file>', 'accounts file {"accounts":[{"name","keys":{"binance":{"apiKey","secret"},"bybit":{...}},"balances":{...}}]} (default: one account with fresh keys, printed once)')
    .option('--history <duration>', 'market time played at once before the exchange opens (funding history, warm prices)', '1d')
    .option('--funding-interval <duration>', 'synthetic market: funding interval (default 8h)')
    .option('--from <time>', 'store market: first time to play (ISO-8601 or epoch ms)')
    .option('--to <time>', 'store market: last time to play')
    .option('--quiet', 'do not print faults and unknown routes as they happen', false)
    .option('--json', 'print one JSON line with the URLs (and the default account keys) on stdout; messages go to stderr', false)
    .action(
      runAction(async (options: ExchangeSimCliOptions) => {
        const port = integerOption('--port', options.port, 0, 65535);
        const seed = integerOption('--seed', options.seed, 0, 2 ** 31 - 1);
        const speed = Number(options.speed);
        if (!(speed > 0) || !Number.isFinite(speed) || speed > 1_000_000) throw new UsageError(`--speed: '${options.speed}' is not a number > 0 (at most 1000000)`);
        const accounts = options.accounts === undefined ? undefined : readAccountsFile(options.accounts);
        const sim = await startExchangeSim({
          port,
          host: options.host,
          seed,
          faults: options.faults,
          market: marketOption(options),
          speed,
          accounts,
          log: options.quiet ? undefined : (line) => printError(`exchange-sim: ${line}`),
        });
        const generated = accounts === undefined ? sim.accounts[0] : null;
        const urls = simUrls(sim.baseUrl, sim.wsBaseUrl);
        const markets = sim.context.listings.all.map((l) => `${l.venue}:${l.symbol}`);
        if (options.json) {
          printJsonLine({ baseUrl: sim.baseUrl, wsBaseUrl: sim.wsBaseUrl, port: sim.port, market: sim.description, markets, speed, faults: sim.faultRules.map((r) => r.text), urls, accounts: sim.accounts.map((a) => a.name), env: generated === null ? null : keyEnv(generated) });
        } else {
          printLine(`exchange-sim listening on ${sim.baseUrl} (${sim.wsBaseUrl} for streams)`);
          printLine(`  market: ${sim.description}, speed ${speed}; ${markets.join(', ')}`);
          printLine(`  faults: ${sim.faultRules.length === 0 ? 'none' : sim.faultRules.map((r) => r.text).join(', ')}`);
          for (const [name, url] of Object.entries(urls)) printLine(`  ${name.padEnd(24)} ${url}`);
          printLine(`  ccxt: rewriteApiUrls(exchange.urls.api, '${sim.baseUrl}', exchange.hostname)`);
          if (generated !== null) {
            printLine('  default test account (fresh keys, shown only now):');
            for (const [name, value] of Object.entries(keyEnv(generated))) printLine(`    export ${name}=${value}`);
          } else printLine(`  accounts: ${sim.accounts.map((a) => a.name).join(', ')} (keys from ${options.accounts})`);
          printLine('Ctrl-C stops');
        }
        await new Promise<void>((resolve) => {
          onFirstSignal(['SIGINT', 'SIGTERM'], (signal) => {
            printError(`exchange-sim: stopping (${signal})`);
            process.once(signal, () => process.exit(130));
            resolve();
          });
        });
        await sim.close();
        printError(`exchange-sim: stopped after ${sim.httpStats.requests} requests (${Object.entries(sim.faults.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'no faults'})`);
      }),
    );
}

/** One JSON line (printJson pretty-prints; a script reads the first line). */
function printJsonLine(value: unknown): void {
  cliIo().stdout.write(`${JSON.stringify(value)}\n`);
}
