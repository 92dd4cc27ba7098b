import { describe, expect, it } from 'vitest';
import { scrubLogText, toExtraHeaderLines } from '../../../src/adapters/sipjs/headers';

describe('custom headers of an outbound call', () => {
  it('become Name: value lines', () => {
    expect(toExtraHeaderLines({ 'X-Callchart-TicketId': 'INC-1' })).toEqual(['X-Callchart-TicketId: INC-1']);
  });

  it('refuse anything that could inject a header line', () => {
    expect(() => toExtraHeaderLines({ 'X-A': 'a\r\nVia: evil' })).toThrow(/control characters/);
    expect(() => toExtraHeaderLines({ 'X A': 'a' })).toThrow(/must be a token/);
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
