import { MINUTE_MS } from '../core/time.ts';
import type { Instrument } from '../domain/instrument.ts';
import { createStrategy } from '../strategy/registry.ts';
import { SimulatedVenue } from '../venues/sim/simulatedVenue.ts';
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

/** The engine of a config: its strategy (from the registry), the venues' starting balances as deposits, the equity sampling. */
/**
 * Live sessions (testnet, live) also give: the strategy (its state restored), the deposits (the
 * venues' balances at the first start; none on a restart, whose `ledger` holds them), the
 * execution's leg policy, journal and client ids.
 */
export interface SessionEngineOptions extends Pick<EngineOptions, 'ledgerSink' | 'clock' | 'execution' | 'ledger' | 'tradingState' | 'deposits' | 'strategy' | 'fundingAmountFrom'> {}

export function sessionEngine(config: BacktestConfig, instruments: Instrument[], venues: readonly TradingVenue[], options: Partial<SessionEngineOptions> = {}): Engine {
  return new Engine({
    venues,
    instruments,
    strategy: options.strategy ?? createStrategy(config.strategy),
    deposits: options.deposits ?? config.venues.flatMap((v) => Object.entries(v.balances).filter(([, amount]) => amount > 0).map(([asset, amount]) => ({ venue: v.venue, asset, amount }))),
    equitySampleMs: config.equitySampleMinutes * MINUTE_MS,
    ledgerSink: options.ledgerSink,
    clock: options.clock,
    execution: options.execution,
    ledger: options.ledger,
    tradingState: options.tradingState,
    fundingAmountFrom: options.fundingAmountFrom,
  });
}
