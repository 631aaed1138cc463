/**
 * Order and trade ids of the whole exchange, counted from a seed-derived start so two runs with
 * the same seed number orders alike. Binance ids are integers; Bybit's are UUID-shaped.
 */
export class OrderIds {
  private order: number;
  private trade: number;

  constructor(seed: number) {
    this.order = 8_000_000_000 + (Math.abs(Math.trunc(seed)) % 1000) * 1_000_000;
    this.trade = 600_000_000 + (Math.abs(Math.trunc(seed)) % 1000) * 1_000_000;
  }

  nextBinance(): string {
    return String(++this.order);
  }

  nextBybit(): string {
    const n = (++this.order).toString(16).padStart(12, '0');
    return `5e1d0000-0000-4000-8000-${n}`;
  }

  nextTrade(): number {
    return ++this.trade;
  }
}
