import { isoUtc } from '../../core/time.ts';
import type { BacktestProgress } from '../../engine/backtest.ts';
import { formatCount } from './output.ts';
import { TerminalProgress } from './terminalProgress.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporterOptions {
  stream: ProgressStream;
  /** Wall clock, ms (performance.now by default). */
  nowMs?: () => number;
  plainIntervalMs?: number;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress line: `42.0% [#####.....] 1,234 events 5,678/s at <sim time> ETA 12s`. */
export function progressLine(p: BacktestProgress, elapsedMs: number, barWidth = 20): string {
  const rate = elapsedMs > 0 ? (p.events / elapsedMs) * 1000 : 0;
  const parts: string[] = [];
  if (p.fraction !== null) {
    const filled = Math.round(p.fraction * barWidth);
    parts.push(`${(p.fraction * 100).toFixed(1).padStart(5)}%`);
    if (barWidth > 0) parts.push(`[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`);
  }
  parts.push(`${formatCount(p.events)} events`, `${formatCount(Math.round(rate))}/s`);
  if (p.lastTime !== null) parts.push(`at ${isoUtc(p.lastTime).slice(0, 16)}Z`);
  if (p.fraction !== null && p.fraction > 0 && p.fraction < 1) parts.push(`ETA ${formatDuration((elapsedMs * (1 - p.fraction)) / p.fraction)}`);
  return `backtest ${parts.join(' ')}`;
}

/**
 * Progress of a backtest or paper replay on stderr (terminalProgress.ts): on a terminal a bar with
 * the share of the data span replayed, events, events/s, simulated time and ETA; elsewhere a plain
 * line at most every `plainIntervalMs` and a last `... done` line.
 */
export class ProgressReporter {
  private readonly terminal: TerminalProgress;
  private readonly now: () => number;
  private readonly startedMs: number;
  private latest: BacktestProgress | null = null;

  constructor(options: ProgressReporterOptions) {
    this.now = options.nowMs ?? (() => performance.now());
    this.startedMs = this.now();
    this.terminal = new TerminalProgress({
      stream: options.stream,
      nowMs: this.now,
      plainIntervalMs: options.plainIntervalMs,
      describe: () => (this.latest === null ? 'backtest' : progressLine(this.latest, this.now() - this.startedMs, 0)),
    });
  }

  update(progress: BacktestProgress): void {
    this.latest = progress;
    this.terminal.update(Math.round((progress.fraction ?? 0) * 1000), 1000);
  }

  /** The run ended: the bar is erased, or a plain log gets its last line. */
  finish(progress: BacktestProgress | null): void {
    if (progress) this.latest = progress;
    this.terminal.finish();
  }
}
