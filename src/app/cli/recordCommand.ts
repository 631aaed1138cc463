import { cliIo, onFirstSignal, setExitCode } from './cliIo.ts';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import { defaultStoreDir } from '../../data/store/layout.ts';
import { MarketStore } from '../../data/store/marketStore.ts';
import { CcxtMarketDataVenue } from '../../venues/ccxt/ccxtMarketDataVenue.ts';
import { venueSpec } from '../../venues/ccxt/supportedVenues.ts';
import { ccxtMarkBarSource } from '../../ingest/record/markBars.ts';
import { Recorder, type RecordSummary } from '../../ingest/record/recorder.ts';
import { RECORD_KINDS, type RecordKind, type SessionLogEntry } from '../../ingest/record/recordTypes.ts';
import { recoverJournals, type RecoveredSession } from '../../ingest/record/recover.ts';
import { durationOption, loopbackFromEnv } from './liveHooks.ts';
import { type CommonOptions, formatCount, printError, printJson, printLine, runAction } from './output.ts';

interface RecordCliOptions extends CommonOptions {
  venue?: string;
  symbols?: string;
  kinds: string;
  depth?: string;
  for?: string;
  recover: boolean;
  compactEvery: string;
  fundingEvery: string;
  staleAfter: string;
}

function parseKinds(text: string): RecordKind[] {
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  if (kinds.length === 0) throw new UsageError('--kinds: give at least one of book, funding, mark');
  for (const kind of kinds) if (!(RECORD_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kinds: unknown kind '${kind}' (use ${RECORD_KINDS.join(', ')})`);
  return [...new Set(kinds)] as RecordKind[];
}

function formatReport(venue: string, entry: SessionLogEntry): string {
  const { at, type, symbol, ...rest } = entry;
  const head = `${isoUtc(at)} ${venue}${typeof symbol === 'string' ? ` ${symbol}` : ''} ${type}`;
  switch (type) {
    case 'reconnect':
      return `${head}: attempt ${rest.attempt}, resubscribing in ${rest.delayMs} ms after: ${rest.error}`;
    case 'badMessage':
      return `${head}: not stored (${rest.attempt} in a row), watching on: ${rest.error}`;
    case 'stale':
      return `${head}: no update for ${rest.silentForMs} ms`;
    case 'bookGap':
      return `${head}: sequence ${rest.previousSequence} -> ${rest.sequence}: ${rest.reason}`;
    case 'gap':
      return `${head}: no data from ${isoUtc(rest.fromMs as number)} to ${isoUtc(rest.toMs as number)} (${(((rest.toMs as number) - (rest.fromMs as number)) / 1000).toFixed(3)} s): ${rest.reason}`;
    case 'compaction':
      return `${head}: ${formatCount(rest.records as number)} journal records moved into the store (txid ${rest.txid})`;
    default:
      return `${head}: ${JSON.stringify(rest)}`;
  }
}

function printRecovered(recovered: RecoveredSession[], toStderr: boolean): void {
  const say = toStderr ? printError : printLine;
  for (const r of recovered) {
    if (r.result) say(`recovered ${r.session}: ${formatCount(r.result.records)} journal records, ${formatCount(Object.values(r.result.added).reduce((a, b) => a + b, 0))} rows added, ${formatCount(r.result.unchanged)} already stored, ${r.result.rejected.length} rejected`);
    else say(`not recovered ${r.session}: ${r.skipped}`);
  }
}

function printSummary(s: RecordSummary): void {
  printLine(`recorded ${s.venue} ${s.symbols.join(', ')} from ${isoUtc(s.startedAt)} to ${isoUtc(s.stoppedAt)} (stopped by ${s.stopReason})`);
  const c = s.counts;
  printLine(`  quotes ${formatCount(c.quotes)}, books ${formatCount(c.books)}, mark candles ${formatCount(c.markBars)}, funding settlements ${formatCount(c.fundingSettlements)} (funding quotes in the log: ${formatCount(c.fundingQuotes)})`);
  if (c.receiptStamped) printLine(`  ${formatCount(c.receiptStamped)} book updates without a venue time: ts = received_at (receipt time)`);
  for (const [id, n] of Object.entries(s.store.added)) printLine(`  stored ${id}: +${formatCount(n)} rows`);
  const h = s.health;
  printLine(`  health: ${h.reconnect} reconnects, ${h.stale} stale, ${h.bookGap} book gaps, ${h.badMessage} bad messages, ${h.pollErrors} poll errors; ${s.gaps.length} gaps`);
  for (const gap of s.gaps) printLine(`  gap ${gap.symbol}: ${isoUtc(gap.fromMs)} -> ${gap.toMs === null ? 'end of session' : isoUtc(gap.toMs)}: ${gap.reason}`);
  if (s.store.duplicates || s.store.superseded || s.store.rejected) {
    printLine(`  ${s.store.duplicates} duplicate records, ${s.store.superseded} superseded by a later one at the same venue time, ${s.store.rejected} rejected (see the log)`);
  }
  if (s.journalLeft) printLine(`  journal left for recovery: ${s.journalLeft}`);
  printLine(`  log: ${s.log}`);
}

export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description(
      'stream live market data of one venue into the store until stopped (Ctrl-C / SIGTERM, or --for).\n' +
        'Events go to a journal in <store>/recording/ committed every 200 ms and are moved into the Parquet store\n' +
        'every --compact-every and at stop; a journal left by a killed recorder is recovered at the next start (or --recover).',
    )
    .option('--venue <id>', 'venue (perp-arb or ccxt id), e.g. okx')
    .option('--symbols <list>', 'ccxt unified symbols, comma-separated, e.g. BTC/USDT:USDT,ETH/USDT:USDT')
    .option('--kinds <list>', `what to record: ${RECORD_KINDS.join(', ')} (book: top of book as quotes, plus books rows with --depth; funding: settlements as the venue reports them; mark: the venue's 1m mark candles)`, 'book,funding,mark')
    .option('--depth <n>', 'also store order books with this many levels per side (books table)')
    .option('--for <duration>', 'stop after this long, e.g. 30s, 10m, 8h')
    .option('--recover', 'only move journals left by killed recorders into the store, then exit', false)
    .option('--compact-every <duration>', 'how often the journal is moved into the Parquet store', '5m')
    .option('--funding-every <duration>', 'funding poll period', '1m')
    .option('--stale-after <duration>', 'report a stream silent for this long', '10s')
    .option('--store <dir>', `market-data store directory (default: $PERP_ARB_STORE or ${defaultStoreDir(cliIo().env)})`)
    .option('--json', 'print one JSON object on stdout and nothing else there (health events go to stderr)', false)
    .action(
      runAction(async (options: RecordCliOptions) => {
        const store = new MarketStore(options.store ?? defaultStoreDir(cliIo().env));
        if (options.recover) {
          const recovered = await recoverJournals(store);
          if (options.json) printJson({ recovered });
          else if (recovered.length === 0) printLine('no journal to recover');
          else printRecovered(recovered, false);
          if (recovered.some((r) => r.result === null && !/still running/.test(r.skipped ?? ''))) setExitCode(1);
          return;
        }
        if (!options.venue) throw new UsageError('--venue is required (or --recover)');
        const symbols = (options.symbols ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        if (symbols.length === 0) throw new UsageError('--symbols is required, e.g. --symbols BTC/USDT:USDT');
        const kinds = parseKinds(options.kinds);
        let depth: number | null = null;
        if (options.depth !== undefined) {
          depth = Number(options.depth);
          if (!Number.isInteger(depth) || depth < 1 || depth > 1000) throw new UsageError(`--depth: '${options.depth}' is not a whole number of levels from 1 to 1000`);
          if (!kinds.includes('book')) throw new UsageError('--depth needs the book kind (--kinds book,...)');
        }
        const forMs = options.for === undefined ? null : durationOption('--for', options.for);
        const compactIntervalMs = durationOption('--compact-every', options.compactEvery);
        const fundingPollMs = durationOption('--funding-every', options.fundingEvery);
        const staleAfterMs = durationOption('--stale-after', options.staleAfter);

        const recovered = await recoverJournals(store);
        printRecovered(recovered, true);

        const ccxtId = venueSpec(options.venue)?.ccxtId ?? options.venue;
        const venue = new CcxtMarketDataVenue(ccxtId, loopbackFromEnv(cliIo().env));
        let recorder: Recorder;
        try {
          const instruments = await venue.loadInstruments({ symbols, skipFundingIntervals: !kinds.includes('funding') });
          const derivatives = instruments.filter((i) => i.kind !== 'spot').map((i) => i.symbol);
          const perps = instruments.filter((i) => i.kind === 'perp').map((i) => i.symbol);
          if (kinds.includes('funding') && perps.length === 0) throw new UsageError('--kinds funding: none of the symbols is a perp');
          if (kinds.includes('mark') && derivatives.length === 0) throw new UsageError('--kinds mark: none of the symbols is a perp or future');
          recorder = await Recorder.start({
            venue,
            symbols,
            fundingSymbols: perps,
            markSymbols: derivatives,
            kinds,
            depth,
            store,
            instruments,
            markBars: kinds.includes('mark') ? ccxtMarkBarSource(venue.exchange, venue.venue, Date.now) : null,
            compactIntervalMs,
            fundingPollMs,
            staleAfterMs,
            onReport: (entry) => printError(formatReport(venue.venue, entry)),
          });
        } catch (error) {
          await venue.close();
          throw error;
        }
        printError(`recording ${venue.venue} ${symbols.join(', ')} (${kinds.join(', ')}${depth === null ? '' : `, depth ${depth}`}) into ${store.root}; session ${recorder.session}; Ctrl-C stops`);
        const removeSignals = onFirstSignal(['SIGINT', 'SIGTERM'], (reason) => {
          printError(`stopping (${reason}): moving the journal into the store...`);
          void recorder.stop(reason);
          // A second signal leaves at once: the journal is durable and the next start recovers it.
          process.once(reason, () => process.exit(130));
        });
        const timer = forMs === null ? null : setTimeout(() => void recorder.stop(`--for ${options.for}`), forMs);
        const summary = await recorder.finished;
        if (timer) clearTimeout(timer);
        removeSignals();
        await venue.close();
        if (options.json) printJson(summary);
        else printSummary(summary);
        if (summary.error) {
          if (!options.json) printError(`error: ${summary.error}`);
          setExitCode(1);
        }
      }),
    );
}
