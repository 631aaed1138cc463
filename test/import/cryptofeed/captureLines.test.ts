import { describe, expect, it } from 'vitest';
import { parseCaptureLine, readCaptureLines, unixSecondsTextToMs } from '../../../src/data/import/cryptofeed/captureLines.ts';

describe('cryptofeed capture lines', () => {
  it('classifies REST, websocket, configuration and blank lines', () => {
    expect(parseCaptureLine('https://ftx.com/api/markets -> 1626993902.920615: {"a":1}', 1, 'f')).toEqual({
      kind: 'rest',
      line: 1,
      url: 'https://ftx.com/api/markets',
      receivedAtMs: 1626993902920,
      body: '{"a":1}',
    });
    expect(parseCaptureLine('wss://ws.okx.com:8443/ws/v5/public <-> 1652459224.5300605', 1, 'f')).toEqual({
      kind: 'ws-open',
      line: 1,
      url: 'wss://ws.okx.com:8443/ws/v5/public',
      receivedAtMs: 1652459224530,
    });
    expect(parseCaptureLine('wss://ws.okx.com:8443/ws/v5/public <- 1652459225.2987883: {"op":"subscribe"}', 2, 'f')).toMatchObject({
      kind: 'ws-out',
      receivedAtMs: 1652459225298,
      message: '{"op":"subscribe"}',
    });
    expect(parseCaptureLine('1652459225.5066085: {"arg":{}}', 3, 'f')).toEqual({ kind: 'ws-in', line: 3, receivedAtMs: 1652459225506, message: '{"arg":{}}' });
    expect(parseCaptureLine('configuration: {"l2_book":[]}', 4, 'f')).toMatchObject({ kind: 'config' });
    expect(parseCaptureLine('', 5, 'f')).toEqual({ kind: 'blank', line: 5 });
  });

  it('turns unix seconds text into integer ms without float rounding', () => {
    expect(unixSecondsTextToMs('1626993902.920615')).toBe(1626993902920);
    expect(unixSecondsTextToMs('1652459096.92228')).toBe(1652459096922);
    expect(unixSecondsTextToMs('1652459224.5')).toBe(1652459224500);
    expect(unixSecondsTextToMs('1652459224')).toBe(1652459224000);
  });

  it('rejects a malformed line with its file and line, never skipping it', () => {
    const out = [...readCaptureLines('1652459225.5: {}\ngarbage here\r\nhttps://x -> notatime: {}\n', 'cap.txt')];
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ kind: 'ws-in', line: 1 });
    expect(out[1]).toMatchObject({ source: 'cap.txt', line: 2 });
    expect((out[1] as { reason: string }).reason).toContain("'garbage here'");
    expect(out[2]).toMatchObject({ source: 'cap.txt', line: 3 });
  });
});
