/** Minimal typing for lz4js (LZ4 frame format, pure JS); only what perp-arb uses. */
declare module 'lz4js' {
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}
