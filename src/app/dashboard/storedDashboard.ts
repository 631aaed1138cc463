import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../engine/engine.ts';
import type { DashboardSource } from './dashboardModel.ts';
import type { DashboardSnapshot } from './dashboardTypes.ts';

export const SNAPSHOT_FILE = 'dashboard.json';

/**
 * A session's state directory as the dashboard shows it: STATE_DIR/dashboard.json, written every few
 * seconds by a session run with --dashboard (and at its end), re-read when it changes. Read-only.
 */
export class StoredDashboard implements DashboardSource {
  readonly engine: Engine | null = null;
  private current: DashboardSnapshot;
  private mtimeMs: number;
  private changes = 0;
  private readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, SNAPSHOT_FILE);
    if (!existsSync(this.path)) throw new Error(`${this.path}: no dashboard snapshot (the session in ${stateDir} ran without --dashboard)`);
    this.current = readSnapshot(this.path);
    this.mtimeMs = statSync(this.path).mtimeMs;
  }

  snapshot(): DashboardSnapshot {
    return this.current;
  }

  version(): number {
    return this.changes;
  }

  async refresh(): Promise<void> {
    const mtime = statSync(this.path).mtimeMs;
    if (mtime === this.mtimeMs) return;
    this.current = readSnapshot(this.path);
    this.mtimeMs = mtime;
    this.changes++;
  }

  onDecisionLatency(): void {}
}

function readSnapshot(path: string): DashboardSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format !== 'perp-arb-dashboard') throw new Error(`${path}: not a perp-arb dashboard snapshot (format perp-arb-dashboard)`);
  // Stored: no engine runs here, whatever the writer was.
  return { ...(parsed as DashboardSnapshot), live: false };
}
