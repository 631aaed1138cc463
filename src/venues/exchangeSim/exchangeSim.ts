import { MarketStore } from '../../data/store/marketStore.ts';
import { DEFAULT_FILL_MODEL_CONFIG, validateFillModelConfig, type FillModelConfig } from '../sim/fillModel.ts';
import { checkUniqueKeys, defaultAccount, type AccountSpec } from './accounts/accountSpec.ts';
import { AccountRegistry, ExchangeAccount } from './accounts/exchangeAccount.ts';
import { OrderIds } from './accounts/orderIds.ts';
import { binancePrivateRoutes } from './binance/binancePrivateRoutes.ts';
import { binanceProtocol } from './binance/binanceProtocol.ts';
import { binancePublicRoutes } from './binance/binancePublicRoutes.ts';
import { binanceStreams } from './binance/binanceStreams.ts';
import { binanceUserStreamRoutes } from './binance/binanceUserStream.ts';
import { bybitPrivateRoutes } from './bybit/bybitPrivateRoutes.ts';
import { bybitProtocol } from './bybit/bybitProtocol.ts';
import { bybitPublicRoutes } from './bybit/bybitPublicRoutes.ts';
import { bybitStreams } from './bybit/bybitStreams.ts';
import type { ExchangeContext } from './exchangeContext.ts';
import { FaultInjector } from './faults/faultInjector.ts';
import { parseFaultSpec, type FaultRule } from './faults/faultSpec.ts';
import { createHttpServer, type HttpStats } from './http/httpServer.ts';
import { ListingBook } from './listings.ts';
import { MarketBoard } from './market/marketBoard.ts';
import { MarketClock } from './market/marketClock.ts';
import type { MarketSetup } from './market/marketSetup.ts';
import { storeSetup } from './market/storeSetup.ts';
import { DEFAULT_SIM_HISTORY_MS, syntheticSetup, type SyntheticSetupOptions } from './market/syntheticSetup.ts';
import { ListenKeys } from './ws/listenKeys.ts';
import { attachStreams } from './ws/streamServer.ts';

export type ExchangeSimMarket =
  | ({ kind: 'synthetic' } & Omit<SyntheticSetupOptions, 'seed' | 'nowMs'>)
  | { kind: 'store'; dir: string; fromMs?: number; toMs?: number; historyMs?: number };

export interface ExchangeSimOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Must be a loopback address (127.0.0.0/8); default 127.0.0.1. */
  host?: string;
  seed?: number;
  /** --faults SPEC (src/venues/exchangeSim/faults/faultSpec.ts). */
  faults?: string;
  market?: ExchangeSimMarket;
  /** Market time per wall time (default 1). */
  speed?: number;
  /** Default: one account with fresh random keys. */
  accounts?: AccountSpec[];
  fill?: Partial<FillModelConfig>;
  /** Wall clock (tests). */
  wallNowMs?: () => number;
  log?: (line: string) => void;
}

export interface ExchangeSim {
  /** http://127.0.0.1:PORT: give it to rewriteApiUrls / CcxtExchangeOptions.loopbackBaseUrl. */
  baseUrl: string;
  wsBaseUrl: string;
  port: number;
  accounts: readonly AccountSpec[];
  faultRules: readonly FaultRule[];
  context: ExchangeContext;
  faults: FaultInjector;
  httpStats: HttpStats;
  description: string;
  close(): Promise<void>;
}

const LOOPBACK_HOST = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

async function marketSetup(options: ExchangeSimOptions, seed: number, nowMs: number): Promise<MarketSetup> {
  const market = options.market ?? { kind: 'synthetic' };
  if (market.kind === 'store') return storeSetup(new MarketStore(market.dir), { fromMs: market.fromMs, toMs: market.toMs, historyMs: market.historyMs ?? DEFAULT_SIM_HISTORY_MS });
  const { kind: _kind, ...rest } = market;
  return syntheticSetup({ ...rest, seed, nowMs });
}

/**
 * Starts exchange-sim: the REST API (and websocket streams) of Binance spot + USDⓈ-M and Bybit v5 on
 * a loopback port, its market played from the synthetic generator or a store, every account's
 * orders matched by the simulated venue of src/venues/sim/.
 */
export async function startExchangeSim(options: ExchangeSimOptions = {}): Promise<ExchangeSim> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOST.test(host)) throw new Error(`exchange-sim listens on loopback addresses only (127.0.0.0/8), not '${host}'`);
  const seed = options.seed ?? 1;
  const wallNowMs = options.wallNowMs ?? Date.now;
  const log = options.log ?? (() => {});
  const faultRules = parseFaultSpec(options.faults ?? '');
  const fill = validateFillModelConfig({ ...DEFAULT_FILL_MODEL_CONFIG, ...options.fill });
  const accountSpecs = options.accounts ?? [defaultAccount()];
  checkUniqueKeys(accountSpecs, 'exchange-sim accounts');
  const setup = await marketSetup(options, seed, wallNowMs());
  const listings = new ListingBook(setup.listings);
  const board = new MarketBoard(setup.listings);
  const clock = new MarketClock(setup, options.speed ?? 1, (error) => log(`market: ${(error as Error).message}`));
  const ids = new OrderIds(seed);
  const accounts = accountSpecs.map((spec) => new ExchangeAccount(spec, setup.listings, ids, () => clock.nowMs, options.fill));
  const registry = new AccountRegistry(accounts);
  clock.onEvent((cursor) => board.apply(cursor));
  for (const account of accounts) clock.onEvent((cursor) => account.onMarketData(cursor));
  const context: ExchangeContext = { listings, board, clock, accounts: registry, ids, listenKeys: new ListenKeys(wallNowMs), setup, fill, wallNowMs, log, streamStats: { privateSubscriptions: 0 } };
  await clock.playHistory();

  const faults = new FaultInjector(faultRules, seed, wallNowMs);
  const routes = [
    ...binancePublicRoutes(context, 'spot'),
    ...binancePublicRoutes(context, 'usdm'),
    ...binancePrivateRoutes(context, 'spot'),
    ...binancePrivateRoutes(context, 'usdm'),
    ...binanceUserStreamRoutes(context),
    ...bybitPublicRoutes(context),
    ...bybitPrivateRoutes(context),
  ];
  const { app, stats } = createHttpServer({ routes, protocols: { binance: binanceProtocol(context), bybit: bybitProtocol(context) }, faults, log });
  const streams = attachStreams(app.server, context, [binanceStreams(context, faults), bybitStreams(context, faults)]);
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  clock.start();
  let closed: Promise<void> | null = null;
  return {
    baseUrl: `http://${host}:${port}`,
    wsBaseUrl: `ws://${host}:${port}`,
    port,
    accounts: accountSpecs,
    faultRules,
    context,
    faults,
    httpStats: stats,
    description: setup.description,
    close() {
      closed ??= (async () => {
        await clock.close();
        streams.close();
        await app.close();
      })();
      return closed;
    },
  };
}
