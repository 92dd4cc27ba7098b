// The SIP.js transport's guard against hostile input: SIP.js's own message
// handler throws on some malformed messages (and its WebSocket handler
// rethrows, uncaught in the page); through our transport nothing throws, and
// what is dropped is logged at most once per interval, truncated and escaped.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserAgent } from 'sip.js';
import { DroppedMessageLog, DROPPED_LOG_INTERVAL_MS, previewOf, RetargetableTransport, UNSET_SERVER } from '../../../src/adapters/sipjs/sipjs.transport';

const VIA = 'Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK123';
/** A response whose CSeq has no method: SIP.js 0.21 reads `undefined.method` on it. */
const BAD_CSEQ = `SIP/2.0 200 OK\r\n${VIA}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: nonsense\r\nContent-Length: 0\r\n\r\n`;

function userAgent(): { ua: UserAgent; transport: RetargetableTransport } {
  const ua = new UserAgent({
    transportConstructor: RetargetableTransport,
    transportOptions: { server: UNSET_SERVER },
    logLevel: 'error',
    logBuiltinEnabled: false,
  });
  return { ua, transport: ua.transport as RetargetableTransport };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RetargetableTransport keeps hostile messages inside the SDK', () => {
  it('SIP.js itself throws a TypeError on a response with a CSeq without method', () => {
    const { ua } = userAgent();
    const handler = ua as unknown as { onTransportMessage(message: string): void };
    expect(() => handler.onTransportMessage(BAD_CSEQ)).toThrow(TypeError);
  });

  it('through the transport the same message throws nothing and is logged once, escaped', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { transport } = userAgent();
    expect(() => transport.onMessage?.(BAD_CSEQ)).not.toThrow();
    expect(() => transport.onMessage?.(BAD_CSEQ)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]?.[0]);
    expect(line).toContain('could not be handled (TypeError)');
    expect(line).toContain('SIP/2.0 200 OK\\r\\nVia');
    expect(line).toMatch(/^[\x20-\x7e]*$/);
  });

  it('a frame that is no SIP message never reaches SIP.js', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { transport } = userAgent();
    const received: string[] = [];
    transport.onMessage = (message) => received.push(message);
    for (const frame of ['\u0000\u0001\u00ff binary', 'x'.repeat(100_000), 'HELLO', 'SIP/2.0 99 Low\r\n\r\n']) transport.onMessage(frame);
    const sip = `OPTIONS sip:a@b SIP/2.0\r\n${VIA}\r\n\r\n`;
    transport.onMessage(sip);
    transport.onMessage('SIP/2.0 180 Ringing\r\n\r\n');
    expect(received).toEqual([sip, 'SIP/2.0 180 Ringing\r\n\r\n']);
  });
});

describe('DroppedMessageLog', () => {
  it('writes at most one line per interval and counts the ones it left out', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new DroppedMessageLog({ now: () => now, write: (line) => lines.push(line) });
    log.note('a', 'is not a SIP message');
    log.note('b', 'is not a SIP message');
    log.note('c', 'is not a SIP message');
    now = DROPPED_LOG_INTERVAL_MS - 1;
    log.note('d', 'is not a SIP message');
    expect(lines).toHaveLength(1);
    now = DROPPED_LOG_INTERVAL_MS;
    log.note('e', 'is not a SIP message');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"e" (3 more dropped since the last report)');
  });
});

describe('previewOf', () => {
  it('escapes everything but printable ASCII and keeps at most 80 characters of it', () => {
    expect(previewOf('SIP/2.0 200 OK\r\n')).toBe('SIP/2.0 200 OK\\r\\n');
    expect(previewOf('\u0000\u001b[31m\u00ff"\\')).toBe('\\u{0}\\u{1b}[31m\\u{ff}\\"\\\\');
    expect(previewOf('\u{1f600}')).toBe('\\u{1f600}');
    const long = previewOf('\u0000'.repeat(1000));
    expect(long).toBe(`${'\\u{0}'.repeat(16)}... (1000 characters)`);
    expect(previewOf('x'.repeat(100_000))).toBe(`${'x'.repeat(80)}... (100000 characters)`);
  });
});
