import { crc32 } from 'node:zlib';

/** OKX checksums cover this many levels of each side. */
export const OKX_CHECKSUM_DEPTH = 25;

/**
 * OKX's order-book checksum (v5 "Checksum"): the signed CRC32 of 'bidPx:bidSz:askPx:askSz:...'
 * over the top 25 levels of each side, interleaved, on the strings as the venue sent them (so
 * '0.10' and '0.1' differ). `bidTexts` and `askTexts` are [price, size] strings, best first. The
 * importer of OKX websocket captures and the live book stream both check with it.
 */
export function okxBookChecksum(bidTexts: readonly (readonly [string, string])[], askTexts: readonly (readonly [string, string])[]): number {
  const parts: string[] = [];
  for (let i = 0; i < OKX_CHECKSUM_DEPTH; i++) {
    if (i < bidTexts.length) parts.push(bidTexts[i][0], bidTexts[i][1]);
    if (i < askTexts.length) parts.push(askTexts[i][0], askTexts[i][1]);
  }
  return crc32(parts.join(':')) | 0;
}
