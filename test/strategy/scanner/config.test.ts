import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCANNER_CONFIG, loadScannerConfigFile, parseScannerConfig, withOverrides } from '../../../src/strategy/scanner/config.ts';
import { useTempDirs } from '../../support/tempDir.ts';

const tempDir = useTempDirs();

describe('scanner config', () => {
  it("has the seed's thresholds as defaults: funding 0.01% per 8 h, spread 0.1%, basis 0.2%", () => {
    expect(DEFAULT_SCANNER_CONFIG.thresholds).toEqual({ minFundingRatePer8h: 0.0001, minSpreadBps: 10, minBasisBps: 20, minNetBps: null });
    expect(DEFAULT_SCANNER_CONFIG.feeMode).toBe('taker');
    expect(parseScannerConfig({})).toEqual(DEFAULT_SCANNER_CONFIG);
  });

  it('rejects an unknown key, naming it with its path', () => {
    expect(() => parseScannerConfig({ notionalUsd: 5000, takerFee: 0.001 }, 'my.json')).toThrow("my.json: unknown key 'takerFee'");
    expect(() => parseScannerConfig({ thresholds: { minSpreadBp: 5 } }, 'my.json')).toThrow("my.json: unknown key 'thresholds.minSpreadBp'");
    expect(() => parseScannerConfig({ venueFees: { binance: { taker: 0.0004 } } }, 'my.json')).toThrow("unknown key 'venueFees.binance.taker'");
  });

  it('rejects bad values, naming the field', () => {
    expect(() => parseScannerConfig({ notionalUsd: -1 }, 'c.json')).toThrow(/c\.json: notionalUsd: /);
    expect(() => parseScannerConfig({ feeMode: 'both' }, 'c.json')).toThrow(/feeMode/);
    expect(() => parseScannerConfig({ takerFeeRate: 0.5 }, 'c.json')).toThrow(/takerFeeRate/);
  });

  it('reads a file, and applies overrides with validation', () => {
    const dir = tempDir();
    const path = join(dir, 'scan.json');
    writeFileSync(path, JSON.stringify({ notionalUsd: 50_000, thresholds: { minBasisBps: 30 }, venueFees: { binance: { takerFeeRate: 0.0004 } } }));
    const config = loadScannerConfigFile(path);
    expect(config.notionalUsd).toBe(50_000);
    expect(config.thresholds).toMatchObject({ minBasisBps: 30, minSpreadBps: 10 });
    const changed = withOverrides(config, { feeMode: 'maker', thresholds: { minSpreadBps: 5 } });
    expect(changed.thresholds).toMatchObject({ minBasisBps: 30, minSpreadBps: 5 });
    expect(changed.feeMode).toBe('maker');
    expect(changed.venueFees).toEqual({ binance: { takerFeeRate: 0.0004 } });
    writeFileSync(path, '{"notionalUsd": ');
    expect(() => loadScannerConfigFile(path)).toThrow(`${path}: not valid JSON`);
  });
});
