import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describeImporterFuzz } from './support/importerProperties.ts';
import { byteMutation } from './support/mutateBytes.ts';
import { captureMutation } from './support/mutateCapture.ts';
import { okxWsSeed } from './support/seedFiles.ts';

const text = okxWsSeed();
const gz = gzipSync(text);
// The gzip stream damaged (header, deflate data, CRC and length trailer), or the capture damaged and then gzipped.
const streamDamage = byteMutation('OKX.ws.1.0.gz', gz).map((m) => m as { bytes: Uint8Array });
const textDamage = captureMutation('OKX.ws.1.0', text).map((m) => Object.assign({ bytes: gzipSync(m.bytes) }, { [fc.toStringMethod]: () => `gzip of ${fc.stringify(m)}` }));
describeImporterFuzz({ title: 'cryptofeed gzipped OKX websocket capture', fileName: 'OKX.ws.1.0.gz', format: 'cryptofeed', seed: gz, mutation: fc.oneof(streamDamage, textDamage) });
