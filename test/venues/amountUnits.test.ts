import { describe, expect, it } from 'vitest';
import { amountUnitSize } from '../../src/venues/ccxt/amountUnits.ts';
import { contractsToQuantity, quantityToContracts } from '../../src/venues/ccxt/accountMapping.ts';
import type { MarketInterface as Market } from 'ccxt';

const market = (fields: Partial<Market>) => ({ contract: true, ...fields }) as Market;

describe('what one ccxt amount is worth', () => {
  it('is the contract size on contract venues and 1 on Deribit, whose amounts are units', () => {
    expect(amountUnitSize('okx', { contractSize: 0.01 })).toBe(0.01);
    expect(amountUnitSize('okx', { contractSize: 100 })).toBe(100);
    expect(amountUnitSize('gate', { contractSize: 0.0001 })).toBe(0.0001);
    expect(amountUnitSize('binance', {})).toBe(1);
    expect(amountUnitSize('deribit', { contractSize: 10 })).toBe(1);
    expect(amountUnitSize('deribit', { contractSize: 0.001 })).toBe(1);
  });

  it('turns linear amounts into base units exactly, and leaves inverse amounts as they are', () => {
    const okxLinear = market({ linear: true, inverse: false, contractSize: 0.01 });
    expect(contractsToQuantity(327.1, okxLinear, 'okx')).toBe(3.271);
    expect(quantityToContracts(3.271, okxLinear, 'okx')).toBe(327.1);
    // Deribit BTC_USDC-PERPETUAL: amounts in BTC already, although contract_size is 0.001.
    const deribitLinear = market({ linear: true, inverse: false, contractSize: 0.001 });
    expect(contractsToQuantity(0.25, deribitLinear, 'deribit')).toBe(0.25);
    expect(quantityToContracts(0.25, deribitLinear, 'deribit')).toBe(0.25);
    const deribitInverse = market({ linear: false, inverse: true, contractSize: 10 });
    expect(contractsToQuantity(3400, deribitInverse, 'deribit')).toBe(3400);
  });
});
