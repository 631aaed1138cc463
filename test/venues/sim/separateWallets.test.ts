import { describe, expect, it } from 'vitest';
import { bar, funding, harness, order, perpInstrument, PERP, SPOT, spotInstrument } from './simSupport.ts';

/** Binance keeps spot and USDⓈ-M futures wallets apart: the perp's margin comes only from its own wallet. */
describe('simulated venue with separate spot and derivatives wallets (derivativesBalances)', () => {
  it('spot trades draw on the spot wallet, the perp on the derivatives wallet; funding lands there; a transfer moves money between them', async () => {
    const h = harness({ instruments: [perpInstrument(), spotInstrument()], balances: { USDT: 60_000 }, derivativesBalances: { USDT: 10_000 }, fill: { halfSpreadBps: 0, slippageCoefficientBps: 0, maxSlippageBps: 0 }, margin: { defaults: { leverage: 3 } } });
    const v = h.venue;
    v.onMarketData(bar(0, { open: 50_000, high: 50_000, low: 50_000, close: 50_000 }, SPOT));
    v.onMarketData(bar(0, { open: 50_000, high: 50_000, low: 50_000, close: 50_000 }, PERP));
    // Short 1 perp at 3x needs 50,000 / 3 + 25 (taker 0.05%) = 16,691.67 of the derivatives wallet's 10,000:
    // refused although the spot wallet holds 60,000.
    const refused = await v.submit(order({ side: 'sell', quantity: 1, ts: 60_000 }));
    expect(refused.status).toBe('rejected');
    expect(refused.reason).toMatch(/insufficientMargin.*available 10000/);
    // Buy 1 BTC spot: 50,000 + 50 fee from the spot wallet.
    expect((await v.submit(order({ symbol: SPOT, side: 'buy', quantity: 1, ts: 60_000 }))).status).toBe('filled');
    expect(v.walletBalance('spot', 'USDT')).toBeCloseTo(9_950, 9);
    expect(v.walletBalance('derivatives', 'USDT')).toBe(10_000);
    // Move what the spot wallet has free (9,950 of the 10,000 asked), then the perp fits: 19,950 >= 16,691.67.
    expect(v.transferToDerivatives('USDT', 10_000)).toBeCloseTo(9_950, 9);
    expect(v.walletBalance('spot', 'USDT')).toBeCloseTo(0, 9);
    expect((await v.submit(order({ side: 'sell', quantity: 1, ts: 60_000 }))).status).toBe('filled');
    expect(v.walletBalance('derivatives', 'USDT')).toBeCloseTo(19_950 - 25, 9);
    // Funding 0.01% on a short 1 at the mark 50,000 pays the short 5 USDT, into the derivatives wallet.
    v.onMarketData(funding(8 * 3_600_000, 0.0001, PERP, 50_000));
    expect(v.walletBalance('derivatives', 'USDT')).toBeCloseTo(19_925 + 5, 9);
    const balances = await v.balances();
    expect(balances.map((b) => `${b.wallet} ${b.asset}`)).toEqual(['sim:spot BTC', 'sim:spot USDT', 'sim:derivatives USDT']);
    // One wallet: no transfer, no wallet balance.
    const one = harness({ balances: { USDT: 1000 } }).venue;
    expect(one.walletBalance('derivatives', 'USDT')).toBeNull();
    expect(one.transferToDerivatives('USDT', 100)).toBe(0);
  });

  it("liquidation counts only the derivatives wallet: a short 1 at 50,000 with 20,000 there is liquidated at (50,000 + 20,000) / 1.004 = 69,721.1, whatever the spot wallet holds", async () => {
    const h = harness({ instruments: [perpInstrument({ takerFeeRate: 0, makerFeeRate: 0 })], balances: { USDT: 1_000_000 }, derivativesBalances: { USDT: 20_000 }, fill: { halfSpreadBps: 0, slippageCoefficientBps: 0, maxSlippageBps: 0 }, margin: { defaults: { leverage: 3 } } });
    const v = h.venue;
    v.onMarketData(bar(0, { open: 50_000, high: 50_000, low: 50_000, close: 50_000 }));
    await v.submit(order({ side: 'sell', quantity: 1, ts: 60_000 }));
    expect((await v.positions())[0].liquidationPrice).toBeCloseTo(70_000 / 1.004, 6);
    v.onMarketData(bar(60_000, { open: 50_000, high: 69_700, low: 50_000, close: 69_000 }));
    expect(h.of('liquidation')).toHaveLength(0);
    v.onMarketData(bar(120_000, { open: 69_000, high: 69_800, low: 69_000, close: 69_500 }));
    expect(h.of('liquidation')).toHaveLength(1);
    expect(h.of('liquidation')[0].liquidation.price).toBeCloseTo(70_000 / 1.004, 6);
  });
});
