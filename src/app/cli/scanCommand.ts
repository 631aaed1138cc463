import { Command, Option } from 'commander';
import { z } from 'zod';
import { InputError, UsageError } from '../../core/errors.ts';
import { isoUtc, parseTimeArg, timeframeToMs } from '../../core/time.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import type { OuParams } from '../../model/ouParams.ts';
import { DEFAULT_SCANNER_CONFIG, loadScannerConfigFile, withOverrides, type ScannerConfig, type ScannerConfigInput } from '../../strategy/scanner/config.ts';
import { OPPORTUNITY_TYPES, type Opportunity, type OpportunityLeg, type OpportunityType } from '../../strategy/scanner/opportunity.ts';
import { RANK_KEYS, type RankKey } from '../../strategy/scanner/ranking.ts';
import { Scanner } from '../../strategy/scanner/scanner.ts';
import { applyLoad, loadSnapshot, loadStoreState, type StateLoad } from '../../strategy/scanner/stateSources.ts';
import { formatTable, printError, printJson, printLine, runAction, type CommonOptions } from './output.ts';

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
      overrides.holdingPeriodMs = timeframeToMs(options.holding);
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
    const issue = parsed.error.issues[0];
    throw new InputError({ source: path }, `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
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

type Source = { kind: 'snapshot'; path: string } | { kind: 'store'; dir: string; at: string };

function sourceOf(options: ScanCliOptions): Source {
  if (options.live) {
    throw new UsageError('--live is not available yet: live feeds need the exchange connectivity work (issue 6). Use --snapshot FILE or --store DIR --at TIME.');
  }
  if (options.snapshot !== undefined && options.at !== undefined) throw new UsageError('--at is for the store; a snapshot is scanned as of its own time (give one of --snapshot FILE or --at TIME)');
  if (options.snapshot !== undefined) return { kind: 'snapshot', path: options.snapshot };
  if (options.at !== undefined) return { kind: 'store', dir: options.store ?? defaultStoreDir(), at: options.at };
  throw new UsageError('what to scan: --snapshot FILE (a cryptofeed capture such as FTX /api/markets), or --at TIME with --store DIR (the store as of that time)');
}

async function load(source: Source, config: ScannerConfig): Promise<StateLoad> {
  if (source.kind === 'snapshot') return loadSnapshot(source.path);
  const atMs = source.at === 'now' ? Date.now() : parseTimeArg(source.at);
  return loadStoreState(new MarketStore(source.dir), atMs, { maxPriceAgeMs: config.maxPriceAgeMs, maxFundingAgeMs: config.maxFundingAgeMs, preferQuotesWithinMs: config.flags.staleQuoteMs });
}

const fmt = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Up to 8 significant digits (a VWAP has many). */
const priceText = (price: number) => String(Number(price.toPrecision(8)));

function legCell(leg: OpportunityLeg): string {
  const price = leg.price === null ? 'no price' : `@ ${priceText(leg.price)}`;
  return `${leg.venue} ${leg.venueSymbol ?? leg.symbol} ${price}`;
}

function table(opportunities: Opportunity[]): string {
  return formatTable(
    ['#', 'type', 'asset', 'buy', 'sell', 'gross bps', 'net bps', 'APR %', 'profit USD', 'days', 'flags'],
    opportunities.map((o, k) => [
      String(k + 1),
      o.type,
      o.asset,
      legCell(o.legs[0]),
      legCell(o.legs[1]),
      fmt(o.grossBps, 1),
      fmt(o.netBps, 1),
      fmt(o.apr * 100, 2),
      fmt(o.expectedProfitUsd, 2),
      fmt(o.horizonDays, 1),
      o.flags.join(','),
    ]),
  );
}

function describeConfig(config: ScannerConfig): string {
  const fee = config.feeRate !== null ? `flat fee ${config.feeRate}` : `${config.feeMode} fees (default ${config.feeMode === 'maker' ? config.makerFeeRate : config.takerFeeRate})`;
  return `size ${config.notionalUsd} USD per leg, ${fee}, holding ${config.holdingPeriodMs / 86_400_000} days, thresholds: funding ${config.thresholds.minFundingRatePer8h} per 8h, spread ${config.thresholds.minSpreadBps} bps, basis ${config.thresholds.minBasisBps} bps`;
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'find arbitrage opportunities: funding carry, basis, cross-venue perp spreads, funding differentials and calendar spreads,\n' +
        'ranked by expected net profit after fees on every leg (open and close), crossing the book, borrow for short spot and funding',
    )
    .option('--snapshot <file>', 'scan a snapshot file: a cryptofeed capture (e.g. FTX /api/markets with spot, perps and dated futures)')
    .option('--store <dir>', `scan the market-data store (with --at; default: $PERP_ARB_STORE or ${defaultStoreDir()})`)
    .option('--at <time>', "the store's state as of this time: ISO-8601 (UTC unless a zone is given), epoch ms, or 'now'")
    .option('--live', 'live feeds (not available yet: needs the exchange connectivity work)')
    .option('--json', 'print one JSON object on stdout and nothing else there', false)
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
    .option('--watch', 'in a terminal: re-read the source and refresh the table (with the store, use --at now)')
    .option('--interval <seconds>', 'refresh period for --watch', '5')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  perp-arb scan --snapshot ../shared/data/raw_exchange_api_captures__bmoscon_cryptofeed/at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab/FTX.0 --top 10\n' +
        '  perp-arb scan --store /tmp/store --at 2023-03-11T12:00Z --type fundingDifferential --asset BTC --json',
    )
    .action(
      runAction(async (options: ScanCliOptions) => {
        const source = sourceOf(options);
        const config = scanConfig(options);
        const top = Number(options.top);
        if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top must be a whole number >= 0, got '${options.top}'`);
        const interval = Number(options.interval);
        if (!(interval > 0)) throw new UsageError(`--interval must be a positive number of seconds, got '${options.interval}'`);
        const types = parseTypes(options.type);
        const fits = options.fits ? await readFits(options.fits) : undefined;
        const scanner = new Scanner({ config, fits });
        const rank = { top: top === 0 ? undefined : top, types, asset: options.asset, sort: options.sort };

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
          const summary = scanner.summary();
          const where = source.kind === 'snapshot' ? `snapshot ${source.path}` : `store ${state.source}`;
          printLine(`scan of ${where} as of ${isoUtc(state.asOfMs)}`);
          printLine(`${summary.instruments} instruments, ${summary.slots} pairs by type, ${summary.computable} computable, ${summary.active} past the thresholds` +
            (summary.active ? ` (${Object.entries(summary.activeByType).map(([t, n]) => `${n} ${t}`).join(', ')})` : ''));
          const unused = [
            summary.pricesTooOld > 0 ? `${summary.pricesTooOld} of ${summary.priced} prices (older than maxPriceAgeMs ${config.maxPriceAgeMs})` : '',
            summary.fundingTooOld > 0 ? `${summary.fundingTooOld} of ${summary.withFunding} funding rates (older than maxFundingAgeMs ${config.maxFundingAgeMs})` : '',
          ].filter(Boolean);
          if (unused.length > 0) printLine(`not used: ${unused.join(', ')}`);
          printLine(describeConfig(config));
          for (const note of state.notes) printLine(`note: ${note}`);
          printLine();
          printLine(opportunities.length ? table(opportunities) : 'no opportunity passes the thresholds');
          for (const r of [...state.rejections, ...errors]) printError(`rejected ${r.source}${r.line === null ? '' : `:${r.line}`}: ${r.reason}`);
        };

        const first = await scanOnce();
        if (options.json) {
          printJson({
            source: source.kind === 'snapshot' ? { kind: 'snapshot', path: source.path } : { kind: 'store', store: first.state.source, at: source.at },
            asOf: isoUtc(first.state.asOfMs),
            config,
            summary: scanner.summary(),
            notes: first.state.notes,
            rejections: [...first.state.rejections, ...first.errors],
            opportunities: first.opportunities,
          });
          return;
        }
        if (options.watch && !process.stdout.isTTY) printError('note: --watch refreshes only in a terminal; stdout is not one, so the scan is printed once');
        if (!options.watch || !process.stdout.isTTY) {
          render(first);
          return;
        }
        let result = first;
        for (;;) {
          process.stdout.write('\x1b[2J\x1b[H');
          render(result);
          printLine(`\nrefreshing every ${interval} s (Ctrl-C to stop)`);
          await new Promise((resolve) => setTimeout(resolve, interval * 1000));
          result = await scanOnce();
        }
      }),
    );
}
