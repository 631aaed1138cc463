/**
 * Importer for cryptofeed raw capture files (REST and websocket recordings). Each line is
 * classified (captureLines.ts) and dispatched by URL to a venue parser:
 *   https://ftx.com/api/markets                       -> ftxMarkets.ts
 *   https://fapi.binance.com/fapi/v1/depth            -> binanceDepth.ts
 *   https://www.okx.com/api/v5/public/instruments     -> okxInstruments.ts
 *   wss://ws.okx.com:8443/ws/v5/public (messages)     -> okxWs.ts
 * A URL no parser knows is a Rejection naming it. rowsRead counts REST responses and received
 * websocket messages (connection lines, sent requests, blank and configuration lines are not data).
 */
import { readFile } from 'node:fs/promises';
import type { FormatImporter, ImportOptions, ParsedSource } from '../types.ts';
import { BinanceDepthParser } from './binanceDepth.ts';
import { isRejection, newCaptureContext, readCaptureLines, REST_HEAD_RE, WS_HEAD_RE, type CaptureContext, type RestLine } from './captureLines.ts';
import { FtxMarketsParser } from './ftxMarkets.ts';
import { OkxInstrumentsParser } from './okxInstruments.ts';
import { OkxWsParser } from './okxWs.ts';

type RestRoute = 'ftx-markets' | 'binance-depth' | 'okx-instruments';

/** Which parser reads a REST URL; null when none does. */
export function restRoute(url: string): RestRoute | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const host = u.hostname;
  if ((host === 'ftx.com' || host === 'ftx.us') && u.pathname === '/api/markets') return 'ftx-markets';
  if (host === 'fapi.binance.com' && u.pathname === '/fapi/v1/depth') return 'binance-depth';
  if ((host === 'www.okx.com' || host === 'okx.com' || host === 'aws.okx.com') && u.pathname === '/api/v5/public/instruments') return 'okx-instruments';
  return null;
}

export function isOkxPublicWs(url: string): boolean {
  try {
    const u = new URL(url);
    return /(^|\.)okx\.com$/.test(u.hostname) && u.pathname === '/ws/v5/public';
  } catch {
    return false;
  }
}

function firstLine(head: Buffer): string {
  const text = head.toString('utf8');
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}

/**
 * Parses the text of one capture file (exported for tests on in-memory text). `knownInstrument`:
 * instruments known from before this file (the store, earlier files of the import), e.g. the
 * contract values OKX websocket sizes of linear contracts are converted with.
 */
export function parseCaptureText(text: string, source: string, knownInstrument?: ImportOptions['knownInstrument']): ParsedSource {
  const ctx: CaptureContext = newCaptureContext(source, knownInstrument);
  const ftx = new FtxMarketsParser();
  const binance = new BinanceDepthParser();
  const okxInstruments = new OkxInstrumentsParser();
  const okxWs = new OkxWsParser();
  let rowsRead = 0;
  let wsUrl: string | null = null;
  let configLines = 0;

  const dispatchRest = (entry: RestLine) => {
    switch (restRoute(entry.url)) {
      case 'ftx-markets':
        return ftx.add(entry, ctx);
      case 'binance-depth':
        return binance.add(entry, ctx);
      case 'okx-instruments':
        return okxInstruments.add(entry, ctx);
      default:
        ctx.rejections.push({ source, line: entry.line, reason: `no parser for URL ${entry.url}` });
    }
  };

  for (const entry of readCaptureLines(text, source)) {
    if (isRejection(entry)) {
      ctx.rejections.push(entry);
      continue;
    }
    switch (entry.kind) {
      case 'blank':
        break;
      case 'config':
        configLines++;
        break;
      case 'rest':
        rowsRead++;
        dispatchRest(entry);
        break;
      case 'ws-open':
        wsUrl = entry.url;
        break;
      case 'ws-out':
        if (isOkxPublicWs(entry.url)) okxWs.addOutgoing();
        break;
      case 'ws-in':
        rowsRead++;
        if (wsUrl !== null && isOkxPublicWs(wsUrl)) okxWs.add(entry, ctx);
        else {
          const url = wsUrl ?? '(no connection line before this message)';
          ctx.rejections.push({ source, line: entry.line, reason: `no parser for websocket URL ${url}` });
        }
        break;
    }
  }
  ftx.finish(ctx);
  binance.finish(ctx);
  okxInstruments.finish(ctx);
  okxWs.finish(ctx);
  if (configLines > 0) ctx.notes.push(`skipped ${configLines} cryptofeed 'configuration:' line(s) (feed settings, not market data)`);
  for (const conflict of ctx.instruments.conflicts) ctx.notes.push(`instrument conflict: ${conflict}`);
  return {
    source,
    format: 'cryptofeed',
    series: ctx.series.build(),
    instruments: ctx.instruments.list(),
    rejections: ctx.rejections,
    rowsRead,
    notes: ctx.notes,
  };
}

export const cryptofeedImporter: FormatImporter = {
  id: 'cryptofeed',
  description: 'cryptofeed raw captures: FTX /api/markets, Binance USDT-M depth, OKX instruments and OKX v5 public websocket',
  detect(_path: string, head: Buffer): boolean {
    const line = firstLine(head);
    return REST_HEAD_RE.test(line) || WS_HEAD_RE.test(line);
  },
  async parse(path: string, options: ImportOptions): Promise<ParsedSource> {
    const text = await readFile(path, 'utf8');
    const parsed = parseCaptureText(text, path, options.knownInstrument);
    if (options.venue || options.symbol) {
      parsed.notes.push('the venue and symbol options are not used: a capture names its venue and markets in its URLs and messages');
    }
    return parsed;
  },
};
