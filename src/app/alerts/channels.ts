import { type Alert, type AlertChannel, AlertDeliveryError } from './alert.ts';

const TIMEOUT_MS = 10_000;

async function postJson(name: string, url: string, body: unknown, signal: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) });
  } catch (error) {
    // The URL is not in the message: a Telegram URL holds the bot token.
    throw new AlertDeliveryError(`${name}: ${(error as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS} ms` : `cannot connect (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`}`, true);
  }
  if (res.ok) return res;
  const text = (await res.text().catch(() => '')).slice(0, 200);
  const retryAfter = Number(res.headers.get('retry-after'));
  throw new AlertDeliveryError(`${name}: HTTP ${res.status}${text ? ` ${text}` : ''}`, res.status >= 500 || res.status === 429, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null);
}

/** A JSON POST of the alert ({ kind, severity, ts, time, text, data, source }) to a URL. */
export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly source: string,
  ) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`webhook URL must be http(s), got ${parsed.protocol}`);
  }

  async send(alert: Alert, signal: AbortSignal): Promise<void> {
    await postJson(this.name, this.url, { kind: alert.kind, severity: alert.severity, ts: alert.ts, time: new Date(alert.ts).toISOString(), text: alert.text, data: alert.data, source: this.source }, signal);
  }
}

export const TELEGRAM_API = 'https://api.telegram.org';

/** Telegram's bot API: sendMessage to one chat. The base URL is configurable (a loopback server in tests). */
export class TelegramChannel implements AlertChannel {
  readonly name = 'telegram';
  constructor(
    private readonly botToken: string,
    private readonly chatId: string,
    private readonly baseUrl: string = TELEGRAM_API,
  ) {}

  async send(alert: Alert, signal: AbortSignal): Promise<void> {
    const icon = alert.severity === 'critical' ? '🔴' : alert.severity === 'warning' ? '🟠' : '🔵';
    const res = await postJson(this.name, `${this.baseUrl.replace(/\/$/, '')}/bot${this.botToken}/sendMessage`, { chat_id: this.chatId, text: `${icon} perp-arb ${alert.kind}: ${alert.text}`, disable_web_page_preview: true }, signal);
    const body = (await res.json().catch(() => null)) as { ok?: boolean; description?: string } | null;
    if (body?.ok !== true) throw new AlertDeliveryError(`telegram: not ok (${body?.description ?? 'no JSON answer'})`, false);
  }
}
