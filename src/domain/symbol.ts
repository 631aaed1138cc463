/** Market kinds: spot, perpetual swap, dated future. */
export type InstrumentKind = 'spot' | 'perp' | 'future';

/** The parts of a ccxt unified symbol: `BTC/USDT`, `BTC/USDT:USDT`, `BTC/USD:BTC`, `BTC/USDT:USDT-250926`. */
export interface SymbolParts {
  base: string;
  quote: string;
  /** Settlement asset for derivatives; null for spot. */
  settle: string | null;
  /** Expiry code as written in the symbol (YYMMDD), null unless a dated future. */
  expiryCode: string | null;
  kind: InstrumentKind;
}

const SYMBOL_RE = /^([A-Z0-9]+)\/([A-Z0-9]+)(?::([A-Z0-9]+)(?:-(\d{6}))?)?$/;

export function parseSymbol(symbol: string): SymbolParts {
  const match = SYMBOL_RE.exec(symbol);
  if (!match) {
    throw new Error(`'${symbol}' is not a unified symbol (expected BASE/QUOTE, BASE/QUOTE:SETTLE or BASE/QUOTE:SETTLE-YYMMDD)`);
  }
  const [, base, quote, settle, expiryCode] = match;
  const kind: InstrumentKind = settle === undefined ? 'spot' : expiryCode === undefined ? 'perp' : 'future';
  return { base, quote, settle: settle ?? null, expiryCode: expiryCode ?? null, kind };
}

export function formatSymbol(parts: Pick<SymbolParts, 'base' | 'quote' | 'settle' | 'expiryCode'>): string {
  let symbol = `${parts.base}/${parts.quote}`;
  if (parts.settle) symbol += `:${parts.settle}`;
  if (parts.settle && parts.expiryCode) symbol += `-${parts.expiryCode}`;
  return symbol;
}

/** ms UTC to YYMMDD. */
export function utcMsToExpiryCode(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}
