import { z } from 'zod';
import { SERIES_TABLES } from '../../domain/series.ts';

/** One Parquet file: the rows of one series in one calendar month (UTC). */
export const partitionSchema = z.strictObject({
  table: z.enum(SERIES_TABLES as [string, ...string[]]),
  venue: z.string().min(1),
  symbol: z.string().min(1),
  timeframe: z.string().nullable(),
  /** 'YYYY-MM' (UTC) of the rows' ts. */
  month: z.string().regex(/^\d{4}-\d\d$/),
  /** Relative to the store root. */
  file: z.string().min(1),
  rows: z.number().int().positive(),
  firstTs: z.number().int(),
  lastTs: z.number().int(),
});

const instrumentSchema = z.strictObject({
  venue: z.string(),
  symbol: z.string(),
  venueSymbol: z.string().nullable(),
  kind: z.enum(['spot', 'perp', 'future']),
  base: z.string(),
  quote: z.string(),
  settle: z.string().nullable(),
  linear: z.boolean().nullable(),
  contractSize: z.number().nullable(),
  tickSize: z.number().nullable(),
  lotSize: z.number().nullable(),
  makerFeeRate: z.number().nullable(),
  takerFeeRate: z.number().nullable(),
  fundingIntervalMs: z.number().nullable(),
  expiryMs: z.number().nullable(),
});

export const manifestSchema = z.strictObject({
  format: z.literal('perp-arb-store'),
  version: z.literal(1),
  /** Increases by one at every commit; new files carry it in their name. */
  txid: z.number().int().nonnegative(),
  partitions: z.array(partitionSchema),
  instruments: z.array(instrumentSchema),
});

export type PartitionEntry = z.infer<typeof partitionSchema>;
export type Manifest = z.infer<typeof manifestSchema>;

export function emptyManifest(): Manifest {
  return { format: 'perp-arb-store', version: 1, txid: 0, partitions: [], instruments: [] };
}
