import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasControlCharacters, sipUriParts } from '../../../src/sip/grammar';
import { MAX_IDENTITY_LENGTH, normalizeTarget, parseCallerId, remoteIdentity } from '../../../src/sip/target';
import { anyValue, e164, hostileString, hostPort, sipUser, throwsOnlyInvalidArgument } from './arbitraries';

const DOMAIN = 'example.com';

describe('the target of connect({ to })', () => {
  it.each([
    ['+15551234567', 'sip:+15551234567@example.com'],
    ['bob', 'sip:bob@example.com'],
    ['1002', 'sip:1002@example.com'],
    ['  bob  ', 'sip:bob@example.com'],
    ['tel:+1-555-123-4567', 'sip:+15551234567@example.com'],
    ['sip:carol@other.example.org', 'sip:carol@other.example.org'],
    ['SIPS:carol@other.example.org:5061;transport=ws', 'sips:carol@other.example.org:5061;transport=ws'],
  ])('%j → %s', (to, target) => {
    expect(normalizeTarget(to, DOMAIN)).toBe(target);
  });

  it.each([
    ['', /non-empty/],
    ['   ', /non-empty/],
    [42, /non-empty/],
    ['bob\r\nVia: evil', /control characters/],
    ['+0123', /E\.164/],
    ['+1 555 1234', /E\.164/],
    ['tel:1002;phone-context=example.com', /global TEL URI/],
    ['sip:bob', /`to`/],
    ['bob smith', /neither/],
    ['bob@example.com', /neither/],
  ])('refuses %j', (to, message) => {
    expect(() => normalizeTarget(to, DOMAIN)).toThrow(message);
  });

  // A leading + announces a number: `+a` is a valid SIP user, but not a valid `to`.
  it('refuses a user that starts with + but is no E.164 number', () => {
    expect(() => normalizeTarget('+a', DOMAIN)).toThrow(/E\.164/);
  });

  it('is idempotent: a target normalises to itself', () => {
    const user = sipUser.filter((u) => !u.startsWith('+'));
    const to = fc.oneof(e164, user, fc.tuple(sipUser, hostPort).map(([user, host]) => `sip:${user}@${host}`));
    fc.assert(
      fc.property(to, (value) => {
        const once = normalizeTarget(value, DOMAIN);
        expect(normalizeTarget(once, DOMAIN)).toBe(once);
        expect(sipUriParts(once)).toBeDefined();
      }),
    );
  });

  it('throws nothing but invalid-argument, and never lets a control character through', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        throwsOnlyInvalidArgument(() => {
          expect(hasControlCharacters(normalizeTarget(value, DOMAIN))).toBe(false);
        });
      }),
    );
  });
});

describe('the caller ID of connect({ from })', () => {
  it('is an E.164 number or a SIP user', () => {
    expect(parseCallerId('+15550001111')).toBe('+15550001111');
    expect(parseCallerId('support')).toBe('support');
    expect(() => parseCallerId('+0')).toThrow(/`from`/);
    expect(() => parseCallerId('a b')).toThrow(/`from`/);
    expect(() => parseCallerId('')).toThrow(/`from`/);
  });

  it('throws nothing but invalid-argument', () => {
    fc.assert(fc.property(anyValue, (value) => throwsOnlyInvalidArgument(() => parseCallerId(value))));
  });
});

describe('the far end identity (remoteIdentity), the same rule for both adapters', () => {
  it('is the number when the user part is E.164', () => {
    expect(remoteIdentity('sip:+4930123456@pbx.example.com;user=phone')).toBe('+4930123456');
    expect(remoteIdentity({ scheme: 'sip', user: '+4930123456', host: 'pbx.example.com' })).toBe('+4930123456');
    expect(remoteIdentity('tel:+49-30-123456')).toBe('+4930123456');
  });

  // 1002 is an extension of one server: without the domain it names no one.
  it('is the SIP URI without parameters for an extension, a user or anything else', () => {
    expect(remoteIdentity('sip:1002@pbx.example.com')).toBe('sip:1002@pbx.example.com');
    expect(remoteIdentity({ scheme: 'sip', user: '1002', host: 'pbx.example.com' })).toBe('sip:1002@pbx.example.com');
    expect(remoteIdentity('sip:alice@example.com;transport=ws')).toBe('sip:alice@example.com');
    expect(remoteIdentity({ scheme: 'sips', user: 'bob', host: 'example.com', port: 5061 })).toBe('sips:bob@example.com:5061');
    expect(remoteIdentity({ scheme: 'sip', host: 'gateway.example.com' })).toBe('sip:gateway.example.com');
  });

  it('gives the same identity for a URI as text and as parts (fake network vs SIP.js)', () => {
    fc.assert(
      fc.property(fc.oneof(e164, sipUser), fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), (user, host, port) => {
        const text = `sip:${user}@${host}${port === undefined ? '' : `:${port}`};transport=ws`;
        expect(remoteIdentity(text)).toBe(remoteIdentity({ scheme: 'sip', user, host, ...(port === undefined ? {} : { port }) }));
      }),
    );
  });

  it('never throws on a hostile From, drops control characters and stays bounded', () => {
    const hostileParts = fc.record({ scheme: fc.option(hostileString, { nil: undefined }), user: fc.option(hostileString, { nil: undefined }), host: hostileString, port: fc.option(fc.integer(), { nil: undefined }) });
    fc.assert(
      fc.property(fc.oneof(hostileString, hostileParts), (uri) => {
        const identity = remoteIdentity(uri);
        expect(hasControlCharacters(identity)).toBe(false);
        expect(identity.length).toBeLessThanOrEqual(MAX_IDENTITY_LENGTH);
      }),
    );
    expect(remoteIdentity({ scheme: 'sip', user: `a${'b'.repeat(1000)}`, host: 'x' }).length).toBe(MAX_IDENTITY_LENGTH);
  });
});
