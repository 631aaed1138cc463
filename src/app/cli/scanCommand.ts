import { formatConfigIssue } from '../../domain/config/issue.ts';
import { cliIo, onFirstSignal } from './cliIo.ts';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { InputError, UsageError } from '../../core/errors.ts';
import { isoUtc, parseTimeArg } from '../../core/time.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import type { OuParams } from '../../model/ouParams.ts';
import { DEFAULT_SCANNER_CONFIG, loadScannerConfigFile, withOverrides, type ScannerConfig, type ScannerConfigInput } from '../../strategy/scanner/config.ts';
import { OPPORTUNITY_TYPES, type Opportunity, type OpportunityType } from '../../strategy/scanner/opportunity.ts';
import { RANK_KEYS, type RankKey, type RankOptions } from '../../strategy/scanner/ranking.ts';
import { Scanner } from '../../strategy/scanner/scanner.ts';
import { applyLoad, loadSnapshot, loadStoreState, type StateLoad } from '../../ingest/scanner/stateSources.ts';
import { CcxtMarketDataVenue } from '../../venues/ccxt/ccxtMarketDataVenue.ts';
import { ccxtExchangeIds } from '../../venues/ccxt/exchangeFactory.ts';
import { venueSpec } from '../../venues/ccxt/supportedVenues.ts';
import type { Rejection } from '../../data/import/types.ts';
import { DEFAULT_LIVE_ASSETS, DEFAULT_LIVE_DEPTH, DEFAULT_LIVE_QUOTES, DEFAULT_LIVE_VENUES, applyLiveLoad, joinLiveVenue, loadLive, type LiveLoad, type LiveSelection } from '../../ingest/scanner/liveSource.ts';
import { LIVE_RETRY_INITIAL_MS, LIVE_RETRY_MAX_MS, watchLive } from '../../ingest/scanner/liveWatch.ts';
import { durationOption, LOOPBACK_ENV, loopbackFromEnv, type LoopbackHooks } from './liveHooks.ts';
import { printError, printJson, printLine, runAction, type CommonOptions } from './output.ts';
import { opportunityTable, timingNotes, unitsLine } from './scanTable.ts';
import { checkPathOptions } from './pathOption.ts';

interface ScanCliOptions extends CommonOptions {
  snapshot?: string;
  at?: string;
  live?: boolean;
  top: string;
  type?: string;
  asset?: string;
  sort: RankKey;
  config?: string;
  notional?: string;
  holding?: string;
  feeRate?: string;
  takerFeeRate?: string;
  makerFeeRate?: string;
  maker?: boolean;
  fits?: string;
  strict?: boolean;
  watch?: boolean;
  interval: string;
  venues?: string;
  assets?: string;
  quotes?: string;
  depth?: string;
  fundingEvery: string;
}

const fitsSchema = z.record(z.string(), z.strictObject({ thetaPerSecond: z.number().positive(), mu: z.number(), sigmaPerSqrtSecond: z.number().nonnegative() }));

function numberOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${name} must be a number, got '${text}'`);
  return value;
}

/** The effective configuration: defaults, then --config FILE, then the options (each validated). */
function scanConfig(options: ScanCliOptions): ScannerConfig {
  const base = options.config ? loadScannerConfigFile(options.config) : DEFAULT_SCANNER_CONFIG;
  const overrides: ScannerConfigInput = {};
  const notional = numberOption('--notional', options.notional);
  if (notional !== undefined) overrides.notionalUsd = notional;
  if (options.holding !== undefined) {
    try {
      overrides.holdingPeriodMs = durationOption('--holding', options.holding);
    } catch (error) {
      throw new UsageError(`--holding: ${(error as Error).message}`);
    }
  }
  const feeRate = numberOption('--fee-rate', options.feeRate);
  if (feeRate !== undefined) overrides.feeRate = feeRate;
  const taker = numberOption('--taker-fee-rate', options.takerFeeRate);
  if (taker !== undefined) overrides.takerFeeRate = taker;
  const maker = numberOption('--maker-fee-rate', options.makerFeeRate);
  if (maker !== undefined) overrides.makerFeeRate = maker;
  if (options.maker) overrides.feeMode = 'maker';
  return withOverrides(base, overrides, 'command-line options');
}

async function readFits(path: string): Promise<Map<string, OuParams>> {
  const { readFile } = await import('node:fs/promises');
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError({ source: path }, `cannot read OU fits: ${(error as Error).message}`);
  }
  const parsed = fitsSchema.safeParse(value);
  if (!parsed.success) {
    throw new InputError({ source: path }, parsed.error.issues.map((issue) => formatConfigIssue(issue)).join('; '));
  }
  for (const id of Object.keys(parsed.data)) {
    if (!/^[^:]+:.+$/.test(id)) throw new InputError({ source: path }, `key '${id}' is not a perp instrument id venue:SYMBOL (e.g. ftx:BTC/USD:USD)`);
  }
  return new Map(Object.entries(parsed.data));
}

function parseTypes(text: string | undefined): OpportunityType[] | undefined {
  if (text === undefined) return undefined;
  const types = text.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of types) if (!OPPORTUNITY_TYPES.includes(t as OpportunityType)) throw new UsageError(`--type: unknown type '${t}' (one of ${OPPORTUNITY_TYPES.join(', ')})`);
  return types as OpportunityType[];
}

interface LiveSource {
  kind: 'live';
  venues: string[];
  selection: LiveSelection;
}

type Source = { kind: 'snapshot'; path: string } | { kind: 'store'; dir: string; at: string } | LiveSource;

function listOption(name: string, text: string | undefined, defaults: readonly string[], upper: boolean): string[] {
  if (text === undefined) return [...defaults];
  const items = [...new Set(text.split(',').map((t) => (upper ? t.trim().toUpperCase() : t.trim().toLowerCase())).filter(Boolean))];
  if (items.length === 0) throw new UsageError(`${name}: give at least one, comma-separated (e.g. ${defaults.join(',')})`);
  return items;
}

function liveSourceOf(options: ScanCliOptions): LiveSource {
  const depth = options.depth === undefined ? DEFAULT_LIVE_DEPTH : Number(options.depth);
  if (!Number.isInteger(depth) || depth < 1 || depth > 400) throw new UsageError(`--depth: '${options.depth}' is not a whole number of book levels from 1 to 400`);
  return {
    kind: 'live',
    venues: listOption('--venues', options.venues, DEFAULT_LIVE_VENUES, false),
    selection: { assets: listOption('--assets', options.assets, DEFAULT_LIVE_ASSETS, true), quotes: listOption('--quotes', options.quotes, DEFAULT_LIVE_QUOTES, true), depth },
  };
}

function sourceOf(options: ScanCliOptions): Source {
  const liveOnly = (['venues', 'assets', 'quotes', 'depth'] as const).filter((k) => options[k] !== undefined);
  if (options.live) {
    if (options.snapshot !== undefined || options.at !== undefined || options.store !== undefined) throw new UsageError('--live scans the venues now: give it without --snapshot, --at or --store');
    return liveSourceOf(options);
  }
  if (liveOnly.length > 0) throw new UsageError(`--${liveOnly[0]} is for --live`);
  if (options.snapshot !== undefined && options.at !== undefined) throw new UsageError('--at is for the store; a snapshot is scanned as of its own time (give one of --snapshot FILE or --at TIME)');
  if (options.snapshot !== undefined) return { kind: 'snapshot', path: options.snapshot };
  if (options.at !== undefined) return { kind: 'store', dir: options.store ?? defaultStoreDir(cliIo().env), at: options.at };
  throw new UsageError('what to scan: --snapshot FILE (a cryptofeed capture such as FTX /api/markets), --at TIME with --store DIR (the store as of that time), or --live (the venues now)');
}

async function load(source: Exclude<Source, LiveSource>, config: ScannerConfig): Promise<StateLoad> {
  const historyPoints = config.suspect.maxObservations > 0 ? config.suspect.historyPoints : 0;
  if (source.kind === 'snapshot') return loadSnapshot(source.path, { historyPoints });
  const atMs = source.at === 'now' ? Date.now() : parseTimeArg(source.at);
  return loadStoreState(new MarketStore(source.dir), atMs, {
    maxPriceAgeMs: config.maxPriceAgeMs,
    maxFundingAgeMs: config.maxFundingAgeMs,
    preferQuotesWithinMs: config.flags.staleQuoteMs,
    historyPoints,
  });
}

/** What the JSON's figures are, in words (the basis of every annualised number). */
const JSON_UNITS = {
  grossBps: 'the edge before costs, bps of the notional of one leg, over horizonMs',
  netBps: 'convergenceBps + fundingBps - feesBps - crossingBps - borrowBps',
  apr: 'net fraction x 365 d / horizonMs (simple, not compounded)',
  fundingRatePerInterval: "a perp leg's last rate, fraction per its own fundingIntervalMs (positive: longs pay shorts)",
  fundingApr: 'fundingRatePerInterval x 365 d / fundingIntervalMs',
  ageMs: "the scan time minus when the leg's price was observed (observedAt; a bar at its close)",
  legSkewMs: "time between the two legs' observations; legs further apart than maxLegSkewMs are not compared",
  history: "the pair's edge (measure) at its earlier observations: points, medianAbsBps, currentBps, observations (consecutive, the current one included)",
};


function describeConfig(config: ScannerConfig): string {
  const fee = config.feeRate !== null ? `flat fee ${config.feeRate}` : `${config.feeMode} fees (default ${config.feeMode === 'maker' ? config.makerFeeRate : config.takerFeeRate})`;
  return `size ${config.notionalUsd} USD per leg, ${fee}, holding ${config.holdingPeriodMs / 86_400_000} days, thresholds: funding ${config.thresholds.minFundingRatePer8h} per 8h, spread ${config.thresholds.minSpreadBps} bps, basis ${config.thresholds.minBasisBps} bps`;
}

/** The human report of one scan: heading, counts, config, notes, the table; rejections through `reject` (stderr, or the screen when redrawing). */
function printScan(
  scanner: Scanner,
  heading: string,
  notes: readonly string[],
  rejections: readonly Rejection[],
  opportunities: Opportunity[],
  reject: (line: string) => void = printError,
): void {
  const config = scanner.config;
  const summary = scanner.summary();
  printLine(heading);
  printLine(
    `${summary.instruments} instruments, ${summary.slots} pairs by type, ${summary.computable} computable` +
      (summary.legsApart ? `, ${summary.legsApart} not compared (legs observed too far apart)` : '') +
      `, ${summary.active} past the thresholds` +
      (summary.active ? ` (${Object.entries(summary.activeByType).map(([t, n]) => `${n} ${t}`).join(', ')})` : '') +
      (summary.suspect ? `, ${summary.suspect} of them suspect` : ''),
  );
  const unused = [
    summary.pricesTooOld > 0 ? `${summary.pricesTooOld} of ${summary.priced} prices (older than maxPriceAgeMs ${config.maxPriceAgeMs})` : '',
    summary.fundingTooOld > 0 ? `${summary.fundingTooOld} of ${summary.withFunding} funding rates (older than maxFundingAgeMs ${config.maxFundingAgeMs})` : '',
  ].filter(Boolean);
  if (unused.length > 0) printLine(`not used: ${unused.join(', ')}`);
  printLine(describeConfig(config));
  printLine(unitsLine(config));
  for (const note of [...notes, ...timingNotes(scanner)]) printLine(`note: ${note}`);
  printLine();
  printLine(opportunities.length ? opportunityTable(opportunities) : 'no opportunity passes the thresholds');
  for (const r of rejections) reject(`rejected ${r.source}${r.line === null ? '' : `:${r.line}`}: ${r.reason}`);
}

/**
 * Test hooks, not for users: the venues of `--live` are served from a loopback server with the
 * loopback hooks of liveHooks.ts ($PERP_ARB_TEST_LOOPBACK_URL, and $PERP_ARB_TEST_LOOPBACK_WS_URL for
 * websockets; without it books are polled over REST), and with them only, $PERP_ARB_TEST_NOW_MS
 * fixes the clock (the recorded payloads are dated). Only 127.0.0.1 is accepted.
 */
const TEST_NOW_ENV = 'PERP_ARB_TEST_NOW_MS';

interface LiveHooks extends LoopbackHooks {
  nowMs?: number;
}

function liveTestHooks(env: NodeJS.ProcessEnv): LiveHooks {
  const loopback = loopbackFromEnv(env);
  const nowText = env[TEST_NOW_ENV];
  if (nowText === undefined || nowText === '') return loopback;
  if (loopback.loopbackBaseUrl === undefined) throw new UsageError(`${TEST_NOW_ENV} is a test hook for the loopback venues and needs ${LOOPBACK_ENV.rest}`);
  const nowMs = Number(nowText);
  if (!Number.isInteger(nowMs) || nowMs <= 0) throw new UsageError(`${TEST_NOW_ENV} must be epoch ms, got '${nowText}'`);
  return { ...loopback, nowMs };
}

function makeVenues(ids: readonly string[], hooks: LiveHooks, now: () => number): CcxtMarketDataVenue[] {
  const known = new Set(ccxtExchangeIds());
  for (const id of ids) {
    if (!venueSpec(id) && !known.has(id)) throw new UsageError(`--venues: unknown venue '${id}' (perp-arb venues lists the supported ones; any ccxt exchange id is accepted)`);
  }
  const { loopbackBaseUrl, loopbackWsBaseUrl } = hooks;
  return ids.map((id) => new CcxtMarketDataVenue(venueSpec(id)?.ccxtId ?? id, { loopbackBaseUrl, loopbackWsBaseUrl, now }));
}

interface LiveRun {
  source: LiveSource;
  options: ScanCliOptions;
  scanner: Scanner;
  rank: RankOptions;
  intervalMs: number;
}

/** `scan --live`: one scan of the venues now, or (--watch) a scan kept up to date until Ctrl-C. The venues are always closed. */
async function runLiveScan(run: LiveRun): Promise<void> {
  const { source, options, scanner, rank } = run;
  const fundingPollMs = durationOption('--funding-every', options.fundingEvery);
  if (fundingPollMs < 1_000) throw new UsageError(`--funding-every must be at least 1s, got '${options.fundingEvery}'`);
  const hooks = liveTestHooks(cliIo().env);
  const now = hooks.nowMs === undefined ? Date.now : () => hooks.nowMs!;
  const venues = makeVenues(source.venues, hooks, now);
  let closing: Promise<unknown> | null = null;
  const closeAll = () => (closing ??= Promise.all(venues.map((v) => v.close().catch(() => undefined))));
  try {
    const loaded = await loadLive(venues, source.selection, now);
    if (loaded.venues.every((v) => v.failed !== null)) {
      throw new InputError(
        { source: 'scan --live' },
        `no venue answered; live mode needs internet access to the venues' APIs: ${loaded.venues.map((v) => `${v.venue}: ${v.failed}`).join(' | ')}`,
      );
    }
    const { errors } = applyLiveLoad(scanner, loaded);
    const rejections = [...loaded.rejections, ...errors];
    const { assets, quotes, depth } = source.selection;
    if (options.json) {
      printJson({
        source: { kind: 'live', venues: source.venues, assets, quotes, depth },
        asOf: isoUtc(loaded.asOfMs),
        config: scanner.config,
        summary: scanner.summary(),
        venues: loaded.venues,
        notes: [...loaded.notes, ...timingNotes(scanner)],
        rejections,
        units: JSON_UNITS,
        opportunities: scanner.opportunities(rank),
      });
      return;
    }
    const heading = (atMs: number) => `scan of ${loaded.source} (${assets.join(', ')}; ${quotes.join(', ')} markets) as of ${isoUtc(atMs)}`;
    if (!options.watch) {
      printScan(scanner, heading(loaded.asOfMs), loaded.notes, rejections, scanner.opportunities(rank));
      return;
    }
    await watchLiveScan(run, loaded, rejections, heading, { venues, now, fundingPollMs, forcePolling: hooks.loopbackBaseUrl !== undefined && hooks.loopbackWsBaseUrl === undefined, closeAll });
  } finally {
    await closeAll();
  }
}

/**
 * --live --watch: books stream and funding is polled into the scanner. In a terminal the screen is
 * redrawn as they change (at most twice a second); otherwise a new table is printed at most every
 * --interval seconds, when something changed. A venue that failed the first load is retried in the
 * background (liveWatch.ts: 5 s doubling to 5 min) and joins the table when it answers; a book stream
 * or funding poll that ends is restarted. Ctrl-C (or SIGTERM) stops, closing the venues.
 */
async function watchLiveScan(
  run: LiveRun,
  loaded: LiveLoad,
  firstRejections: readonly Rejection[],
  heading: (atMs: number) => string,
  io: { venues: readonly CcxtMarketDataVenue[]; now: () => number; fundingPollMs: number; forcePolling: boolean; closeAll: () => Promise<unknown> },
): Promise<void> {
  const { scanner, rank } = run;
  const tty = cliIo().stdout.isTTY === true;
  const controller = new AbortController();
  const reports: string[] = [];
  // The first load, with each venue that joined later (its notes no longer say it is left out).
  let current = loaded;
  const retrying = new Set(loaded.venues.filter((v) => v.failed !== null).map((v) => v.venue));
  const notes = () =>
    retrying.size === 0
      ? current.notes
      : [
          ...current.notes,
          `${[...retrying].join(', ')}: retried in the background (after ${LIVE_RETRY_INITIAL_MS / 1000} s, doubling to ${LIVE_RETRY_MAX_MS / 60_000} min); joins the scan when it answers`,
        ];
  let updates = 0;
  let dirty = false;
  let draws = 0;
  const draw = () => {
    scanner.setNow(io.now());
    scanner.rescan();
    const title = `${heading(scanner.nowMs)}, ${updates} updates since the first load`;
    if (tty) {
      cliIo().stdout.write('\x1b[2J\x1b[H');
      printScan(scanner, title, notes(), firstRejections, scanner.opportunities(rank), printLine);
      for (const line of reports.slice(-5)) printLine(line);
      printLine('\nwatching: redrawn as books and funding change (Ctrl-C to stop)');
    } else {
      if (draws > 0) printLine();
      printScan(scanner, title, notes(), draws === 0 ? firstRejections : [], scanner.opportunities(rank));
    }
    draws++;
    dirty = false;
  };
  draw();
  if (!tty) printError(`watching ${loaded.source}: a new table at most every ${run.intervalMs / 1000} s when something changed (Ctrl-C to stop)`);
  const timer = setInterval(() => dirty && draw(), tty ? 500 : run.intervalMs);
  const answered = new Set(loaded.venues.filter((v) => v.failed === null).map((v) => v.venue));
  let onSignal: (() => void) | null = null;
  const stopped = new Promise<string>((resolve) => {
    onSignal = onFirstSignal(['SIGINT', 'SIGTERM'], (signal) => resolve(signal === 'SIGINT' ? 'Ctrl-C' : signal));
  });
  const watching = watchLive({
    scanner,
    venues: io.venues.filter((v) => answered.has(v.venue)).map((venue) => ({ venue, instruments: loaded.instruments.filter((i) => i.venue === venue.venue) })),
    retryVenues: io.venues.filter((v) => !answered.has(v.venue)),
    selection: run.source.selection,
    depth: run.source.selection.depth,
    fundingPollMs: io.fundingPollMs,
    forcePolling: io.forcePolling,
    signal: controller.signal,
    now: io.now,
    onUpdate: () => {
      updates++;
      dirty = true;
    },
    onReport: (line) => {
      if (tty) {
        reports.push(`${isoUtc(io.now())} ${line}`);
        if (reports.length > 100) reports.splice(0, reports.length - 5); // only the last 5 are shown: bounded over hours
        dirty = true;
      } else printError(line);
    },
    onJoin: (joined) => {
      current = joinLiveVenue(current, joined, run.source.selection);
      retrying.delete(joined.report.venue);
      dirty = true;
    },
  });
  const reason = await Promise.race([stopped, watching.then(() => 'every stream ended')]);
  controller.abort();
  clearInterval(timer);
  onSignal!();
  await io.closeAll();
  await Promise.race([watching, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  printError(`stopped (${reason}) after ${updates} updates; venues closed`);
}

const LIVE_HELP = `
Live (--live): needs internet access to the venues' public APIs (no API key). For each venue
(--venues, default ${DEFAULT_LIVE_VENUES.join(',')}; 'perp-arb venues' lists the supported ones) it loads the
markets, keeps the spot, perp and dated-future markets of --assets (default ${DEFAULT_LIVE_ASSETS.join(',')}) quoted in
--quotes (default ${DEFAULT_LIVE_QUOTES.join(',')}), fetches each perp's current funding rate (the venue's prediction for
the next settlement; the scanner holds it for every settlement in the horizon) and --depth levels of
each market's order book (default ${DEFAULT_LIVE_DEPTH}). Requests go through ccxt at each venue's rate limit:
one per market type for the markets, one or two for funding, one per market for books. A venue that
does not answer (down, unreachable, 503) is left out and named in the notes; a market whose book or
funding fails is reported and the rest is scanned. The scan time is the local clock.
With --watch, books stream (websocket where the venue has one, else REST polling) and funding is
polled every --funding-every; in a terminal the table is redrawn as they change, otherwise a new
table is printed at most every --interval seconds. A venue left out of the first load is retried in
the background (after ${LIVE_RETRY_INITIAL_MS / 1000} s, the delay doubling on each failure up to ${LIVE_RETRY_MAX_MS / 60_000} min); when it answers, its
markets are loaded as above, join the table and are watched too. A market's book stream or a venue's
funding poll that ends with an error is restarted with the same backoff. Each retry, restart and
join is reported (on stderr, or under the table in a terminal). Ctrl-C stops all of it, retries
included, and closes the connections.

Examples:
  perp-arb scan --snapshot ../shared/data/raw_exchange_api_captures__bmoscon_cryptofeed/at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab/FTX.0 --top 10
  perp-arb scan --store /tmp/store --at 2023-03-11T12:00Z --type fundingDifferential --asset BTC --json
  perp-arb scan --live --venues binance,okx --assets BTC --json
  perp-arb scan --live --venues binance,bybit,okx --assets BTC,ETH,SOL --watch`;

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'find arbitrage opportunities: funding carry, basis, cross-venue perp spreads, funding differentials and calendar spreads,\n' +
        'ranked by expected net profit after fees on every leg (open and close), crossing the book, borrow for short spot and funding',
    )
    .option('--snapshot <file>', 'scan a snapshot file: a cryptofeed capture (e.g. FTX /api/markets with spot, perps and dated futures)')
    .option('--store <dir>', `scan the market-data store (with --at; default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--at <time>', "the store's state as of this time: ISO-8601 (UTC unless a zone is given), epoch ms, or 'now'")
    .option('--live', "scan the venues now, through ccxt (needs internet access to the venues' public APIs; see below)")
    .option('--venues <list>', `with --live: venues, comma-separated (default ${DEFAULT_LIVE_VENUES.join(',')})`)
    .option('--assets <list>', `with --live: base assets, comma-separated (default ${DEFAULT_LIVE_ASSETS.join(',')})`)
    .option('--quotes <list>', `with --live: quote currencies of the markets, comma-separated (default ${DEFAULT_LIVE_QUOTES.join(',')}; e.g. USDT,USDC,USD)`)
    .option('--depth <n>', `with --live: order-book levels per side (default ${DEFAULT_LIVE_DEPTH})`)
    .option('--funding-every <duration>', 'with --live --watch: funding poll period', '1m')
    .option('--json', 'print one JSON object on stdout and nothing else there (one scan, also with --watch)', false)
    .option('--top <n>', 'show the best N (0: all)', '20')
    .option('--type <types>', `only these types, comma-separated: ${OPPORTUNITY_TYPES.join(', ')}`)
    .option('--asset <asset>', 'only this asset (base currency, e.g. BTC)')
    .addOption(new Option('--sort <key>', 'rank by expected net profit, APR or net bps').choices([...RANK_KEYS]).default('profit'))
    .option('--config <file>', 'scanner configuration (JSON; see README "perp-arb scan"); unknown keys are rejected')
    .option('--notional <usd>', 'target size of each leg in quote currency (USD)')
    .option('--holding <period>', 'holding period for carry, basis, spreads and funding differentials, e.g. 7d, 24h')
    .option('--fee-rate <rate>', 'one fee rate (fraction per trade) for every leg, e.g. 0.0007')
    .option('--taker-fee-rate <rate>', 'default taker fee (fraction), used where the venue or instrument gives none')
    .option('--maker-fee-rate <rate>', 'default maker fee (fraction)')
    .option('--maker', 'rest orders at the own side of the book at maker fees instead of crossing it')
    .option('--fits <file>', 'OU fits of the basis as JSON {"venue:PERP": {"thetaPerSecond":..,"mu":..,"sigmaPerSqrtSecond":..}}')
    .option('--strict', 'fail when the snapshot has a rejected market instead of scanning the rest')
    .option('--watch', 'snapshot or store: in a terminal, re-read the source and refresh the table (with the store, use --at now); live: keep the scan up to date until Ctrl-C')
    .option('--interval <seconds>', 'refresh period for --watch (live: at most one table per period when stdout is not a terminal)', '5')
    .addHelpText('after', LIVE_HELP)
    .action(
      runAction(async (options: ScanCliOptions) => {
        checkPathOptions({ '--config': options.config, '--store': options.store });
        const source = sourceOf(options);
        const config = scanConfig(options);
        const top = Number(options.top);
        if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top must be a whole number >= 0, got '${options.top}'`);
        const interval = Number(options.interval);
        if (!(interval > 0)) throw new UsageError(`--interval must be a positive number of seconds, got '${options.interval}'`);
        const types = parseTypes(options.type);
        const fits = options.fits ? await readFits(options.fits) : undefined;
        const scanner = new Scanner({ config, fits });
        const rank: RankOptions = { top: top === 0 ? undefined : top, types, asset: options.asset, sort: options.sort };
        if (source.kind === 'live') {
          await runLiveScan({ source, options, scanner, rank, intervalMs: interval * 1000 });
          return;
        }

        const scanOnce = async () => {
          const state = await load(source, config);
          if (options.strict && state.rejections.length > 0) {
            const r = state.rejections[0];
            throw new InputError({ source: r.source, line: r.line ?? undefined }, `${r.reason}${state.rejections.length > 1 ? ` (and ${state.rejections.length - 1} more rejections)` : ''}`);
          }
          const { errors } = applyLoad(scanner, state);
          return { state, errors, opportunities: scanner.opportunities(rank) };
        };

        const render = (result: Awaited<ReturnType<typeof scanOnce>>) => {
          const { state, errors, opportunities } = result;
          const where = source.kind === 'snapshot' ? `snapshot ${source.path}` : `store ${state.source}`;
          printScan(scanner, `scan of ${where} as of ${isoUtc(state.asOfMs)}`, state.notes, [...state.rejections, ...errors], opportunities);
        };

        const first = await scanOnce();
        if (options.json) {
          printJson({
            source: source.kind === 'snapshot' ? { kind: 'snapshot', path: source.path } : { kind: 'store', store: first.state.source, at: source.at },
            asOf: isoUtc(first.state.asOfMs),
            config,
            summary: scanner.summary(),
            notes: [...first.state.notes, ...timingNotes(scanner)],
            rejections: [...first.state.rejections, ...first.errors],
            units: JSON_UNITS,
            opportunities: first.opportunities,
          });
          return;
        }
        if (options.watch && !cliIo().stdout.isTTY) printError('note: --watch refreshes only in a terminal; stdout is not one, so the scan is printed once');
        if (!options.watch || !cliIo().stdout.isTTY) {
          render(first);
          return;
        }
        let result = first;
        for (;;) {
          cliIo().stdout.write('\x1b[2J\x1b[H');
          render(result);
          printLine(`\nrefreshing every ${interval} s (Ctrl-C to stop)`);
          await new Promise((resolve) => setTimeout(resolve, interval * 1000));
          result = await scanOnce();
        }
      }),
    );
}
