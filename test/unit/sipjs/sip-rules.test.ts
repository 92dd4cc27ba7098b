/**
 * The SIP rules of src/sip against SIP.js's own parser, so that what the fake
 * network accepts and shows, SIP.js accepts and shows the same way:
 * - the far end's identity is computed by one function for both adapters;
 *   the SIP.js adapter hands it SIP.js's parsed URI, the fake network the URI
 *   as text; both must give the same answer for the same URI;
 * - every target `connect({ to })` normalises to, SIP.js can call.
 */
import fc from 'fast-check';
import { UserAgent } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { escapeUser } from '../../../src/sip/grammar';
import { normalizeTarget, remoteIdentity } from '../../../src/sip/target';
import { e164, hostPort, sipUser } from '../sip/arbitraries';

function viaSipJs(text: string): string {
  const uri = UserAgent.makeURI(text);
  if (uri === undefined) throw new Error(`SIP.js cannot parse ${text}`);
  return remoteIdentity(uri);
}

describe('remoteIdentity through SIP.js and through the fake network', () => {
  it.each([
    ['sip:+4930123456@pbx.example.com;user=phone', '+4930123456'],
    ['sip:1002@pbx.example.com', 'sip:1002@pbx.example.com'],
    ['sip:alice@callchart.test;transport=ws', 'sip:alice@callchart.test'],
    ['sips:bob@example.com:5061', 'sips:bob@example.com:5061'],
    // SIP.js decodes escapes and lower-cases the host; the text path does the same.
    ['sip:%2B4930123456@pbx.example.com', '+4930123456'],
    ['sip:a%20b@Example.COM', 'sip:a%20b@example.com'],
    ['sip:a%0d%0aVia%3a%20evil@example.com', 'sip:a%0D%0AVia%3A%20evil@example.com'],
  ])('%s → %s on both', (text, identity) => {
    expect(viaSipJs(text)).toBe(identity);
    expect(remoteIdentity(text)).toBe(identity);
  });

  it('agree for generated users, numbers, hosts and ports', () => {
    const host = fc.tuple(fc.domain(), fc.boolean()).map(([d, upper]) => (upper ? d.toUpperCase() : d));
    const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
    const escaped = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(escapeUser);
    const user = fc.oneof(e164, sipUser, escaped, e164.map(escapeUser).map((u) => u.replace('+', '%2B')));
    fc.assert(
      fc.property(user, host, port, (u, h, p) => {
        const text = `sip:${u}@${h}${p === undefined ? '' : `:${p}`}`;
        expect(viaSipJs(text)).toBe(remoteIdentity(text));
      }),
    );
  });
});

describe('targets of connect({ to }) through SIP.js', () => {
  it('parse in SIP.js to the same user, host and port', () => {
    const escaped = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(escapeUser);
    const to = fc.oneof(
      e164,
      sipUser.filter((u) => !u.startsWith('+')),
      fc.tuple(fc.oneof(sipUser, escaped), hostPort, fc.constantFrom('', ';transport=ws', ';lr;user=phone')).map(([u, h, p]) => `sip:${u}@${h}${p}`),
    );
    fc.assert(
      fc.property(to, (value) => {
        const target = normalizeTarget(value, 'pbx.example.com');
        const uri = UserAgent.makeURI(target);
        expect(uri, target).toBeDefined();
        expect(remoteIdentity(uri!)).toBe(remoteIdentity(target));
      }),
    );
  });
});
