/**
 * What an account client may do. 'readOnly' (balances, positions, orders) is the default everywhere;
 * 'testnet' trades on the venue's sandbox (ccxt setSandboxMode); 'live' sends real orders and must
 * be chosen explicitly by the caller (the CLI also requires --live and PERP_ARB_LIVE=1).
 */
export type AccountMode = 'readOnly' | 'testnet' | 'live';

/** A call that changes the account (orders, leverage, margin or position mode) on a read-only client. Nothing was sent. */
export class TradingDisabledError extends Error {
  readonly venue: string;
  readonly method: string;
  constructor(venue: string, method: string) {
    super(`${venue} ${method}: refused, the account client is read-only (construct it with mode 'live' or 'testnet' to trade); nothing was sent`);
    this.name = 'TradingDisabledError';
    this.venue = venue;
    this.method = method;
  }
}
