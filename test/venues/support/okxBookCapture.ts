import { readFileSync } from 'node:fs';
import { dataPath } from '../../support/paths.ts';

export const OKX_WS_CAPTURE = dataPath('raw_exchange_api_captures__bmoscon_cryptofeed', 'at_ce58c2a0015040aa2271e80bac783d74fa2cdcff', 'OKX.ws.1.0');

export interface OkxBookMessage {
  /** The message text exactly as OKX sent it. */
  text: string;
  action: 'snapshot' | 'update';
  ts: number;
  checksum: number;
  bids: [string, string, string, string][];
  asks: [string, string, string, string][];
}

/** The `books` channel messages of one instrument in the cryptofeed OKX v5 capture (2022-05-13), in order, read in place. */
export function okxBookMessages(instId: string): OkxBookMessage[] {
  const out: OkxBookMessage[] = [];
  for (const line of readFileSync(OKX_WS_CAPTURE, 'utf8').split('\n')) {
    const colon = line.indexOf(': ');
    if (colon < 0 || line.includes(' <- ') || line.includes(' <-> ')) continue;
    const text = line.slice(colon + 2);
    const message = JSON.parse(text) as { arg?: { channel?: string; instId?: string }; action?: 'snapshot' | 'update'; data?: { ts: string; checksum: number; bids: OkxBookMessage['bids']; asks: OkxBookMessage['asks'] }[] };
    if (message.arg?.channel !== 'books' || message.arg.instId !== instId || !message.data || !message.action) continue;
    if (message.data.length !== 1) throw new Error(`${OKX_WS_CAPTURE}: a books message with ${message.data.length} data items`);
    const [d] = message.data;
    out.push({ text, action: message.action, ts: Number(d.ts), checksum: d.checksum, bids: d.bids, asks: d.asks });
  }
  return out;
}

/** The book after a sequence of messages, replayed plainly (size 0 deletes a level): best first, as numbers. */
export function replayOkxBook(messages: OkxBookMessage[]): { bids: { price: number; size: number }[]; asks: { price: number; size: number }[] } {
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (const m of messages) {
    if (m.action === 'snapshot') {
      bids.clear();
      asks.clear();
    }
    for (const [side, levels] of [[bids, m.bids], [asks, m.asks]] as const) {
      for (const [price, size] of levels) {
        if (Number(size) === 0) side.delete(Number(price));
        else side.set(Number(price), Number(size));
      }
    }
  }
  const sorted = (side: Map<number, number>, descending: boolean) =>
    [...side].map(([price, size]) => ({ price, size })).sort((a, b) => (descending ? b.price - a.price : a.price - b.price));
  return { bids: sorted(bids, true), asks: sorted(asks, false) };
}
