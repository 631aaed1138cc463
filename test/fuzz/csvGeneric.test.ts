import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseCsvMappingSpec } from '../../src/data/import/csvGeneric.ts';
import { checkProperty } from './support/fuzzRun.ts';
import { describeImporterFuzz } from './support/importerProperties.ts';
import { textMutation } from './support/mutateText.ts';
import { expectContract, outcomeOf } from './support/outcome.ts';
import { firstHalf, fundingMarkCsvSeed, joinedCsvSeed } from './support/seedFiles.ts';
import { weirdText } from './support/weirdValues.ts';

const PERP_MAP = 'ts=open_time_ms:ms,open=perp_open,high=perp_high,low=perp_low,close=perp_close,volume=perp_volume';
const FUNDING_MAP = 'ts=funding_time_utc:iso,rate=funding_rate,mark_price=mark_close';

const joined = joinedCsvSeed();
describeImporterFuzz({
  title: 'generic CSV, bars with epoch-ms times',
  fileName: 'joined.csv',
  format: 'csv',
  seed: Buffer.from(joined),
  baselineSeed: firstHalf(joined),
  mutation: textMutation('joined.csv', joined),
  options: { venue: 'binance', symbol: 'BTC/USDT:USDT', csvMapping: parseCsvMappingSpec(PERP_MAP, 'bars', '1m') },
});

const funding = fundingMarkCsvSeed();
describeImporterFuzz({
  title: 'generic CSV, funding with ISO times',
  fileName: 'funding.csv',
  format: 'csv',
  seed: Buffer.from(funding),
  baselineSeed: firstHalf(funding),
  mutation: textMutation('funding.csv', funding),
  options: { venue: 'binance', symbol: 'BTC/USDT:USDT', csvMapping: parseCsvMappingSpec(FUNDING_MAP, 'funding', null), timezone: 'UTC' },
});

describe('fuzz: generic CSV options', () => {
  const specPart = fc.oneof(
    fc.constantFrom('ts=open_time_ms:ms', 'ts=a:iso', 'ts=x:', 'ts=:ms', 'open=perp_open', 'close=c', 'ts', '=', '==', 'rate=r', 'volume=', ',', 'ts=a:b:s'),
    fc.tuple(fc.constantFrom('ts', 'open', 'high', 'low', 'close', 'volume', 'rate', 'bid', 'side', '__proto__', 'constructor'), weirdText).map(([k, v]) => `${k}=${v}`),
    weirdText,
  );

  it('a --map spec, --table and --timeframe are a mapping or a UsageError, never a crash', async () => {
    await checkProperty(
      fc.asyncProperty(
        fc.array(specPart, { maxLength: 8 }),
        fc.oneof(fc.constantFrom('bars', 'funding', 'quotes', 'trades', 'books', 'mark_bars', 'quote_bars', 'funding_quotes'), weirdText),
        fc.oneof(fc.constantFrom(null, '1m', '8h', '1w', '0m', '1M', '99999999999d'), weirdText),
        async (parts, table, timeframe) => {
          expectContract(await outcomeOf(() => parseCsvMappingSpec(parts.join(','), table, timeframe)));
        },
      ),
      300,
    );
  });
});
