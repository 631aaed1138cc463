import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/core/time.ts';
import { parseScannerConfig } from '../../../src/strategy/scanner/config.ts';
import { walkBook, walkResult } from '../../../src/strategy/scanner/costs.ts';
import { Scanner } from '../../../src/strategy/scanner/scanner.ts';
import { instrument } from './support.ts';

const T = Date.UTC(2024, 0, 15, 12);
const BIG = 1e9; // touch sizes that cover any target
const bps = (x: number) => x * 1e4;

describe('walking the book', () => {
  it('averages the levels taken for the notional, and says when the depth does not cover it', () => {
    const prices = Float64Array.of(100, 101, 102);
    const sizes = Float64Array.of(2, 5, 1);
    walkBook(prices, sizes, 3, 500, 1, false);
    // 200 USD at 100 (2 units), then 300 USD at 101 (2.970297 units)
    expect(walkResult.price).toBeCloseTo(500 / (2 + 300 / 101), 10);
    expect(walkResult.covered).toBe(true);
    walkBook(prices, sizes, 3, 2000, 1, false); // depth is 200 + 505 + 102 = 807 USD
    expect(walkResult.covered).toBe(false);
    expect(walkResult.price).toBeCloseTo(2000 / (2 + 5 + 1 + (2000 - 807) / 102), 10);
    // inverse contracts: sizes are contracts of contractSize USD
    walkBook(prices, Float64Array.of(3, 10, 10), 3, 1000, 100, true);
    expect(walkResult.price).toBeCloseTo(1000 / (300 / 100 + 700 / 101), 10);
  });

  it('reads linear sizes as base units whatever the contract size, inverse sizes as contracts of contractSize quote units', () => {
    // OKX BTC-USDT-SWAP (contracts of 0.01 BTC) as the store and the live path give it: in BTC.
    const prices = Float64Array.of(67750.2, 67750.3, 67751);
    const btc = Float64Array.of(0.05, 0.2, 1);
    // 0.05 BTC = 3,387.51 USD at 67750.2, 0.2 BTC = 13,550.06 USD at 67750.3, the rest (3,062.43 USD) at 67751
    const vwap = 20_000 / (0.05 + 0.2 + (20_000 - 0.05 * 67750.2 - 0.2 * 67750.3) / 67751);
    walkBook(prices, btc, 3, 20_000, 0.01, false);
    expect(walkResult.price).toBeCloseTo(vwap, 9);
    expect(walkResult.price).toBeCloseTo(67750.3902, 4); // read as contracts of 0.01 BTC: 847 USD of depth, not covered
    expect(walkResult.covered).toBe(true);
    walkBook(prices, btc, 3, 20_000, 1, false); // the contract size does not enter a linear book
    expect(walkResult.price).toBeCloseTo(vwap, 9);
    // OKX BTC-USD-SWAP (contracts of 100 USD): 20 contracts = 2,000 USD, 50 = 5,000 USD, then 13,000 USD
    walkBook(prices, Float64Array.of(20, 50, 1000), 3, 20_000, 100, true);
    expect(walkResult.price).toBeCloseTo(20_000 / (2_000 / 67750.2 + 5_000 / 67750.3 + 13_000 / 67751), 9);
    expect(walkResult.covered).toBe(true);
    walkBook(prices, Float64Array.of(20, 50, 100), 3, 20_000, 100, true); // 17,000 USD of depth
    expect(walkResult.covered).toBe(false);
  });

  it('a linear leg with contracts of 0.01 base: book depth and the touch are base units (thin only when the base size does not cover the notional)', () => {
    const scanner = new Scanner({ nowMs: T, config: parseScannerConfig({ notionalUsd: 10_000 }) });
    const okx = scanner.addInstrument(instrument('okx', 'BTC/USDT:USDT', { contractSize: 0.01, venueSymbol: 'BTC-USDT-SWAP' }));
    const inverse = scanner.addInstrument(instrument('okx', 'BTC/USD:BTC', { contractSize: 100, linear: false, venueSymbol: 'BTC-USD-SWAP' }));
    // src/venues/ccxt/fixtures/okx/books-BTC-USDT-SWAP.json: 327.1 and 590.8 contracts at the touch = 3.271 and 5.908 BTC
    scanner.updateBook(okx.index, [67750.1, 67750], [3.271, 0.015], [67750.2, 67750.3], [5.908, 0.002], T);
    expect([okx.buyPrice, okx.sellPrice, okx.thin]).toEqual([67750.2, 67750.1, false]);
    expect(okx.roundTripCrossFraction).toBeCloseTo(0.1 / 67750.15, 15);
    // 0.1 BTC at the touch is 6,775 USD: thin for 10,000 USD (read as contracts of 0.01 it would be 67.75 USD)
    scanner.updateQuote(okx.index, 67750.1, 0.1, 67750.2, 0.2, T);
    expect([okx.thin, okx.depthUnknown]).toEqual([true, false]);
    scanner.updateQuote(okx.index, 67750.1, 0.15, 67750.2, 0.2, T); // 10,162.5 USD each side
    expect(okx.thin).toBe(false);
    // inverse: 99 contracts of 100 USD are 9,900 USD (thin), 100 are 10,000 USD (not)
    scanner.updateQuote(inverse.index, 67750.1, 99, 67750.2, 1000, T);
    expect(inverse.thin).toBe(true);
    scanner.updateQuote(inverse.index, 67750.1, 100, 67750.2, 1000, T);
    expect(inverse.thin).toBe(false);
  });

  it('an inverse leg of unknown contract size is priced at the touch with its depth unknown, never sized by a guess', () => {
    const scanner = new Scanner({ nowMs: T, config: parseScannerConfig({ notionalUsd: 10_000 }) });
    const inverse = scanner.addInstrument(instrument('okx', 'BTC/USD:BTC', { contractSize: null, linear: false, venueSymbol: 'BTC-USD-SWAP' }));
    scanner.updateBook(inverse.index, [67750.1, 67740], [1, 5000], [67750.2, 67760], [1, 5000], T);
    expect([inverse.buyPrice, inverse.sellPrice, inverse.thin, inverse.depthUnknown]).toEqual([67750.2, 67750.1, false, true]);
    scanner.updateQuote(inverse.index, 67750.1, 1, 67750.2, 1, T);
    expect([inverse.thin, inverse.depthUnknown]).toEqual([false, true]);
  });

  it('prices a leg by walking its book for the target size', () => {
    const scanner = new Scanner({ nowMs: T, config: parseScannerConfig({ notionalUsd: 500 }) });
    const spot = scanner.addInstrument(instrument('binance', 'BTC/USDT'));
    const perp = scanner.addInstrument(instrument('binance', 'BTC/USDT:USDT', { fundingIntervalMs: 8 * HOUR_MS }));
    scanner.updateBook(spot.index, [99.9, 99.8], [1, 10], [100, 101], [2, 5], T);
    scanner.updateQuote(perp.index, 100.5, BIG, 100.6, BIG, T);
    expect(spot.buyPrice).toBeCloseTo(500 / (2 + 300 / 101), 10);
    expect(spot.sellPrice).toBeCloseTo(500 / (1 + 400.1 / 99.8), 10);
    expect(spot.thin).toBe(false);
    const [basis] = scanner.opportunities({ types: ['basis'] });
    expect(basis.legs[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', price: spot.buyPrice });
    expect(basis.components.crossingBps).toBeCloseTo(bps((spot.buyPrice - spot.sellPrice) / 99.95 + 0.1 / 100.55), 3);
  });
});

function carryScanner(rate: number, configInput: object = {}) {
  const scanner = new Scanner({ nowMs: T, config: parseScannerConfig(configInput) });
  const spot = scanner.addInstrument(instrument('binance', 'BTC/USDT'));
  const perp = scanner.addInstrument(instrument('binance', 'BTC/USDT:USDT', { fundingIntervalMs: 8 * HOUR_MS }));
  scanner.updateQuote(spot.index, 100, BIG, 100.1, BIG, T);
  scanner.updateQuote(perp.index, 100.2, BIG, 100.3, BIG, T);
  // settled 2 h ago: next settlement in 6 h, then every 8 h: 21 settlements in 7 days
  scanner.updateFunding(perp.index, rate, 8 * HOUR_MS, T - 2 * HOUR_MS, Number.NaN);
  return { scanner, spot, perp };
}

describe('funding carry', () => {
  it('positive funding: buy spot, sell the perp; 21 settlements of 8 h in 7 days; 4 taker fees; crossing both books', () => {
    const { scanner } = carryScanner(0.0003);
    const [carry] = scanner.opportunities({ types: ['fundingCarry'] });
    expect(carry.legs.map((l) => [l.symbol, l.side, l.price])).toEqual([['BTC/USDT', 'buy', 100.1], ['BTC/USDT:USDT', 'sell', 100.2]]);
    const gross = 0.0003 * 21;
    const crossing = 0.1 / 100.05 + 0.1 / 100.25;
    expect(carry.grossBps).toBeCloseTo(bps(gross), 4);
    expect(carry.netBps).toBeCloseTo(bps(gross - crossing - 4 * 0.0005), 3);
    expect(carry.apr).toBeCloseTo(((gross - crossing - 0.002) * 365) / 7, 5);
    expect(carry.legs[1]).toMatchObject({ fundingRatePerInterval: 0.0003, fundingIntervalMs: 8 * HOUR_MS, nextFundingTime: new Date(T + 6 * HOUR_MS).toISOString() });
  });

  it('negative funding: sell spot (borrowed, at the configured borrow rate) and buy the perp', () => {
    const { scanner } = carryScanner(-0.0003);
    const [carry] = scanner.opportunities({ types: ['fundingCarry'] });
    expect(carry.legs.map((l) => [l.symbol, l.side])).toEqual([['BTC/USDT:USDT', 'buy'], ['BTC/USDT', 'sell']]);
    expect(carry.components.borrowBps).toBeCloseTo(bps((0.0365 * 7) / 365), 4);
    expect(carry.grossBps).toBeCloseTo(bps(0.0063), 4);
  });

  it('below 0.01% per 8 h the carry is not listed; maker mode rests at the own side at maker fees', () => {
    expect(carryScanner(0.00005).scanner.opportunities({ types: ['fundingCarry'] })).toEqual([]);
    const { scanner } = carryScanner(0.0003, { feeMode: 'maker' });
    const [carry] = scanner.opportunities({ types: ['fundingCarry'] });
    expect(carry.legs.map((l) => l.price)).toEqual([100, 100.3]);
    expect(carry.components).toMatchObject({ crossingBps: 0, feesBps: bps(4 * 0.0002) });
  });
});

describe('funding differential and cross-venue spread', () => {
  function twoVenues() {
    const scanner = new Scanner({ nowMs: T });
    const hourly = scanner.addInstrument(instrument('dydx', 'BTC/USD:USDC', { fundingIntervalMs: HOUR_MS }));
    const eight = scanner.addInstrument(instrument('binance', 'BTC/USDT:USDT', { fundingIntervalMs: 8 * HOUR_MS }));
    scanner.updateFunding(hourly.index, 0.00005, HOUR_MS, T - 30 * MINUTE_MS, Number.NaN); // 0.04% per 8 h
    scanner.updateFunding(eight.index, 0.0001, 8 * HOUR_MS, T - 4 * HOUR_MS, Number.NaN);
    return { scanner, hourly, eight };
  }

  it('normalises by interval: sells the hourly venue whose rate is higher per 8 h; counts each venue on its own settlements', () => {
    const { scanner } = twoVenues();
    const [diff] = scanner.opportunities({ types: ['fundingDifferential'] });
    expect(diff.legs.map((l) => [l.venue, l.side, l.price])).toEqual([['binance', 'buy', null], ['dydx', 'sell', null]]);
    // dydx: next in 30 min, 168 settlements in 7 days; binance: next in 4 h, 21 settlements
    const gross = 0.00005 * 168 - 0.0001 * 21;
    expect(diff.grossBps).toBeCloseTo(bps(gross), 4);
    expect(diff.netBps).toBeCloseTo(bps(gross - 4 * 0.0005), 4);
    expect(diff.flags).toEqual(['quoteMismatch', 'noQuote']);
  });

  it('a cross-venue spread buys the cheap perp and sells the rich one, with both fundings over the holding period', () => {
    const { scanner, hourly, eight } = twoVenues();
    scanner.updateQuote(hourly.index, 100.29, BIG, 100.31, BIG, T);
    scanner.updateQuote(eight.index, 99.99, BIG, 100.01, BIG, T);
    const [spread] = scanner.opportunities({ types: ['crossVenueSpread'] });
    expect(spread.legs.map((l) => [l.venue, l.side, l.price])).toEqual([['binance', 'buy', 100.01], ['dydx', 'sell', 100.29]]);
    const gap = (100.3 - 100) / 100;
    const funding = -0.0001 * 21 + 0.00005 * 168; // long binance pays, short dydx receives
    expect(spread.grossBps).toBeCloseTo(bps(gap), 4);
    expect(spread.components.fundingBps).toBeCloseTo(bps(funding), 4);
    expect(spread.netBps).toBeCloseTo(bps(gap + funding - 0.02 / 100 - 0.02 / 100.3 - 0.002), 3);
  });
});

describe('basis with an OU fit', () => {
  it('expects the basis to move toward mu by (s0 - mu)(1 - e^{-theta t}) over the holding period', () => {
    const halfLifeSeconds = 86_400;
    const fits = new Map([['okx:ETH/USDT:USDT', { thetaPerSecond: Math.LN2 / halfLifeSeconds, mu: 0.001, sigmaPerSqrtSecond: 1e-5 }]]);
    const scanner = new Scanner({ nowMs: T, fits });
    const spot = scanner.addInstrument(instrument('okx', 'ETH/USDT'));
    const perp = scanner.addInstrument(instrument('okx', 'ETH/USDT:USDT', { fundingIntervalMs: 8 * HOUR_MS }));
    scanner.updateQuote(spot.index, 2000, BIG, 2000, BIG, T);
    scanner.updateQuote(perp.index, 2010, BIG, 2010, BIG, T);
    const [basis] = scanner.opportunities({ types: ['basis'] });
    const expected = (0.005 - 0.001) * (1 - 2 ** -7); // 7 days = 7 half-lives
    expect(basis.components.convergenceBps).toBeCloseTo(bps(expected), 4);
    expect(basis.legs.map((l) => l.side + ' ' + l.symbol)).toEqual(['buy ETH/USDT', 'sell ETH/USDT:USDT']);
    expect(basis.flags).toContain('fundingUnknown');
    // without the fit, the seed's assumption: the whole basis converges
    const plain = new Scanner({ nowMs: T });
    const s2 = plain.addInstrument(instrument('okx', 'ETH/USDT'));
    const p2 = plain.addInstrument(instrument('okx', 'ETH/USDT:USDT'));
    plain.updateQuote(s2.index, 2000, BIG, 2000, BIG, T);
    plain.updateQuote(p2.index, 2010, BIG, 2010, BIG, T);
    expect(plain.opportunities({ types: ['basis'] })[0].components.convergenceBps).toBeCloseTo(50, 6);
  });
});

describe('risk flags', () => {
  it('stale quote, thin book, funding about to change sign, expiry too near', () => {
    const scanner = new Scanner({ nowMs: T, config: parseScannerConfig({ notionalUsd: 10_000 }) });
    const spot = scanner.addInstrument(instrument('bybit', 'BTC/USDT'));
    const perp = scanner.addInstrument(instrument('bybit', 'BTC/USDT:USDT', { fundingIntervalMs: 8 * HOUR_MS }));
    const future = scanner.addInstrument(instrument('bybit', 'BTC/USDT:USDT-240117', { expiryMs: T + 2 * DAY_MS }));
    scanner.updateQuote(spot.index, 100, 1, 100.1, 1, T - 5 * MINUTE_MS); // 100 USD at the touch, 5 minutes old
    scanner.updateQuote(perp.index, 100.5, BIG, 100.6, BIG, T);
    scanner.updateFunding(perp.index, -0.0002, 8 * HOUR_MS, T - 10 * HOUR_MS, Number.NaN);
    scanner.updateFunding(perp.index, 0.0003, 8 * HOUR_MS, T - 2 * HOUR_MS, Number.NaN);
    scanner.updateQuote(future.index, 101, BIG, 101.1, BIG, T);
    const carry = scanner.opportunities({ types: ['fundingCarry'] })[0];
    // The spot quote is 5 minutes older than the perp's: a carry is still computed (its edge is funding), flagged.
    expect(carry.flags).toEqual(['thinBook', 'staleQuote', 'fundingMayChangeSign', 'legsApart']);
    const calendar = scanner.opportunities({ types: ['calendarSpread'] }).find((o) => o.legs[0].symbol === 'BTC/USDT:USDT')!;
    expect(calendar.flags).toContain('expiryNear');
    expect(calendar.horizonMs).toBe(2 * DAY_MS);
    expect(calendar.components.fundingBps).toBeCloseTo(bps(-0.0003 * 6), 4); // the long perp pays 6 settlements before expiry
  });

  it('refuses a crossed quote, naming the instrument', () => {
    const scanner = new Scanner({ nowMs: T });
    const spot = scanner.addInstrument(instrument('bybit', 'BTC/USDT'));
    expect(() => scanner.updateQuote(spot.index, 101, 1, 100, 1, T)).toThrow('bybit:BTC/USDT: crossed quote: bid 101 > ask 100');
  });
});
