import { readFileSync } from 'node:fs';
import ccxt, { type MarketInterface } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { marketToInstrument } from '../../src/venues/ccxt/instruments.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import { dataPath } from '../support/paths.ts';
import { useVenueHarness } from './support/venueHarness.ts';

const JUN07_0800Z = Date.UTC(2024, 5, 7, 8); // 1717747200000: weekly expiry
const JUN28_0800Z = Date.UTC(2024, 5, 28, 8); // 1719561600000: quarterly expiry

const future = (venue: string, fields: Partial<Instrument>): Instrument => ({
  venue,
  symbol: '',
  venueSymbol: null,
  kind: 'future',
  base: 'BTC',
  quote: 'USDT',
  settle: 'USDT',
  linear: true,
  contractSize: null,
  tickSize: null,
  lotSize: null,
  makerFeeRate: null,
  takerFeeRate: null,
  fundingIntervalMs: null,
  expiryMs: null,
  ...fields,
});

/** The dated futures in each venue's recorded instruments answer, as the domain must see them. */
const CASES: { venue: string; endpoint: string; futures: Instrument[] }[] = [
  {
    venue: 'okx',
    endpoint: 'GET /api/v5/public/instruments?instType=FUTURES',
    futures: [
      // Inverse: 100 USD per contract (ctVal 100, ctValCcy USD), settled in BTC.
      future('okx', { symbol: 'BTC/USD:BTC-240607', venueSymbol: 'BTC-USD-240607', quote: 'USD', settle: 'BTC', linear: false, contractSize: 100, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, expiryMs: JUN07_0800Z }),
      future('okx', { symbol: 'BTC/USD:BTC-240628', venueSymbol: 'BTC-USD-240628', quote: 'USD', settle: 'BTC', linear: false, contractSize: 100, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, expiryMs: JUN28_0800Z }),
      // Linear: 0.01 BTC per contract, settled in USDT.
      future('okx', { symbol: 'BTC/USDT:USDT-240628', venueSymbol: 'BTC-USDT-240628', contractSize: 0.01, tickSize: 0.1, lotSize: 0.1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, expiryMs: JUN28_0800Z }),
    ],
  },
  {
    venue: 'bybit',
    endpoint: 'GET /v5/market/instruments-info?category=linear|inverse (contractType LinearFutures, InverseFutures; deliveryTime)',
    futures: [
      // USDC-settled linear future: sizes in BTC.
      future('bybit', { symbol: 'BTC/USDC:USDC-240628', venueSymbol: 'BTC-28JUN24', quote: 'USDC', settle: 'USDC', contractSize: 1, tickSize: 0.5, lotSize: 0.001, makerFeeRate: 0.0001, takerFeeRate: 0.0006, expiryMs: JUN28_0800Z }),
      // Inverse June future (M = June): 1 USD per contract, settled in BTC.
      future('bybit', { symbol: 'BTC/USD:BTC-240628', venueSymbol: 'BTCUSDM24', quote: 'USD', settle: 'BTC', linear: false, contractSize: 1, tickSize: 0.5, lotSize: 1, makerFeeRate: 0.0001, takerFeeRate: 0.0006, expiryMs: JUN28_0800Z }),
    ],
  },
  {
    venue: 'gate',
    endpoint: 'GET /api/v4/delivery/usdt/contracts (expire_time in seconds, quanto_multiplier)',
    futures: [
      future('gate', { symbol: 'BTC/USDT:USDT-240607', venueSymbol: 'BTC_USDT_20240607', contractSize: 0.0001, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, expiryMs: JUN07_0800Z }),
      future('gate', { symbol: 'BTC/USDT:USDT-240628', venueSymbol: 'BTC_USDT_20240628', contractSize: 0.0001, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, expiryMs: JUN28_0800Z }),
    ],
  },
];

for (const c of CASES) {
  describe(`${c.venue} dated futures from ${c.endpoint}`, () => {
    const harness = useVenueHarness(c.venue);

    it('loads every dated future as kind future with expiry, contract size and settle currency, and no funding interval', async () => {
      const venue = harness.venue();
      const futures = await venue.loadInstruments({ kinds: ['future'] });
      const bySymbol = (a: Instrument, b: Instrument) => a.symbol.localeCompare(b.symbol);
      expect(futures.sort(bySymbol)).toEqual([...c.futures].sort(bySymbol));
      expect(venue.skippedMarkets).toEqual([]);
    });

    it('a future asked for by symbol comes with the perp and spot beside it (one load, three kinds)', async () => {
      const venue = harness.venue();
      const symbols = ['BTC/USDT', c.futures[0].symbol];
      const loaded = await venue.loadInstruments({ symbols, skipFundingIntervals: true });
      expect(loaded.map((i) => [i.symbol, i.kind]).sort()).toEqual([['BTC/USDT', 'spot'], [c.futures[0].symbol, 'future']].sort());
    });
  });
}

describe('okx dated futures from a real instruments answer (cryptofeed capture of 2022-05-13, read in place)', () => {
  const harness = useVenueHarness('okx');

  /** The capture's first `GET /api/v5/public/instruments?instType=FUTURES` answer, as OKX sent it. */
  function capturedFuturesAnswer(): string {
    const file = dataPath('raw_exchange_api_captures__bmoscon_cryptofeed', 'at_ce58c2a0015040aa2271e80bac783d74fa2cdcff', 'OKX.0');
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('https://www.okx.com/api/v5/public/instruments?instType=FUTURES -> '));
    if (!line) throw new Error(`${file}: no FUTURES instruments line`);
    return line.slice(line.indexOf(': ') + 2);
  }

  it('maps all 104 live futures (52 USDT-margined, 52 coin-margined) with the expiries and contract values OKX gave', async () => {
    const body = capturedFuturesAnswer();
    harness.server().override((request, res) => {
      if (request.path !== '/api/v5/public/instruments' || request.query.instType !== 'FUTURES') return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return true;
    });
    const venue = harness.venue();
    const futures = await venue.loadInstruments({ kinds: ['future'] });
    expect(venue.skippedMarkets).toEqual([]);
    expect(futures).toHaveLength(104);
    expect(futures.filter((f) => f.linear).length).toBe(52);
    expect(futures.every((f) => f.linear === (f.settle === 'USDT'))).toBe(true);
    const bySymbol = new Map(futures.map((f) => [f.symbol, f]));
    // next_week BTC inverse: expTime 1653638400000 = 2022-05-27T08:00Z, 100 USD per contract.
    expect(bySymbol.get('BTC/USD:BTC-220527')).toEqual(future('okx', { symbol: 'BTC/USD:BTC-220527', venueSymbol: 'BTC-USD-220527', quote: 'USD', settle: 'BTC', linear: false, contractSize: 100, tickSize: 0.1, lotSize: 1, makerFeeRate: 0.0002, takerFeeRate: 0.0005, expiryMs: Date.UTC(2022, 4, 27, 8) }));
    expect(bySymbol.get('BTC/USDT:USDT-220930')).toMatchObject({ venueSymbol: 'BTC-USDT-220930', contractSize: 0.01, settle: 'USDT', expiryMs: Date.UTC(2022, 8, 30, 8) });
    expect(bySymbol.get('ETH/USD:ETH-220624')).toMatchObject({ contractSize: 10, settle: 'ETH', linear: false, tickSize: 0.01, expiryMs: Date.UTC(2022, 5, 24, 8) });
  });
});

describe('a dated future whose expiry is missing or disagrees with its symbol is skipped, with the reason', () => {
  const market = (expiry: unknown) =>
    ({ id: 'BTC-USD-240628', symbol: 'BTC/USD:BTC-240628', type: 'future', future: true, contract: true, base: 'BTC', quote: 'USD', settle: 'BTC', linear: false, contractSize: 100, expiry, precision: {} }) as unknown as MarketInterface;

  it('keeps a consistent one, skips the others', () => {
    expect(marketToInstrument('okx', market(JUN28_0800Z), ccxt.TICK_SIZE)).toMatchObject({ kind: 'future', expiryMs: JUN28_0800Z });
    expect(marketToInstrument('okx', market(undefined), ccxt.TICK_SIZE)).toEqual({ symbol: 'BTC/USD:BTC-240628', reason: 'dated future without an expiry time (expiry: undefined)' });
    expect(marketToInstrument('okx', market(JUN07_0800Z), ccxt.TICK_SIZE)).toEqual({ symbol: 'BTC/USD:BTC-240628', reason: "expiry 2024-06-07T08:00:00.000Z is not on the symbol's date 240628" });
  });
});
