import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JobOutcome, JobRunner, SweepJob } from './job.ts';

/**
 * A pool of worker threads that run sweep jobs (one backtest each). Workers start on first use and
 * are kept across batches until close(). From the built CLI (dist/, JavaScript) each runs
 * dist/sweepWorker.js. From the TypeScript sources (tests, bench) it runs src/engine/sweep/sweepWorker.ts:
 * on Node 20 a worker does not inherit the parent's tsx loader (nor honour `--import` in execArgv), so
 * each worker starts from a small script that registers tsx's ESM hooks in its own thread first.
 */

type WorkerScript = { url: URL } | { evalSource: string };

function workerScript(): WorkerScript {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./sweepWorker.js', import.meta.url) };
  const require = createRequire(import.meta.url);
  // tsx/esm/api resolves to the CommonJS build under require(); the ESM build sits beside it.
  const api = require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  if (!existsSync(api)) throw new Error(`cannot find tsx's ESM API (${api}); is tsx installed?`);
  const workerUrl = new URL('./sweepWorker.ts', import.meta.url).href;
  return { evalSource: `import(${JSON.stringify(pathToFileURL(api).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl)}); });` };
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: SweepJob | null;
}

interface Batch {
  queue: SweepJob[];
  outcomes: Map<number, JobOutcome>;
  total: number;
  onOutcome: (outcome: JobOutcome) => void;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private batch: Batch | null = null;
  private closed = false;
  private script: WorkerScript | null = null;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`workers must be a whole number >= 1 (got ${size})`);
    this.size = size;
  }

  /** The pool as a JobRunner. */
  readonly runner: JobRunner = (jobs, onOutcome) => this.run(jobs, onOutcome);

  async run(jobs: readonly SweepJob[], onOutcome: (outcome: JobOutcome) => void): Promise<JobOutcome[]> {
    if (this.closed) throw new Error('the worker pool is closed');
    if (this.batch) throw new Error('the worker pool is already running a batch');
    if (jobs.length === 0) return [];
    const outcomes = new Map<number, JobOutcome>();
    const done = new Promise<void>((resolve, reject) => {
      this.batch = { queue: [...jobs], outcomes, total: jobs.length, onOutcome, resolve, reject };
    });
    while (this.slots.length < Math.min(this.size, jobs.length)) this.spawn();
    for (const slot of this.slots) this.dispatch(slot);
    try {
      await done;
    } finally {
      this.batch = null;
    }
    return jobs.map((job) => outcomes.get(job.id)!);
  }

  /** Terminates every worker; a running batch fails with `reason`. */
  async close(reason = 'the worker pool was closed'): Promise<void> {
    this.closed = true;
    const batch = this.batch;
    this.batch = null;
    const workers = this.slots.splice(0).map((s) => s.worker);
    batch?.reject(new Error(reason));
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): void {
    const script = (this.script ??= workerScript());
    const worker = 'url' in script ? new Worker(script.url) : new Worker(script.evalSource, { eval: true });
    const slot: Slot = { worker, ready: false, job: null };
    this.slots.push(slot);
    slot.worker.on('message', (message: JobOutcome | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        this.dispatch(slot);
        return;
      }
      this.finish(slot, message);
    });
    slot.worker.on('error', (error) => this.lost(slot, error.message));
    slot.worker.on('exit', (code) => this.lost(slot, `the worker exited (code ${code})`));
  }

  private dispatch(slot: Slot): void {
    const batch = this.batch;
    if (!batch || !slot.ready || slot.job) return;
    const job = batch.queue.shift();
    if (!job) return;
    slot.job = job;
    slot.worker.postMessage(job);
  }

  private finish(slot: Slot, outcome: JobOutcome): void {
    slot.job = null;
    const batch = this.batch;
    if (!batch) return;
    batch.outcomes.set(outcome.id, outcome);
    batch.onOutcome(outcome);
    if (batch.outcomes.size === batch.total) batch.resolve();
    else this.dispatch(slot);
  }

  /** A worker died: its job fails (the sweep goes on with a fresh worker); one that never started fails the batch. */
  private lost(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    this.slots.splice(index, 1);
    void slot.worker.terminate();
    const batch = this.batch;
    if (!batch) return;
    if (!slot.ready) {
      batch.reject(new Error(`a sweep worker failed to start: ${message}`));
      return;
    }
    const job = slot.job;
    slot.job = null;
    if (job) {
      const outcome: JobOutcome = { id: job.id, ok: false, error: `the worker died: ${message}` };
      batch.outcomes.set(job.id, outcome);
      batch.onOutcome(outcome);
      if (batch.outcomes.size === batch.total) batch.resolve();
    }
    if (batch.queue.length > 0) this.spawn();
  }
}
