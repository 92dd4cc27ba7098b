import { describe, expect, it } from 'vitest';
import {
  INBOUND_HEADER_LIMITS,
  outboundCustomHeaders,
  readCustomHeaders,
  remoteIdentityOf,
  scrubLogText,
  toExtraHeaderLines,
} from '../../../src/adapters/sipjs/headers';

function invite(...headers: string[]): string {
  return [
    'INVITE sip:bob@callchart.test SIP/2.0',
    'Via: SIP/2.0/WS abc.invalid;branch=z9hG4bK1',
    'From: <sip:alice@callchart.test>;tag=1',
    'To: <sip:bob@callchart.test>',
    ...headers,
    'Content-Length: 0',
    '',
    'X-Callchart-InBody: not a header',
  ].join('\r\n');
}

describe('custom headers of an incoming INVITE', () => {
  it('keeps the key case after the prefix and matches the prefix in any case', () => {
    const raw = invite('X-Callchart-TicketId: INC-4815', 'x-callchart-queue:  support ', 'X-Other: 1');
    expect(readCustomHeaders(raw, 'X-Callchart-')).toEqual({ TicketId: 'INC-4815', queue: 'support' });
  });

  it('works with another prefix, e.g. X-2Chat-', () => {
    expect(readCustomHeaders(invite('X-2Chat-Customer: 42'), 'X-2Chat-')).toEqual({ Customer: '42' });
  });

  it('ignores the body, empty keys and the reserved keys', () => {
    const raw = invite('X-Callchart-: empty', 'X-Callchart-__proto__: evil', 'X-Callchart-constructor: evil');
    expect(readCustomHeaders(raw, 'X-Callchart-')).toEqual({});
  });

  it('ignores values with control characters and overlong keys or values', () => {
    const raw = invite(
      'X-Callchart-Nul: a\u0000b',
      'X-Callchart-Esc: a\u001bb',
      `X-Callchart-Long: ${'v'.repeat(INBOUND_HEADER_LIMITS.maxValueLength + 1)}`,
      `X-Callchart-${'K'.repeat(INBOUND_HEADER_LIMITS.maxKeyLength + 1)}: v`,
      'X-Callchart-Tab: a\tb',
    );
    expect(readCustomHeaders(raw, 'X-Callchart-')).toEqual({ Tab: 'a\tb' });
  });

  it('keeps the first of repeated keys and joins folded lines', () => {
    const raw = invite('X-Callchart-A: first', 'X-Callchart-A: second', 'X-Callchart-B: one', '  two');
    expect(readCustomHeaders(raw, 'X-Callchart-')).toEqual({ A: 'first', B: 'one two' });
  });

  it('keeps at most maxCount headers', () => {
    const many = Array.from({ length: 100 }, (_, i) => `X-Callchart-K${i}: ${i}`);
    expect(Object.keys(readCustomHeaders(invite(...many), 'X-Callchart-'))).toHaveLength(
      INBOUND_HEADER_LIMITS.maxCount,
    );
  });
});

describe('custom headers of an outbound call', () => {
  it('become Name: value lines', () => {
    expect(toExtraHeaderLines({ 'X-Callchart-TicketId': 'INC-1' })).toEqual(['X-Callchart-TicketId: INC-1']);
  });

  it('refuse anything that could inject a header line', () => {
    expect(() => toExtraHeaderLines({ 'X-A': 'a\r\nVia: evil' })).toThrow(/control characters/);
    expect(() => toExtraHeaderLines({ 'X A': 'a' })).toThrow(/not a valid SIP header name/);
  });

  it('are reported with the prefix stripped, like inbound ones', () => {
    expect(outboundCustomHeaders({ 'X-Callchart-TicketId': 'INC-1', 'X-Other': 'o' }, 'X-Callchart-')).toEqual({
      TicketId: 'INC-1',
      'X-Other': 'o',
    });
  });
});

describe('the far end identity', () => {
  it('is the number for a phone-number user part', () => {
    expect(remoteIdentityOf({ scheme: 'sip', user: '+4930123456', host: 'callchart.test' })).toBe('+4930123456');
    expect(remoteIdentityOf({ scheme: 'sip', user: '1002', host: 'callchart.test' })).toBe('1002');
  });

  it('is the SIP URI without parameters for anyone else', () => {
    expect(remoteIdentityOf({ scheme: 'sip', user: 'alice', host: 'callchart.test' })).toBe('sip:alice@callchart.test');
    expect(remoteIdentityOf({ scheme: 'sips', user: 'bob', host: 'example.com', port: 5061 })).toBe(
      'sips:bob@example.com:5061',
    );
  });
});

describe('log lines', () => {
  it('never carry credentials', () => {
    const line = [
      'REGISTER sip:callchart.test SIP/2.0',
      'Authorization: Digest username="alice", response="0123abcd"',
      'proxy-authorization: Digest username="alice"',
      'X-Note: alicepw',
    ].join('\r\n');
    const scrubbed = scrubLogText(line, ['alicepw']);
    expect(scrubbed).not.toMatch(/0123abcd|alicepw|username="alice"/);
    expect(scrubbed).toContain('Authorization: [redacted]');
    expect(scrubLogText('authorizationPassword: "secret"')).not.toContain('secret');
  });
});
