import { ConfigError } from '../../core/errors.ts';
import { INHERITED_KEYS } from '../../domain/config/keys.ts';
import { SWEEP_LIMITS } from '../../domain/config/ranges.ts';
import { parseBacktestConfig, type BacktestConfig } from '../backtestConfig.ts';

/** One point of the grid: its values by path, the backtest config as JSON (sent to workers) and parsed. */
export interface Combo {
  /** Position in grid order (0-based; the first grid key varies slowest). */
  index: number;
  params: Record<string, unknown>;
  raw: Record<string, unknown>;
  config: BacktestConfig;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Sets `path` (dotted; a number segment indexes an existing array element) in `target`, in place.
 * Missing objects along the way are created (the backtest schema then rejects keys it does not know);
 * an array index past the end, or a path through a number or string, is an error naming the path.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  if (segments.some((s) => s === '')) throw new Error(`grid path "${path}": empty segment`);
  let node: unknown = target;
  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k];
    const last = k === segments.length - 1;
    const at = segments.slice(0, k).join('.') || '(the config)';
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(segment)) throw new Error(`grid path "${path}": ${at} is a list, so "${segment}" must be an index`);
      const index = Number(segment);
      if (index >= node.length) throw new Error(`grid path "${path}": ${at} has ${node.length} element(s), no index ${index}`);
      if (last) node[index] = value;
      else node = node[index];
    } else if (isRecord(node)) {
      // Writing through an inherited name ('__proto__.x') would change every object of the process.
      if (INHERITED_KEYS.has(segment)) throw new Error(`grid path "${path}": "${segment}" is not a config key`);
      if (last) node[segment] = value;
      else {
        if (!Object.hasOwn(node, segment)) node[segment] = {};
        node = node[segment];
      }
    } else {
      throw new Error(`grid path "${path}": ${at} is ${JSON.stringify(node)}, not an object or list`);
    }
  }
}

function applied(base: Record<string, unknown>, entries: [string, unknown][]): Record<string, unknown> {
  const raw = structuredClone(base);
  for (const [path, value] of entries) setPath(raw, path, value);
  return raw;
}

const show = (v: unknown) => JSON.stringify(v);

/** Where a grid value sits in the sweep file: grid["venues.0.halfSpreadBps"][1]. */
export const gridValuePath = (path: string, index: number) => `grid[${JSON.stringify(path)}][${index}]`;

/** The problems of a config that failed validation (one line each), or the message of another error. */
const problemsOf = (error: unknown): readonly string[] => (error instanceof ConfigError ? error.problems : [(error as Error).message]);

/**
 * Every combination of the grid's values applied to the base config, each validated with the
 * backtest schema before anything runs. A bad path or value is reported with the grid path and
 * value that cause it (or, when only a combination fails, with all of its values).
 */
export function expandGrid(base: Record<string, unknown>, grid: readonly [string, readonly unknown[]][], where: string): Combo[] {
  for (const [path, values] of grid) {
    const seen = new Set<string>();
    values.forEach((value, k) => {
      const key = show(value);
      if (seen.has(key)) throw new ConfigError(where, [`${gridValuePath(path, k)}: grid "${path}" lists ${key} twice`]);
      seen.add(key);
    });
  }
  const combos: Combo[] = [];
  const total = grid.reduce((n, [, values]) => n * values.length, 1);
  if (total > SWEEP_LIMITS.combinations) throw new ConfigError(where, [`grid: ${total} combinations; at most ${SWEEP_LIMITS.combinations}`]);
  for (let index = 0; index < total; index++) {
    // Mixed radix, last path fastest: index = ((i0 * n1 + i1) * n2 + i2) ...
    const entries: [string, unknown][] = [];
    const positions: number[] = [];
    let rest = index;
    for (let k = grid.length - 1; k >= 0; k--) {
      const [path, values] = grid[k];
      entries.unshift([path, values[rest % values.length]]);
      positions.unshift(rest % values.length);
      rest = Math.floor(rest / values.length);
    }
    let raw: Record<string, unknown>;
    try {
      raw = applied(base, entries);
    } catch (error) {
      throw new ConfigError(where, [(error as Error).message]);
    }
    let config: BacktestConfig;
    try {
      config = parseBacktestConfig(raw, 'backtest config');
    } catch (error) {
      // Name the single path and value that break the base, if one does.
      entries.forEach(([path, value], k) => {
        try {
          parseBacktestConfig(applied(base, [[path, value]]), 'backtest config');
        } catch (single) {
          throw new ConfigError(where, problemsOf(single).map((p) => `${gridValuePath(path, positions[k])} = ${show(value)}: ${p}`));
        }
      });
      const combination = entries.map(([p, v]) => `${p}=${show(v)}`).join(', ');
      throw new ConfigError(where, problemsOf(error).map((p) => `grid combination ${index} (${combination}): ${p}`));
    }
    combos.push({ index, params: Object.fromEntries(entries), raw, config });
  }
  return combos;
}
