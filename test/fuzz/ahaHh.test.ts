import { describeImporterFuzz } from './support/importerProperties.ts';
import { textMutation } from './support/mutateText.ts';
import { ahaHhSeed, firstHalf } from './support/seedFiles.ts';

const seed = ahaHhSeed();
describeImporterFuzz({
  title: 'AHA-HH 8h spot/perp/funding CSV',
  fileName: 'all_exchanges.csv',
  format: 'aha-hh',
  seed: Buffer.from(seed),
  baselineSeed: firstHalf(seed),
  mutation: textMutation('all_exchanges.csv', seed),
});
