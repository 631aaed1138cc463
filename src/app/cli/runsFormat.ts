import { isoUtc } from '../../core/time.ts';
import type { RunComparison } from '../runs/compareRuns.ts';
import { metricDefs, runMetrics, type MetricUnit } from '../runs/runMetrics.ts';
import type { RunRecord } from '../runs/runsDb.ts';
import { formatTable } from './output.ts';

/** How `perp-arb runs` shows recorded runs: tables for people, plain objects for --json. */

const isoMinute = (ms: number) => `${isoUtc(ms).slice(0, 16)}Z`;
const shortHash = (hash: string) => hash.replace(/^sha256:/, '').slice(0, 12);

export function formatMetric(unit: MetricUnit, value: number | null): string {
  if (value === null) return '-';
  switch (unit) {
    case 'fraction':
      return `${(value * 100).toFixed(2)}%`;
    case 'ratio':
      return value.toFixed(2);
    case 'usd':
      return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'count':
      return String(Math.round(value));
  }
}

/** A difference with its sign; fractions in percentage points. */
export function formatDifference(unit: MetricUnit, difference: number | null): string {
  if (difference === null) return '-';
  const sign = difference > 0 ? '+' : difference < 0 ? '-' : '';
  const size = Math.abs(difference);
  switch (unit) {
    case 'fraction':
      return `${sign}${(size * 100).toFixed(2)} pp`;
    case 'ratio':
      return `${sign}${size.toFixed(2)}`;
    case 'usd':
      return `${sign}${size.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    case 'count':
      return `${sign}${Math.round(size)}`;
  }
}

export function dataLabel(run: RunRecord): string {
  const range = run.dataFromMs !== null && run.dataToMs !== null ? `${isoMinute(run.dataFromMs)} .. ${isoMinute(run.dataToMs)}` : 'whole store span';
  if (run.dataSource === 'synthetic') return `synthetic seed ${run.seed}, ${range}`;
  return `${run.dataSource ?? '?'} ${range}`;
}

const gitLabel = (run: RunRecord) => (run.git ? `${run.git.commit.slice(0, 10)}${run.git.dirty ? ' (dirty)' : ''}` : 'not a git checkout');

const elapsed = (run: RunRecord) => (run.finishedAtMs === null ? null : run.finishedAtMs - run.startedAtMs);

function took(run: RunRecord): string {
  const ms = elapsed(run);
  if (ms === null) return '-';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** One line on a run that has no result: why. */
export function stateNote(run: RunRecord): string | null {
  switch (run.state) {
    case 'finished':
      return null;
    case 'running':
      return `still running (process ${run.pid} on ${run.host}): no result yet`;
    case 'unfinished':
      return `unfinished: process ${run.pid} on ${run.host} stopped before the end (killed or crashed); no result`;
    case 'failed':
      return `failed: ${run.error ?? 'no reason recorded'}; no result`;
    case 'interrupted':
      return `interrupted${run.error ? ` (${run.error})` : ''}; no result`;
  }
}

export function runsTable(runs: readonly RunRecord[]): string {
  return formatTable(
    ['id', 'kind', 'state', 'started (UTC)', 'took', 'strategy', 'data', 'return', 'Sharpe', 'trades', 'config', 'git'],
    runs.map((run) => {
      const figures = runMetrics(run)?.values ?? null;
      return [
        String(run.id),
        run.kind,
        run.state,
        isoMinute(run.startedAtMs),
        took(run),
        run.strategy ?? '-',
        dataLabel(run),
        figures ? formatMetric('fraction', figures.totalReturn) : '-',
        figures ? formatMetric('ratio', figures.sharpe) : '-',
        figures ? formatMetric('count', figures.trades) : '-',
        shortHash(run.configHash),
        run.git ? `${run.git.commit.slice(0, 7)}${run.git.dirty ? '*' : ''}` : '-',
      ];
    }),
  );
}

/** A run as --json shows it; `full` adds the config, options and summary. */
export function runJson(run: RunRecord, full = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: run.id,
    kind: run.kind,
    state: run.state,
    status: run.status,
    startedAt: isoUtc(run.startedAtMs),
    startedAtMs: run.startedAtMs,
    finishedAt: run.finishedAtMs === null ? null : isoUtc(run.finishedAtMs),
    finishedAtMs: run.finishedAtMs,
    elapsedMs: elapsed(run),
    pid: run.pid,
    host: run.host,
    configSource: run.configSource,
    configHash: run.configHash,
    strategy: run.strategy,
    data: {
      source: run.dataSource,
      from: run.dataFromMs === null ? null : isoUtc(run.dataFromMs),
      to: run.dataToMs === null ? null : isoUtc(run.dataToMs),
      fromMs: run.dataFromMs,
      toMs: run.dataToMs,
      seed: run.seed,
      store: run.store,
    },
    git: run.git,
    outDir: run.outDir,
    report: run.report,
    error: run.error,
    note: stateNote(run),
    metrics: runMetrics(run),
  };
  if (full) Object.assign(out, { cwd: run.cwd, options: run.options, config: run.config, summary: run.summary });
  return out;
}

export function runLines(run: RunRecord): string[] {
  const lines = [
    `run            #${run.id} ${run.kind}, ${run.state}`,
    `started        ${isoUtc(run.startedAtMs)} by process ${run.pid} on ${run.host}`,
    `finished       ${run.finishedAtMs === null ? '-' : `${isoUtc(run.finishedAtMs)} (took ${took(run)})`}`,
    `config         ${run.configSource ?? '-'} (${run.configHash})`,
    `strategy       ${run.strategy ?? '-'}`,
    `data           ${dataLabel(run)}${run.store ? ` from ${run.store}` : ''}`,
    `git            ${gitLabel(run)}`,
  ];
  if (run.outDir) lines.push(`out dir        ${run.outDir}`);
  if (run.report) lines.push(`report         ${run.report}`);
  const note = stateNote(run);
  if (note) lines.push(`result         ${note}`);
  const figures = runMetrics(run);
  if (figures) {
    lines.push(`figures of     ${figures.basis}`);
    const defs = metricDefs([figures]);
    const width = Math.max(...defs.map((d) => d.label.length));
    for (const d of defs) lines.push(`  ${d.label.padEnd(width)}  ${formatMetric(d.unit, figures.values[d.key] ?? null)}`);
  }
  return lines;
}

const showValue = (v: unknown) => (v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));

export function comparisonText(c: RunComparison): string[] {
  const ids = c.runs.map((r) => `#${r.id}`);
  const diffs = ids.slice(1).map((id) => `${id} vs ${ids[0]}`);
  const header = ['', ...ids, ...diffs];
  const info = (label: string, cells: string[]) => [label, ...cells, ...diffs.map(() => '')];
  const rows: string[][] = [
    info('kind', c.runs.map((r) => r.kind)),
    info('state', c.runs.map((r) => r.state)),
    info('figures of', c.figures.map((f, k) => f?.basis ?? `none (${c.runs[k].state})`)),
    info('strategy', c.runs.map((r) => r.strategy ?? '-')),
    info('data', c.runs.map(dataLabel)),
    info('config', c.runs.map((r) => shortHash(r.configHash))),
    info('git', c.runs.map((r) => (r.git ? `${r.git.commit.slice(0, 7)}${r.git.dirty ? '*' : ''}` : '-'))),
    ...c.metrics.map((m) => [m.label, ...m.values.map((v) => formatMetric(m.unit, v)), ...m.differences.slice(1).map((d) => formatDifference(m.unit, d))]),
  ];
  const lines = [formatTable(header, rows)];
  for (const run of c.runs) {
    const note = stateNote(run);
    if (note) lines.push(`#${run.id}: ${note}`);
  }
  lines.push('');
  if (c.configDifferences.length === 0) lines.push('config differences: none (the same config)');
  else {
    lines.push('config differences:');
    lines.push(formatTable(['path', ...ids], c.configDifferences.map((d) => [d.path, ...d.values.map(showValue)])));
  }
  return lines;
}

export function comparisonJson(c: RunComparison): Record<string, unknown> {
  return {
    runs: c.runs.map((r) => runJson(r)),
    metrics: c.metrics.map((m) => ({ key: m.key, label: m.label, unit: m.unit, values: m.values, differences: m.differences })),
    configDifferences: c.configDifferences.map((d) => ({ path: d.path, values: d.values.map((v) => (v === undefined ? null : v)) })),
  };
}
