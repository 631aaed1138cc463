import { DAY_MS, MINUTE_MS } from '../../../core/time.ts';

interface MinuteBucket {
  minuteMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** 24 h statistics of a price (open, high, low, last, base volume), kept in one-minute buckets. */
export class RollingDay {
  private readonly buckets: MinuteBucket[] = [];

  add(timeMs: number, price: number, high: number, low: number, volume: number): void {
    if (!(price > 0)) return;
    const minuteMs = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
    const last = this.buckets[this.buckets.length - 1];
    const v = volume > 0 ? volume : 0;
    const hi = high > 0 ? Math.max(high, price) : price;
    const lo = low > 0 ? Math.min(low, price) : price;
    if (last !== undefined && last.minuteMs === minuteMs) {
      last.high = Math.max(last.high, hi);
      last.low = Math.min(last.low, lo);
      last.close = price;
      last.volume += v;
    } else {
      this.buckets.push({ minuteMs, open: price, high: hi, low: lo, close: price, volume: v });
      while (this.buckets.length > 0 && this.buckets[0].minuteMs <= minuteMs - DAY_MS) this.buckets.shift();
    }
  }

  /** The last 24 h, or null before any price. */
  stats(): { open: number; high: number; low: number; last: number; volume: number; openTimeMs: number } | null {
    if (this.buckets.length === 0) return null;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    for (const b of this.buckets) {
      high = Math.max(high, b.high);
      low = Math.min(low, b.low);
      volume += b.volume;
    }
    const first = this.buckets[0];
    return { open: first.open, high, low, last: this.buckets[this.buckets.length - 1].close, volume, openTimeMs: first.minuteMs };
  }
}
