import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TRADING_STATE_CODE } from '../../risk/tradingState.ts';
import type { DashboardSource } from './dashboardModel.ts';
import type { DashboardSnapshot } from './dashboardTypes.ts';

/**
 * The Prometheus metrics of `/metrics` (prom-client, own registry per server). Gauges are read from
 * one snapshot per scrape; a figure not known (no position: no liquidation distance) is NaN.
 */
export function dashboardMetrics(source: DashboardSource): { registry: Registry; droppedClients: Counter } {
  const registry = new Registry();
  let scrape: DashboardSnapshot | null = null;
  let scrapeVersion = -1;
  const snap = () => {
    if (scrape === null || scrapeVersion !== source.version()) {
      scrape = source.snapshot();
      scrapeVersion = source.version();
    }
    return scrape;
  };
  const gauge = (name: string, help: string, value: (s: DashboardSnapshot) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(snap()) ?? Number.NaN);
      },
    });
  gauge('perp_arb_equity_usd', 'Ledger equity at the current marks, USD', (s) => s.equityUsd);
  gauge('perp_arb_funding_pnl_usd', 'Funding received minus paid since the start, USD', (s) => s.pnl.fundingUsd);
  gauge('perp_arb_fees_usd', 'Trading fees paid since the start, USD (positive)', (s) => -s.pnl.feesUsd);
  gauge('perp_arb_open_pairs', 'Pairs opening, open or closing', (s) => s.positions.length);
  gauge('perp_arb_naked_legs', 'Pairs with one leg held and the other flat', (s) => s.risk.nakedLegs);
  gauge('perp_arb_min_liquidation_distance', 'Smallest |mark - liquidation price| / mark over the legs (NaN: no leg can be liquidated)', (s) => s.risk.minLiquidationDistance);
  gauge('perp_arb_orders_in_flight', 'Orders sent and not yet filled, rejected, cancelled or expired', (s) => s.ordersInFlight.length);
  gauge('perp_arb_drawdown', 'Drawdown of equity from its peak (fraction)', (s) => s.risk.drawdown);
  new Gauge({
    name: 'perp_arb_trading_state',
    help: 'Trading state: 0 ACTIVE, 1 REDUCING, 2 HALTED (venue="session": the whole session; a venue: the more restrictive of its own and the session\'s)',
    labelNames: ['venue'],
    registers: [registry],
    collect() {
      const t = snap().risk.tradingState;
      this.set({ venue: 'session' }, TRADING_STATE_CODE[t.session]);
      for (const [venue, state] of Object.entries(t.venues)) {
        const effective = TRADING_STATE_CODE[state] > TRADING_STATE_CODE[t.session] ? state : t.session;
        this.set({ venue }, TRADING_STATE_CODE[effective]);
      }
    },
  });
  const latency = new Histogram({
    name: 'perp_arb_decision_latency_seconds',
    help: 'From a market event to the intent it caused (strategy and trading-state checks), seconds',
    buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    registers: [registry],
  });
  source.onDecisionLatency((seconds) => latency.observe(seconds));
  const droppedClients = new Counter({ name: 'perp_arb_dashboard_dropped_clients_total', help: 'Live-stream clients dropped for not reading', registers: [registry] });
  return { registry, droppedClients };
}
