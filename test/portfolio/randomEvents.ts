import { Rng } from '../../src/data/synthetic/rng.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { Fill, FundingPayment } from '../../src/domain/trading.ts';
import type { BorrowCharge, CashMovement, ForcedClose, Ledger, Transfer } from '../../src/portfolio/ledger.ts';
import { minorToNumber } from '../../src/portfolio/money.ts';
import { instrument } from './fixtures.ts';

/** Five instruments on three venues: spot, linear perps (quantities in base units, whatever the contract size), an inverse perp. */
export const RANDOM_INSTRUMENTS: Instrument[] = [
  instrument('binance', 'BTC/USDT'),
  instrument('binance', 'BTC/USDT:USDT', 1),
  instrument('okx', 'ETH/USDT'),
  instrument('okx', 'ETH/USDT:USDT', 0.1),
  instrument('bybit', 'BTC/USD:BTC', 100),
];

export type RandomEvent =
  | { type: 'fill'; fill: Fill }
  | { type: 'funding'; payment: FundingPayment }
  | { type: 'borrow'; charge: BorrowCharge }
  | { type: 'deposit'; movement: CashMovement }
  | { type: 'withdrawal'; movement: CashMovement }
  | { type: 'transfer'; transfer: Transfer }
  | { type: 'liquidation'; close: ForcedClose };

const BASE_PRICE: Record<string, number> = { BTC: 107194.2, ETH: 2500.3 };

/**
 * A seeded random sequence of fills, fundings, fees, borrows, deposits, transfers and
 * liquidations with awkward floats (0.1 + 0.2 scaled, float-computed fees, 17-digit quantities).
 * `positionOf(instrumentId)` reports the current position (as the venue knows it) so that funding
 * payments and liquidations refer to real positions.
 */
export function* randomEvents(seed: number, count: number, positionOf: (instrumentId: string) => number): Generator<RandomEvent> {
  const rng = new Rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng.uniform() * items.length)];
  let ts = 1_700_000_000_000;
  const drift: Record<string, number> = { BTC: 1, ETH: 1 };
  for (let i = 0; i < count; i++) {
    ts += 1 + Math.floor(rng.uniform() * 60_000);
    drift.BTC *= 1 + 0.002 * rng.normal();
    drift.ETH *= 1 + 0.002 * rng.normal();
    const roll = rng.uniform();
    if (i < 3 || roll < 0.04) {
      const venue = pick(['binance', 'okx', 'bybit']);
      const asset = venue === 'bybit' && rng.uniform() < 0.7 ? 'BTC' : pick(['USDT', 'BTC', 'ETH', 'BNB']);
      const amount = asset === 'USDT' ? rng.uniform() * 10_000 : rng.uniform() * 2;
      if (i >= 3 && rng.uniform() < 0.3) yield { type: 'withdrawal', movement: { venue, asset, amount: amount / 10 + 0.1 + 0.2, ts } };
      else yield { type: 'deposit', movement: { venue, asset, amount: amount + 0.1 + 0.2, ts } };
      continue;
    }
    if (roll < 0.06) {
      const [fromVenue, toVenue] = pick([['binance', 'okx'], ['okx', 'bybit'], ['bybit', 'binance']] as const);
      yield { type: 'transfer', transfer: { fromVenue, toVenue, asset: pick(['USDT', 'BTC']), amount: rng.uniform() * 0.7 + 0.1, ts } };
      continue;
    }
    const derivatives = RANDOM_INSTRUMENTS.filter((x) => x.kind !== 'spot' && positionOf(`${x.venue}:${x.symbol}`) !== 0);
    if (roll < 0.2 && derivatives.length > 0) {
      const inst = pick(derivatives);
      const id = `${inst.venue}:${inst.symbol}`;
      const positionQty = positionOf(id);
      const markPrice = awkwardPrice(rng, BASE_PRICE[inst.base] * drift[inst.base]);
      const fundingRatePerInterval = (rng.uniform() - 0.3) * 0.0003 + (rng.uniform() < 0.1 ? 0.1 + 0.2 - 0.3 : 0);
      const amount = inst.linear
        ? -positionQty * markPrice * fundingRatePerInterval
        : (-positionQty * inst.contractSize! * fundingRatePerInterval) / markPrice;
      yield { type: 'funding', payment: { venue: inst.venue, symbol: inst.symbol, ts, fundingRatePerInterval, markPrice, positionQty, amount, asset: inst.settle! } };
      continue;
    }
    if (roll < 0.27) {
      const venue = pick(['binance', 'okx', 'bybit']);
      const asset = pick(['BTC', 'ETH', 'USDT']);
      yield { type: 'borrow', charge: { venue, asset, amount: rng.uniform() * 0.001 + 1e-8, ts } };
      continue;
    }
    if (roll < 0.28 && derivatives.length > 0) {
      const inst = pick(derivatives);
      const id = `${inst.venue}:${inst.symbol}`;
      const partial = rng.uniform() < 0.5;
      const quantity = partial ? Math.round(Math.abs(positionOf(id)) * 0.5 * 1e8) / 1e8 : undefined;
      const price = awkwardPrice(rng, BASE_PRICE[inst.base] * drift[inst.base]);
      if (partial && quantity === 0) continue;
      yield { type: 'liquidation', close: { venue: inst.venue, symbol: inst.symbol, price, ts, ref: `liq-${i}`, quantity, penalty: rng.uniform() * 5, penaltyAsset: inst.settle! } };
      continue;
    }
    const inst = pick(RANDOM_INSTRUMENTS);
    const side = rng.uniform() < 0.5 ? 'buy' : 'sell';
    const price = awkwardPrice(rng, BASE_PRICE[inst.base] * drift[inst.base]);
    let quantity: number;
    if (inst.linear === false) quantity = 1 + Math.floor(rng.uniform() * 200);
    else if (rng.uniform() < 0.1) quantity = (0.1 + 0.2) * (1 + Math.floor(rng.uniform() * 3));
    else quantity = rng.uniform() * (inst.base === 'BTC' ? 0.5 : 5) + 1e-8;
    const notional = inst.linear === false ? (quantity * inst.contractSize!) / price : quantity * price;
    const feeRate = rng.uniform() < 0.2 ? -0.00005 : 0.0004 + 0.0001 * rng.uniform();
    const feeAsset = inst.venue === 'binance' && rng.uniform() < 0.2 ? 'BNB' : inst.kind === 'spot' ? inst.quote : inst.settle!;
    const fee = feeAsset === 'BNB' ? notional * feeRate / 600.7 : notional * feeRate;
    yield {
      type: 'fill',
      fill: { fillId: `r${i}`, clientOrderId: `o${i}`, venue: inst.venue, symbol: inst.symbol, side, quantity, price, fee, feeAsset, liquidity: feeRate < 0 ? 'maker' : 'taker', ts },
    };
  }
}

/** A price near `level` with many digits, sometimes built from 0.1 + 0.2. */
function awkwardPrice(rng: Rng, level: number): number {
  const r = rng.uniform();
  if (r < 0.1) return (0.1 + 0.2) * Math.round(level / 0.3);
  if (r < 0.5) return Math.round(level * 10) / 10 + 0.1 + 0.2;
  return level * (1 + 0.001 * rng.normal());
}

/** Books one random event in a ledger, through the same API an engine uses. */
export function applyRandomEvent(ledger: Ledger, event: RandomEvent): void {
  switch (event.type) {
    case 'fill':
      ledger.recordFill(event.fill);
      break;
    case 'funding':
      ledger.recordFunding(event.payment);
      break;
    case 'borrow':
      ledger.recordBorrow(event.charge);
      break;
    case 'deposit':
      ledger.recordDeposit(event.movement);
      break;
    case 'withdrawal':
      ledger.recordWithdrawal(event.movement);
      break;
    case 'transfer':
      ledger.recordTransfer(event.transfer);
      break;
    case 'liquidation':
      ledger.recordLiquidation(event.close);
      break;
  }
}

/** The ledger's position in an instrument as a float, as a venue would report it. */
export function positionOfLedger(ledger: Ledger): (instrumentId: string) => number {
  return (id) => {
    const colon = id.indexOf(':');
    return minorToNumber(ledger.position(id.slice(0, colon), id.slice(colon + 1)).quantity);
  };
}
