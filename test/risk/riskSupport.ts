import { Ledger } from '../../src/portfolio/ledger.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import { RiskEngine } from '../../src/risk/riskEngine.ts';
import { RiskConfigSchema, type RiskConfigInput } from '../../src/risk/riskConfig.ts';
import type { RiskAction } from '../../src/risk/riskTypes.ts';
import { TradingStateHolder } from '../../src/risk/tradingState.ts';
import type { InstrumentSnapshot, MarketView, PairView, PositionView } from '../../src/strategy/types.ts';
import { perp, spot, T0 } from '../engine/engineSupport.ts';

export const V = 'binance';
export const SPOT = { venue: V, symbol: 'BTC/USDT' };
export const PERP = { venue: V, symbol: 'BTC/USDT:USDT' };

type Snap = { -readonly [K in keyof InstrumentSnapshot]: InstrumentSnapshot[K] };

function snap(venue: string, symbol: string): Snap {
  return { venue, symbol, price: Number.NaN, priceTs: Number.NaN, bid: Number.NaN, ask: Number.NaN, markPrice: Number.NaN, markTs: Number.NaN, fundingRatePerInterval: Number.NaN, fundingIntervalMs: 8 * 3_600_000, fundingTs: Number.NaN, predictedFundingRatePerInterval: Number.NaN, predictedFundingTs: Number.NaN, nextFundingTimeMs: Number.NaN };
}

/**
 * The risk engine on its own, over plain views: a market whose prices the test sets, one pair whose
 * quantities it sets, a real (empty) ledger. For the rules that read only prices and the pair.
 */
export function riskOnViews(config: RiskConfigInput, pair: Partial<PairView> & Pick<PairView, 'long' | 'short'>, instruments: Instrument[] = [spot(V), perp(V)]) {
  const snaps = new Map<string, Snap>(instruments.map((i) => [`${i.venue}:${i.symbol}`, snap(i.venue, i.symbol)]));
  const market: MarketView = {
    get: (venue, symbol) => snaps.get(`${venue}:${symbol}`),
    instrument: (venue, symbol) => instruments.find((i) => i.venue === venue && i.symbol === symbol),
  };
  const view: PairView = { id: 'p1', status: 'open', longQty: 1, shortQty: 1, openedAtMs: T0, ...pair };
  const positions: PositionView = { activePairs: () => (view.status === 'open' ? [view] : []), pair: (id) => (id === view.id ? view : undefined) };
  const ledger = new Ledger({ instruments });
  const tradingState = new TradingStateHolder([V]);
  const risk = new RiskEngine({
    config: RiskConfigSchema.parse(config),
    instruments,
    venues: [V],
    marginByVenue: { [V]: { leverage: 3, maintenanceMarginRate: 0.004, marginMode: 'cross' } },
    market,
    positions,
    ledger,
    tradingState,
    markOf: (venue, symbol) => snaps.get(`${venue}:${symbol}`)!.price,
    equityUsd: () => 100_000,
  });
  const actions: RiskAction[] = [];
  risk.subscribe((a) => actions.push(a));
  const setPrice = (ref: { venue: string; symbol: string }, price: number, ts: number) => {
    const s = snaps.get(`${ref.venue}:${ref.symbol}`)!;
    s.price = price;
    s.priceTs = ts;
  };
  return { risk, market, snaps, view, ledger, tradingState, actions, setPrice };
}
