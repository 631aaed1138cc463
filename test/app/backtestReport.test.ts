import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importIntoStore, runCli } from '../support/cli.ts';
import { PROJECT_ROOT, dataPath } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const CHROMIUM = '/usr/bin/chromium';
const SYNTHETIC_EXAMPLE = join(PROJECT_ROOT, 'examples', 'backtest-carry-synthetic.json');
/** What the page reports about each chart (computed in the browser; the project has no DOM types). */
interface ChartInfo {
  name: string;
  width: number;
  height: number;
  /** Data-mark paths (vega's role-mark groups: lines, areas, symbols) with a non-trivial `d`. */
  marks: number;
  /** Entry/exit symbols drawn. */
  symbols: number;
  /** Length of the longest data-mark `d`: a curve over many points, not an empty frame. */
  longest: number;
}

const CHARTS_IN_PAGE = `Array.from(document.querySelectorAll('figure.chart')).map((figure) => {
  const svg = figure.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
  const marks = svg ? Array.from(svg.querySelectorAll('g.role-mark path')).map((p) => (p.getAttribute('d') || '').trim()).filter((d) => d.length > 10) : [];
  return {
    name: figure.getAttribute('data-chart'),
    width: box.width,
    height: box.height,
    marks: marks.length,
    symbols: svg ? svg.querySelectorAll('g.mark-symbol.role-mark path').length : 0,
    longest: Math.max(0, ...marks.map((d) => d.length)),
  };
})`;

const CHARTS = ['Equity', 'Drawdown', 'Cumulative PnL by source', 'Basis with entries and exits', 'Holding times'];

/** What the page shows of the round trips and the breakdown (computed in the browser). */
const TABLES_IN_PAGE = `({
  trips: Array.from(document.querySelectorAll('#round-trips tbody tr')).map((tr) => tr.getAttribute('data-trip')),
  columns: Array.from(document.querySelectorAll('#round-trips thead th')).map((th) => th.textContent),
  parts: Array.from(document.querySelectorAll('#pnl-breakdown tr[data-part]')).map((tr) => [tr.getAttribute('data-part'), tr.querySelector('td').textContent]),
  notes: Array.from(document.querySelectorAll('#notes li')).map((li) => li.textContent),
  legend: Array.from(document.querySelectorAll('figure[data-chart="Cumulative PnL by source"] text')).map((t) => t.textContent),
})`;

const usd = (x: number) => `${x > 0 ? '+' : ''}${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

describe('backtest HTML report', () => {
  const tempDir = useTempDirs();

  it('perp-arb backtest --report writes one self-contained file, labelled SYNTHETIC, with every chart and the config', async () => {
    const file = join(tempDir(), 'nested', 'report.html');
    const result = await runCli(['backtest', '--config', SYNTHETIC_EXAMPLE, '--report', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`report         ${file}`);
    expect(result.stdout).toMatch(/SYNTHETIC/);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/class="banner" id="synthetic">SYNTHETIC DATA/);
    // Self-contained: no script, stylesheet, image or frame loaded from anywhere.
    // (url(#clip1) is vega's reference to a clip path inside the same SVG.)
    const external = html.match(/<script|<link|<img|<iframe|@import|url\((?!#)|(src|href)=["']?(https?:)?\/\//gi);
    expect(external).toBeNull();
    for (const chart of CHARTS) expect(html).toContain(`data-chart="${chart}"`);
    for (const metric of ['Total return', 'APR', 'Sharpe', 'Max drawdown', 'Funding PnL', 'Fees paid', 'Liquidation fees paid', 'Fees / (price + funding)', 'Trades (round trips)']) expect(html).toContain(`<th>${metric}</th>`);
    // The breakdown, the turnover note and one row per round trip (12 on this example).
    expect(html).toContain('<table class="breakdown" id="pnl-breakdown">');
    expect(html).toMatch(/<tr data-part="feesUsd"><th>fees<\/th><td class="num neg">-1,378\.90<\/td><\/tr>/);
    expect(html).toMatch(/<tr data-part="total"><th>equity change \(the sum, exact\)<\/th><td class="num neg">-597\.67<\/td><\/tr>/);
    expect(html).toMatch(/<li>Fees of 1,378\.90 USD over 12 round trips/);
    expect(html.match(/<tr data-trip="carry-\d+">/g)).toHaveLength(12);
    expect(html).toContain('<td title="funding APR 33.62% (0.0307% per 8h) vs cost 3.65% + margin 0.00%">threshold</td>');
    expect(html).toContain('&quot;fundingCarry&quot;');
  }, 90_000);

  it('a run with liquidations shows them as such: exit liquidation in the table, liquidation fees in the breakdown and the PnL chart', async () => {
    const dir = tempDir();
    const config = JSON.parse(readFileSync(SYNTHETIC_EXAMPLE, 'utf8'));
    config.venues[0] = { ...config.venues[0], leverage: 10, marginMode: 'isolated' };
    const configFile = join(dir, 'carry-10x.json');
    writeFileSync(configFile, JSON.stringify(config));
    const file = join(dir, 'report.html');
    const result = await runCli(['backtest', '--config', configFile, '--report', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.liquidations).toBe(2);
    const html = readFileSync(file, 'utf8');
    expect(html.match(/<td title="">liquidation<\/td><\/tr>/g)).toHaveLength(2);
    expect(html).toContain(`<tr data-part="liquidationFeesUsd"><th>liquidation fees</th><td class="num neg">${usd(summary.pnlBreakdown.liquidationFeesUsd)}</td></tr>`);
    expect(summary.pnlBreakdown.liquidationFeesUsd.toFixed(2)).toBe('-437.50');
    expect(html).toMatch(/<text[^>]*>liquidation fees<\/text>/); // the PnL chart's legend has the part
    expect(html).toContain('<li>2 liquidations closed a leg at the venue: 437.50 USD of liquidation fees');
  }, 90_000);

  it('--json keeps stdout to the summary and --no-report writes nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'r.html');
    const withJson = await runCli(['backtest', '--config', SYNTHETIC_EXAMPLE, '--json', '--report', file]);
    expect(withJson.code).toBe(0);
    expect(JSON.parse(withJson.stdout)).toHaveProperty('totalReturn');
    expect(withJson.stderr).toContain(`report: ${file}`);
    const none = await runCli(['backtest', '--config', SYNTHETIC_EXAMPLE, '--json', '--no-report']);
    expect(none.code).toBe(0);
    expect(none.stderr).not.toContain('report:');
  }, 90_000);

  it('perp-arb start (npm start) backtests carry and OU on the SYNTHETIC market when the store has no Binance BTC data', async () => {
    const dir = tempDir();
    const result = await runCli(['start', '--store', join(dir, 'empty-store'), '--report-dir', join(dir, 'reports'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { data: string; runs: { strategy: string; summary: { trades: number }; report: string }[] };
    expect(out.data).toBe('synthetic');
    expect(out.runs.map((r) => r.strategy)).toEqual(['fundingCarry', 'ouBasis']);
    for (const run of out.runs) {
      expect(run.summary.trades, run.strategy).toBeGreaterThan(0);
      expect(run.report.startsWith(join(dir, 'reports'))).toBe(true);
      expect(readFileSync(run.report, 'utf8')).toContain('SYNTHETIC DATA');
    }
    const text = await runCli(['start', '--store', join(dir, 'empty-store'), '--report-dir', join(dir, 'reports')]);
    expect(text.stdout).toMatch(/^data +SYNTHETIC/);
    expect(text.stdout.match(/^report +\S+\.html$/gm)).toHaveLength(2);
  }, 90_000);

  const binanceDirs = ['binance_spot_1m__Filimonov-Eremeyka_freqtrade', 'binance_usdm_perp_1m__TheSnowGuru_Market-Swarm-Agents'];
  it.skipIf(!binanceDirs.every((d) => existsSync(dataPath(d))))('perp-arb start uses the real Binance BTC pair when the store has it (over the span both legs cover)', async () => {
    const dir = tempDir();
    const store = join(dir, 'store');
    await importIntoStore(store, binanceDirs.map((d) => dataPath(d)), ['--venue', 'binance']);
    const result = await runCli(['start', '--store', store, '--report-dir', join(dir, 'reports'), '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { data: string; runs: { strategy: string; summary: { startTs: number; trades: number; fundingPnl: number }; report: string }[] };
    expect(out.data).toBe('store');
    expect(out.runs.map((r) => r.strategy)).toEqual(['fundingCarry', 'ouBasis']);
    // The perp's bars start 2025-05-25 10:33 (the spot's 2025-05-20): the run starts with the perp.
    expect(out.runs[0].summary.startTs).toBeGreaterThanOrEqual(Date.UTC(2025, 4, 25, 10, 33));
    expect(out.runs[0].summary.trades).toBeGreaterThan(0);
    const html = readFileSync(out.runs[0].report, 'utf8');
    expect(html).not.toContain('SYNTHETIC');
    expect(html).toContain('data-chart="Basis with entries and exits"');
  }, 180_000);

  it.skipIf(!existsSync(CHROMIUM))(`opens in headless Chromium offline with every chart drawn${existsSync(CHROMIUM) ? '' : ` (SKIPPED: ${CHROMIUM} is missing; apt-get install chromium)`}`, async () => {
    const file = join(tempDir(), 'report.html');
    const made = await runCli(['backtest', '--config', SYNTHETIC_EXAMPLE, '--report', file, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const summary = JSON.parse(made.stdout);
    const execution = summary.execution as Record<string, number>;
    const entriesAndExits = (execution.pairOpened ?? 0) + (execution.pairClosed ?? 0);
    expect(entriesAndExits).toBeGreaterThan(0);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const network: string[] = [];
      const errors: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        network.push(url);
        return route.abort();
      });
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('requestfailed', (request) => {
        if (!request.url().startsWith('file://')) network.push(request.url());
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const charts = await page.evaluate<ChartInfo[]>(CHARTS_IN_PAGE);
      expect(charts.map((c) => c.name)).toEqual(CHARTS);
      for (const chart of charts) {
        expect(chart.width, chart.name).toBeGreaterThan(300);
        expect(chart.height, chart.name).toBeGreaterThan(100);
        expect(chart.marks, chart.name).toBeGreaterThan(0);
        // A curve over hundreds of points, not an empty axis frame (the histogram draws bars).
        if (chart.name !== 'Holding times') expect(chart.longest, chart.name).toBeGreaterThan(500);
      }
      // Three cumulative curves: price, funding and fees.
      expect(charts[2].marks).toBe(3);
      // One symbol on the basis per entry and per exit of the run.
      expect(charts[3].symbols).toBe(entriesAndExits);
      // The histogram's bars hold every round trip: at least one bar, at most one per trip.
      expect(charts[4].marks).toBeGreaterThan(0);
      expect(charts[4].marks).toBeLessThanOrEqual(summary.trades);
      const tables = await page.evaluate<{ trips: string[]; columns: string[]; parts: [string, string][]; notes: string[]; legend: string[] }>(TABLES_IN_PAGE);
      expect(tables.trips).toEqual(summary.roundTrips.map((t: { id: string }) => t.id));
      expect(tables.columns).toEqual(['id', 'opened (UTC)', 'closed (UTC)', 'held', 'legs: quantity @ entry → exit', 'net', 'price', 'funding', 'fees', 'borrow', 'liq. fees', 'entry', 'exit']);
      const b = summary.pnlBreakdown;
      expect(tables.parts).toEqual([
        ['priceUsd', usd(b.priceUsd)],
        ['fundingUsd', usd(b.fundingUsd)],
        ['feesUsd', usd(b.feesUsd)],
        ['borrowUsd', usd(b.borrowUsd)],
        ['liquidationFeesUsd', usd(b.liquidationFeesUsd)],
        ['total', usd(summary.endEquityUsd - summary.startEquityUsd)],
      ]);
      expect(tables.notes).toEqual(summary.notes);
      expect(tables.legend).toEqual(expect.arrayContaining(['price', 'funding', 'fees']));
      expect(await page.isVisible('#round-trips')).toBe(true);
      expect(await page.isVisible('#synthetic')).toBe(true);
      expect(await page.textContent('table.metrics')).toContain('Sharpe');
      expect(errors).toEqual([]);
      expect(network).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
