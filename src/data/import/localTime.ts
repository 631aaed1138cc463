import { FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import { DAY_MS, MINUTE_MS } from '../../core/time.ts';
import { InputError } from '../../core/errors.ts';

/** 'YYYY-MM-DD HH:mm[:ss[.SSS]]' (or with a T) and LEAN's 'YYYYMMDD HH:mm[:ss]'. */
const ISO_LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const LEAN_LOCAL_RE = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/;
const FIXED_OFFSET_RE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** A zone given as an IANA name ('Europe/London') or a fixed offset ('UTC', '+03:00', 'UTC+3'). */
export function resolveZone(name: string): Zone {
  const trimmed = name.trim();
  if (/^(UTC|GMT|Z)$/i.test(trimmed)) return FixedOffsetZone.utcInstance;
  const fixed = FIXED_OFFSET_RE.exec(trimmed);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    if (minutes > 14 * 60) throw new Error(`time zone offset '${name}' is out of range`);
    return FixedOffsetZone.instance(fixed[1] === '-' ? -minutes : minutes);
  }
  const zone = IANAZone.create(trimmed);
  if (!zone.isValid) throw new Error(`unknown time zone '${name}' (use an IANA name like Europe/London, or an offset like +03:00)`);
  return zone;
}

/** The local wall-clock fields read as if they were UTC, or an error message. */
function naiveUtcMs(text: string): number | string {
  const m = ISO_LOCAL_RE.exec(text) ?? LEAN_LOCAL_RE.exec(text);
  if (!m) return `cannot read time '${text}' (expected YYYY-MM-DD HH:mm:ss[.SSS] or YYYYMMDD HH:mm:ss)`;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = Number(m[6] ?? 0);
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const naive = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(naive);
  const valid = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day &&
    d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return valid ? naive : `invalid date or time '${text}'`;
}

/**
 * Local wall-clock time in `zone` to epoch ms, or an error message. A local time skipped by a
 * spring-forward change is an error (the source cannot have produced it). A local time that occurs
 * twice (autumn fall-back) resolves to the EARLIER instant, the summer-time one: a series stamped
 * in local time passes the repeated hour first in summer time, and the AHA-HH data confirms it
 * (Europe/London 2023-10-29 01:00 is followed by 08:00, i.e. 00:00 UTC then 08:00 UTC, keeping
 * the 8h grid; the later reading, 01:00 UTC, would be off it).
 */
export function tryLocalToUtcMs(text: string, zone: Zone): number | string {
  const naive = naiveUtcMs(text.trim());
  if (typeof naive === 'string') return naive;
  if (zone.isUniversal) return naive - zone.offset(naive) * MINUTE_MS;
  // Every offset in force within a day of the wall time; those that map back to it are the candidates.
  const offsets = new Set([zone.offset(naive - DAY_MS), zone.offset(naive), zone.offset(naive + DAY_MS)]);
  for (const o of [...offsets]) offsets.add(zone.offset(naive - o * MINUTE_MS));
  let best = Number.POSITIVE_INFINITY;
  for (const offsetMin of offsets) {
    const instant = naive - offsetMin * MINUTE_MS;
    if (zone.offset(instant) === offsetMin && instant < best) best = instant;
  }
  if (best === Number.POSITIVE_INFINITY) return `local time '${text}' does not exist in ${zone.name} (skipped by a clock change)`;
  return best;
}

/** As tryLocalToUtcMs, throwing an InputError that names `where` (file:line). */
export function localToUtcMs(text: string, zone: string | Zone, where: string): number {
  const result = tryLocalToUtcMs(text, typeof zone === 'string' ? resolveZone(zone) : zone);
  if (typeof result === 'string') throw new InputError({ source: where }, result);
  return result;
}

/** A converter for one zone that remembers recent texts (sources repeat each time across many rows). */
export function localTimeConverter(zoneName: string): (text: string) => number | string {
  const zone = resolveZone(zoneName);
  const cache = new Map<string, number | string>();
  return (text) => {
    let result = cache.get(text);
    if (result === undefined) {
      if (cache.size > 4096) cache.clear();
      result = tryLocalToUtcMs(text, zone);
      cache.set(text, result);
    }
    return result;
  };
}

/** How a zone is described in import notes: 'UTC+03:00 (fixed offset)', 'Europe/London (IANA zone, with clock changes)'. */
export function describeZone(zoneName: string): string {
  const zone = resolveZone(zoneName);
  return zone.isUniversal ? `UTC${zone.formatOffset(0, 'short')} (fixed offset)` : `${zone.name} (IANA zone, with clock changes)`;
}
