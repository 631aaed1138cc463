import { describe, expect, it } from 'vitest';
import { durationOption } from '../../src/app/cli/liveHooks.ts';
import { formatTable } from '../../src/app/cli/output.ts';

describe('CLI helpers', () => {
  it('tables: columns two spaces apart, a rule under the header, right-aligned where asked', () => {
    expect(formatTable(['pair', 'pnl'], [['BTC', '12.50'], ['ETH', '-3.10']], ['left', 'right'])).toBe(['pair    pnl', '----  -----', 'BTC   12.50', 'ETH   -3.10'].join('\n'));
  });

  it('durations: a number and a unit, as the ms library reads them; anything else names the option', () => {
    expect(durationOption('--for', '30d')).toBe(30 * 86_400_000);
    expect(durationOption('--for', '8h')).toBe(8 * 3_600_000);
    expect(durationOption('--for', '1.5h')).toBe(5_400_000);
    expect(durationOption('--for', '250ms')).toBe(250);
    for (const bad of ['5', '-1h', 'abc', '1e3h', '0s', '']) expect(() => durationOption('--for', bad)).toThrow(`--for: '${bad}' is not a duration (e.g. 30s, 5m, 2h, 1d)`);
  });
});
