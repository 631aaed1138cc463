import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../../src/domain/trading.ts';
import { clientId, KEYS, PERP, rawExchange, SECRETS, simAccount, SPOT, useExchangeSim, venueError } from './support/simHarness.ts';

const order = (venue: string, symbol: string, overrides: Partial<OrderRequest>): OrderRequest => ({
  clientOrderId: clientId(),
  venue,
  symbol,
  side: 'buy',
  type: 'market',
  quantity: 0.01,
  limitPrice: null,
  timeInForce: 'GTC',
  reduceOnly: false,
  ts: 0,
  ...overrides,
});

const num = (value: unknown) => Number(value);

describe('exchange-sim trading through perp-arb CcxtAccount and ccxt', () => {
  const sim = useExchangeSim();

  it('binance USDⓈ-M: a market buy fills; the wallet pays exactly the taker fee (0.05%) and the position opens at the fill price', async () => {
    const account = simAccount(sim(), 'binance');
    const raw = await rawExchange(sim(), 'binance', 'future');
    const walletOf = async () => num(((await raw.fapiPrivateV3GetAccount()) as { assets: { walletBalance: string }[] }).assets[0].walletBalance);
    const before = await walletOf();
    const placed = await account.createOrder(order('binance', PERP, {}));
    expect(placed).toMatchObject({ status: 'filled', filledQuantity: 0.01, quantity: 0.01, side: 'buy', type: 'market' });
    const trades = (await raw.fapiPrivateGetUserTrades({ symbol: 'SYNUSDT', orderId: placed.orderId })) as { price: string; qty: string; commission: string; commissionAsset: string; maker: boolean }[];
    expect(trades).toHaveLength(1);
    const price = num(trades[0].price);
    const fee = 0.01 * price * 0.0005;
    expect(num(trades[0].commission)).toBe(fee);
    expect(trades[0]).toMatchObject({ commissionAsset: 'USDT', maker: false });
    expect(await walletOf()).toBe(before - fee);
    const [position] = await account.fetchPositions([PERP]);
    expect(position).toMatchObject({ symbol: PERP, quantity: 0.01, entryPrice: price, settleAsset: 'USDT', marginMode: 'cross', positionSide: 'both' });
    await account.close();
  });

  it('binance spot: a market buy moves USDT by cost + fee (0.1%, in USDT as the simulated venue charges) and SYN by the quantity', async () => {
    const account = simAccount(sim(), 'binance', 'spot');
    const raw = await rawExchange(sim(), 'binance', 'spot');
    const balances = async () => Object.fromEntries((await account.fetchBalances()).map((b) => [b.asset, b.total]));
    const before = await balances();
    const placed = await account.createOrder(order('binance', SPOT, { quantity: 0.02 }));
    expect(placed).toMatchObject({ status: 'filled', filledQuantity: 0.02 });
    const [trade] = (await raw.privateGetMyTrades({ symbol: 'SYNUSDT', orderId: placed.orderId })) as { price: string; qty: string; commission: string }[];
    const price = num(trade.price);
    const fee = 0.02 * price * 0.001;
    expect(num(trade.commission)).toBe(fee);
    const after = await balances();
    expect(after.USDT).toBe(before.USDT! - fee - 0.02 * price);
    expect(after.SYN).toBe((before.SYN ?? 0) + 0.02);
    await account.close();
  });

  it('bybit linear: a market buy fills; the unified wallet pays exactly the 0.055% taker fee', async () => {
    const account = simAccount(sim(), 'bybit');
    const raw = await rawExchange(sim(), 'bybit', 'swap');
    const usdt = async () => (await account.fetchBalances()).find((b) => b.asset === 'USDT')!.total!;
    const before = await usdt();
    const placed = await account.createOrder(order('bybit', PERP, { quantity: 0.02, side: 'sell' }));
    // Bybit acknowledges with the ids only; fetching the order tells the rest.
    expect(placed).toMatchObject({ clientOrderId: expect.any(String), status: null });
    const fetched = await account.fetchOrder({ clientOrderId: placed.clientOrderId! }, PERP);
    expect(fetched).toMatchObject({ status: 'filled', filledQuantity: 0.02, side: 'sell' });
    const executions = (await raw.privateGetV5ExecutionList({ category: 'linear', symbol: 'SYNUSDT', orderId: placed.orderId })) as { result: { list: { execPrice: string; execFee: string; isMaker: boolean }[] } };
    const [execution] = executions.result.list;
    const price = num(execution.execPrice);
    const fee = 0.02 * price * 0.00055;
    expect(num(execution.execFee)).toBe(fee);
    expect(fetched.averageFillPrice).toBe(price);
    expect(await usdt()).toBe(before - fee);
    const [position] = await account.fetchPositions([PERP]);
    expect(position).toMatchObject({ symbol: PERP, quantity: -0.02, entryPrice: price, leverage: 10 });
    await account.close();
  });

  for (const venue of ['binance', 'bybit'] as const) {
    it(`${venue}: a limit buy far below the market rests, is listed open, fetched and cancelled by client order id`, async () => {
      const account = simAccount(sim(), venue);
      const id = clientId('rest');
      const placed = await account.createOrder(order(venue, PERP, { clientOrderId: id, type: 'limit', limitPrice: 30000 }));
      expect(placed.clientOrderId).toBe(id);
      const open = await account.fetchOpenOrders(PERP);
      expect(open.filter((o) => o.clientOrderId === id)).toEqual([expect.objectContaining({ status: 'accepted', limitPrice: 30000, quantity: 0.01, filledQuantity: 0, remainingQuantity: 0.01, timeInForce: 'GTC' })]);
      expect(await account.fetchOrder({ clientOrderId: id }, PERP)).toMatchObject({ orderId: placed.orderId, status: 'accepted' });
      const canceled = await account.cancelOrder({ clientOrderId: id }, PERP);
      expect(canceled).toMatchObject({ orderId: placed.orderId, clientOrderId: id });
      expect(await account.fetchOrder({ clientOrderId: id }, PERP)).toMatchObject({ status: 'canceled', filledQuantity: 0 });
      expect((await account.fetchOpenOrders(PERP)).some((o) => o.clientOrderId === id)).toBe(false);
      // Cancelling again: the venue no longer has it open.
      expect((await venueError(() => account.cancelOrder({ clientOrderId: id }, PERP))).message).toMatch(venue === 'binance' ? /-2011/ : /110001/);
      await account.close();
    });
  }

  it('a bad signature comes back as the venue error (Binance -1022, Bybit 10004) and becomes kind authentication, without the secret', async () => {
    for (const venue of ['binance', 'bybit'] as const) {
      const account = simAccount(sim(), venue, 'swap', { apiKey: KEYS[venue].apiKey, secret: 'wrongSecretWrongSecretWrongSecret' });
      const error = await venueError(() => account.fetchBalances());
      expect(error.kind).toBe('authentication');
      expect(error.message).toMatch(venue === 'binance' ? /-1022.*Signature for this request is not valid/ : /10004/);
      for (const secret of SECRETS) expect(error.message).not.toContain(secret);
      await account.close();
    }
    const unknown = simAccount(sim(), 'binance', 'swap', { apiKey: 'unknownKeyunknownKeyunknownKey', secret: 'whatever-secret' });
    expect(await venueError(() => unknown.fetchBalances())).toMatchObject({ kind: 'authentication', message: expect.stringMatching(/-2015/) });
    await unknown.close();
  });

  it('insufficient balance: Binance -2019 and Bybit 110007 (linear) / 170131 (spot) become kind insufficientFunds; nothing is placed', async () => {
    for (const [venue, type, code] of [['binance', 'swap', /-2019/], ['bybit', 'swap', /110007/], ['binance', 'spot', /Account has insufficient balance for requested action/], ['bybit', 'spot', /170131/]] as const) {
      const account = simAccount(sim(), venue, type);
      const symbol = type === 'spot' ? SPOT : PERP;
      // Perps: 100 SYN is ~5,000,000 USDT of notional, more than 100,000 USDT x leverage; spot: 5 SYN cost ~250,000 USDT.
      const id = clientId('big');
      const error = await venueError(() => account.createOrder(order(venue, symbol, { clientOrderId: id, quantity: type === 'spot' ? 5 : 100 })));
      expect(error.kind).toBe('insufficientFunds');
      expect(error.message).toMatch(code);
      expect((await account.fetchOpenOrders(symbol)).some((o) => o.clientOrderId === id)).toBe(false);
      // Binance answers -2013 Order does not exist (Bybit answers an empty list, which ccxt 4.5.84 cannot read).
      if (venue === 'binance') expect((await venueError(() => account.fetchOrder({ clientOrderId: id }, symbol))).message).toMatch(/-2013/);
      await account.close();
    }
  });

  it('min notional and lot size answer with the venue codes (Binance -4164 / -1111, Bybit 110094); an unknown symbol with -1121 / "Not supported symbols"', async () => {
    const binance = simAccount(sim(), 'binance');
    expect((await venueError(() => binance.createOrder(order('binance', PERP, { quantity: 0.001 })))).message).toMatch(/-4164.*notional must be no smaller than 100/);
    const bybit = simAccount(sim(), 'bybit');
    const raw = await rawExchange(sim(), 'bybit', 'swap');
    const tooSmall = raw.privatePostV5OrderCreate({ category: 'linear', symbol: 'SYNUSDT', side: 'Buy', orderType: 'Limit', qty: '0.001', price: '1000' });
    await expect(tooSmall).rejects.toThrow(/110094/);
    await expect(raw.publicGetV5MarketTickers({ category: 'linear', symbol: 'NOPEUSDT' })).rejects.toThrow(/Not supported symbols/);
    const rawBinance = await rawExchange(sim(), 'binance', 'future');
    await expect(rawBinance.fapiPublicGetPremiumIndex({ symbol: 'NOPEUSDT' })).rejects.toThrow(/-1121/);
    await expect(rawBinance.fapiPrivatePostOrder({ symbol: 'SYNUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.0105', price: '40000' })).rejects.toThrow(/-1111/);
    await binance.close();
    await bybit.close();
  });

  it('leverage and margin mode: set through CcxtAccount and seen in the venue answers', async () => {
    const raw = await rawExchange(sim(), 'binance', 'future');
    const binance = simAccount(sim(), 'binance');
    await binance.setLeverage(PERP, 5);
    const [risk] = (await raw.fapiPrivateV2GetPositionRisk({ symbol: 'SYNUSDT' })) as { leverage: string; marginType: string }[];
    expect(risk).toMatchObject({ leverage: '5', marginType: 'cross' });
    // An open position blocks a change of margin mode, as on Binance.
    expect((await venueError(() => binance.setMarginMode(PERP, 'isolated'))).message).toMatch(/-4048/);
    const bybit = simAccount(sim(), 'bybit');
    await bybit.setLeverage(PERP, 3);
    expect((await bybit.fetchPositions([PERP]))[0]).toMatchObject({ leverage: 3 });
    await binance.close();
    await bybit.close();
  });
});
