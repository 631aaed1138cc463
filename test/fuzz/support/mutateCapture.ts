import fc from 'fast-check';
import { editJsonText, jsonEdit, type JsonEdit } from './mutateJson.ts';
import { applyTextEdits, describeTextMutation, textMutation, type TextEdit, type TextMutation } from './mutateText.ts';

/**
 * Damage to a cryptofeed capture: line-level damage (mutateText.ts), and damage inside the JSON
 * body or message of a line, where parsers read fields (mutateJson.ts).
 */
export type CaptureEdit = TextEdit | { op: 'json'; line: number; edits: JsonEdit[] };

/** `<url> -> <ts>: ` (REST), `<url> <- <ts>: ` (sent) or `<ts>: ` (received), then the JSON. */
const PAYLOAD_RE = /^((?:\S+ (?:->|<-) )?\d+(?:\.\d+)?: )(.*)$/s;

function applyCaptureEdits(text: string, edits: readonly CaptureEdit[]): Buffer {
  const lines = text.split('\n');
  const lineEdits: TextEdit[] = [];
  for (const edit of edits) {
    if (edit.op !== 'json') {
      lineEdits.push(edit);
      continue;
    }
    const i = edit.line % lines.length;
    const m = PAYLOAD_RE.exec(lines[i]);
    if (m) lines[i] = m[1] + editJsonText(m[2], edit.edits);
  }
  return applyTextEdits(lines.join('\n'), lineEdits);
}

const jsonLineEdit: fc.Arbitrary<CaptureEdit> = fc.record({ op: fc.constant('json' as const), line: fc.nat(), edits: fc.array(jsonEdit, { minLength: 1, maxLength: 3 }) });

/** Damaged copies of a capture: mostly JSON edits, some line edits. */
export function captureMutation(label: string, text: string): fc.Arbitrary<TextMutation> {
  const lineEdit = textMutation(label, text, { maxEdits: 1 }).map((m) => m.edits[0] as CaptureEdit);
  return fc.array(fc.oneof({ weight: 3, arbitrary: jsonLineEdit }, { weight: 1, arbitrary: lineEdit }), { minLength: 1, maxLength: 3 }).map((edits) => {
    const mutation = { edits: edits as TextEdit[], bytes: applyCaptureEdits(text, edits) };
    return Object.assign(mutation, { [fc.toStringMethod]: () => describeTextMutation(label, text, mutation) });
  });
}
