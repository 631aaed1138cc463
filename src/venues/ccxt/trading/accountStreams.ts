import type { AccountOrder, AccountTrade } from '../../tradingTypes.ts';
import type { CcxtAccount } from '../ccxtAccount.ts';
import type { ClockDelays } from './clockDelay.ts';

export interface AccountStreamHandlers {
  orders(orders: AccountOrder[]): void;
  trades(trades: AccountTrade[]): void;
  /** A stream failed (a dropped socket, an error): until it delivers again, REST polling must fill the gap. */
  down(stream: 'orders' | 'trades', reason: string): void;
  /** The stream delivered again after being down. */
  up(stream: 'orders' | 'trades'): void;
}

export interface ReconnectBackoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { initialMs: 500, maxMs: 30_000 };

/**
 * The account's order and trade streams (ccxt.pro watchOrders / watchMyTrades), each a loop that
 * hands every batch on. A failure marks the stream down (the venue polls REST meanwhile, so nothing
 * between the drop and the resubscription is lost), waits a backoff on the clock and watches again:
 * ccxt resubscribes on the next call.
 */
export class AccountStreams {
  private stopped = false;
  private readonly down = { orders: false, trades: false };

  constructor(
    private readonly account: CcxtAccount,
    private readonly delays: ClockDelays,
    private readonly handlers: AccountStreamHandlers,
    private readonly backoff: ReconnectBackoff = DEFAULT_RECONNECT_BACKOFF,
  ) {}

  start(): void {
    void this.loop('orders');
    void this.loop('trades');
  }

  isDown(): boolean {
    return this.down.orders || this.down.trades;
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(stream: 'orders' | 'trades'): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (stream === 'orders') {
          const batch = await this.account.watchOrders();
          if (this.stopped) return;
          this.delivered(stream);
          this.handlers.orders(batch);
        } else {
          const batch = await this.account.watchMyTrades();
          if (this.stopped) return;
          this.delivered(stream);
          this.handlers.trades(batch);
        }
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        if (!this.down[stream]) {
          this.down[stream] = true;
          this.handlers.down(stream, error instanceof Error ? error.message : String(error));
        }
        failures++;
        await this.delays.wait(Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (failures - 1)));
      }
    }
  }

  private delivered(stream: 'orders' | 'trades'): void {
    if (!this.down[stream]) return;
    this.down[stream] = false;
    this.handlers.up(stream);
  }
}
