import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/app/alerts/alert.ts';
import { AlertRules } from '../../src/app/alerts/alertRules.ts';
import { alertChannelsFromEnv } from '../../src/app/alerts/alertsFromEnv.ts';
import { TelegramChannel, WebhookChannel } from '../../src/app/alerts/channels.ts';
import { AlertDispatcher } from '../../src/app/alerts/dispatcher.ts';
import { DashboardModel } from '../../src/app/dashboard/dashboardModel.ts';
import { runBacktest } from '../../src/engine/backtest.ts';
import type { EngineEvent } from '../../src/engine/events.ts';
import { EventStream } from '../../src/engine/eventStream.ts';
import { loadRunConfig } from '../../src/engine/runtime/runConfig.ts';
import type { ReplayCursor } from '../../src/data/replay/types.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'run-paper-synthetic.json');
const FAST = { initialDelayMs: 1, maxDelayMs: 5, jitterFraction: 0 };
const BOT_TOKEN = '123456:SECRET-bot-token';

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/** A loopback HTTP server standing in for a webhook receiver or Telegram's bot API; `answer` decides each reply. */
async function loopback(answer: (req: IncomingMessage, body: Record<string, unknown>, n: number) => { status: number; json: unknown } | null): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({ path: req.url!, body });
      const a = answer(req, body, received.length);
      if (a === null) return; // never answers
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const alert = (key: string, kind: Alert['kind'] = 'riskAction'): Alert => ({ kind, severity: 'warning', key, ts: Date.UTC(2024, 0, 1), text: `test ${key}`, data: {} });

describe('alerts from a real engine run, by webhook and Telegram', () => {
  it('sends pair opened/closed, risk actions and daily summaries to both loopback receivers', async () => {
    const hook = await loopback(() => ({ status: 200, json: {} }));
    const telegram = await loopback(() => ({ status: 200, json: { ok: true, result: {} } }));
    const log: string[] = [];
    const dispatcher = new AlertDispatcher([new WebhookChannel(`${hook.url}/hook`, 'test'), new TelegramChannel(BOT_TOKEN, '42', telegram.url)], { log: (l) => log.push(l), maxPerMinute: 1000, backoff: FAST });
    const rules = new AlertRules((a) => dispatcher.notify(a));
    let halted = false;
    const run = await runBacktest(loadRunConfig(EXAMPLE), {
      observe: (events, engine) => {
        rules.attach(events, engine);
        events.subscribe(
          (e) => {
            // After the fifth pair closes, a breaker halts the session (as the risk engine would).
            if (e.type === 'execution' && e.event.type === 'pairClosed' && e.event.id === 'ou-5' && !halted) {
              halted = true;
              engine.tradingState.set('HALTED', { venue: null, reason: 'drawdown breaker', source: 'breaker', ts: e.event.ts });
            }
          },
          { name: 'test breaker', types: ['execution'] },
        );
      },
    });
    rules.flushDay();
    await dispatcher.idle();
    const kinds = hook.received.map((r) => r.body.kind);
    const trips = run.summary.roundTrips;
    // ou-1..ou-5 opened and closed; then HALTED: no more pairs.
    expect(trips.map((t) => t.id)).toEqual(['ou-1', 'ou-2', 'ou-3', 'ou-4', 'ou-5']);
    expect(kinds.filter((k) => k === 'pairOpened')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'pairClosed')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'breakerTripped')).toHaveLength(1);
    const closed = hook.received.find((r) => r.body.kind === 'pairClosed' && (r.body.data as { id: string }).id === 'ou-2')!;
    expect((closed.body.data as { netPnlUsd: number }).netPnlUsd).toBeCloseTo(trips[1].netPnlUsd, 8);
    expect(closed.body.source).toBe('test');
    // 3 days of data from 2024-01-01: summaries of the 1st, 2nd and 3rd, and of the last point's day (the 4th, 00:00).
    const daily = hook.received.filter((r) => r.body.kind === 'dailySummary').map((r) => r.body.data as { date: string; changeUsd: number; endEquityUsd: number; startEquityUsd: number });
    expect(daily.map((d) => d.date)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']);
    for (const d of daily) expect(d.changeUsd).toBeCloseTo(d.endEquityUsd - d.startEquityUsd, 9);
    // Day by day the changes chain: each day ends where the next starts.
    for (let i = 1; i < daily.length; i++) expect(daily[i].startEquityUsd).toBe(daily[i - 1].endEquityUsd);
    // Telegram got the same alerts, as sendMessage to chat 42 on /bot<TOKEN>/sendMessage.
    expect(telegram.received).toHaveLength(hook.received.length);
    expect(telegram.received.every((r) => r.path === `/bot${BOT_TOKEN}/sendMessage` && r.body.chat_id === '42')).toBe(true);
    expect(String(telegram.received[0].body.text)).toContain('perp-arb pairOpened: ou-1 opened');
    expect(dispatcher.stats).toMatchObject({ sent: 2 * hook.received.length, failed: 0, retries: 0 });
    expect(log).toEqual([]);
  });
});

describe('the alert rules on events', () => {
  const market = (time: number) => ({ type: 'market', cursor: { time } as ReplayCursor }) as EngineEvent;
  it('alerts an order in flight too long once, and not one that ends in time', () => {
    const stream = new EventStream<EngineEvent>(() => ({ type: 'error', ts: 0, source: 'x', message: 'x' }));
    const got: Alert[] = [];
    const rules = new AlertRules((a) => got.push(a), { orderInFlightAlertMs: 10_000 });
    rules.attach(stream, null as never);
    const order = (clientOrderId: string, status: 'submitted' | 'filled', ts: number) => stream.emit({ type: 'order', ts, clientOrderId, venue: 'binance', symbol: 'BTC/USDT', status, filledQuantity: 0, reason: null });
    order('a', 'submitted', 1000);
    order('b', 'submitted', 1000);
    stream.emit(market(6000));
    order('b', 'filled', 7000);
    stream.emit(market(10_999));
    expect(got).toEqual([]);
    // Checked at most once a second of engine time: the first check past 10 s is at 12 s.
    stream.emit(market(12_000));
    stream.emit(market(20_000));
    expect(got.map((a) => [a.kind, a.key, a.text])).toEqual([['orderInFlightTooLong', 'inflight:a', 'order a on binance:BTC/USDT in flight for 11 s (no final status from the venue)']]);
  });

  it('names reconciliation differences and disconnections from error events', () => {
    const stream = new EventStream<EngineEvent>(() => ({ type: 'error', ts: 0, source: 'x', message: 'x' }));
    const got: Alert[] = [];
    new AlertRules((a) => got.push(a)).attach(stream, null as never);
    stream.emit({ type: 'error', ts: 5, source: 'reconciliation', message: 'binance BTC/USDT:USDT position 0.5 vs ledger 0.4' });
    stream.emit({ type: 'error', ts: 6, source: 'market binance', message: 'websocket closed (code 1006)' });
    stream.emit({ type: 'error', ts: 7, source: "subscriber 'x'", message: 'boom' });
    expect(got.map((a) => [a.kind, a.severity])).toEqual([
      ['reconciliationDifference', 'critical'],
      ['venueDisconnected', 'critical'],
    ]);
  });
});

describe('risk actions of the risk layer', () => {
  it('alert as breakerTripped or riskAction (a cleared breaker is not alerted), and the dashboard lists the breakers', () => {
    const stream = new EventStream<EngineEvent>(() => ({ type: 'error', ts: 0, source: 'x', message: 'x' }));
    const got: Alert[] = [];
    new AlertRules((a) => got.push(a)).attach(stream, null as never);
    const model = new DashboardModel({ source: 'test' });
    model.attach(stream, null as never);
    model.engine = null;
    const action = (kind: 'breakerTripped' | 'breakerCleared' | 'shrink', rule: string, ts: number) => stream.emit({ type: 'risk', action: { ts, kind, rule, pairId: kind === 'shrink' ? 'p1' : null, venue: 'binance', reason: `${rule} ${kind}`, figures: {} } });
    action('breakerTripped', 'dailyLoss', 1);
    action('shrink', 'liquidationRisk', 2);
    action('breakerTripped', 'orderRejects', 3);
    action('breakerCleared', 'orderRejects', 4);
    expect(got.map((a) => [a.kind, a.text])).toEqual([
      ['breakerTripped', 'breakerTripped dailyLoss on binance: dailyLoss breakerTripped'],
      ['riskAction', 'shrink liquidationRisk p1 on binance: liquidationRisk shrink'],
      ['breakerTripped', 'breakerTripped orderRejects on binance: orderRejects breakerTripped'],
    ]);
    expect(model.snapshot().risk.breakers).toEqual([
      { name: 'dailyLoss (binance)', tripped: true, reason: 'dailyLoss breakerTripped' },
      { name: 'orderRejects (binance)', tripped: false, reason: 'orderRejects breakerCleared' },
    ]);
    expect(model.snapshot().events.map((e) => e.kind)).toEqual(['risk', 'risk', 'risk', 'risk']);
  });
});

describe('the dispatcher', () => {
  it('retries a 500 with backoff, logging each retry, and delivers once', async () => {
    const hook = await loopback((_r, _b, n) => (n <= 2 ? { status: 500, json: { error: 'busy' } } : { status: 200, json: {} }));
    const log: string[] = [];
    const d = new AlertDispatcher([new WebhookChannel(hook.url, 'test')], { log: (l) => log.push(l), backoff: FAST });
    d.notify(alert('k1'));
    await d.idle();
    expect(hook.received).toHaveLength(3);
    expect(d.stats).toMatchObject({ sent: 1, failed: 0, retries: 2 });
    expect(log).toEqual([
      'alerts: webhook: riskAction attempt 1 failed (webhook: HTTP 500 {"error":"busy"}); retrying in 1 ms',
      'alerts: webhook: riskAction attempt 2 failed (webhook: HTTP 500 {"error":"busy"}); retrying in 2 ms',
    ]);
  });

  it('gives up at once on a 4xx, and after the retries on 5xx, never logging the bot token', async () => {
    const telegram = await loopback(() => ({ status: 502, json: { ok: false } }));
    const hook = await loopback(() => ({ status: 400, json: { error: 'bad' } }));
    const log: string[] = [];
    const d = new AlertDispatcher([new TelegramChannel(BOT_TOKEN, '1', telegram.url), new WebhookChannel(hook.url, 'test')], { log: (l) => log.push(l), backoff: FAST, retries: 2 });
    d.notify(alert('k'));
    await d.idle();
    expect(telegram.received).toHaveLength(3);
    expect(hook.received).toHaveLength(1);
    expect(d.stats).toMatchObject({ sent: 0, failed: 2, retries: 2 });
    expect(log.some((l) => /webhook: riskAction \(k\) not delivered after 1 attempt: webhook: HTTP 400/.test(l))).toBe(true);
    expect(log.some((l) => /telegram: riskAction \(k\) not delivered after 3 attempts: telegram: HTTP 502/.test(l))).toBe(true);
    expect(log.join('\n')).not.toContain('SECRET');
  });

  it('deduplicates by key and rate limits per channel', async () => {
    const hook = await loopback(() => ({ status: 200, json: {} }));
    let now = 0;
    const d = new AlertDispatcher([new WebhookChannel(hook.url, 'test')], { log: () => {}, maxPerMinute: 3, dedupeMs: 60_000, now: () => now });
    d.notify(alert('same'));
    d.notify(alert('same'));
    for (const k of ['b', 'c', 'd', 'e']) d.notify(alert(k));
    await d.idle();
    // 'same' once; b and c fill the minute's 3; d and e are dropped.
    expect(hook.received.map((r) => r.body.text)).toEqual(['test same', 'test b', 'test c']);
    expect(d.stats).toMatchObject({ sent: 3, deduplicated: 1, rateLimited: 2 });
    now = 60_000;
    d.notify(alert('same'));
    d.notify(alert('f'));
    await d.idle();
    expect(hook.received.map((r) => r.body.text).slice(3)).toEqual(['test same', 'test f']);
  });

  it('never waits on a receiver that does not answer: notify returns before the request is even sent', async () => {
    const hook = await loopback(() => null);
    const d = new AlertDispatcher([new WebhookChannel(hook.url, 'test')], { log: () => {} });
    for (let i = 0; i < 5; i++) d.notify(alert(`k${i}`));
    // Nothing went out synchronously: the calls only queued.
    expect(hook.received).toHaveLength(0);
    for (let i = 0; i < 200 && hook.received.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    // The first is stuck on the silent receiver; the others wait behind it, the caller does not.
    expect(hook.received).toHaveLength(1);
    d.close();
    await d.idle();
    expect(d.stats.sent).toBe(0);
  });

  it('reads its channels from the environment only, refusing half a Telegram set-up', () => {
    expect(alertChannelsFromEnv({}, 's')).toEqual([]);
    expect(alertChannelsFromEnv({ PERP_ARB_ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/x', PERP_ARB_TELEGRAM_BOT_TOKEN: 't', PERP_ARB_TELEGRAM_CHAT_ID: '1' }, 's').map((c) => c.name)).toEqual(['webhook', 'telegram']);
    expect(() => alertChannelsFromEnv({ PERP_ARB_TELEGRAM_BOT_TOKEN: 't' }, 's')).toThrow(/both/);
    expect(() => alertChannelsFromEnv({ PERP_ARB_ALERT_WEBHOOK_URL: 'ftp://x' }, 's')).toThrow(/PERP_ARB_ALERT_WEBHOOK_URL: webhook URL must be http/);
  });
});
