/**
 * Binance USDT-M futures `GET /fapi/v1/depth?symbol=...&limit=1000` snapshots -> 'books' rows
 * (every level given) and a top-of-book 'quotes' row per snapshot.
 *
 * Venue id: 'binance', not ccxt's 'binanceusdm'. ccxt unified symbols already say the market
 * type ('SUSHI/USDT' spot, 'SUSHI/USDT:USDT' USDT-M perp, 'BTC/USD:BTC' COIN-M), so one venue
 * id per exchange keeps spot and perp legs of the same exchange (shared account, fees, risk)
 * together; venue adapters map 'binance' + a derivative symbol to ccxt's binanceusdm/binancecoinm.
 *
 * ts = body.T (transaction time of the last update in the book; E, the message time, if T is
 * missing), received_at = capture time, sequence = lastUpdateId. Sizes are in base units (contracts
 * of 1 base unit on USDT-M).
 */
import { instrumentFromSymbol } from '../../../domain/instrument.ts';
import { decimalText, isRecord, parseJson, type CaptureContext, type RestLine } from './captureLines.ts';

export const BINANCE_VENUE = 'binance';

const USDM_RE = /^([A-Z0-9]+?)(USDT|BUSD|USDC)(?:_(\d{6}))?$/;

/** USDT-M market id ('SUSHIUSDT', 'BTCUSDT_210924') to a unified symbol; null when it does not parse. */
export function binanceUsdmSymbol(marketId: string): string | null {
  const m = USDM_RE.exec(marketId);
  if (!m) return null;
  const [, base, quote, expiry] = m;
  return `${base}/${quote}:${quote}${expiry ? `-${expiry}` : ''}`;
}

function levels(raw: unknown): { prices: Float64Array; sizes: Float64Array } | null {
  if (!Array.isArray(raw)) return null;
  const prices = new Float64Array(raw.length);
  const sizes = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const level = raw[i];
    if (!Array.isArray(level) || level.length < 2) return null;
    prices[i] = decimalText(level[0]);
    sizes[i] = decimalText(level[1]);
  }
  return { prices, sizes };
}

export class BinanceDepthParser {
  snapshots = 0;
  private readonly levelCounts: string[] = [];

  add(entry: RestLine, ctx: CaptureContext): void {
    const reject = (reason: string): void => {
      ctx.rejections.push({ source: ctx.source, line: entry.line, reason });
    };
    const marketId = new URL(entry.url).searchParams.get('symbol');
    const symbol = marketId ? binanceUsdmSymbol(marketId) : null;
    if (!marketId || !symbol) return reject(`Binance depth ${entry.url}: no USDT-M symbol in the URL`);
    const parsed = parseJson(entry.body, ctx.source, entry.line, `Binance depth body for ${marketId}`);
    if ('rejection' in parsed) return reject(parsed.rejection.reason);
    const body = parsed.value;
    if (!isRecord(body)) return reject(`Binance depth ${marketId}: body is not an object`);
    if (body.code !== undefined) return reject(`Binance depth ${marketId}: error ${String(body.code)} ${String(body.msg)}`);
    const ts = typeof body.T === 'number' ? body.T : typeof body.E === 'number' ? body.E : null;
    if (ts === null) return reject(`Binance depth ${marketId}: neither T nor E is a number`);
    const bids = levels(body.bids);
    const asks = levels(body.asks);
    if (!bids || !asks) return reject(`Binance depth ${marketId}: bids/asks are not [price, size] lists`);
    const sequence = typeof body.lastUpdateId === 'number' ? body.lastUpdateId : null;

    ctx.instruments.add({ ...instrumentFromSymbol(BINANCE_VENUE, symbol), venueSymbol: marketId, contractSize: 1 });
    const key = { venue: BINANCE_VENUE, symbol, timeframe: null };
    ctx.series.builder({ ...key, table: 'books' }).push(entry.line, {
      ts,
      received_at: entry.receivedAtMs,
      bid_prices: bids.prices,
      bid_sizes: bids.sizes,
      ask_prices: asks.prices,
      ask_sizes: asks.sizes,
      sequence,
    });
    if (bids.prices.length > 0 && asks.prices.length > 0) {
      ctx.series.builder({ ...key, table: 'quotes' }).push(entry.line, {
        ts,
        received_at: entry.receivedAtMs,
        bid: bids.prices[0],
        bid_size: bids.sizes[0],
        ask: asks.prices[0],
        ask_size: asks.sizes[0],
        last: null,
      });
    } else {
      reject(`Binance depth ${marketId}: one side of the book is empty, no quote row`);
    }
    this.snapshots++;
    this.levelCounts.push(`${marketId} ${bids.prices.length}/${asks.prices.length}`);
  }

  finish(ctx: CaptureContext): void {
    if (this.snapshots === 0) return;
    ctx.notes.push(
      `Binance USDT-M depth: ${this.snapshots} snapshot(s) (bid/ask levels: ${this.levelCounts.join(', ')}); ts = T (transaction time), sequence = lastUpdateId; venue 'binance' (ccxt binanceusdm)`,
    );
  }
}
