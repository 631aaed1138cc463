import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describeImporterFuzz } from './support/importerProperties.ts';
import { byteMutation } from './support/mutateBytes.ts';
import { textMutation } from './support/mutateText.ts';
import { LEAN_DATA } from './support/seedFiles.ts';
import { weirdText } from './support/weirdValues.ts';

const TRADE_ZIP = join('Data', 'cryptofuture', 'bybit', 'minute', 'btcusdt', '20221213_trade.zip');
const QUOTE_ZIP = join('Data', 'crypto', 'bybit', 'minute', 'btcusdt', '20221213_quote.zip');
const FUNDING_CSV = join('Data', 'cryptofuture', 'binance', 'margin_interest', 'btcusd.csv');

/** The first 60 minutes of a real zip's CSV, zipped again under the member's own name. */
function smallZip(rel: string): { zip: Uint8Array; member: string; csv: string } {
  const [[member, bytes]] = Object.entries(unzipSync(readFileSync(join(LEAN_DATA, '..', rel))));
  const csv = `${Buffer.from(bytes).toString('utf8').split('\n').slice(0, 60).join('\n')}\n`;
  return { zip: zipSync({ [member]: strToU8(csv) }), member, csv };
}

for (const rel of [TRADE_ZIP, QUOTE_ZIP]) {
  const { zip, member, csv } = smallZip(rel);
  // The zip's bytes damaged (compressed data, headers, the central directory) ...
  const zipDamage = byteMutation(rel, zip).map((m) => m as { bytes: Uint8Array });
  // ... and its CSV damaged, then zipped properly (what the importer reads past the zip layer), sometimes under another member name.
  const memberName = fc.oneof({ weight: 5, arbitrary: fc.constant(member) }, { weight: 1, arbitrary: fc.oneof(weirdText, fc.constantFrom('', '../x.csv', `${member}/`, member.toUpperCase())) });
  const csvDamage = fc.tuple(textMutation(`${rel}!${member}`, csv), memberName, fc.boolean()).map(([m, name, twice]) => {
    const files: Record<string, Uint8Array> = { [name]: m.bytes };
    if (twice) files[`${name}.copy`] = m.bytes;
    return Object.assign({ bytes: zipSync(files) }, { [fc.toStringMethod]: () => `zip of {${JSON.stringify(name)}${twice ? ' and a copy' : ''}}: ${fc.stringify(m)}` });
  });
  describeImporterFuzz({ title: `LEAN ${rel}`, fileName: rel, format: 'lean', seed: zip, mutation: fc.oneof(zipDamage, csvDamage) });
}

const funding = readFileSync(join(LEAN_DATA, '..', FUNDING_CSV), 'utf8');
describeImporterFuzz({ title: `LEAN ${FUNDING_CSV}`, fileName: FUNDING_CSV, format: 'lean', seed: Buffer.from(funding), mutation: textMutation(FUNDING_CSV, funding) });
