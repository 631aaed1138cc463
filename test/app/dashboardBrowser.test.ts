import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { useTempDirs } from '../support/tempDir.ts';

const CHROMIUM = '/usr/bin/chromium';
const EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-paper-synthetic.json');
/** Screenshots for the report (gitignored; docs/dashboard.png is the README's copy). */
const SHOTS = join(PROJECT_ROOT, 'tmp', 'screenshots');
const tempDir = useTempDirs();
const children: ChildProcess[] = [];
/** The little of the page's DOM the test reads. */
interface Element {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
}
interface Page {
  document: { body: Element; querySelector(selector: string): Element };
}
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** `perp-arb run --dashboard` on the synthetic replay, paced; resolves with its URL once it prints it. */
async function startSession(stateDir: string): Promise<{ child: ChildProcess; url: string; stderr: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'run', '--config', EXAMPLE, '--mode', 'paper', '--state', stateDir, '--replay', 'synthetic', '--speed', '1500', '--dashboard', '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !/control token/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /dashboard\s+(http:\/\/\S+)/.exec(err)?.[1];
  if (!url) throw new Error(`no dashboard URL printed: ${err}`);
  return { child, url, stderr: () => err, exit };
}

describe.skipIf(!existsSync(CHROMIUM))(`the dashboard in headless Chromium${existsSync(CHROMIUM) ? '' : ` (SKIPPED: ${CHROMIUM} is missing)`}`, () => {
  it('loads offline with no console error, updates equity and positions during a replay, refuses a control without the token and acts with it', async () => {
    const stateDir = join(tempDir(), 'state');
    const session = await startSession(stateDir);
    const token = readFileSync(join(stateDir, 'dashboard.token'), 'utf8').trim();
    // Printed once, on stderr, and stored 0600.
    expect(session.stderr().split(token).length - 1).toBe(1);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        requests.push(url.href);
        return url.hostname === '127.0.0.1' ? route.continue() : route.abort();
      });
      await page.goto(session.url);
      // Positions appear and the equity moves as the replay runs (pushed over the stream, no reload).
      await page.waitForSelector('#positions .position-row', { timeout: 60_000 });
      // (The project has no DOM types: the page's document through globalThis. Functions, not strings: the page's CSP forbids eval.)
      const firstEquity = await page.getAttribute('body', 'data-equity');
      await page.waitForFunction((first) => (globalThis as unknown as Page).document.body.dataset.equity !== first, firstEquity, { timeout: 60_000 });
      await page.waitForFunction(() => Number((globalThis as unknown as Page).document.body.dataset.updates) >= 5, undefined, { timeout: 60_000 });
      const equityText = await page.textContent('#equity');
      expect(equityText).toMatch(/^\$\d{2,3},\d{3}\.\d{2}$/);
      const chartCanvases = await page.locator('#equity-chart canvas').count();
      expect(chartCanvases).toBeGreaterThan(0);

      // Loaded and updated with no console error.
      expect(problems).toEqual([]);
      // A control without the token: refused, nothing changes.
      await page.click('#pause');
      await page.waitForSelector('#control-result[data-status]');
      expect(await page.getAttribute('#control-result', 'data-status')).toBe('401');
      const before = (await (await fetch(new URL('/api/risk', session.url))).json()) as { tradingState: { entriesPaused: boolean } };
      expect(before.tradingState.entriesPaused).toBe(false);
      // With the token: done, and the page shows it.
      await page.fill('#token', token);
      await page.click('#pause');
      await page.waitForFunction(() => (globalThis as unknown as Page).document.querySelector('#control-result').dataset.status === '200');
      const after = (await (await fetch(new URL('/api/risk', session.url))).json()) as { tradingState: { entriesPaused: boolean } };
      expect(after.tradingState.entriesPaused).toBe(true);
      await page.waitForFunction(() => (globalThis as unknown as Page).document.querySelector('#trading-state').textContent!.includes('(paused)'), undefined, { timeout: 10_000 });

      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'dashboard-1400.png'), fullPage: true });
      await page.setViewportSize({ width: 420, height: 900 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, 'dashboard-420.png'), fullPage: true });
      expect(readFileSync(join(SHOTS, 'dashboard-420.png')).length).toBeGreaterThan(10_000);

      // The one refusal above is Chromium's only complaint.
      expect(problems).toEqual(['console: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
      expect(requests.length).toBeGreaterThan(3);
      expect(requests.filter((r) => new URL(r).hostname !== '127.0.0.1')).toEqual([]);
    } finally {
      await browser.close();
    }
    session.child.kill('SIGINT');
    expect(await session.exit).toBe(0);
    // The session wrote its last snapshot for `perp-arb dashboard --state`.
    const stored = JSON.parse(readFileSync(join(stateDir, 'dashboard.json'), 'utf8')) as { finished: boolean; risk: { tradingState: { entriesPaused: boolean } } };
    expect(stored.finished).toBe(true);
    expect(stored.risk.tradingState.entriesPaused).toBe(true);
  });
});
