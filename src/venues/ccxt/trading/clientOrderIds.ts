/**
 * Client order ids valid on every supported venue and unique across restarts. An id is
 * `pa` + a 4-character session tag + a counter in base 36: at most 16 characters of [0-9a-z], which
 * Binance (36 of [.A-Z:/a-z0-9_-]), Bybit (36 of [A-Za-z0-9_-]), OKX (32 alphanumerics), Gate
 * (sent as text "t-<id>", 28 in all), Bitget and Deribit (label) take. Hyperliquid wants a 128-bit
 * hex cloid: the same 16 characters (counter zero-padded), hex-encoded.
 *
 * Uniqueness: the tag is drawn once per state directory (two sessions on one account do not
 * collide) and the counter comes from a store the caller persists (the runtime: SQLite in the state
 * directory), reserved in blocks so a restart continues after the last block, never reusing one.
 */

export interface ClientIdCounterStore {
  /** Reserves `count` numbers never reserved before and returns the first; must be persisted before it returns. */
  reserve(count: number): number;
}

/** A counter that lives as long as the process (backtests, tests). */
export class MemoryClientIdCounter implements ClientIdCounterStore {
  private next: number;
  constructor(first = 0) {
    this.next = first;
  }
  reserve(count: number): number {
    const first = this.next;
    this.next += count;
    return first;
  }
}

export interface ClientOrderIdRule {
  pattern: RegExp;
  /** The rule in words, for messages. */
  rule: string;
}

/** What each venue accepts as the client order id perp-arb sends (as published; stricter where unsure). */
export const CLIENT_ORDER_ID_RULES: Readonly<Record<string, ClientOrderIdRule>> = {
  binance: { pattern: /^[.A-Z:/a-z0-9_-]{1,36}$/, rule: '1 to 36 characters of A-Z a-z 0-9 . : / _ -' },
  bybit: { pattern: /^[A-Za-z0-9_-]{1,36}$/, rule: '1 to 36 characters of A-Z a-z 0-9 _ -' },
  okx: { pattern: /^[A-Za-z0-9]{1,32}$/, rule: '1 to 32 letters and digits' },
  gate: { pattern: /^[0-9A-Za-z_.-]{1,26}$/, rule: '1 to 26 characters of 0-9 A-Z a-z _ - . (sent as text "t-<id>")' },
  bitget: { pattern: /^[A-Za-z0-9_-]{1,40}$/, rule: '1 to 40 characters of A-Z a-z 0-9 _ -' },
  deribit: { pattern: /^[\x21-\x7e]{1,64}$/, rule: '1 to 64 printable characters (sent as the order label)' },
  hyperliquid: { pattern: /^0x[0-9a-f]{32}$/, rule: "'0x' and 32 hex digits (a 128-bit cloid)" },
};

/** Why a client order id cannot go to a venue, or null when it can (venues without a rule: any non-empty id). */
export function clientOrderIdProblem(venue: string, id: string): string | null {
  if (id === '') return 'the client order id is empty';
  const rule = CLIENT_ORDER_ID_RULES[venue];
  if (rule === undefined || rule.pattern.test(id)) return null;
  return `${venue} client order ids are ${rule.rule} (got '${id.length > 40 ? `${id.slice(0, 40)}...` : id}')`;
}

const TAG_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';
const TAG = /^[0-9a-z]{4}$/;
const PREFIX = 'pa';
/** Counter digits in base 36 (36^10 ids per tag). */
const COUNTER_DIGITS = 10;

/** A fresh session tag: 4 characters of [0-9a-z] (1.7 million), drawn once per state directory. */
export function newSessionTag(random: () => number = Math.random): string {
  let tag = '';
  for (let i = 0; i < 4; i++) tag += TAG_CHARS[Math.floor(random() * TAG_CHARS.length) % TAG_CHARS.length];
  return tag;
}

export interface ClientOrderIdsOptions {
  sessionTag: string;
  counter: ClientIdCounterStore;
  /** Numbers reserved at a time (default 256): fewer writes to the store, at most that many skipped after a crash. */
  blockSize?: number;
}

export class ClientOrderIds {
  readonly sessionTag: string;
  private readonly counter: ClientIdCounterStore;
  private readonly blockSize: number;
  private nextNumber = 0;
  private blockEnd = 0;

  constructor(options: ClientOrderIdsOptions) {
    if (!TAG.test(options.sessionTag)) throw new Error(`client order ids: the session tag must be 4 characters of [0-9a-z] (got '${options.sessionTag}')`);
    this.sessionTag = options.sessionTag;
    this.counter = options.counter;
    this.blockSize = options.blockSize ?? 256;
    if (!(Number.isInteger(this.blockSize) && this.blockSize > 0)) throw new Error(`client order ids: blockSize must be a positive integer (got ${this.blockSize})`);
  }

  /** A new id, valid on `venue`. */
  next(venue: string): string {
    if (this.nextNumber >= this.blockEnd) {
      this.nextNumber = this.counter.reserve(this.blockSize);
      this.blockEnd = this.nextNumber + this.blockSize;
    }
    const n = this.nextNumber++;
    if (n >= 36 ** COUNTER_DIGITS) throw new Error('client order ids: the counter is exhausted');
    const digits = n.toString(36);
    if (venue === 'hyperliquid') return `0x${Buffer.from(`${PREFIX}${this.sessionTag}${digits.padStart(COUNTER_DIGITS, '0')}`, 'ascii').toString('hex')}`;
    return `${PREFIX}${this.sessionTag}${digits}`;
  }

  /** Whether an id is one of this session tag's (on any venue): reconciliation tells its own orders from others'. */
  isOwn(id: string): boolean {
    const text = /^0x[0-9a-f]{32}$/.test(id) ? Buffer.from(id.slice(2), 'hex').toString('ascii') : id;
    return text.startsWith(`${PREFIX}${this.sessionTag}`) && /^[0-9a-z]+$/.test(text.slice(6)) && text.length > 6;
  }
}
