import type { Instrument } from '../../domain/instrument.ts';
import type { ContractSizing } from './contractMath.ts';
import { resolveFeeRates, type FeeOverrides, type FeeRates } from './feeModel.ts';
import { DEFAULT_FILL_MODEL_CONFIG, validateFillModelConfig, type FillModelConfig } from './fillModel.ts';
import type { LatencyConfig } from './latencyModel.ts';
import { DEFAULT_LIQUIDATION_FEE_RATE, resolveMarginSettings, type BorrowConfig, type MarginConfig, type MarginSettings } from './marginModel.ts';

export interface SimulatedVenueConfig {
  /** Venue id; market data of other venues only moves the clock. */
  venue: string;
  /** The markets it trades (tick/lot sizes null: not checked; fee rates null: from `fees`). */
  instruments: Instrument[];
  /** Starting wallet balances per asset, e.g. { USDT: 100000 } (with derivativesBalances: the spot wallet's). */
  balances: Record<string, number>;
  /**
   * Keep a derivatives wallet apart from the spot wallet, as Binance does (USDⓈ-M futures): derivatives
   * margin, PnL, fees and funding come from it, spot trades from `balances`, and only a transfer moves
   * money between them. Absent: one wallet for everything.
   */
  derivativesBalances?: Record<string, number>;
  fees?: FeeOverrides;
  /** Overrides of the fill model's defaults (see fillModel.ts), for all markets or per symbol. */
  fill?: Partial<FillModelConfig> & { bySymbol?: Record<string, Partial<FillModelConfig>> };
  latency?: LatencyConfig;
  margin?: MarginConfig;
  borrow?: BorrowConfig;
}

/** Everything the venue needs to know about one market, resolved once. */
export interface SimInstrumentSpec {
  instrument: Instrument;
  symbol: string;
  kind: Instrument['kind'];
  base: string;
  quote: string;
  /** Asset of fees, PnL, funding and margin: quote for spot and linear, base for inverse. */
  settleAsset: string;
  terms: ContractSizing;
  fees: FeeRates;
  fill: FillModelConfig;
  /** Derivatives only (spot: null). Mutable through setLeverage / setMarginMode. */
  margin: MarginSettings | null;
}

/** Resolves every instrument of the config; throws on a missing fact (fee rate, inverse contract size) or a bad value. */
export function resolveInstrumentSpecs(config: SimulatedVenueConfig): Map<string, SimInstrumentSpec> {
  const specs = new Map<string, SimInstrumentSpec>();
  const { bySymbol: fillBySymbol, ...fillDefaults } = config.fill ?? {};
  for (const instrument of config.instruments) {
    const where = `${config.venue} ${instrument.symbol}`;
    if (instrument.venue !== config.venue) throw new Error(`${where}: instrument belongs to venue ${instrument.venue}`);
    if (specs.has(instrument.symbol)) throw new Error(`${where}: listed twice`);
    for (const field of ['tickSize', 'lotSize'] as const) {
      const value = instrument[field];
      if (value !== null && !(value > 0)) throw new Error(`${where}: ${field} must be > 0 or null (got ${value})`);
    }
    const derivative = instrument.kind !== 'spot';
    const linear = !derivative || instrument.linear !== false;
    const settle = derivative ? (instrument.settle ?? (linear ? instrument.quote : instrument.base)) : instrument.quote;
    let contractSize = 1;
    if (!linear) {
      if (!(instrument.contractSize !== null && instrument.contractSize > 0)) throw new Error(`${where}: an inverse contract needs its contractSize (quote units per contract)`);
      contractSize = instrument.contractSize;
    }
    const fill = validateFillModelConfig({ ...DEFAULT_FILL_MODEL_CONFIG, ...fillDefaults, ...fillBySymbol?.[instrument.symbol] });
    specs.set(instrument.symbol, {
      instrument,
      symbol: instrument.symbol,
      kind: instrument.kind,
      base: instrument.base,
      quote: instrument.quote,
      settleAsset: settle,
      terms: { linear, contractSize },
      fees: resolveFeeRates(instrument, config.fees),
      fill,
      margin: derivative ? resolveMarginSettings(instrument.symbol, config.margin) : null,
    });
  }
  return specs;
}

export function resolveLiquidationFeeRate(config: SimulatedVenueConfig): number {
  const rate = config.margin?.liquidationFeeRate ?? DEFAULT_LIQUIDATION_FEE_RATE;
  if (!(rate >= 0 && rate < 1)) throw new Error(`${config.venue}: liquidationFeeRate must be in [0, 1) (got ${rate})`);
  return rate;
}

export function checkStartingBalances(config: SimulatedVenueConfig): void {
  for (const [asset, amount] of [...Object.entries(config.balances), ...Object.entries(config.derivativesBalances ?? {})]) {
    if (!Number.isFinite(amount)) throw new Error(`${config.venue}: starting balance of ${asset} must be finite (got ${amount})`);
  }
  for (const [asset, rate] of Object.entries(config.borrow?.borrowRateAnnualByAsset ?? {})) {
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new Error(`${config.venue}: borrowRateAnnual of ${asset} must be finite and >= 0 (got ${rate})`);
  }
}
