import type { RoundTripRecord } from '../../engine/roundTrip.ts';
import type { TradingStateView } from '../../risk/tradingState.ts';

/**
 * What the dashboard page shows, as JSON (`/api/state`; the parts at `/api/positions`, `/api/funding`,
 * ...). Amounts in USD, rates and distances as fractions, times in ms UTC on the engine's clock.
 * A figure that is not known is null, never a made-up number.
 */
export interface DashboardSnapshot {
  format: 'perp-arb-dashboard';
  /** What is shown: 'paper session (replay: synthetic)', 'backtest run 12', ... */
  source: string;
  /** live: an engine runs in this process (controls work); stored: a finished session or run (read-only). */
  live: boolean;
  /** Engine time of the last market event (null before the first). */
  nowMs: number | null;
  /** Whether the session's input has ended. */
  finished: boolean;
  equityUsd: number | null;
  positions: PairPosition[];
  funding: FundingRow[];
  basis: BasisSeries[];
  risk: RiskView;
  pnl: PnlView;
  equity: EquitySample[];
  events: DashboardEvent[];
  ordersInFlight: OrderInFlight[];
}

export interface LegPosition {
  instrument: string;
  kind: string;
  side: 'long' | 'short';
  quantity: number;
  entryPrice: number | null;
  price: number | null;
  notionalUsd: number | null;
  /** Derivative legs, from the venue's margin model; null for spot or where the venue does not say. */
  liquidationPrice: number | null;
  /** |mark - liquidation price| / mark. */
  liquidationDistance: number | null;
  /** Initial margin of the position / the venue's equity in its settle asset. */
  marginUse: number | null;
  /** Next funding settlement of a perpetual leg minus now (null for spot, dated futures or when unknown). */
  nextFundingInMs: number | null;
}

export interface PairPosition {
  id: string;
  status: string;
  openedAtMs: number | null;
  legs: LegPosition[];
  /** (derivative - spot) / spot at the legs' average entry prices (or short vs long for two derivatives). */
  entryBasis: number | null;
  currentBasis: number | null;
  /** (long notional - short notional) / mean notional: the delta the pair carries. */
  deltaDrift: number | null;
  /** A leg holds quantity while the other holds none. */
  naked: boolean;
  fundingUsd: number | null;
  pricePnlUsd: number | null;
  feesUsd: number | null;
  netPnlUsd: number | null;
}

export interface FundingRow {
  instrument: string;
  lastRate: number | null;
  lastSettledMs: number | null;
  predictedRate: number | null;
  intervalMs: number | null;
  /** The last settled rate annualised by its interval: rate * (365 * 24 h / interval). */
  apr: number | null;
  predictedApr: number | null;
  nextFundingMs: number | null;
}

export interface BasisPoint {
  ts: number;
  basis: number;
  mu: number | null;
  upper: number | null;
  lower: number | null;
}

export interface BasisSeries {
  strategy: string;
  points: BasisPoint[];
}

export interface RiskView {
  tradingState: TradingStateView;
  /** Current drawdown from the equity curve's peak (fraction, >= 0). */
  drawdown: number | null;
  maxDrawdown: number | null;
  /** Annualised, from the equity samples (src/model/performanceMetrics.ts). */
  sharpe: number | null;
  /** Historical one-period VaR / CVaR at 95% of the equity samples' returns (fractions). */
  var95: number | null;
  cvar95: number | null;
  minLiquidationDistance: number | null;
  nakedLegs: number;
  ordersInFlight: number;
  /** Circuit breakers the risk layer tripped or cleared in this session (its risk actions); empty: none acted. */
  breakers: { name: string; tripped: boolean; reason: string | null }[];
}

export interface PnlWindow {
  fromMs: number;
  toMs: number;
  /** Price PnL of the round trips closed in the window. */
  realisedUsd: number;
  /** Price PnL of the pairs open now, at the current marks. */
  unrealisedUsd: number;
  fundingUsd: number;
  /** Trading fees paid in the window (negative: they reduce equity). */
  feesUsd: number;
  /** Equity now minus equity at the window's start. */
  netUsd: number | null;
}

export interface PnlView {
  startEquityUsd: number | null;
  totalReturn: number | null;
  fundingUsd: number;
  feesUsd: number;
  trades: number;
  liquidations: number;
  last24h: PnlWindow | null;
  roundTrips: RoundTripRecord[];
}

export interface EquitySample {
  ts: number;
  equityUsd: number;
}

export interface DashboardEvent {
  seq: number;
  ts: number;
  kind: 'order' | 'fill' | 'intent' | 'denial' | 'execution' | 'funding' | 'liquidation' | 'risk' | 'error';
  text: string;
}

export interface OrderInFlight {
  clientOrderId: string;
  venue: string;
  symbol: string;
  sinceMs: number;
  status: string;
}

/** What the live stream pushes: the snapshot without the long series, and the series' new points. */
export interface DashboardUpdate extends Omit<DashboardSnapshot, 'equity' | 'events' | 'basis'> {
  newEquity: EquitySample[];
  newEvents: DashboardEvent[];
  newBasis: BasisSeries[];
}
