/** Milliseconds since the Unix epoch, UTC. Every timestamp in perp-arb is integer ms. */
export type EpochMs = number;

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const YEAR_MS = 365 * DAY_MS;

const TIMEFRAME_UNITS: Record<string, number> = { s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/** Parses a ccxt-style timeframe ('1m', '8h', '1d') into milliseconds. */
export function timeframeToMs(timeframe: string): number {
  const match = /^(\d+)([smhdw])$/.exec(timeframe);
  if (!match) throw new Error(`invalid timeframe '${timeframe}' (expected e.g. 1m, 5m, 1h, 8h, 1d)`);
  return Number(match[1]) * TIMEFRAME_UNITS[match[2]];
}

/** Formats an interval in ms as the shortest ccxt-style timeframe ('8h', '1m'). */
export function msToTimeframe(intervalMs: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const unitMs = TIMEFRAME_UNITS[unit];
    if (intervalMs >= unitMs && intervalMs % unitMs === 0) return `${intervalMs / unitMs}${unit}`;
  }
  throw new Error(`interval ${intervalMs} ms is not a whole number of seconds`);
}

export function isoUtc(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

/**
 * Parses a user-given time: epoch ms (digits), or an ISO-8601 date/time. A time without a zone
 * is taken as UTC (perp-arb never guesses a local zone).
 */
export function parseTimeArg(text: string): EpochMs {
  const trimmed = text.trim();
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(trimmed);
  const isoLike = trimmed.replace(' ', 'T');
  const ms = Date.parse(hasZone || !/T|\d\d:\d\d/.test(isoLike) ? isoLike : `${isoLike}Z`);
  if (!Number.isFinite(ms)) throw new Error(`cannot parse time '${text}' (use ISO-8601 like 2025-06-01T00:00Z, or epoch ms)`);
  return ms;
}
