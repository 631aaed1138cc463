import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../src/core/time.ts';
import { PERP, rawExchange, simAccount, useExchangeSim } from './support/simHarness.ts';

interface Income {
  income: string;
  time: number;
}
interface Settlement {
  fundingTime: number;
  fundingRate: string;
  markPrice: string;
}

describe('funding on the venue schedule', () => {
  // 1-minute funding at 30x: a settlement every 2 s of wall time.
  const sim = useExchangeSim({ speed: 30, market: { kind: 'synthetic', historyMs: HOUR_MS, synthetic: { fundingIntervalMs: MINUTE_MS } } });

  it('a short perp position receives -position x mark x rate at each settlement, into the wallet, on the minute', async () => {
    const raw = await rawExchange(sim(), 'binance', 'future');
    const account = simAccount(sim(), 'binance');
    const wallet = async () => Number(((await raw.fapiPrivateV3GetAccount()) as { assets: { walletBalance: string }[] }).assets[0].walletBalance);
    // No position yet, so no funding can land before this read.
    const initial = await wallet();
    const placed = await account.createOrder({ clientOrderId: 'fundingShort', venue: 'binance', symbol: PERP, side: 'sell', type: 'market', quantity: 0.05, limitPrice: null, timeInForce: 'GTC', reduceOnly: false, ts: 0 });
    const [trade] = (await raw.fapiPrivateGetUserTrades({ symbol: 'SYNUSDT', orderId: placed.orderId })) as { commission: string }[];
    const incomesNow = async () => (await raw.fapiPrivateGetIncome({ symbol: 'SYNUSDT', incomeType: 'FUNDING_FEE' })) as Income[];
    let incomes: Income[] = [];
    for (let i = 0; i < 40 && incomes.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      incomes = await incomesNow();
    }
    expect(incomes.length).toBeGreaterThan(0);
    const first = incomes[0];

    expect(first.time % MINUTE_MS).toBe(0);
    const settlements = (await raw.fapiPublicGetFundingRate({ symbol: 'SYNUSDT', startTime: first.time, endTime: first.time })) as Settlement[];
    expect(settlements).toHaveLength(1);
    const rate = Number(settlements[0].fundingRate);
    const mark = Number(settlements[0].markPrice);
    expect(Number(first.income)).toBe(-(-0.05) * mark * rate);
    // The wallet moved by the fee and the funding payments alone (read between two equal income lists: no settlement in between).
    let after = Number.NaN;
    let paid = Number.NaN;
    for (let i = 0; i < 5 && Number.isNaN(paid); i++) {
      const listed = await incomesNow();
      after = await wallet();
      if ((await incomesNow()).length === listed.length) paid = listed.reduce((sum, row) => sum + Number(row.income), 0);
    }
    expect(after).toBeCloseTo(initial - Number(trade.commission) + paid, 9);
    // ccxt's funding history of the account reads the same payments.
    const history = await raw.fetchFundingHistory(PERP);
    expect(history[0]).toMatchObject({ symbol: PERP, code: 'USDT', amount: Number(first.income), timestamp: first.time });
    // The venue's funding rate ticker names the next settlement on the same grid.
    const quote = await raw.fetchFundingRate(PERP);
    expect(quote.fundingTimestamp! % MINUTE_MS).toBe(0);
    expect(quote.fundingTimestamp!).toBeGreaterThan(first.time);
    await account.close();
  });
});
