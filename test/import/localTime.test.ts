import { describe, expect, it } from 'vitest';
import { localTimeConverter, localToUtcMs, resolveZone, tryLocalToUtcMs } from '../../src/data/import/localTime.ts';

const utc = (iso: string) => Date.parse(iso);

describe('localToUtcMs', () => {
  it('reads fixed offsets and UTC, with and without milliseconds', () => {
    expect(localToUtcMs('2020-01-01 03:00:00.000', '+03:00', 'f:2')).toBe(utc('2020-01-01T00:00:00Z'));
    expect(localToUtcMs('2023-12-31 11:00:00.001', '+03:00', 'f:2')).toBe(utc('2023-12-31T08:00:00.001Z'));
    expect(localToUtcMs('2023-12-31 11:00:00.5', 'UTC+3', 'f:2')).toBe(utc('2023-12-31T08:00:00.500Z'));
    expect(localToUtcMs('2020-01-01 00:00:00', 'UTC', 'f:2')).toBe(utc('2020-01-01T00:00:00Z'));
    expect(localToUtcMs('2020-01-01 00:00', '-05:30', 'f:2')).toBe(utc('2020-01-01T05:30:00Z'));
    expect(localToUtcMs('2020-01-01T00:00:00', 'UTC', 'f:2')).toBe(utc('2020-01-01T00:00:00Z'));
  });

  it("reads LEAN's YYYYMMDD HH:mm:ss", () => {
    expect(localToUtcMs('20221213 16:00:00', 'UTC', 'f:3')).toBe(utc('2022-12-13T16:00:00Z'));
    expect(localToUtcMs('20221213 16:00', 'UTC', 'f:3')).toBe(utc('2022-12-13T16:00:00Z'));
  });

  it('follows Europe/London summer time', () => {
    expect(localToUtcMs('2023-01-01 00:00:00', 'Europe/London', 'f')).toBe(utc('2023-01-01T00:00:00Z'));
    expect(localToUtcMs('2023-07-01 01:00:00', 'Europe/London', 'f')).toBe(utc('2023-07-01T00:00:00Z'));
    expect(localToUtcMs('2023-03-26 00:00:00', 'Europe/London', 'f')).toBe(utc('2023-03-26T00:00:00Z'));
    expect(localToUtcMs('2023-03-26 02:00:00', 'Europe/London', 'f')).toBe(utc('2023-03-26T01:00:00Z'));
    expect(localToUtcMs('2023-03-26 09:00:00', 'Europe/London', 'f')).toBe(utc('2023-03-26T08:00:00Z'));
  });

  it('resolves an autumn fall-back time to the earlier (summer-time) instant', () => {
    // AHA-HH: 2023-10-29 01:00 is followed by 08:00, i.e. 00:00 UTC then 08:00 UTC.
    expect(localToUtcMs('2023-10-29 01:00:00', 'Europe/London', 'f')).toBe(utc('2023-10-29T00:00:00Z'));
    expect(localToUtcMs('2023-10-29 01:59:59', 'Europe/London', 'f')).toBe(utc('2023-10-29T00:59:59Z'));
    expect(localToUtcMs('2023-10-29 02:00:00', 'Europe/London', 'f')).toBe(utc('2023-10-29T02:00:00Z'));
    expect(localToUtcMs('2023-10-29 08:00:00', 'Europe/London', 'f')).toBe(utc('2023-10-29T08:00:00Z'));
    expect(localToUtcMs('2023-11-05 01:30:00', 'America/New_York', 'f')).toBe(utc('2023-11-05T05:30:00Z'));
  });

  it('rejects a time skipped by the spring-forward change, naming where', () => {
    expect(() => localToUtcMs('2023-03-26 01:00:00', 'Europe/London', 'a.csv:12')).toThrow(
      "a.csv:12: local time '2023-03-26 01:00:00' does not exist in Europe/London (skipped by a clock change)",
    );
    expect(tryLocalToUtcMs('2023-03-26 01:59:59', resolveZone('Europe/London'))).toMatch(/does not exist/);
    expect(tryLocalToUtcMs('2023-03-12 02:30:00', resolveZone('America/New_York'))).toMatch(/does not exist/);
  });

  it('rejects malformed and impossible dates, naming where', () => {
    expect(() => localToUtcMs('2023-02-30 00:00:00', 'UTC', 'b.csv:7')).toThrow("b.csv:7: invalid date or time '2023-02-30 00:00:00'");
    expect(() => localToUtcMs('2023-01-01 24:00:00', 'UTC', 'b.csv:8')).toThrow('b.csv:8: invalid date or time');
    expect(() => localToUtcMs('01/02/2023 00:00', 'UTC', 'b.csv:9')).toThrow("b.csv:9: cannot read time '01/02/2023 00:00'");
    expect(() => localToUtcMs('2023-01-01 00:00:00', 'Mars/Olympus', 'b.csv:9')).toThrow("unknown time zone 'Mars/Olympus'");
  });

  it('converter gives the same answers as the plain function', () => {
    const toUtc = localTimeConverter('Europe/London');
    for (const text of ['2023-10-29 01:00:00', '2023-10-29 01:00:00', '2024-03-31 09:00:00', '2023-03-26 01:30:00']) {
      expect(toUtc(text)).toEqual(tryLocalToUtcMs(text, resolveZone('Europe/London')));
    }
  });
});
