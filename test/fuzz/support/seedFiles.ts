import { readFileSync } from 'node:fs';
import { dataPath } from '../../support/paths.ts';

/**
 * Small good inputs cut from the real files in shared/data, for mutation: a few dozen rows keep a
 * fuzz case to milliseconds while every column, venue and message kind of the file is still there.
 */

const firstLines = (path: string, count: number) => `${readFileSync(path, 'utf8').split('\n').slice(0, count).join('\n')}\n`;

export const JOINED_CSV = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_spot_vs_usdm_perp_1m_2025-05-25_2025-06-24.csv');
export const FUNDING_MARK_CSV = dataPath('derived_binance_1m_joined', 'binance_BTCUSDT_usdm_funding_8h_and_mark_8h_2025-05-25_2025-06-24.csv');
export const AHA_HH_CSV = dataPath('binance_bybit_okx_8h_spot_perp_funding__AHA-HH', 'all_exchanges.csv');
export const SUPERVIK_NAME = 'BTC-USDT_binance_2020-01-01_2024-01-01_funding_history.csv';
export const SUPERVIK_CSV = dataPath('funding_history_7_exchanges__supervik', 'BTC-USDT', SUPERVIK_NAME);
export const LEAN_DATA = dataPath('bybit_binance_minute_20221213__QuantConnect_Lean', 'Data');

export const joinedCsvSeed = () => firstLines(JOINED_CSV, 41);
export const fundingMarkCsvSeed = () => firstLines(FUNDING_MARK_CSV, 21);
/** 18 rows per 8h bar (3 venues x spot, USDT and coin-margined perp of BTC and ETH): two bars. */
export const ahaHhSeed = () => firstLines(AHA_HH_CSV, 37);
export const supervikSeed = () => firstLines(SUPERVIK_CSV, 41);

const CRYPTOFEED = dataPath('raw_exchange_api_captures__bmoscon_cryptofeed');
const CAPTURE_A = `${CRYPTOFEED}/at_ce58c2a0015040aa2271e80bac783d74fa2cdcff`;
export const FTX_CAPTURE = `${CRYPTOFEED}/at_ad74b11d5de8ad0414231c23dc5d7f73cdbfc5ab/FTX.0`;
export const BINANCE_CAPTURE = `${CAPTURE_A}/BINANCE_FUTURES.http.0.0`;
export const OKX_REST_CAPTURE = `${CAPTURE_A}/OKX.0`;
export const OKX_WS_CAPTURE = `${CAPTURE_A}/OKX.ws.1.0`;

const PAYLOAD_RE = /^(\S+ -> \d+(?:\.\d+)?: )(.*)$/s;

/** Each REST line of a capture with its JSON body cut down by `shrink`; other lines as they are. */
function shrinkBodies(path: string, lineCount: number, shrink: (body: Record<string, unknown>) => void): string {
  return firstLines(path, lineCount)
    .split('\n')
    .map((line) => {
      const m = PAYLOAD_RE.exec(line);
      if (!m) return line;
      const body = JSON.parse(m[2]) as Record<string, unknown>;
      shrink(body);
      return m[1] + JSON.stringify(body);
    })
    .join('\n');
}

const keep = (list: unknown, count: number, also: (item: Record<string, unknown>) => boolean = () => false) =>
  Array.isArray(list) ? list.filter((item, i) => i < count || also(item as Record<string, unknown>)) : list;

/** The FTX market list with 20 of its 699 markets. */
export const ftxSeed = () => shrinkBodies(FTX_CAPTURE, 3, (b) => (b.result = keep(b.result, 20)));
/** Five Binance depth snapshots of 15 levels a side. */
export const binanceDepthSeed = () =>
  shrinkBodies(BINANCE_CAPTURE, 5, (b) => {
    b.bids = keep(b.bids, 15);
    b.asks = keep(b.asks, 15);
  });

/**
 * OKX: the instruments responses (8 of each list, BTC-USDT-SWAP among them, whose ctVal converts
 * linear sizes), then the first 120 websocket lines (tickers, trades, books with checksums).
 */
export const okxSeed = () =>
  `${shrinkBodies(OKX_REST_CAPTURE, 5, (b) => (b.data = keep(b.data, 8, (d) => d.instId === 'BTC-USDT-SWAP')))}${firstLines(OKX_WS_CAPTURE, 120)}`;
export const okxWsSeed = () => firstLines(OKX_WS_CAPTURE, 120);

/** The first half of a text file's lines (its header and first rows): what a store holds before the rest comes. */
export const firstHalf = (text: string): Buffer => {
  const lines = text.split('\n');
  return Buffer.from(`${lines.slice(0, Math.ceil(lines.length / 2)).join('\n')}\n`);
};
