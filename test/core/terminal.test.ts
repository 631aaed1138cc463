import { describe, expect, it } from 'vitest';
import { escapeForTerminal, escapeLinesForTerminal } from '../../src/core/terminal.ts';

describe('escapeForTerminal', () => {
  it('shows every control character as a visible escape and leaves other text alone', () => {
    expect(escapeForTerminal('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(escapeForTerminal('a\rb\nc\td\u0000e\u0007f\u007f')).toBe('a\\x0db\\x0ac\\x09d\\x00e\\x07f\\x7f');
    // C1: CSI (U+009B) and OSC (U+009D) act like ESC [ and ESC ] on some terminals.
    expect(escapeForTerminal('\u009b2J\u009d0;x')).toBe('\\x9b2J\\x9d0;x');
    // Bidirectional overrides and line separators change what is shown without being visible.
    expect(escapeForTerminal('abc\u202edcb\u2066\u2028')).toBe('abc\\u{202e}dcb\\u{2066}\\u{2028}');
    expect(escapeForTerminal('BTC/USDT:USDT, 17 205 €, 日本, C:\\data')).toBe('BTC/USDT:USDT, 17 205 €, 日本, C:\\data');
  });

  it('keeps line breaks when asked to escape lines', () => {
    expect(escapeLinesForTerminal('one \u001b[2J\ntwo\r')).toBe('one \\x1b[2J\ntwo\\x0d');
  });
});
