import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { gridView, type GridScore } from '../../src/app/report/gridView.ts';
import { duckConnection, sqlString } from '../../src/data/store/duck.ts';
import { runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const tempDir = useTempDirs();
const CHROMIUM = '/usr/bin/chromium';

function ouBase(days: number) {
  const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'examples', 'backtest-ou-synthetic.json'), 'utf8'));
  base.data = { source: 'synthetic', seed: 11, days };
  Object.assign(base.strategy.params, { fitWindowPoints: 240, refitEveryPoints: 30 });
  return base;
}

function writeSweep(sweep: unknown): string {
  const file = join(tempDir(), 'sweep.json');
  writeFileSync(file, JSON.stringify(sweep));
  return file;
}

const readCsv = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
const label = (x: number) => String(Number(x.toPrecision(3)));

describe('the grid view of a sweep', () => {
  const grid = { a: [1, 2, 3], b: ['x', 'y'], c: [true, false], fixed: [5] };
  const rows: GridScore[] = [];
  let combo = 0;
  for (const a of grid.a) for (const b of grid.b) for (const c of grid.c) rows.push({ combo: combo++, params: { a, b, c, fixed: 5 }, score: 10 * a + (b === 'y' ? 2 : 0) + (c ? 0.5 : 0), eligible: a !== 1 });

  it('more than two varied paths: the two that move the metric most, each cell the best over the rest', () => {
    const view = gridView(grid, rows, 'sharpe');
    expect(view.importance.map((p) => [p.path, p.range])).toEqual([
      ['a', 20],
      ['b', 2],
      ['c', 0.5],
    ]);
    expect(view.shown).toEqual(['a', 'b']);
    expect(view.cells).toHaveLength(6);
    expect(view.cells.map((c) => [c.x, c.y, c.score, c.combos])).toEqual([
      ['1', 'x', 10.5, 2],
      ['2', 'x', 20.5, 2],
      ['3', 'x', 30.5, 2],
      ['1', 'y', 12.5, 2],
      ['2', 'y', 22.5, 2],
      ['3', 'y', 32.5, 2],
    ]);
    expect(view.cells[0]).toMatchObject({ eligible: false, combo: 0 });
    expect(view.note).toBe('3 paths vary; shown are the two that move sharpe most (range of the mean sharpe across a path\'s values: a 20, b 2, c 0.5). Each cell shows the best sharpe over the values of c.');
  });

  it('lower is better for maxDrawdown; one path gives bars; no varied path one bar; missing scores stay missing', () => {
    const dd = gridView(grid, rows, 'maxDrawdown');
    expect(dd.cells[0]).toMatchObject({ x: '1', y: 'x', score: 10 });
    const one = gridView({ a: [1, 2, 3] }, rows.filter((r) => r.params.b === 'x' && r.params.c === true), 'sharpe');
    expect(one.shown).toEqual(['a']);
    expect(one.cells.map((c) => [c.x, c.y, c.score])).toEqual([
      ['1', null, 10.5],
      ['2', null, 20.5],
      ['3', null, 30.5],
    ]);
    expect(one.note).toBe('Every combination is one bar.');
    const single = gridView({ fixed: [5] }, [{ combo: 0, params: { fixed: 5 }, score: null, eligible: false }], 'sharpe');
    expect(single).toMatchObject({ shown: [], cells: [{ x: 'all', y: null, score: null, combos: 1 }], note: 'No grid path varies: one combination.' });
  });
});

describe('perp-arb sweep: report and --out-dir', () => {
  it.skipIf(!existsSync(CHROMIUM))(
    `walk-forward: the tables, summary.json and a report whose heatmaps, fold chart and out-of-sample curve render in headless Chromium${existsSync(CHROMIUM) ? '' : ` (SKIPPED: ${CHROMIUM} is missing)`}`,
    async () => {
      const grid = { 'strategy.params.minExpectedProfitFraction': [0, 0.0002], 'venues.0.halfSpreadBps': [0.5, 1] };
      const file = writeSweep({ base: ouBase(3), grid, walkForward: { trainDays: 1, testDays: 0.5 }, rankBy: 'sharpe' });
      const dir = join(tempDir(), 'sweep-out');
      const result = await runCli(['sweep', '--config', file, '--workers', '1', '--json', '--out-dir', dir]);
      expect(result.code, result.stderr).toBe(0);
      const r = JSON.parse(result.stdout);
      expect(readdirSync(dir).sort()).toEqual(['folds.csv', 'outOfSample.csv', 'ranking.csv', 'report.html', 'summary.json']);
      expect(result.stderr).toContain(`report: ${join(dir, 'report.html')}`);

      const ranking = readCsv(join(dir, 'ranking.csv'));
      expect(ranking).toHaveLength(4);
      expect(ranking.map((row) => [Number(row.rank), Number(row.combo), Number(row['venues.0.halfSpreadBps']), Number(row.score), Number(row.trades)])).toEqual(
        r.ranking.rows.map((row: { rank: number; combo: number; params: Record<string, number>; score: number; summary: { trades: number } }) => [row.rank, row.combo, row.params['venues.0.halfSpreadBps'], row.score, row.summary.trades]),
      );
      const folds = readCsv(join(dir, 'folds.csv'));
      expect(folds.map((f) => [f.testFrom, Number(f.testFromMs), f.chosenCombo === '' ? null : Number(f.chosenCombo)])).toEqual(
        r.walkForward.folds.map((f: { test: { from: string; fromMs: number }; chosen: { combo: number } | null }) => [f.test.from, f.test.fromMs, f.chosen?.combo ?? null]),
      );
      const oos = readCsv(join(dir, 'outOfSample.csv'));
      const curve = r.walkForward.outOfSample.equity as { ts: number; equityUsd: number }[];
      expect(oos).toHaveLength(curve.length);
      expect(oos.map((p) => [Number(p.tsMs), Number(p.equityUsd)])).toEqual(curve.map((p) => [p.ts, p.equityUsd]));
      expect(new Set(oos.map((p) => p.fold))).toEqual(new Set(['0', '1', '2', '3']));
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({ kind: 'sweep', configHash: r.run.configHash, best: { combo: r.ranking.rows[0].combo }, jobs: r.jobs, report: 'report.html' });
      expect(summary.walkForward.outOfSample.totalReturn).toBe(r.walkForward.outOfSample.totalReturn);
      expect(summary.files.map((f: { file: string; rows: number }) => [f.file, f.rows])).toEqual([
        ['ranking.csv', 4],
        ['folds.csv', 4],
        ['outOfSample.csv', curve.length],
      ]);

      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html.match(/<script|<link|<img|<iframe|@import|url\((?!#)|(src|href)=["']?(https?:)?\/\//gi)).toBeNull();
      expect(html).toContain('id="synthetic"');
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        const network: string[] = [];
        const errors: string[] = [];
        await page.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : (network.push(route.request().url()), route.abort())));
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
        const charts = await page.evaluate<{ name: string; kind: string; cells: number; bars: number; texts: string[]; longest: number; left: number; top: number; width: number; height: number }[]>(`
          Array.from(document.querySelectorAll('figure.chart')).map((figure) => {
            const svg = figure.querySelector('svg');
            const box = svg.getBoundingClientRect();
            const paths = Array.from(svg.querySelectorAll('g.role-mark path')).map((p) => (p.getAttribute('d') || '').trim());
            return {
              name: figure.getAttribute('data-chart'),
              kind: figure.getAttribute('data-kind'),
              cells: svg.querySelectorAll('g.cells_marks path').length,
              bars: svg.querySelectorAll('g.mark-rect.role-mark path').length,
              texts: Array.from(svg.querySelectorAll('g.mark-text.role-mark text')).map((t) => t.textContent),
              longest: Math.max(0, ...paths.map((d) => d.length)),
              left: box.left, top: box.top, width: box.width, height: box.height,
            };
          })`);
        expect(charts.map((c) => [c.name, c.kind])).toEqual([
          ['Grid in-sample', 'heatmap'],
          ['Grid out-of-sample span', 'heatmap'],
          ['Folds in-sample vs out-of-sample', 'bars'],
          ['Out-of-sample equity', 'line'],
        ]);
        const [inSample, outSpan, foldChart, equity] = charts;
        // One cell per combination, each labelled with its score.
        expect(inSample.cells).toBe(4);
        expect(outSpan.cells).toBe(4);
        const scoreLabels = r.ranking.rows.map((row: { score: number | null; eligible: boolean }) => (row.score === null ? 'n/a' : `${label(row.score)}${row.eligible ? '' : '*'}`));
        expect([...outSpan.texts].sort()).toEqual([...scoreLabels].sort());
        const meanTrain = (combo: number) => {
          const scores = r.walkForward.folds.map((f: { trainRanking: { combo: number; score: number }[] }) => f.trainRanking.find((t) => t.combo === combo)!.score);
          return label(scores.reduce((a: number, b: number) => a + b, 0) / scores.length);
        };
        expect([...inSample.texts].sort()).toEqual([0, 1, 2, 3].map(meanTrain).sort());
        // In-sample beside out-of-sample: side by side on one row.
        expect(outSpan.top).toBeCloseTo(inSample.top, 0);
        expect(outSpan.left).toBeGreaterThan(inSample.left + inSample.width - 1);
        for (const c of charts) expect(c.width, c.name).toBeGreaterThan(200);
        // A bar for each fold's training and test score (a score that is undefined, e.g. Sharpe without a trade, has none).
        const scores = r.walkForward.folds.flatMap((f: { chosen: { trainScore: number } | null; testScore: number | null }) => [f.chosen?.trainScore ?? null, f.testScore]);
        expect(scores.filter((x: number | null) => x !== null).length).toBeGreaterThanOrEqual(4);
        expect(foldChart.bars).toBe(scores.filter((x: number | null) => x !== null).length);
        expect(equity.longest).toBeGreaterThan(500);
        expect(await page.textContent('#in-vs-out')).toContain('walk-forward out-of-sample');
        expect(await page.textContent('#grid-note')).toContain('Every combination is one cell.');
        expect(network).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );

  it('one varied path: a bar chart; --report FILE, the default ./reports/sweep-*.html, --no-report; --format parquet', async () => {
    const file = writeSweep({ base: ouBase(1), grid: { 'venues.0.halfSpreadBps': [0.5, 1, 2] }, rankBy: 'totalReturn' });
    const reportFile = join(tempDir(), 'nested', 'sweep.html');
    const withFile = await runCli(['sweep', '--config', file, '--workers', '1', '--report', reportFile]);
    expect(withFile.code, withFile.stderr).toBe(0);
    expect(withFile.stdout).toContain(`report         ${reportFile}`);
    const html = readFileSync(reportFile, 'utf8');
    expect(html).toContain('data-chart="Grid" data-kind="bars"');
    expect(html.match(/<g class="mark-rect role-mark cells_marks"[^>]*>(.*?)<\/g>/s)?.[1].match(/<path/g)).toHaveLength(3);
    expect(html).toContain('Every combination is one bar.');

    const cwd = tempDir();
    const byDefault = await runCli(['sweep', '--config', file, '--workers', '1', '--json'], { cwd });
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const reports = readdirSync(join(cwd, 'reports'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^sweep-\d{4}-\d\d-\d\dT\d{6}Z\.html$/);
    expect(byDefault.stderr).toContain(`report: ${join(cwd, 'reports', reports[0])}`);

    const dir = join(tempDir(), 'parquet');
    const none = await runCli(['sweep', '--config', file, '--workers', '1', '--no-report', '--out-dir', dir, '--format', 'parquet']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).not.toMatch(/^report /m);
    expect(readdirSync(dir).sort()).toEqual(['ranking.parquet', 'summary.json']);
    const db = await duckConnection();
    const rows = (await db.runAndReadAll(`SELECT rank, combo, "venues.0.halfSpreadBps" AS spread, trades FROM read_parquet(${sqlString(join(dir, 'ranking.parquet'))}) ORDER BY rank`)).getRowObjectsJson();
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => Number(row.spread)).sort()).toEqual([0.5, 1, 2]);
    const types = (await db.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(join(dir, 'ranking.parquet'))}))`)).getRowObjectsJson();
    const type = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
    expect(type).toMatchObject({ rank: 'BIGINT', combo: 'BIGINT', trades: 'BIGINT', score: 'DOUBLE', startTs: 'TIMESTAMP WITH TIME ZONE', startTsMs: 'BIGINT', eligible: 'BOOLEAN' });
    const refused = await runCli(['sweep', '--config', file, '--workers', '1', '--no-report', '--out-dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: --out-dir \S+: the directory exists and is not empty/);
  }, 120_000);
});
