import { metricDefs, runMetrics, type MetricUnit, type RunMetrics } from './runMetrics.ts';
import type { RunRecord } from './runsDb.ts';

/**
 * Runs side by side: each metric's value per run and its difference from the first run (null where
 * either has no value: an unfinished, failed or interrupted run has none), and every config path
 * whose value differs between the runs.
 */

export interface MetricComparison {
  key: string;
  label: string;
  unit: MetricUnit;
  values: (number | null)[];
  /** values[k] - values[0]; null for k = 0 and where a value is missing. */
  differences: (number | null)[];
}

export interface ConfigDifference {
  /** Dotted path into the config (a number segment indexes a list). */
  path: string;
  /** The value in each run's config (undefined: absent there). */
  values: unknown[];
}

export interface RunComparison {
  runs: RunRecord[];
  figures: (RunMetrics | null)[];
  metrics: MetricComparison[];
  configDifferences: ConfigDifference[];
}

function leaves(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, []);
    value.forEach((item, k) => leaves(item, prefix === '' ? String(k) : `${prefix}.${k}`, out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, {});
    for (const [key, item] of entries) leaves(item, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    out.set(prefix, value);
  }
}

export function configDifferences(configs: readonly unknown[]): ConfigDifference[] {
  const flat = configs.map((c) => {
    const out = new Map<string, unknown>();
    leaves(c, '', out);
    return out;
  });
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) {
    for (const p of f.keys()) {
      if (seen.has(p)) continue;
      seen.add(p);
      paths.push(p);
    }
  }
  // A value that is null (or a scalar) in one config and an object in another shows as the object's leaves.
  const parents = new Set(paths.flatMap((p) => p.split('.').slice(0, -1).map((_, k, parts) => parts.slice(0, k + 1).join('.'))));
  return paths
    .filter((path) => !parents.has(path))
    .map((path) => ({ path, values: flat.map((f) => f.get(path)) }))
    .filter((d) => d.values.some((v) => JSON.stringify(v) !== JSON.stringify(d.values[0])));
}

export function compareRuns(runs: readonly RunRecord[]): RunComparison {
  const figures = runs.map(runMetrics);
  const metrics = metricDefs(figures).map((m) => {
    const values = figures.map((f) => f?.values[m.key] ?? null);
    const first = values[0];
    return { key: m.key, label: m.label, unit: m.unit, values, differences: values.map((v, k) => (k === 0 || v === null || first === null ? null : v - first)) };
  });
  return { runs: [...runs], figures, metrics, configDifferences: configDifferences(runs.map((r) => r.config)) };
}
