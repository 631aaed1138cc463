import fc from 'fast-check';

/**
 * Damage to a binary file: bytes set, 32-bit words forged (lengths and offsets of Arrow and zip
 * metadata), blocks overwritten, inserted, cut out or repeated, the file cut short. Offsets are
 * taken modulo the file's length, so shrinking moves them towards the start.
 */
export type ByteEdit =
  | { op: 'set'; at: number; value: number }
  | { op: 'int32'; at: number; value: number }
  | { op: 'overwrite'; at: number; bytes: Uint8Array }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'repeat'; at: number; length: number; to: number }
  | { op: 'truncate'; at: number };

const INTERESTING_INT32 = [0, 1, -1, 2, 8, 0xff, 0x7fff, 0xffff, 0x10000, 0x7fffffff, -0x80000000, 0x40000000, 0x1000000];

const at = fc.nat();
const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  // In-place damage keeps the file's layout (most of it still reads); the rest shifts or cuts it.
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), at, value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('int32' as const), at, value: fc.oneof(fc.constantFrom(...INTERESTING_INT32), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('overwrite' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const), at, length: fc.integer({ min: 1, max: 256 }), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at }) },
);

function applyEdit(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  const n = bytes.length;
  const pos = n === 0 ? 0 : edit.at % (n + 1);
  switch (edit.op) {
    case 'set': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[edit.at % n] = edit.value;
      return out;
    }
    case 'int32': {
      if (n < 4) return bytes;
      const out = bytes.slice();
      const aligned = (edit.at % (n - 3)) & ~3;
      new DataView(out.buffer).setInt32(aligned, edit.value, true);
      return out;
    }
    case 'overwrite': {
      const out = bytes.slice();
      out.set(edit.bytes.subarray(0, Math.max(0, n - pos)), Math.min(pos, n));
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, pos), edit.bytes, bytes.subarray(pos));
    case 'delete':
      return concat(bytes.subarray(0, pos), bytes.subarray(pos + edit.length));
    case 'repeat': {
      const chunk = bytes.subarray(pos, pos + edit.length);
      const to = n === 0 ? 0 : edit.to % (n + 1);
      return concat(bytes.subarray(0, to), chunk, bytes.subarray(to));
    }
    case 'truncate':
      return bytes.subarray(0, pos);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');

function describeEdit(edit: ByteEdit): string {
  switch (edit.op) {
    case 'set':
      return `set@${edit.at}=0x${edit.value.toString(16)}`;
    case 'int32':
      return `int32@${edit.at}=${edit.value}`;
    case 'overwrite':
    case 'insert':
      return `${edit.op}@${edit.at}[${hex(edit.bytes)}]`;
    case 'delete':
      return `delete@${edit.at}+${edit.length}`;
    case 'repeat':
      return `repeat@${edit.at}+${edit.length}->${edit.to}`;
    case 'truncate':
      return `truncate@${edit.at}`;
  }
}

/** A damaged copy of a file: its bytes, and a short printable account of them for fast-check's report. */
export interface ByteMutation {
  edits: ByteEdit[];
  bytes: Uint8Array;
}

const EXCERPT_BYTES = 48;

/**
 * What changed, short enough to read in a failure: the edits, the resulting size, the first
 * differing offset with a hex excerpt from there, and the whole result in base64 when it is small.
 */
export function describeByteMutation(label: string, original: Uint8Array, mutation: ByteMutation): string {
  const { bytes } = mutation;
  let first = 0;
  while (first < bytes.length && first < original.length && bytes[first] === original[first]) first++;
  const excerpt = bytes.subarray(first, first + EXCERPT_BYTES);
  const whole = bytes.length <= 192 ? `; base64 ${Buffer.from(bytes).toString('base64')}` : '';
  return `${label} with [${mutation.edits.map(describeEdit).join(', ')}]: ${bytes.length} bytes (original ${original.length}); first difference at byte ${first}: ${hex(excerpt) || '(none)'}${whole}`;
}

/** Damaged copies of `original`: 1 to `maxEdits` edits, printed by describeByteMutation. */
export function byteMutation(label: string, original: Uint8Array, maxEdits = 3): fc.Arbitrary<ByteMutation> {
  return fc.array(byteEdit, { minLength: 1, maxLength: maxEdits }).map((edits) => {
    const mutation: ByteMutation = { edits, bytes: edits.reduce(applyEdit, original) };
    return Object.assign(mutation, { [fc.toStringMethod]: () => describeByteMutation(label, original, mutation) });
  });
}
