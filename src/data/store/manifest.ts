import { formatConfigIssue } from '../../domain/config/issue.ts';
import { isAbsolute, normalize, sep } from 'node:path';
import { z } from 'zod';
import { SERIES_TABLES, type SeriesKey, type SeriesTable } from '../../domain/series.ts';
import { SERIES_DIR } from './layout.ts';

/** 'YYYY-MM' with a 4-digit year: the only month names the store writes and reads. */
export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A file field must stay inside series/ of the store: repair moves these files, so never anywhere else. */
const storeFile = z
  .string()
  .min(1)
  .refine((file) => !isAbsolute(file) && normalize(file) === file && file.startsWith(`${SERIES_DIR}${sep}`) && !file.split(sep).includes('..'), {
    message: `must be a path inside ${SERIES_DIR}/ of the store`,
  });

/** One Parquet file: the rows of one series in one calendar month (UTC). */
export const partitionSchema = z.strictObject({
  table: z.enum(SERIES_TABLES as [string, ...string[]]),
  venue: z.string().min(1),
  symbol: z.string().min(1),
  timeframe: z.string().nullable(),
  /** 'YYYY-MM' (UTC) of the rows' ts. */
  month: z.string().regex(MONTH_RE, { message: "must be 'YYYY-MM' with a 4-digit year" }),
  /** Relative to the store root. */
  file: storeFile,
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

// Partition entries are parsed one by one (parseManifest): one bad entry must not hide the others.
const manifestFileSchema = z.strictObject({
  format: z.literal('perp-arb-store'),
  version: z.literal(1),
  /** Increases by one at every commit; new files carry it in their name. */
  txid: z.number().int().nonnegative(),
  partitions: z.array(z.unknown()),
  instruments: z.array(instrumentSchema),
});

export type PartitionEntry = z.infer<typeof partitionSchema>;
export type Manifest = Omit<z.infer<typeof manifestFileSchema>, 'partitions'> & { partitions: PartitionEntry[] };

/** A manifest entry that cannot be read or named: skipped by listings, named by the readers of its series. */
export interface UnreadablePartition {
  /** The entry as stored; a commit writes it back unchanged until `data check --repair` removes it. */
  raw: unknown;
  /** 'bars/binance/BTC/USDT/1m +010000' from whatever fields it has, else its file, else its index. */
  name: string;
  /** The series it belongs to, when its table, venue, symbol and timeframe are readable. */
  key: SeriesKey | null;
  month: string | null;
  /** Its file field when that is a path inside series/ (only then may repair move the file). */
  file: string | null;
  firstTs: number | null;
  lastTs: number | null;
  /** Why it cannot be read: 'month: must be ...'. */
  reason: string;
}

export interface LoadedManifest {
  manifest: Manifest;
  unreadable: UnreadablePartition[];
}

export function emptyManifest(): Manifest {
  return { format: 'perp-arb-store', version: 1, txid: 0, partitions: [], instruments: [] };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const integer = (value: unknown): number | null => (Number.isSafeInteger(value) ? (value as number) : null);

function describeUnreadable(raw: unknown, index: number, reason: string): UnreadablePartition {
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const [table, venue, symbol, month] = [text(entry.table), text(entry.venue), text(entry.symbol), text(entry.month)];
  const timeframe = entry.timeframe === null ? null : text(entry.timeframe);
  const file = storeFile.safeParse(entry.file).success ? (entry.file as string) : null;
  const keyKnown = table !== null && (SERIES_TABLES as readonly string[]).includes(table) && venue !== null && symbol !== null && (timeframe !== null || entry.timeframe === null);
  const key = keyKnown ? { table: table as SeriesTable, venue: venue!, symbol: symbol!, timeframe } : null;
  const rawFile = text(entry.file);
  const name =
    table !== null || venue !== null || symbol !== null
      ? `${table ?? '?'}/${venue ?? '?'}/${symbol ?? '?'}${timeframe ? `/${timeframe}` : ''} ${month ?? '?'}`
      : rawFile !== null
        ? `file ${JSON.stringify(rawFile)}`
        : `entry ${index} of partitions`;
  return { raw, name, key, month, file, firstTs: integer(entry.firstTs), lastTs: integer(entry.lastTs), reason };
}

/**
 * Reads manifest.json. The frame (format, version, txid, instruments) must be valid; each partition
 * entry is checked on its own, and an entry that fails is returned in `unreadable` instead of
 * failing the whole store.
 */
export function parseManifest(json: string, path: string): LoadedManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const result = manifestFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new Error(`${path}: not a perp-arb store manifest: ${formatConfigIssue(result.error.issues[0])}`);
  }
  const partitions: PartitionEntry[] = [];
  const unreadable: UnreadablePartition[] = [];
  result.data.partitions.forEach((raw, index) => {
    const entry = partitionSchema.safeParse(raw);
    if (entry.success) partitions.push(entry.data);
    else {
      unreadable.push(describeUnreadable(raw, index, formatConfigIssue(entry.error.issues[0])));
    }
  });
  return { manifest: { ...result.data, partitions }, unreadable };
}
