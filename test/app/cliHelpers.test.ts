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

describe('TerminalProgress', () => {
  class Stream {
    text = '';
    constructor(readonly isTTY: boolean) {}
    write(s: string) {
      this.text += s;
    }
  }

  it('on a terminal: a cli-progress bar with the text, erased at the end', async () => {
    const { TerminalProgress } = await import('../../src/app/cli/terminalProgress.ts');
    const stream = new Stream(true);
    const bar = new TerminalProgress({ stream, describe: (done, total) => `sweep ${done}/${total}` });
    bar.update(1, 4);
    expect(stream.text).toContain('#####............... sweep 1/4');
    bar.finish();
    expect(stream.text.endsWith('\x1b[2K')).toBe(true);
  });

  it('elsewhere: no bar; a plain line at most every interval (none before the first), the last marked done', async () => {
    const { TerminalProgress } = await import('../../src/app/cli/terminalProgress.ts');
    let now = 0;
    const stream = new Stream(false);
    const bar = new TerminalProgress({ stream, nowMs: () => now, plainIntervalMs: 1000, describe: (done, total) => `import ${done}/${total}` });
    now = 500;
    bar.update(1, 3);
    now = 1200;
    bar.update(2, 3);
    now = 1500;
    bar.update(3, 3);
    bar.finish();
    expect(stream.text).toBe('import 2/3\nimport 3/3 done\n');
  });
});
