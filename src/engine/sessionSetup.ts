import { MINUTE_MS } from '../core/time.ts';
import type { Instrument } from '../domain/instrument.ts';
import { createStrategy } from '../strategy/registry.ts';
import { SimulatedVenue } from '../venues/sim/simulatedVenue.ts';
import { DEFAULT_MARGIN_SETTINGS } from '../venues/sim/marginModel.ts';
import type { TradingVenue } from '../venues/tradingTypes.ts';
import type { BacktestConfig, InstrumentOverrides } from './backtestConfig.ts';
import { Engine, type EngineOptions } from './engine.ts';

/** What backtests and paper sessions build alike from a config: instruments with overrides, simulated venues, the engine. */

export function applyInstrumentOverrides(base: Instrument, c: InstrumentOverrides): Instrument {
  const out: Instrument = { ...base };
  if (c.makerFeeRate !== undefined) out.makerFeeRate = c.makerFeeRate;
  if (c.takerFeeRate !== undefined) out.takerFeeRate = c.takerFeeRate;
  if (c.lotSize !== undefined) out.lotSize = c.lotSize;
  if (c.tickSize !== undefined) out.tickSize = c.tickSize;
  return out;
}

/** One simulated venue per configured venue, holding the config's balances; every instrument's venue must be configured. */
export function simulatedVenuesOf(config: BacktestConfig, instruments: readonly Instrument[]): SimulatedVenue[] {
  const venues = config.venues.map((v) => {
    const own = instruments.filter((i) => i.venue === v.venue);
    if (own.length === 0) throw new Error(`venue ${v.venue}: no instrument of the config is on it`);
    const fill: Record<string, number> = {};
    if (v.halfSpreadBps !== undefined) fill.halfSpreadBps = v.halfSpreadBps;
    if (v.slippageCoefficientBps !== undefined) fill.slippageCoefficientBps = v.slippageCoefficientBps;
    if (v.maxSlippageBps !== undefined) fill.maxSlippageBps = v.maxSlippageBps;
    return new SimulatedVenue({
      venue: v.venue,
      instruments: own,
      balances: v.balances,
      derivativesBalances: v.derivativesBalances,
      fill,
      latency: v.latencyMs > 0 ? { kind: 'fixed', latencyMs: v.latencyMs } : undefined,
      margin: { defaults: { leverage: v.leverage, marginMode: v.marginMode, ...(v.maintenanceMarginRate !== undefined ? { maintenanceMarginRate: v.maintenanceMarginRate } : {}) } },
      borrow: v.borrowRateAnnualByAsset ? { borrowRateAnnualByAsset: v.borrowRateAnnualByAsset } : undefined,
    });
  });
  for (const inst of instruments) {
    if (!config.venues.some((v) => v.venue === inst.venue)) throw new Error(`instrument ${inst.venue}:${inst.symbol}: its venue is not configured under "venues"`);
  }
  return venues;
}

/** A venue's cash over its wallets (the ledger keeps one cash account per venue and asset). */
function walletsTogether(spot: Record<string, number>, derivatives: Record<string, number> | undefined): Record<string, number> {
  const out = { ...spot };
  for (const [asset, amount] of Object.entries(derivatives ?? {})) out[asset] = (out[asset] ?? 0) + amount;
  return out;
}

/**
 * Live sessions (testnet, live) also give: the strategy (its state restored), the deposits (the
 * venues' balances at the first start; none on a restart, whose `ledger` holds them), the
 * execution's leg policy, journal and client ids.
 */
export interface SessionEngineOptions extends Pick<EngineOptions, 'ledgerSink' | 'clock' | 'execution' | 'ledger' | 'tradingState' | 'deposits' | 'strategy' | 'fundingAmountFrom'> {}

/** The engine of a config: its strategy (from the registry), the venues' starting balances as deposits, the equity sampling. */
export function sessionEngine(config: BacktestConfig, instruments: Instrument[], venues: readonly TradingVenue[], options: Partial<SessionEngineOptions> = {}): Engine {
  const simOf = (venue: string) => {
    const found = venues.find((v) => v.venue === venue);
    return found instanceof SimulatedVenue ? found : undefined;
  };
  return new Engine({
    venues,
    instruments,
    strategy: options.strategy ?? createStrategy(config.strategy),
    deposits: options.deposits ?? config.venues.flatMap((v) => Object.entries(walletsTogether(v.balances, v.derivativesBalances)).filter(([, amount]) => amount > 0).map(([asset, amount]) => ({ venue: v.venue, asset, amount }))),
    equitySampleMs: config.equitySampleMinutes * MINUTE_MS,
    ledgerSink: options.ledgerSink,
    clock: options.clock,
    execution: options.execution,
    ledger: options.ledger,
    tradingState: options.tradingState,
    fundingAmountFrom: options.fundingAmountFrom,
    risk: config.risk ?? null,
    // Simulated venues with separate wallets: the risk layer reads the derivatives wallet and may move collateral into it.
    walletBalance: (venue, wallet, asset) => simOf(venue)?.walletBalance(wallet, asset) ?? null,
    transferCollateral: (venue, asset, amount) => simOf(venue)?.transferToDerivatives(asset, amount) ?? 0,
    marginByVenue: Object.fromEntries(config.venues.map((v) => [v.venue, { leverage: v.leverage, marginMode: v.marginMode, maintenanceMarginRate: v.maintenanceMarginRate ?? DEFAULT_MARGIN_SETTINGS.maintenanceMarginRate }])),
  });
}
