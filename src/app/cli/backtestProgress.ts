import { isoUtc } from '../../core/time.ts';
import type { BacktestProgress } from '../../engine/backtest.ts';
import { formatCount } from './output.ts';

/**
 * Progress of `perp-arb backtest` on stderr. On a terminal: one line redrawn in place (at most
 * every `ttyIntervalMs`) with the share of the data span replayed, events, events/s and the ETA,
 * erased when the run ends. Elsewhere (a pipe, a log file, CI): a plain line at most every
 * `plainIntervalMs`, and a last one when the run ends if any was printed.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporterOptions {
  stream: ProgressStream;
  /** Wall clock, ms (performance.now by default). */
  nowMs?: () => number;
  ttyIntervalMs?: number;
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

export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly startedMs: number;
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(options: ProgressReporterOptions) {
    this.stream = options.stream;
    this.now = options.nowMs ?? (() => performance.now());
    this.tty = options.stream.isTTY === true;
    this.intervalMs = this.tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 5000);
    this.startedMs = this.now();
  }

  update(progress: BacktestProgress): void {
    const now = this.now();
    const elapsed = now - this.startedMs;
    // The first plain line only after one interval: a short run prints nothing.
    if (!this.tty && elapsed < this.intervalMs) return;
    if (now - this.lastDrawMs < this.intervalMs) return;
    this.lastDrawMs = now;
    this.drawn = true;
    if (this.tty) {
      const width = Math.max(20, (this.stream.columns ?? 80) - 1);
      this.stream.write(`\r${progressLine(progress, elapsed).slice(0, width)}\x1b[K`);
    } else {
      this.stream.write(`${progressLine(progress, elapsed, 0)}\n`);
    }
  }

  /** The run ended: erase the terminal line, or print the last plain line. */
  finish(progress: BacktestProgress | null): void {
    if (!this.drawn) return;
    if (this.tty) this.stream.write('\r\x1b[K');
    else if (progress) this.stream.write(`${progressLine(progress, this.now() - this.startedMs, 0)} done\n`);
    this.drawn = false;
  }
}
