import { SingleBar } from 'cli-progress';
import type { CliStream } from './cliIo.ts';

/**
 * A progress bar on a terminal (cli-progress: redrawn in place at most 10 times a second, erased at
 * the end). Elsewhere (a pipe, a log, CI) there is no bar: `plainLine` gets the same text at most
 * every `plainIntervalMs` (the first one only after that long, so short jobs print nothing), and
 * once at the end if any was printed. `--no-progress` (or `--quiet`) makes none.
 */
export interface TerminalProgressOptions {
  stream: CliStream;
  /** The text after the bar (what is done, rates, ETA). */
  describe: (done: number, total: number) => string;
  plainIntervalMs?: number;
  nowMs?: () => number;
}

export class TerminalProgress {
  private readonly options: TerminalProgressOptions;
  private readonly bar: SingleBar | null;
  private readonly startedMs: number;
  private lastPlainMs = Number.NEGATIVE_INFINITY;
  private plainPrinted = false;
  private started = false;
  private last: { done: number; total: number } | null = null;

  constructor(options: TerminalProgressOptions) {
    this.options = options;
    this.startedMs = (options.nowMs ?? (() => performance.now()))();
    this.bar =
      options.stream.isTTY === true
        ? new SingleBar({
            stream: options.stream as unknown as NodeJS.WritableStream,
            format: '{bar} {text}',
            barsize: 20,
            barCompleteChar: '#',
            barIncompleteChar: '.',
            hideCursor: true,
            clearOnComplete: true,
            fps: 10,
            noTTYOutput: false,
          })
        : null;
  }

  update(done: number, total: number): void {
    this.last = { done, total };
    const text = this.options.describe(done, total);
    if (this.bar) {
      if (!this.started) {
        this.bar.start(Math.max(total, 1), done, { text });
        this.started = true;
      } else {
        this.bar.setTotal(Math.max(total, 1));
        this.bar.update(done, { text });
      }
      return;
    }
    const now = (this.options.nowMs ?? (() => performance.now()))();
    const interval = this.options.plainIntervalMs ?? 5_000;
    if (now - this.startedMs < interval || now - this.lastPlainMs < interval) return;
    this.lastPlainMs = now;
    this.plainPrinted = true;
    this.options.stream.write(`${text}\n`);
  }

  /** The job ended: the bar is erased; a plain log gets its last line, marked done. */
  finish(): void {
    if (this.bar) {
      if (this.started) this.bar.stop();
      this.started = false;
      return;
    }
    if (this.plainPrinted && this.last) this.options.stream.write(`${this.options.describe(this.last.done, this.last.total)} done\n`);
    this.plainPrinted = false;
  }
}
