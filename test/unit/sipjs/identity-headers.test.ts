/** What the SIP.js adapter reads about the far end from a parsed INVITE, and what call.info makes of it. */
import { describe, expect, it } from 'vitest';
import { Core } from 'sip.js';
import { identityHeadersOf, assertsIdentity } from '../../../src/adapters/sipjs/sipjs.identity';
import { callInfoOf } from '../../../src/sip/identity';
import { remoteIdentity } from '../../../src/sip/target';

const logger = { error: () => undefined, warn: () => undefined, log: () => undefined, debug: () => undefined } as never;

function invite(headers: string[]): Core.IncomingRequestMessage {
  const raw = [
    'INVITE sip:alice@callchart.test SIP/2.0',
    'Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK1',
    ...headers,
    'To: <sip:alice@callchart.test>',
    'Call-ID: a1',
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const message = Core.Parser.parseMessage(raw, logger);
  if (!(message instanceof Core.IncomingRequestMessage)) throw new Error('not parsed as a request');
  return message;
}

describe('identityHeadersOf (SIP.js)', () => {
  it('a quoted display name with escaped quotes and backslashes comes unescaped (JsSIP sends `"Dave \\"JsSIP\\" Desk"`)', () => {
    const request = invite(['From: "Dave \\"JsSIP\\" Desk \\\\ 2" <sip:+15550001002@callchart.test>;tag=x']);
    expect(identityHeadersOf(request, request.from).displayName).toBe('Dave "JsSIP" Desk \\ 2');
  });

  it('the From display name and URI, P-Asserted-Identity and Remote-Party-ID as they came', () => {
    const request = invite([
      'From: "Front Desk" <sip:1002@callchart.test>;tag=x',
      'P-Asserted-Identity: "Reception" <sip:+15550001002@callchart.test>',
      'Remote-Party-ID: "Other" <sip:999@callchart.test>;party=calling',
    ]);
    const party = identityHeadersOf(request, request.from);
    expect(party).toEqual({
      uri: 'sip:1002@callchart.test',
      displayName: 'Front Desk',
      assertedIdentity: '"Reception" <sip:+15550001002@callchart.test>',
      remotePartyId: '"Other" <sip:999@callchart.test>;party=calling',
    });
    expect(assertsIdentity(party)).toBe(true);
    expect(callInfoOf(party, remoteIdentity(request.from.uri))).toEqual({
      uri: 'sip:1002@callchart.test',
      displayName: 'Reception',
      number: '+15550001002',
    });
  });

  it('a 10 KB display name and a garbage asserted identity are cut and ignored, never thrown on', () => {
    const request = invite([`From: "${'N'.repeat(10_240)}" <sip:mallory@callchart.test>;tag=x`, 'P-Asserted-Identity: <<<not a uri']);
    const party = identityHeadersOf(request, request.from);
    const info = callInfoOf(party, remoteIdentity(request.from.uri));
    expect(info.displayName).toHaveLength(128);
    expect(info.number).toBeUndefined();
    expect(info.uri).toBe('sip:mallory@callchart.test');
  });

  it('no display name, no asserted identity: only the URI', () => {
    const request = invite(['From: <sip:bob@callchart.test>;tag=x']);
    const party = identityHeadersOf(request, request.from);
    expect(party).toEqual({ uri: 'sip:bob@callchart.test' });
    expect(assertsIdentity(party)).toBe(false);
  });
});
