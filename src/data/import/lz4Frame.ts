import * as lz4 from 'lz4js';

const MAGIC = 0x184d2204;
const BLOCK_MAX_BYTES: Record<number, number> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };
const UNCOMPRESSED_BIT = 0x80000000;

/**
 * Decompresses one LZ4 frame after walking its block headers, so damaged data fails fast with a
 * reason. lz4js trusts the frame: a forged content size makes it allocate gigabytes, and a forged
 * block size makes it copy billions of undefined bytes (seconds per file).
 */
export function decompressLz4Frame(src: Uint8Array): Uint8Array {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (src.length < 7 || view.getUint32(0, true) !== MAGIC) throw new Error('LZ4 frame magic number missing');
  const flags = src[4];
  if ((flags & 0xc0) !== 0x40) throw new Error(`LZ4 frame version ${(flags & 0xc0) >> 6} is not 1`);
  const blockMaxBytes = BLOCK_MAX_BYTES[(src[5] >> 4) & 7];
  if (blockMaxBytes === undefined) throw new Error('LZ4 frame block size code is invalid');
  const blockChecksumBytes = flags & 0x10 ? 4 : 0;
  let at = 4 + 2 + (flags & 0x08 ? 8 : 0) + 1;
  let blocks = 0;
  for (;;) {
    if (at + 4 > src.length) throw new Error('LZ4 frame is truncated (no end mark)');
    const word = view.getUint32(at, true);
    at += 4;
    if (word === 0) break;
    const size = (word & ~UNCOMPRESSED_BIT) >>> 0;
    if (size > blockMaxBytes) throw new Error(`LZ4 block of ${size} bytes exceeds the frame's ${blockMaxBytes}-byte block size`);
    at += size + blockChecksumBytes;
    if (at > src.length) throw new Error('LZ4 frame is truncated (a block runs past the end)');
    blocks++;
  }
  return lz4.decompress(src, blocks * blockMaxBytes);
}
