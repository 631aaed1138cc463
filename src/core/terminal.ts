/**
 * Control characters a terminal would act on: C0 (ESC, CR, BEL, ...), DEL, C1 (CSI is U+009B),
 * and the Unicode line separators and bidirectional overrides that reorder what is shown.
 */
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text from outside (a file, a venue, an option) made safe to print: every control character is
 * shown as an escape (`\x1b`, `\u{202e}`) instead of being interpreted. Newlines and tabs are
 * escaped too, so one value stays on one line.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(CONTROL_RE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** escapeForTerminal for text of several lines: each line is escaped, the line breaks are kept. */
export function escapeLinesForTerminal(text: string): string {
  return text.split('\n').map(escapeForTerminal).join('\n');
}
