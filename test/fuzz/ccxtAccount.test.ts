import type { Balances, MarketInterface, Order, Position } from 'ccxt';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { toAccountBalances, toAccountOrder, toAccountPosition, venueBalanceFields, venueOrderFields, venuePositionFields } from '../../src/venues/ccxt/accountMapping.ts';
import type { AccountBalance, AccountOrder, AccountPosition } from '../../src/venues/tradingTypes.ts';
import { ccxtShaped } from './support/ccxtShaped.ts';
import { checkProperty, PROPERTY_TIMEOUT_MS } from './support/fuzzRun.ts';
import { expectMapped } from './support/mapperContract.ts';
import { Tally } from './support/tally.ts';
import { weirdValue } from './support/weirdValues.ts';

const MARKET = { id: 'BTC-USDT-SWAP', symbol: 'BTC/USDT:USDT', base: 'BTC', quote: 'USDT', settle: 'USDT', swap: true, contract: true, linear: true, inverse: false, contractSize: 0.01 } as unknown as MarketInterface;
const INVERSE = { ...MARKET, symbol: 'BTC/USD:BTC', quote: 'USD', settle: 'BTC', linear: false, inverse: true, contractSize: 100 } as unknown as MarketInterface;

const POSITION = {
  info: { leverage: '0', cross_leverage_limit: '10', mode: 'single' }, symbol: 'BTC/USDT:USDT', contracts: 3, contractSize: 0.01, side: 'long', entryPrice: 67000, markPrice: 67750,
  unrealizedPnl: 22.5, marginMode: 'cross', hedged: false, leverage: 3, initialMargin: 677.5, maintenanceMargin: 10, collateral: 700, liquidationPrice: 45000, timestamp: 1_717_372_800_000,
};
const ORDER = {
  info: { label: 'pa-1', reduce_only: false }, id: '12345', clientOrderId: 't-pa-1', symbol: 'BTC/USDT:USDT', status: 'open', side: 'buy', type: 'limit', timeInForce: 'GTC', postOnly: false,
  reduceOnly: false, amount: 2, price: 67000, filled: 0.5, remaining: 1.5, average: 67000, timestamp: 1_717_372_800_000,
};

/** A number field of a mapped account value must be finite or null: NaN or Infinity would flow into margin and PnL. */
function numbersProblem(value: object | null): string | null {
  if (value === null) return null;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'number' && !Number.isFinite(v)) return `${key} is ${v}`;
  return null;
}

describe('fuzz: ccxt account mapping', () => {
  it('balances: an odd ccxt balance maps to rows of finite amounts', async () => {
    const tally = new Tally('toAccountBalances');
    const asset = fc.record({ free: weirdValue, used: weirdValue, total: weirdValue });
    const balances = fc.dictionary(fc.oneof(fc.constantFrom('USDT', 'BTC', 'info', 'free', 'total', '__proto__', ''), fc.string({ maxLength: 6 })), fc.oneof(asset, weirdValue), { maxKeys: 5 });
    const ccxtId = fc.constantFrom('okx', 'deribit', 'gate');
    await checkProperty(
      fc.asyncProperty(balances, ccxtId, async (b, id) => {
        await expectMapped(tally, () => toAccountBalances('okx', venueBalanceFields(id, b as unknown as Balances)), (rows: AccountBalance[]) => rows.map(numbersProblem).find((p) => p !== null) ?? null);
      }),
      300,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);

  it('positions: an odd ccxt position is flat, a position of finite numbers, or a VenueError naming venue and method', async () => {
    const tally = new Tally('toAccountPosition');
    await checkProperty(
      fc.asyncProperty(ccxtShaped('Position', POSITION), fc.constantFrom(MARKET, INVERSE), fc.constantFrom('okx', 'gate', 'deribit'), async (p, market, id) => {
        await expectMapped(tally, () => toAccountPosition('okx', venuePositionFields(id, p as unknown as Position), market), (pos: AccountPosition | null) => numbersProblem(pos), 'okx fetchPositions');
      }),
      400,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);

  it('orders: an odd ccxt order is an order of finite numbers or a VenueError naming venue and method', async () => {
    const tally = new Tally('toAccountOrder');
    await checkProperty(
      fc.asyncProperty(ccxtShaped('Order', ORDER), fc.constantFrom(MARKET, INVERSE), fc.constantFrom('okx', 'gate', 'deribit'), async (o, market, id) => {
        await expectMapped(tally, () => toAccountOrder('okx', 'fetchOrder', venueOrderFields(id, o as unknown as Order), market), (order: AccountOrder) => numbersProblem(order), 'okx fetchOrder');
      }),
      400,
    );
    tally.print();
  }, PROPERTY_TIMEOUT_MS);
});
