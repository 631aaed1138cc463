import type { FillModelConfig } from '../sim/fillModel.ts';
import type { AccountRegistry } from './accounts/exchangeAccount.ts';
import type { OrderIds } from './accounts/orderIds.ts';
import type { ListingBook } from './listings.ts';
import type { MarketBoard } from './market/marketBoard.ts';
import type { MarketClock } from './market/marketClock.ts';
import type { MarketSetup } from './market/marketSetup.ts';
import type { ListenKeys } from './ws/listenKeys.ts';

/** What every venue's routes and streams read: the listings, the market, the clock and the accounts. */
export interface ExchangeContext {
  listings: ListingBook;
  board: MarketBoard;
  clock: MarketClock;
  accounts: AccountRegistry;
  ids: OrderIds;
  listenKeys: ListenKeys;
  setup: MarketSetup;
  /** The fill model every wallet matches with (the book's touch is its half spread). */
  fill: FillModelConfig;
  /** Wall clock, ms: signatures' timestamps are checked against it and /time answers it. */
  wallNowMs(): number;
  /** Private stream subscriptions taken so far (Bybit topics, Binance user-data connections): tests wait on it instead of sleeping. */
  streamStats: { privateSubscriptions: number };
  log(line: string): void;
}
