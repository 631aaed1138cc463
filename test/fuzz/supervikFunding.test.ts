import { describeImporterFuzz } from './support/importerProperties.ts';
import { textMutation } from './support/mutateText.ts';
import { firstHalf, SUPERVIK_NAME, supervikSeed } from './support/seedFiles.ts';

const seed = supervikSeed();
describeImporterFuzz({
  title: 'supervik funding-history CSV',
  fileName: SUPERVIK_NAME,
  format: 'supervik-funding',
  seed: Buffer.from(seed),
  baselineSeed: firstHalf(seed),
  mutation: textMutation(SUPERVIK_NAME, seed),
});
