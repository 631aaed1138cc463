import { join } from 'node:path';
import { writeFileAtomic } from '../../data/store/atomicWrite.ts';
import type { Engine } from '../../engine/engine.ts';
import type { EngineEvent } from '../../engine/events.ts';
import type { EventStream } from '../../engine/eventStream.ts';
import { DashboardModel } from './dashboardModel.ts';
import { startDashboardServer, type DashboardServer } from './server.ts';
import { SNAPSHOT_FILE } from './storedDashboard.ts';
import { createDashboardToken } from './token.ts';

export interface SessionDashboardOptions {
  stateDir: string;
  source: string;
  host?: string;
  port?: number;
  allowRemote?: boolean;
  /** Where the URL and the token are printed (once). */
  print: (line: string) => void;
  /** How often STATE_DIR/dashboard.json is rewritten, wall ms (default 5000). */
  snapshotEveryMs?: number;
}

export interface SessionDashboard {
  model: DashboardModel;
  server: DashboardServer;
  tokenPath: string;
  /** The observe hook for runPaperSession / runBacktest. */
  observe: (events: EventStream<EngineEvent>, engine: Engine) => void;
  /** The session ended: the page says so and the last snapshot is written. */
  finish(): void;
  close(): Promise<void>;
}

/** The dashboard of a session in this process: model, token (0600 in the state dir), server, snapshots to STATE_DIR/dashboard.json. */
export async function startSessionDashboard(options: SessionDashboardOptions): Promise<SessionDashboard> {
  const model = new DashboardModel({ source: options.source });
  const { token, path: tokenPath } = createDashboardToken(options.stateDir);
  const server = await startDashboardServer({ source: model, token, host: options.host, port: options.port, allowRemote: options.allowRemote });
  options.print(`dashboard      ${server.url}`);
  options.print(`control token  ${token} (shown once; also in ${tokenPath}, mode 0600)`);
  let failed = false;
  // Never thrown into the session: a failed snapshot is reported once and the session goes on.
  const write = () => {
    try {
      writeFileAtomic(join(options.stateDir, SNAPSHOT_FILE), JSON.stringify(model.snapshot()));
    } catch (error) {
      if (!failed) options.print(`dashboard: cannot write ${join(options.stateDir, SNAPSHOT_FILE)}: ${(error as Error).message}`);
      failed = true;
    }
  };
  let written = -1;
  const timer = setInterval(() => {
    if (model.engine === null || written === model.version()) return;
    written = model.version();
    write();
  }, options.snapshotEveryMs ?? 5000);
  timer.unref();
  return {
    model,
    server,
    tokenPath,
    observe: (events, engine) => model.attach(events, engine),
    finish() {
      clearInterval(timer);
      model.markFinished();
      server.push();
      if (model.engine !== null) write();
    },
    async close() {
      clearInterval(timer);
      await server.close();
    },
  };
}
