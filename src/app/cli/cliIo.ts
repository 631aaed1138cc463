import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a command writes: process.stdout/stderr in the binary, buffers in tests. */
export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What one CLI run reads and writes instead of the process globals, so it can run in-process. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --debug: errors print their stack. */
  debug: boolean;
  /** The exit code the run ends with (0 unless a command sets one). */
  exitCode: number;
}

const storage = new AsyncLocalStorage<CliIo>();

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), debug: false, exitCode: 0 });

/** The io of the CLI run this code is part of; the process globals outside any run. */
export function cliIo(): CliIo {
  return storage.getStore() ?? processIo();
}

export function withCliIo<T>(io: CliIo, run: () => Promise<T>): Promise<T> {
  return storage.run(io, run);
}

/** Ends the current run with this code (the highest code set wins: a failure is never masked by a later success). */
export function setExitCode(code: number): void {
  const io = storage.getStore();
  if (io) io.exitCode = Math.max(io.exitCode, code);
  else process.exitCode = code;
}

/**
 * Calls `handler` once, on the first of `signals`, inside this run's io context (a signal listener
 * would otherwise run outside it). Returns the function that removes the listeners.
 */
export function onFirstSignal(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void {
  const inRun = AsyncLocalStorage.bind(handler);
  const listeners = signals.map((signal) => [signal, () => (remove(), inRun(signal))] as const);
  const remove = () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
  for (const [signal, listener] of listeners) process.once(signal, listener);
  return remove;
}
