import { ByteBuffer } from 'flatbuffers';

let installed = false;

/**
 * Makes apache-arrow's flatbuffer reads of Arrow metadata (footer, schema, record batch headers)
 * refuse a vector longer than the buffer holding it. flatbuffers trusts lengths, so one forged
 * length (custom metadata, fields, buffers: 2^31 entries) kept apache-arrow looping for minutes
 * on a 6 KB file. Every element takes at least one byte, so a real vector always fits.
 */
export function guardFlatbufferVectors(): void {
  if (installed) return;
  installed = true;
  const proto = ByteBuffer.prototype as ByteBuffer & { __vector_len(offset: number): number };
  const vectorLength = proto.__vector_len;
  proto.__vector_len = function guardedVectorLength(this: ByteBuffer, offset: number): number {
    const length = vectorLength.call(this, offset);
    const dataStart = offset + this.readInt32(offset) + 4;
    if (length < 0 || dataStart + length > this.capacity()) {
      throw new Error(`a metadata vector of ${length} entries runs past its ${this.capacity()}-byte buffer`);
    }
    return length;
  };
}
