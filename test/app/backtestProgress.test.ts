import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine, ProgressReporter } from '../../src/app/cli/backtestProgress.ts';
import type { BacktestProgress } from '../../src/engine/backtest.ts';
import { runCli } from '../support/cli.ts';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/paths.ts';

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

function progress(fraction: number | null, events: number): BacktestProgress {
  const span = { fromMs: T0, toMs: T0 + 10 * DAY };
  return { events, firstTime: T0, lastTime: fraction === null ? null : T0 + fraction * 10 * DAY, perSeries: [], span, fraction };
}

class FakeStream {
  text = '';
  constructor(readonly isTTY: boolean, readonly columns = 120) {}
  write(s: string) {
    this.text += s;
  }
}

describe('backtest progress', () => {
  it('formats % of the span, events, events/s and the ETA', () => {
    expect(progressLine(progress(0.25, 1_000_000), 2000)).toBe('backtest  25.0% [#####...............] 1,000,000 events 500,000/s at 2024-01-03T12:00Z ETA 6s');
    expect(progressLine(progress(1, 10), 1000, 0)).toBe('backtest 100.0% 10 events 10/s at 2024-01-11T00:00Z');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });

  it('on a terminal: a bar (cli-progress) redrawn in place with the line, erased at the end', () => {
    let now = 0;
    const stream = new FakeStream(true);
    const reporter = new ProgressReporter({ stream, nowMs: () => now });
    now = 50;
    reporter.update(progress(0.1, 100));
    // 10% of a 20-character bar, then the text.
    expect(stream.text).toContain('##.................. backtest  10.0% 100 events');
    now = 160;
    reporter.update(progress(0.3, 300));
    reporter.finish(progress(1, 1000));
    // Erased (the line cleared) and the cursor shown again; no line of its own is left.
    expect(stream.text).toContain('\x1b[2K');
    expect(stream.text).toContain('\x1b[?25h');
    expect(stream.text.endsWith('\x1b[2K')).toBe(true);
    expect(stream.text).not.toContain('\n');
  });

  it('elsewhere: plain lines at most every 5 s, none for a short run', () => {
    let now = 0;
    const stream = new FakeStream(false);
    const short = new ProgressReporter({ stream, nowMs: () => now });
    now = 4000;
    short.update(progress(0.9, 900));
    short.finish(progress(1, 1000));
    expect(stream.text).toBe('');

    const reporter = new ProgressReporter({ stream, nowMs: () => now });
    for (const t of [5000, 9000, 10_000, 14_000, 15_100]) {
      now = 4000 + t;
      reporter.update(progress(t / 20_000, t));
    }
    reporter.finish(progress(1, 20_000));
    const lines = stream.text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^backtest  25\.0% 5,000 events 1,000\/s at 2024-01-03T12:00Z ETA 15s$/);
    expect(lines[1]).toMatch(/^backtest  50\.0% /);
    expect(lines[2]).toMatch(/^backtest  75\.5% /);
    expect(lines[3]).toMatch(/^backtest 100\.0% 20,000 events .* done$/);
  });

  it('--json keeps stdout to the one summary object', async () => {
    const { stdout, code } = await runCli(['backtest', '--config', join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json'), '--json', '--no-report']);
    expect(code).toBe(0);
    expect(Object.keys(JSON.parse(stdout))).toContain('winRate');
  }, 120_000);
});
