import { ahaHhImporter } from './ahaHh.ts';
import { cryptofeedImporter } from './cryptofeed/captureImporter.ts';
import { csvImporter } from './csvGeneric.ts';
import { freqtradeImporter } from './freqtrade.ts';
import { leanImporter } from './lean.ts';
import { supervikFundingImporter } from './supervikFunding.ts';
import type { FormatId, FormatImporter } from './types.ts';

/** Every importer, in detection order. Generic CSV never detects itself: it needs --format csv and a mapping. */
export const IMPORTERS: readonly FormatImporter[] = [
  freqtradeImporter,
  supervikFundingImporter,
  ahaHhImporter,
  leanImporter,
  cryptofeedImporter,
  csvImporter,
];

export function importerFor(format: FormatId): FormatImporter {
  const importer = IMPORTERS.find((i) => i.id === format);
  if (!importer) throw new Error(`unknown format '${format}' (known: ${IMPORTERS.map((i) => i.id).join(', ')})`);
  return importer;
}

export function detectImporter(path: string, head: Buffer): FormatImporter | null {
  return IMPORTERS.find((i) => i.detect(path, head)) ?? null;
}
