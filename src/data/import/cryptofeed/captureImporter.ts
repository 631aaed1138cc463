/**
 * Importer for cryptofeed raw capture files (REST and websocket recordings). Each line is
 * classified (captureLines.ts) and dispatched by URL to a venue parser:
 *   https://ftx.com/api/markets                       -> ftxMarkets.ts
 *   https://fapi.binance.com/fapi/v1/depth            -> binanceDepth.ts
 *   https://www.okx.com/api/v5/public/instruments     -> okxInstruments.ts
 *   wss://ws.okx.com:8443/ws/v5/public (messages)     -> okxWs.ts
 * Files ending in .gz are decompressed first. A URL no parser knows is a Rejection naming it. rowsRead counts REST responses and received
 * websocket messages (connection lines, sent requests, blank and configuration lines are not data).
 */
import { readFile } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { InputError } from '../../../core/errors.ts';
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

const GZIP_MAGIC = [0x1f, 0x8b];
/** cryptofeed writes plain text; captures are often kept gzipped (`OKX.ws.1.0.gz`): read those too. */
const isGzipCapturePath = (path: string, head: Buffer) => path.toLowerCase().endsWith('.gz') && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];

/** The start of a gzip stream from its first bytes (a partial stream decodes as far as it goes); null when even that fails. */
function gunzipHead(head: Buffer): Buffer | null {
  try {
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
}

/** The longest string V8 makes (~512 MiB): a larger capture cannot be read as one text. */
const MAX_TEXT_BYTES = 0x1fffffe8;

function captureText(path: string, bytes: Buffer): string {
  if (bytes.length > MAX_TEXT_BYTES) throw new InputError({ source: path }, `capture of ${bytes.length} bytes is larger than the ${MAX_TEXT_BYTES} bytes one import reads; split it into smaller files`);
  return bytes.toString('utf8');
}

function gunzipCapture(path: string, bytes: Buffer): string {
  try {
    return captureText(path, gunzipSync(bytes, { maxOutputLength: MAX_TEXT_BYTES + 1 }));
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new InputError({ source: path }, `gzip data decompresses to more than ${MAX_TEXT_BYTES} bytes; split the capture into smaller files`);
    const why = code === 'Z_BUF_ERROR' ? 'truncated' : 'damaged';
    throw new InputError({ source: path }, `gzip data is ${why} (zlib: ${(error as Error).message}); expected a complete gzip-compressed cryptofeed capture`);
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
  detect(path: string, head: Buffer): boolean {
    if (isGzipCapturePath(path, head)) {
      const start = gunzipHead(head);
      // A .gz whose first bytes do not even decompress is a damaged file: claim it, so it fails with its reason.
      if (start === null) return true;
      head = start;
    }
    const line = firstLine(head);
    return REST_HEAD_RE.test(line) || WS_HEAD_RE.test(line);
  },
  async parse(path: string, options: ImportOptions): Promise<ParsedSource> {
    const bytes = await readFile(path);
    const text = isGzipCapturePath(path, bytes) ? gunzipCapture(path, bytes) : captureText(path, bytes);
    const parsed = parseCaptureText(text, path, options.knownInstrument);
    if (options.venue || options.symbol) {
      parsed.notes.push('the venue and symbol options are not used: a capture names its venue and markets in its URLs and messages');
    }
    return parsed;
  },
};
