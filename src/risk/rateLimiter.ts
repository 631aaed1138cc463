/**
 * An order-rate limit per venue that DENIES beyond the rate, never queues (NautilusTrader's
 * `100/00:00:01`): at most `maxOrders` sends in any window of `windowMs`. A ring of the last
 * maxOrders send times per venue; a check is O(1).
 */
export class OrderRateLimiter {
  private readonly rings = new Map<string, { times: Float64Array; next: number; count: number }>();

  constructor(
    readonly maxOrders: number,
    readonly windowMs = 1000,
  ) {
    if (!(Number.isInteger(maxOrders) && maxOrders >= 1)) throw new Error(`maxOrders must be an integer >= 1 (got ${maxOrders})`);
  }

  /** Orders sent on the venue in (nowMs - windowMs, nowMs]. */
  sentInWindow(venue: string, nowMs: number): number {
    const ring = this.rings.get(venue);
    if (ring === undefined) return 0;
    let n = 0;
    for (let i = 0; i < ring.count; i++) if (ring.times[i] > nowMs - this.windowMs) n++;
    return n;
  }

  /** Why `orders` more sends on the venue now would break the limit; null when they fit. */
  denial(venue: string, orders: number, nowMs: number): string | null {
    if (orders <= 0) return null;
    const ring = this.rings.get(venue);
    if (ring === undefined || ring.count + orders <= this.maxOrders) return orders <= this.maxOrders ? null : this.text(venue, 0, orders);
    // The oldest send still counted decides: with a full ring, the (count - maxOrders + orders)-th oldest.
    const sent = this.sentInWindow(venue, nowMs);
    return sent + orders <= this.maxOrders ? null : this.text(venue, sent, orders);
  }

  record(venue: string, nowMs: number): void {
    let ring = this.rings.get(venue);
    if (ring === undefined) this.rings.set(venue, (ring = { times: new Float64Array(this.maxOrders), next: 0, count: 0 }));
    ring.times[ring.next] = nowMs;
    ring.next = (ring.next + 1) % this.maxOrders;
    if (ring.count < this.maxOrders) ring.count++;
  }

  private text(venue: string, sent: number, orders: number): string {
    return `order rate limit on ${venue}: ${sent} sent in the last ${this.windowMs} ms + ${orders} > ${this.maxOrders}`;
  }
}
