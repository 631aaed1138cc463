import type { SeriesKey } from '../../domain/series.ts';
import { sourceFromColumnChunks, type ColumnChunk } from '../replay/sources.ts';
import type { ReplaySource } from '../replay/types.ts';
import { barColumns, SyntheticBarPath } from './barPath.ts';
import { FundingAccumulator, settlementGrid } from './funding.ts';
import { resolveSyntheticOptions, syntheticKeys, type SyntheticLabel, type SyntheticMarketOptions } from './market.ts';

/** Bars per generated chunk: small enough that memory does not depend on the market's length. */
export const DEFAULT_SYNTHETIC_CHUNK_ROWS = 16_384;

/**
 * The synthetic market of generateSyntheticMarket (same options, same values bit for bit), generated
 * lazily chunk by chunk while it is replayed, so memory stays flat in the number of bars.
 */
export interface SyntheticMarketStream {
  label: SyntheticLabel;
  /** The options used, with defaults filled in. */
  options: SyntheticMarketOptions & { perpBars: number };
  keys: { spot: SeriesKey; perp: SeriesKey; funding: SeriesKey; future: SeriesKey | null };
  /** First and last `ts` of each series (bar open times, settlement times), known without generating; null when a series has no row. */
  tsRange: Record<'spot' | 'perp' | 'funding' | 'future', { firstTs: number; lastTs: number } | null>;
  /**
   * New replay sources [spot, perp, funding, future when there is one] (also the tie order), each starting a fresh generation.
   * One generator feeds the three, which are read in step by replay(); a series read ahead of the
   * others buffers their chunks meanwhile (about one funding interval of bars at most).
   */
  sources(): ReplaySource[];
}

export function syntheticMarketStream(overrides: Partial<SyntheticMarketOptions> = {}, chunkRows = DEFAULT_SYNTHETIC_CHUNK_ROWS): SyntheticMarketStream {
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new Error(`synthetic market: chunkRows must be an integer >= 1 (got ${chunkRows})`);
  const options = resolveSyntheticOptions(overrides);
  const keys = syntheticKeys(options);
  const o = options;
  const lastBarTs = o.startMs + (o.bars - 1) * o.barIntervalMs;
  const perpStartMs = o.startMs + (o.bars - o.perpBars) * o.barIntervalMs;
  const grid = settlementGrid(perpStartMs, o.barIntervalMs, o.perpBars, o.fundingIntervalMs);
  const futureBars = o.futureExpiryMs === null ? 0 : Math.max(0, Math.min(o.bars, Math.floor((o.futureExpiryMs - o.startMs) / o.barIntervalMs)));
  return {
    label: 'synthetic',
    options,
    keys,
    tsRange: {
      spot: { firstTs: o.startMs, lastTs: lastBarTs },
      perp: { firstTs: perpStartMs, lastTs: lastBarTs },
      funding: grid.rows === 0 ? null : { firstTs: grid.firstSettlementMs, lastTs: grid.firstSettlementMs + (grid.rows - 1) * o.fundingIntervalMs },
      future: futureBars === 0 ? null : { firstTs: o.startMs, lastTs: o.startMs + (futureBars - 1) * o.barIntervalMs },
    },
    sources() {
      const producer = new ChunkProducer(options, chunkRows);
      const series = keys.future === null ? [keys.spot, keys.perp, keys.funding] : [keys.spot, keys.perp, keys.funding, keys.future];
      return series.map((key, i) => sourceFromColumnChunks(key, producer.chunksOf(i)));
    },
  };
}

/** Generates chunks of all three series together and queues each series' chunks until it reads them. */
class ChunkProducer {
  private readonly path: SyntheticBarPath;
  private readonly funding: FundingAccumulator;
  private readonly queues: ColumnChunk[][] = [[], [], [], []];

  constructor(
    o: SyntheticMarketOptions & { perpBars: number },
    private readonly chunkRows: number,
  ) {
    this.path = new SyntheticBarPath(o);
    this.funding = new FundingAccumulator({
      perpStartMs: o.startMs + this.path.firstPerpBar * o.barIntervalMs,
      barIntervalMs: o.barIntervalMs,
      fundingIntervalMs: o.fundingIntervalMs,
      interestRatePerInterval: o.interestRatePerInterval,
      capRatePerInterval: o.capRatePerInterval,
    });
  }

  *chunksOf(series: number): Generator<ColumnChunk> {
    const queue = this.queues[series];
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) yield chunk;
      // The future ends before the market: generating on would only queue the other series' chunks.
      else if (series === 3 && this.path.bar >= this.path.futureBars) return;
      else if (!this.produce()) return;
    }
  }

  /** Generates the next chunk of bars (and the settlements they complete); false when none is left. */
  private produce(): boolean {
    const rows = Math.min(this.chunkRows, this.path.remaining);
    if (rows === 0) return false;
    const spot = barColumns(rows);
    const perp = barColumns(rows);
    const premium = new Float64Array(rows);
    const from = this.path.bar;
    const futureRows = this.path.futureRowsIn(from, from + rows);
    const future = futureRows > 0 ? barColumns(rows) : undefined;
    const perpRows = this.path.next(rows, spot, perp, premium, future);
    this.queues[0].push({ rows, columns: spot });
    if (future !== undefined) this.queues[3].push({ rows: futureRows, columns: future });
    if (perpRows > 0) {
      for (let i = 0; i < perpRows; i++) this.funding.push(premium[i], perp.close[i]);
      this.queues[1].push({ rows: perpRows, columns: perp });
      const settled = this.funding.take();
      if (settled.rows > 0) this.queues[2].push(settled);
    }
    return true;
  }
}
