import type { LazyCommand } from './lazyCommands.ts';

/** perp-arb's commands: the module of each is imported only when it runs. */
export const COMMANDS: readonly LazyCommand[] = [
  { name: 'start', summary: 'the main job (npm start): carry and OU backtests on the stored Binance BTC pair, else the SYNTHETIC market', load: async () => (await import('./startCommand.ts')).registerStartCommand },
  { name: 'data', summary: 'the market-data store: import, download, list, show and check series', load: async () => (await import('./dataCommands.ts')).registerDataCommands },
  { name: 'forecast', summary: 'funding-rate forecasts: walk-forward evaluation of AR and random-forest models against persistence', load: async () => (await import('./forecastCommand.ts')).registerForecastCommand },
  { name: 'fit', summary: 'fit an OU model to the spot/perp basis and derive fee-aware entry thresholds', load: async () => (await import('./fitCommand.ts')).registerFitCommand },
  { name: 'scan', summary: 'find carry, basis, cross-venue, funding-differential and calendar opportunities', load: async () => (await import('./scanCommand.ts')).registerScanCommand },
  { name: 'backtest', summary: 'backtest a strategy on stored or synthetic data (simulated venues, exact ledger)', load: async () => (await import('./backtestCommand.ts')).registerBacktestCommand },
  { name: 'sweep', summary: 'run a parameter grid of backtests on worker threads, optionally walk-forward, ranked', load: async () => (await import('./sweepCommand.ts')).registerSweepCommand },
  { name: 'runs', summary: 'the recorded backtests and sweeps: list, show and compare them', load: async () => (await import('./runsCommand.ts')).registerRunsCommand },
  { name: 'run', summary: 'trade a strategy: paper on the live market or a replay, testnet, live (ccxt trading venues)', load: async () => (await import('./runCommand.ts')).registerRunCommand },
  { name: 'dashboard', summary: "the live dashboard of a session's state directory or of a recorded backtest", load: async () => (await import('./dashboardCommand.ts')).registerDashboardCommand },
  { name: 'status', summary: 'a testnet or live session: pairs, naked legs, orders in flight, reconciliation with the venues', load: async () => (await import('./statusCommand.ts')).registerStatusCommand },
  { name: 'flatten', summary: 'close every pair of a testnet or live session (same two-leg execution)', load: async () => (await import('./statusCommand.ts')).registerFlattenCommand },
  { name: 'venues', summary: 'list the supported venues (ccxt exchanges) and what each can do', load: async () => (await import('./venuesCommand.ts')).registerVenuesCommand },
  { name: 'record', summary: "stream a venue's live books, funding and marks into the store", load: async () => (await import('./recordCommand.ts')).registerRecordCommand },
  { name: 'config', summary: 'config files: their JSON Schema, and a documented starting config for a strategy', load: async () => (await import('./configCommand.ts')).registerConfigCommand },
  { name: 'exchange-sim', summary: 'a local Binance + Bybit exchange (REST and websockets) for rehearsals and tests, with injected faults', load: async () => (await import('./exchangeSimCommand.ts')).registerExchangeSimCommand },
  { name: 'account', summary: 'show balances, positions and open orders of a venue account (read-only)', load: async () => (await import('./accountCommand.ts')).registerAccountCommand },
];
