import fc from 'fast-check';
import { weirdText } from './weirdValues.ts';

/**
 * Damage to a line-based text file (CSV, captures): lines dropped, repeated, swapped (duplicates,
 * out-of-order rows), one field replaced with a nasty value, text inserted anywhere (quotes, CR,
 * control characters, Unicode), the file cut short, bytes that are not UTF-8. Line and character
 * positions are taken modulo the text's, so shrinking moves them towards the start.
 */
export type TextEdit =
  | { op: 'deleteLine'; line: number }
  | { op: 'repeatLine'; line: number }
  | { op: 'swapLines'; line: number; other: number }
  | { op: 'field'; line: number; field: number; value: string }
  | { op: 'insertText'; line: number; at: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'badUtf8'; at: number };

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteLine' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeatLine' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swapLines' as const), line: fc.nat(), other: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('field' as const), line: fc.nat(), field: fc.nat(), value: weirdText }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insertText' as const), line: fc.nat(), at: fc.nat(), text: fc.oneof(weirdText, fc.constantFrom(',', '"', '\n', '\r', '\r\n', '\uFEFF', '""', ',,')) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('badUtf8' as const), at: fc.nat() }) },
);

/** Applies edits to text; `badUtf8` works on bytes, so the result is bytes. */
export function applyTextEdits(text: string, edits: readonly TextEdit[], separator = ','): Buffer {
  let lines = text.split('\n');
  const pick = (n: number) => n % lines.length;
  const badBytes: number[] = [];
  let cutAt: number | null = null;
  for (const edit of edits) {
    switch (edit.op) {
      case 'deleteLine':
        if (lines.length > 1) lines.splice(pick(edit.line), 1);
        break;
      case 'repeatLine': {
        const i = pick(edit.line);
        lines.splice(i, 0, lines[i]);
        break;
      }
      case 'swapLines': {
        const [i, j] = [pick(edit.line), pick(edit.other)];
        [lines[i], lines[j]] = [lines[j], lines[i]];
        break;
      }
      case 'field': {
        const i = pick(edit.line);
        const fields = lines[i].split(separator);
        fields[edit.field % fields.length] = edit.value;
        lines[i] = fields.join(separator);
        break;
      }
      case 'insertText': {
        const i = pick(edit.line);
        const at = edit.at % (lines[i].length + 1);
        lines[i] = lines[i].slice(0, at) + edit.text + lines[i].slice(at);
        lines = lines.join('\n').split('\n');
        break;
      }
      case 'truncate':
        cutAt = edit.at;
        break;
      case 'badUtf8':
        badBytes.push(edit.at);
        break;
    }
  }
  let bytes = Buffer.from(lines.join('\n'), 'utf8');
  if (cutAt !== null) bytes = bytes.subarray(0, cutAt % (bytes.length + 1));
  for (const at of badBytes) {
    const pos = at % (bytes.length + 1);
    bytes = Buffer.concat([bytes.subarray(0, pos), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(pos)]);
  }
  return bytes;
}

export interface TextMutation {
  edits: TextEdit[];
  bytes: Buffer;
}

const shown = (edit: TextEdit) => JSON.stringify(edit);

/** Damaged copies of `text`, printed as their edits and the first changed line. */
export function textMutation(label: string, text: string, options: { maxEdits?: number; separator?: string } = {}): fc.Arbitrary<TextMutation> {
  return fc.array(textEdit, { minLength: 1, maxLength: options.maxEdits ?? 4 }).map((edits) => {
    const mutation: TextMutation = { edits, bytes: applyTextEdits(text, edits, options.separator) };
    return Object.assign(mutation, { [fc.toStringMethod]: () => describeTextMutation(label, text, mutation) });
  });
}

const EXCERPT_CHARS = 200;

export function describeTextMutation(label: string, original: string, mutation: TextMutation): string {
  const before = original.split('\n');
  const after = mutation.bytes.toString('utf8').split('\n');
  let line = 0;
  while (line < before.length && line < after.length && before[line] === after[line]) line++;
  const changed = (after[line] ?? '(end of file)').slice(0, EXCERPT_CHARS);
  return `${label} with [${mutation.edits.map(shown).join(', ')}]: ${mutation.bytes.length} bytes; first changed line ${line + 1}: ${JSON.stringify(changed)}`;
}
