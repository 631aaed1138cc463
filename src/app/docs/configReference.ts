import { configFields, type ConfigField } from '../../domain/config/walk.ts';
import { rangeInterval } from '../../domain/config/range.ts';
import { SWEEP_LIMITS, WORKER_RANGE } from '../../domain/config/ranges.ts';
import { CONFIG_SCHEMAS } from './configSchemas.ts';

/**
 * docs/config-reference.md, generated from the schemas themselves (test/docs/configReference.test.ts
 * fails when the file is stale; UPDATE_DOCS=1 rewrites it).
 */

const BRANCH = /\.?<([a-z]+)=([^>]+)>/g;

/** 'strategy.<type=ouBasis>.params.feeRate' -> ['strategy.params.feeRate', 'type ouBasis']. */
function splitBranches(path: string): [string, string] {
  const when: string[] = [];
  const plain = path.replace(BRANCH, (_m, key: string, value: string) => {
    when.push(`${key} ${value}`);
    return '';
  });
  return [plain, when.join(', ')];
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
function shownDefault(f: ConfigField): string {
  if (f.defaultValue !== undefined) return `\`${JSON.stringify(f.defaultValue)}\``;
  if (f.path.endsWith('*')) return ''; // a record's value or a list's element
  return f.optional ? 'optional' : 'required';
}

function row(f: ConfigField): string | null {
  const [path, when] = splitBranches(f.path);
  if (f.kind === 'number' && f.range) {
    const allowed = `${f.range.integer ? 'integer ' : ''}${rangeInterval(f.range)}${f.nullable ? ' or null' : ''}`;
    return `| \`${path}\` | ${when} | ${cell(allowed)} | ${cell(shownDefault(f))} | ${cell(f.range.why)} |`;
  }
  if (f.kind === 'list') return `| \`${path}\` | ${when} | ${f.minLength ?? 0} to ${f.maxLength ?? 'any number of'} items | ${cell(shownDefault(f))} | |`;
  return null;
}

export function renderConfigReference(): string {
  const out = [
    '# Config reference',
    '',
    'Generated from the schemas (`src/app/docs/configReference.ts`; `UPDATE_DOCS=1 npx vitest run test/docs/configReference.test.ts` rewrites it).',
    'Every number of every config has a range, checked before any work starts; a value outside it, an unknown key',
    '(at any depth, including `data.options` and sweep grid paths) or a bad record key (asset codes, venue ids, symbols)',
    'is a usage error (exit 2) whose one line names the path and the range, e.g.',
    '`sweep.json: base.data.days: must be a number in [0.000694444, 3650] days (got 1e9)` or',
    '`sweep.json: grid["data.days"][1] = 1000000000: data.days: must be ...`.',
    'Paths are dotted with list indexes as numbers, as in sweep grid paths; `*` is any element or key. The',
    'ranges and their reasons live in `src/domain/config/ranges.ts`.',
  ];
  for (const entry of CONFIG_SCHEMAS) {
    out.push('', `## ${entry.title}`, '', `Read by ${entry.readBy}; schema in \`${entry.source}\`.`, '', '| field | when | allowed | default | why |', '| --- | --- | --- | --- | --- |');
    for (const f of configFields(entry.schema)) {
      const line = row(f);
      if (line) out.push(line);
    }
  }
  out.push(
    '',
    '## Sweep limits',
    '',
    'Checked before any backtest runs: values, paths and combinations when the sweep file is read (`src/engine/sweep/sweepConfig.ts`), folds and simulated days once the grid is expanded (`src/engine/sweep/sweepLimits.ts`):',
    '',
    '| limit | value | why |',
    '| --- | --- | --- |',
    `| values per grid path | ${SWEEP_LIMITS.valuesPerPath} | a finer grid than this over one parameter is a typo or a job for several sweeps |`,
    `| grid paths | ${SWEEP_LIMITS.paths} | twenty parameters of two values each are already a million combinations |`,
    `| combinations (product of the values per path) | ${SWEEP_LIMITS.combinations} | each combination is at least one backtest |`,
    `| walk-forward folds | ${SWEEP_LIMITS.folds} | daily folds over 13 years |`,
    `| simulated days, all backtests together | ${SWEEP_LIMITS.simulatedDays.toLocaleString('en-US')} | about 500 simulated days per second per core (a 10-year synthetic backtest takes 7 s): 30 to 60 minutes of one core |`,
    `| \`--workers\` | ${rangeInterval(WORKER_RANGE)} | ${WORKER_RANGE.why} |`,
    '',
    'Simulated days: without walk-forward, each combination over its span (synthetic: `data.days`; store:',
    '`data.from` to `data.to`, else where the instruments have bars); with it, every combination on every',
    'training window and over the out-of-sample span plus its warm-up, and each fold\'s test window plus its warm-up.',
    '',
  );
  return out.join('\n');
}
