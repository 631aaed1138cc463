import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../src/core/time.ts';
import type { Fill, FundingPayment } from '../../../src/domain/trading.ts';
import { Ledger } from '../../../src/portfolio/ledger.ts';
import { PERP, rawExchange, useExchangeSim } from '../exchangeSim/support/simHarness.ts';
import { marketOrder, simVenue, until } from './support/tradingHarness.ts';

describe("funding payments from the account's funding history", () => {
  // 1-minute funding at 30x: a settlement every 2 s of wall time.
  const sim = useExchangeSim({ speed: 30, market: { kind: 'synthetic', historyMs: HOUR_MS, synthetic: { fundingIntervalMs: MINUTE_MS } } });

  for (const name of ['binance', 'bybit'] as const) {
    it(`${name}: a short perp receives -position x mark x rate; the payment is one the ledger books exactly`, async () => {
      const rig = await simVenue(sim(), name);
      const ledger = new Ledger({ instruments: await rig.venue.instruments() });
      ledger.recordDeposit({ venue: name, asset: 'USDT', amount: 100_000, ts: Date.now() });
      await rig.venue.submit(marketOrder(name, PERP, { side: 'sell', quantity: 0.05 }));
      const fill = rig.events.find((e) => e.type === 'fill')!;
      ledger.recordFill((fill as { fill: Fill }).fill);
      const payments = () => rig.events.filter((e) => e.type === 'funding').map((e) => (e as { payment: FundingPayment }).payment);
      await until(async () => {
        await rig.venue.pollFunding();
        return payments().length > 0;
      }, 10_000, 'a funding settlement');
      const [payment] = payments();
      expect(payment).toMatchObject({ venue: name, symbol: PERP, positionQty: -0.05, asset: 'USDT' });
      expect(payment.ts % MINUTE_MS).toBe(0);
      const raw = await rawExchange(sim(), name, 'swap');
      const [settled] = await raw.fetchFundingRateHistory(PERP, payment.ts, 1);
      expect(settled).toMatchObject({ timestamp: payment.ts, fundingRate: payment.fundingRatePerInterval });
      expect(payment.amount).toBeCloseTo(0.05 * payment.markPrice * payment.fundingRatePerInterval, 12);
      // The ledger recomputes it from rate, mark and its own position: it must agree.
      expect(() => ledger.recordFunding(payment)).not.toThrow();
      // Read again: each settlement once.
      const seen = payments().length;
      await rig.venue.pollFunding();
      expect(new Set(payments().map((p) => p.ts)).size).toBe(payments().length);
      expect(payments().length).toBeGreaterThanOrEqual(seen);
      await raw.close();
      await rig.venue.close();
    });
  }
});
