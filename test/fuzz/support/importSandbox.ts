import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { CallOutcome } from './outcome.ts';
import { PROJECT_ROOT } from '../../support/paths.ts';
import type { WorkerAnswer, WorkerRequest } from './importWorker.ts';

const WORKER = join(PROJECT_ROOT, 'test', 'fuzz', 'support', 'importWorker.ts');
/** Parsing one small fuzzed file takes milliseconds; no answer in this long is a hang. */
export const HANG_TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS) || 10_000;
/** A parser that allocates without bound fails here instead of taking the machine's memory. */
const MEMORY_LIMIT_MB = 1024;

/** A request without its id (distributed over the union, so each op keeps its own fields). */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (outcome: CallOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * One child process (importWorker.ts) that parses and imports fuzzed files for every test file of
 * this vitest worker. A request that gets no answer within HANG_TIMEOUT_MS kills the child and
 * ends as a 'hang' error outcome (the property fails with it); a child that dies (an abort, out of
 * memory) ends its request as a 'crash'. The next request starts a new child.
 */
class ImportSandbox {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderrTail = '';

  async run(request: Request, timeoutMs = HANG_TIMEOUT_MS): Promise<CallOutcome> {
    await this.start();
    const child = this.child!;
    const id = this.nextId++;
    child.channel?.ref();
    return new Promise<CallOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.stop();
        resolve(failure('hang', `no answer within ${timeoutMs} ms to ${request.op} ${request.path} (the child was killed)`));
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
      child.send({ ...request, id } as WorkerRequest);
    });
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(WORKER, [], {
      cwd: PROJECT_ROOT,
      execArgv: ['--import', 'tsx', `--max-old-space-size=${MEMORY_LIMIT_MB}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    this.stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    child.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (answer: WorkerAnswer) => {
        if (answer.id === 0) return resolve();
        const pending = this.pending.get(answer.id);
        if (!pending) return;
        this.pending.delete(answer.id);
        clearTimeout(pending.timer);
        if (this.pending.size === 0) child.channel?.unref();
        const { id: _id, ...outcome } = answer;
        pending.resolve(outcome as CallOutcome);
      });
      child.on('exit', (code, signal) => {
        if (this.child === child) this.forget();
        reject(new Error(`the import worker exited before it was ready (code ${code}, signal ${signal}): ${this.stderrTail}`));
        for (const [id, pending] of this.pending) {
          clearTimeout(pending.timer);
          pending.resolve(failure('crash', `the parsing process died (code ${code}, signal ${signal}): ${this.stderrTail}`));
          this.pending.delete(id);
        }
      });
    });
    return this.ready;
  }

  private forget(): void {
    this.child = null;
    this.ready = null;
  }

  /** Kills the child (a hang); requests still waiting end when its exit is seen. */
  stop(): void {
    const child = this.child;
    this.forget();
    child?.kill('SIGKILL');
  }
}

function failure(errorClass: string, message: string): CallOutcome {
  return { ended: 'error', errorClass, projectError: false, message, stack: '' };
}

let shared: ImportSandbox | null = null;

/** The sandbox of this vitest worker (test files share it: one child start, ~1 s, per worker). */
export function importSandbox(): ImportSandbox {
  shared ??= new ImportSandbox();
  return shared;
}
