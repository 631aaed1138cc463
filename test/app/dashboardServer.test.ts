import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardModel } from '../../src/app/dashboard/dashboardModel.ts';
import type { DashboardSnapshot } from '../../src/app/dashboard/dashboardTypes.ts';
import { startDashboardServer, type DashboardServer } from '../../src/app/dashboard/server.ts';
import { createDashboardToken, tokenMatches } from '../../src/app/dashboard/token.ts';
import { runBacktest } from '../../src/engine/backtest.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { loadRunConfig } from '../../src/engine/runtime/runConfig.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-paper-synthetic.json');

/**
 * One real engine: the example paper config's synthetic replay (3 days, the OU basis strategy). When
 * its first pair opens, the session is set HALTED (as the risk engine would), so that pair is still
 * open at the end and the controls have something to act on.
 */
let engine: Engine;
let model: DashboardModel;
let server: DashboardServer;
let token: string;
let stateDir: string;
let intentsDuringRun = 0;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'perp-arb-dash-'));
  model = new DashboardModel({ source: 'test: synthetic backtest' });
  // As in a session: the server (and its metrics) first, then the run.
  token = createDashboardToken(stateDir).token;
  server = await startDashboardServer({ source: model, token, pushIntervalMs: 50, maxBufferedBytes: 256 * 1024 });
  await runBacktest(loadRunConfig(EXAMPLE), {
    observe: (events, e) => {
      engine = e;
      model.attach(events, e);
      events.subscribe(
        (ev) => {
          if (ev.type === 'intent') intentsDuringRun++;
          if (ev.type === 'execution' && ev.event.type === 'pairOpened' && e.tradingState.view().session === 'ACTIVE') {
            e.tradingState.set('HALTED', { venue: null, reason: 'test: keep the first pair open', source: 'risk', ts: ev.event.ts });
          }
        },
        { name: 'test', types: ['intent', 'execution'] },
      );
    },
  });
  await model.refresh();
});

afterAll(async () => {
  await server?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const get = async (path: string) => (await fetch(new URL(path, server.url))).json();
const post = (path: string, body: unknown, withToken: string | null) =>
  fetch(new URL(path, server.url), { method: 'POST', headers: { 'content-type': 'application/json', ...(withToken === null ? {} : { authorization: `Bearer ${withToken}` }) }, body: JSON.stringify(body) });

describe('the dashboard server on a real engine', () => {
  it('serves the state: the pair kept open, its legs and PnL split, the equity curve and the events', async () => {
    const s = (await get('/api/state')) as DashboardSnapshot;
    expect(s.format).toBe('perp-arb-dashboard');
    expect(s.live).toBe(true);
    expect(s.positions.map((p) => p.id)).toEqual(['ou-1']);
    const pair = s.positions[0];
    expect(pair.legs.map((l) => `${l.side} ${l.instrument}`)).toEqual(['long synthetic:SYN/USDT', 'short synthetic:SYN/USDT:USDT']);
    // The net PnL is the sum of its parts (the round trip's identity), and the equal quantities carry no naked leg.
    expect(pair.netPnlUsd!).toBeCloseTo(pair.pricePnlUsd! + pair.fundingUsd! + pair.feesUsd!, 6);
    expect(pair.naked).toBe(false);
    expect(pair.legs[0].quantity).toBe(pair.legs[1].quantity);
    // Notional = quantity * price per leg.
    for (const leg of pair.legs) expect(leg.notionalUsd!).toBeCloseTo(leg.quantity * leg.price!, 6);
    expect(s.risk.tradingState.session).toBe('HALTED');
    // 3 days at one sample an hour, from the first event: 72 hourly points and the final one.
    expect(s.equity.length).toBeGreaterThanOrEqual(72);
    expect(s.equity.at(-1)!.equityUsd).toBeCloseTo(s.equityUsd!, 2);
    expect(s.events.some((e) => e.kind === 'risk' && e.text.includes('session ACTIVE -> HALTED by risk'))).toBe(true);
    expect(s.basis[0].strategy).toBe('ouBasis');
    expect(s.basis[0].points.some((p) => p.mu !== null && p.upper! > p.mu && p.lower! < p.mu)).toBe(true);
    // The parts served apart are the snapshot's.
    expect(await get('/api/positions')).toEqual(s.positions);
    expect(((await get('/api/risk')) as DashboardSnapshot['risk']).tradingState).toEqual(s.risk.tradingState);
  });

  it('exposes /metrics in the Prometheus text format, with the state figures', async () => {
    const text = await (await fetch(new URL('/metrics', server.url))).text();
    const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    const s = (await get('/api/state')) as DashboardSnapshot;
    const value = (name: string) => Number(families.get(name)!.metrics[0].value);
    expect(value('perp_arb_equity_usd')).toBeCloseTo(s.equityUsd!, 6);
    expect(value('perp_arb_funding_pnl_usd')).toBeCloseTo(s.pnl.fundingUsd, 8);
    expect(value('perp_arb_fees_usd')).toBeCloseTo(-s.pnl.feesUsd, 8);
    expect(value('perp_arb_fees_usd')).toBeGreaterThan(0);
    expect(value('perp_arb_open_pairs')).toBe(1);
    expect(value('perp_arb_naked_legs')).toBe(0);
    expect(value('perp_arb_orders_in_flight')).toBe(s.ordersInFlight.length);
    // The perp leg's distance to its liquidation price (the spot leg has none).
    expect(value('perp_arb_min_liquidation_distance')).toBeCloseTo(s.positions[0].legs[1].liquidationDistance!, 8);
    const states = families.get('perp_arb_trading_state')!.metrics.map((m) => [m.labels!.venue, Number(m.value)]);
    expect(Object.fromEntries(states)).toEqual({ session: 2, synthetic: 2 });
    const latency = families.get('perp_arb_decision_latency_seconds')!;
    expect(latency.type).toBe('HISTOGRAM');
    // One observation per intent the strategy answered a market event with.
    expect(Number(latency.metrics[0].count)).toBe(intentsDuringRun);
    expect(intentsDuringRun).toBeGreaterThan(1);
  });

  it('refuses every control without the token (401, nothing changes) and acts with it', async () => {
    const before = engine.tradingState.view();
    for (const [path, body] of [
      ['/api/control/pause', { paused: true }],
      ['/api/control/state', { state: 'ACTIVE' }],
      ['/api/control/close-pair', { id: 'ou-1' }],
      ['/api/control/flatten', {}],
    ] as const) {
      expect((await post(path, body, null)).status).toBe(401);
      expect((await post(path, body, `${token}x`)).status).toBe(401);
      expect((await post(path, body, token.slice(0, -1))).status).toBe(401);
    }
    expect(engine.tradingState.view()).toEqual(before);
    expect(engine.executor.pair('ou-1')!.status).toBe('open');

    // HALTED: no orders at all, so the close is refused by the trading state.
    const refused = await post('/api/control/close-pair', { id: 'ou-1' }, token);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toContain('HALTED');
    expect((await post('/api/control/state', { state: 'BOGUS' }, token)).status).toBe(400);
    expect((await post('/api/control/state', { state: 'REDUCING', venue: 'nowhere' }, token)).status).toBe(400);

    const paused = await post('/api/control/pause', { paused: true, reason: 'test' }, token);
    expect(paused.status).toBe(200);
    expect(engine.tradingState.view().entriesPaused).toBe(true);
    expect((await post('/api/control/state', { state: 'REDUCING' }, token)).status).toBe(200);
    expect(engine.tradingState.view().session).toBe('REDUCING');
    const closed = await post('/api/control/close-pair', { id: 'ou-1' }, token);
    expect(closed.status).toBe(200);
    // The simulated venue fills at once: the pair is closed or closing, no longer open.
    expect(['closing', 'closed']).toContain(engine.executor.pair('ou-1')!.status);
    expect((await post('/api/control/close-pair', { id: 'ou-404' }, token)).status).toBe(409);
    const events = ((await get('/api/events')) as DashboardSnapshot['events']).map((e) => e.text);
    expect(events).toContain('new entries paused by operator: test');
    expect(events.some((t) => t.startsWith('close ou-1 (operator close (dashboard))'))).toBe(true);
  });

  it('stores the token 0600 and compares it exactly', () => {
    expect(statSync(join(stateDir, 'dashboard.token')).mode & 0o777).toBe(0o600);
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(`${token} `, token)).toBe(false);
    expect(tokenMatches('', token)).toBe(false);
    expect(tokenMatches(undefined, token)).toBe(false);
  });

  it('answers only requests addressed to its loopback name, and will not bind elsewhere without --allow-remote', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('GET /api/state HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data.split('\r\n')[0]));
      socket.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 403 Forbidden');
    await expect(startDashboardServer({ source: model, token, host: '0.0.0.0' })).rejects.toThrow(/--allow-remote/);
  });

  it('needs the token for everything in the mode a non-loopback host gets', async () => {
    // The tests may not bind off loopback (network guard): the same mode, asked for on 127.0.0.1.
    const remote = await startDashboardServer({ source: model, token, tokenForEverything: true });
    try {
      const url = `http://127.0.0.1:${remote.port}`;
      expect((await fetch(`${url}/`)).status).toBe(401);
      // /?token=T sets an HttpOnly cookie and redirects: the page then loads with it.
      const login = await fetch(`${url}/?token=${token}`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      const cookie = login.headers.get('set-cookie')!.split(';')[0];
      expect((await fetch(`${url}/api/state`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${url}/?token=wrong`)).status).toBe(401);
      expect((await fetch(`${url}/api/state`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/api/state`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await remote.close();
    }
  });

  it('drops a live-stream client that stops reading, while a reading client gets every update', async () => {
    // The reader: a real HTTP client that consumes the stream.
    const controller = new AbortController();
    const res = await fetch(new URL('/api/stream', server.url), { signal: controller.signal });
    const reader = res.body!.getReader();
    let received = 0;
    let text = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += Buffer.from(value!).toString();
        const frames = text.split('\n\n');
        text = frames.pop()!;
        received += frames.filter((f) => f.startsWith('event: big')).length;
      }
    })();
    // The stuck one: sends its request and never reads a byte.
    const stuck = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => stuck.on('connect', resolve));
    stuck.pause();
    stuck.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    let closedByServer = false;
    stuck.on('close', () => (closedByServer = true));
    for (let i = 0; i < 200 && server.stream.size < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(server.stream.size).toBe(2);

    const payload = 'x'.repeat(64 * 1024);
    let sent = 0;
    // Kernel buffers take a few MB first; past them the stuck client's unsent bytes pass 256 KiB.
    while (server.stream.dropped === 0 && sent < 2000) {
      server.stream.send('big', { i: sent, payload });
      sent++;
      await new Promise((r) => setImmediate(r));
    }
    expect(server.stream.dropped).toBe(1);
    expect(server.stream.size).toBe(1);
    for (let i = 0; i < 400 && received < sent; i++) await new Promise((r) => setTimeout(r, 5));
    expect(received).toBe(sent);
    stuck.resume();
    for (let i = 0; i < 200 && !closedByServer; i++) await new Promise((r) => setTimeout(r, 5));
    expect(closedByServer).toBe(true);
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    expect(metrics).toContain('perp_arb_dashboard_dropped_clients_total 1');
    controller.abort();
    await reading;
    stuck.destroy();
  });
});
