import { cliIo, onFirstSignal, setExitCode } from './cliIo.ts';
import { TerminalProgress } from './terminalProgress.ts';
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { isoUtc, parseTimeArg } from '../../core/time.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import { CcxtMarketDataVenue } from '../../venues/ccxt/ccxtMarketDataVenue.ts';
import { SUPPORTED_VENUES, venueSpec } from '../../venues/ccxt/supportedVenues.ts';
import { DEFAULT_BATCH_ROWS, DEFAULT_SETTLE_LAG_MS, downloadSeries } from '../../ingest/download/downloader.ts';
import { DOWNLOAD_KINDS, type DownloadKind, type DownloadProgress, type DownloadSummary } from '../../ingest/download/types.ts';
import { formatCount, printError, printJson, printLine, runAction, type CommonOptions } from './output.ts';
import { checkPathOptions } from './pathOption.ts';

interface DownloadCliOptions extends CommonOptions {
  venue: string;
  symbol: string;
  kind: DownloadKind;
  from: string;
  to: string;
  timeframe: string;
  pageLimit?: string;
  batchRows: string;
  retries: string;
  quiet: boolean;
  /** false with --no-progress. */
  progress: boolean;
}

/**
 * Test hook, not for users: serve every ccxt REST URL from a loopback server
 * (`$PERP_ARB_CCXT_BASE_URL=http://127.0.0.1:PORT`). Any other address is refused.
 */
const LOOPBACK_ENV = 'PERP_ARB_CCXT_BASE_URL';

function loopbackBaseUrl(): string | undefined {
  const value = cliIo().env[LOOPBACK_ENV];
  if (value === undefined || value === '') return undefined;
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(value)) throw new UsageError(`${LOOPBACK_ENV} must be http://127.0.0.1:PORT (a loopback test server), got '${value}'`);
  return value;
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${name} must be a whole number >= ${min}, got '${text}'`);
  return value;
}

function timeOption(name: string, text: string, nowMs: number): number {
  if (text.trim().toLowerCase() === 'now') return nowMs;
  try {
    return parseTimeArg(text);
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message}`);
  }
}

/**
 * What each supported venue gives through ccxt 4.5.84 (its \`has\`, \`features\` and fetch code), for
 * --help. test/venues/download.test.ts checks the kinds against ccxt and that every venue is here.
 */
export const VENUE_HELP: Record<string, { kinds: string; notes: string }> = {
  binance: { kinds: 'ohlcv mark funding', notes: 'BTC/USDT, BTC/USDT:USDT. 1000 candles a request (spot), 500 (USDT-M)' },
  bybit: { kinds: 'ohlcv mark funding', notes: 'BTC/USDT, BTC/USDT:USDT. 1000 candles a request' },
  okx: { kinds: 'ohlcv mark funding', notes: 'BTC/USDT, BTC/USDT:USDT. 300 candles a request, 100 mark. Inverse swaps: volume null (OKX counts BTC)' },
  deribit: { kinds: 'ohlcv funding', notes: 'BTC/USD:BTC (inverse: volume null, Deribit counts BTC), BTC/USDC. 1000 candles a request; none of 4h or 8h. Hourly funding' },
  hyperliquid: { kinds: 'ohlcv funding', notes: 'BTC/USDC:USDC. 5000 candles a request, and only the latest 5000 of each length (1m: 3.5 days). Hourly funding' },
  bitget: { kinds: 'ohlcv mark funding', notes: 'BTC/USDT, BTC/USDT:USDT. 200 candles a request (perps: 90 daily, 180 12h). Funding comes in pages counted back from now: newest first' },
  gate: { kinds: 'ohlcv mark funding', notes: 'BTC/USDT, BTC/USDT:USDT. 1000 candles a request (spot), 1999 (futures: their contracts are stored as BTC)' },
  kucoin: { kinds: 'ohlcv mark funding', notes: 'KuCoin Futures: BTC/USDT:USDT (XBTUSDTM). 200 candles a request (contracts stored as BTC); mark candles from its unified API. Funding newest first, 100 a request' },
  mexc: { kinds: 'ohlcv mark funding', notes: 'BTC/USDT, BTC/USDT:USDT (BTC_USDT). 2000 candles a request (perps: contracts stored as BTC); mark = fair-price candles. Funding in numbered pages counted back from now: newest first' },
  bingx: { kinds: 'ohlcv mark funding', notes: 'BTC/USDT, BTC/USDT:USDT (BTC-USDT). 1440 candles a request' },
  htx: { kinds: 'ohlcv funding', notes: 'BTC/USDT:USDT (BTC-USDT). 2000 candles a request, asked by time range only. No mark candles: ccxt asks HTX for the latest ones only' },
};

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

const venueLines = SUPPORTED_VENUES.map((v) => {
  const help = VENUE_HELP[v.venue];
  const [first, ...rest] = wrap(help.notes, 66);
  return [`  ${v.venue.padEnd(12)}${help.kinds.padEnd(20)}${first}`, ...rest.map((line) => `${' '.repeat(34)}${line}`)].join('\n');
}).join('\n');

const HELP_AFTER = `
Kinds:
  ohlcv    trade-price candles (ccxt fetchOHLCV) into the bars table; spot, perps and futures.
           Volume in base units (contracts for inverse contracts; null where the venue counts them otherwise)
  mark     mark-price candles (ccxt fetchMarkOHLCV) into mark_bars; perps and futures only, and not on
           deribit, hyperliquid or htx. Their volume is stored as null: venues leave it empty or zero
  funding  funding settlements (ccxt fetchFundingRateHistory, paged the venue's way) into funding;
           perps only. The interval is the venue's, else inferred from the gaps between settlements

Venues (--venue), what they give, their symbols and limits:
  venue       kinds               notes
${venueLines}
  Other ccxt ids are tried as they are, untested.

Times are ISO-8601 (UTC unless a zone is given), epoch ms, or 'now'; the span is [from, to) by candle
open time or settlement time. Only closed candles are stored, never the one still open, and only
candles and settlements at least ${DEFAULT_SETTLE_LAG_MS / 1000} s old. Timeframes divide a day (1m .. 1d) and must be one the
venue has (okx, bybit, bitget and deribit have no 8h): another is refused before any request.

Resumable: a download first works out what is missing, from the candles the store holds (imported
or downloaded) and from <store>/downloads.json, the record of spans downloaded before (so spans where
the venue has no data are not asked for again). It fetches only those spans, one page per request
at the venue's page size and rate limit (--page-limit can lower it, not raise it), validates every row
(a bad row stops the download, naming the venue, request and time), and commits every ${formatCount(DEFAULT_BATCH_ROWS)} rows
(--batch-rows). If it fails or is interrupted (Ctrl-C), what was fetched before is committed: run the
same command again to fetch only the rest. Running it again over a complete span sends no request.

Examples:
  perp-arb data download --venue binance --symbol BTC/USDT:USDT --kind ohlcv --from 2024-01-01 --to 2024-02-01
  perp-arb data download --venue binance --symbol BTC/USDT --kind ohlcv --timeframe 1h --from 2023-01-01 --to now
  perp-arb data download --venue okx --symbol BTC/USDT:USDT --kind mark --from 2024-05-01 --to 2024-05-08 --json
  perp-arb data download --venue bybit --symbol BTC/USDT:USDT --kind funding --from 2023-01-01 --to now
  perp-arb data download --venue deribit --symbol BTC/USD:BTC --kind funding --from 2024-01-01
  perp-arb data download --venue hyperliquid --symbol BTC/USDC:USDC --kind ohlcv --from 2024-06-01T00:00Z`;

/** `perp-arb data download`: historical candles, mark candles and funding from a venue into the store. */
export function registerDownloadCommand(data: Command): void {
  data
    .command('download')
    .description('download history from a venue (ccxt) into the store: paginated, resumable, only what is missing')
    .requiredOption('--venue <id>', `venue: ${SUPPORTED_VENUES.map((v) => v.venue).join(', ')} (see below)`)
    .requiredOption('--symbol <symbol>', 'ccxt unified symbol: BTC/USDT (spot), BTC/USDT:USDT (USDT perp), BTC/USD:BTC (inverse perp), BTC/USDC:USDC')
    .addOption(new Option('--kind <kind>', 'what to download (see below)').choices([...DOWNLOAD_KINDS]).makeOptionMandatory())
    .requiredOption('--from <time>', 'start, inclusive: ISO-8601 (UTC unless a zone is given) or epoch ms')
    .option('--to <time>', "end, exclusive: ISO-8601, epoch ms or 'now'", 'now')
    .option('--timeframe <tf>', 'candle length for ohlcv and mark', '1m')
    .option('--page-limit <n>', "candles per request (default and most: the venue's maximum, from ccxt)")
    .option('--batch-rows <n>', 'commit to the store every this many rows', String(DEFAULT_BATCH_ROWS))
    .option('--retries <n>', 'retries of a request that failed for a passing reason (rate limit, timeout, outage)', '3')
    .option('--quiet', 'no progress on stderr', false)
    .option('--no-progress', 'no progress on stderr (as --quiet)')
    .option('--store <dir>', `market-data store directory (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--json', 'print one JSON object on stdout and nothing else there', false)
    .addHelpText('after', HELP_AFTER)
    .action(
      runAction(async (options: DownloadCliOptions) => {
        checkPathOptions({ '--store': options.store });
        const nowMs = Date.now();
        const request = {
          symbol: options.symbol,
          kind: options.kind,
          timeframe: options.timeframe,
          fromMs: timeOption('--from', options.from, nowMs),
          toMs: timeOption('--to', options.to, nowMs),
        };
        const pageLimit = options.pageLimit === undefined ? undefined : wholeNumber('--page-limit', options.pageLimit, 1);
        const batchRows = wholeNumber('--batch-rows', options.batchRows, 1);
        const retries = wholeNumber('--retries', options.retries, 0);
        const store = new MarketStore(options.store ?? defaultStoreDir(cliIo().env));
        const venue = new CcxtMarketDataVenue(venueSpec(options.venue)?.ccxtId ?? options.venue, { loopbackBaseUrl: loopbackBaseUrl() });
        const controller = new AbortController();
        const removeSignal = onFirstSignal(['SIGINT'], () => {
          printError('interrupted: committing what was fetched (Ctrl-C again to quit at once)');
          controller.abort();
        });
        const label = `${venue.venue} ${options.symbol} ${options.kind}${options.kind === 'funding' ? '' : ` ${options.timeframe}`}`;
        let lastPrintMs = 0;
        const describe = (p: DownloadProgress) => `${label}: ${(p.fraction * 100).toFixed(1)}%, ${formatCount(p.rowsFetched)} rows fetched, ${formatCount(p.rowsAdded)} committed, ${plural(p.requests, 'request')}, at ${isoUtc(p.atMs)}`;
        let latest: DownloadProgress | null = null;
        const bar = !options.quiet && options.progress && cliIo().stderr.isTTY === true ? new TerminalProgress({ stream: cliIo().stderr, describe: () => (latest ? describe(latest) : label) }) : null;
        const onProgress = options.quiet || !options.progress
          ? undefined
          : bar
            ? (p: DownloadProgress) => {
                latest = p;
                bar.update(Math.round(p.fraction * 1000), 1000);
              }
            : (p: DownloadProgress) => {
              const t = Date.now();
              if (t - lastPrintMs < 1_000) return;
              lastPrintMs = t;
              printError(describe(p));
            };
        let summary: DownloadSummary;
        try {
          summary = await downloadSeries(venue, request, { store, pageLimit, batchRows, retry: { retries }, signal: controller.signal, onProgress });
        } finally {
          removeSignal();
          bar?.finish();
          await venue.close();
        }
        if (!summary.complete) setExitCode(130);
        if (options.json) {
          printJson(summary);
          return;
        }
        printSummary(summary);
      }),
    );
}

function printSummary(s: DownloadSummary): void {
  printLine(`${s.series}: ${s.from} .. ${s.to}`);
  printLine(
    `  ${formatCount(s.rowsFetched)} rows fetched in ${plural(s.requests, 'request')} (${plural(s.spansFetched.length, 'span')}), ${formatCount(s.rowsAdded)} added, ` +
      `${formatCount(s.rowsUnchanged)} already stored, ${s.conflicts.length} conflicting with stored rows (kept the stored ones)`,
  );
  if (s.spansSkipped.length > 0) printLine(`  skipped ${plural(s.spansSkipped.length, 'span')} already stored or downloaded: ${s.spansSkipped.map((x) => `${x.from} .. ${x.to}`).join(', ')}`);
  for (const c of s.conflicts.slice(0, 10)) printLine(`  conflict ${c.source}${c.line === null ? '' : `:${c.line}`}: ${c.reason}`);
  for (const note of s.notes) printLine(`  note: ${note}`);
  if (!s.complete) printLine('  interrupted: what was fetched is committed; run the same command again to fetch the rest');
}
