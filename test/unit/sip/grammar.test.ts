import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSipUri,
  hasControlCharacters,
  isDisplayName,
  isE164,
  isHostPort,
  isSipUser,
  isToken,
  parseSipUri,
  sipUriParts,
  telUriNumber,
  withoutControlCharacters,
} from '../../../src/sip/grammar';
import { anyValue, CONTROL_CHARACTER, e164, hostileString, hostPort, sipUser, throwsOnlyInvalidArgument, token } from './arbitraries';

describe('header tokens (RFC 3261 §25.1)', () => {
  it.each(['X-Callchart-', 'X-2Chat-TicketId', "a.b!c%d*e_f+g`h'i~j"])('%s is a token', (value) => {
    expect(isToken(value)).toBe(true);
  });

  // ^ and | are HTTP tchar (RFC 7230), not SIP token: the SIP.js adapter once allowed them.
  it.each(['', 'X Callchart', 'X-Callchart:', 'X^A', 'X|A', 'X-Ä', 'a\r\nb', 'a"b', 'a/b', 'a@b'])('%j is not', (value) => {
    expect(isToken(value)).toBe(false);
  });

  it('refuses every non-string', () => {
    fc.assert(fc.property(fc.anything().filter((v) => typeof v !== 'string'), (value) => !isToken(value)));
  });
});

describe('control characters', () => {
  it.each(['\r', '\n', '\u0000', '\u001b', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029'])('%j counts', (character) => {
    expect(hasControlCharacters(`a${character}b`)).toBe(true);
  });

  it('lets horizontal tab, spaces and ordinary Unicode through', () => {
    expect(hasControlCharacters('a\tb c — ü 日本 😀')).toBe(false);
  });

  it('withoutControlCharacters leaves none and keeps everything else in order', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const cleaned = withoutControlCharacters(value);
        expect(hasControlCharacters(cleaned)).toBe(false);
        expect(cleaned).toBe([...value].filter((c) => !CONTROL_CHARACTER.test(c)).join(''));
      }),
    );
  });
});

describe('E.164', () => {
  it.each(['+15551234567', '+4930123456', '+12', '+123456789012345'])('%s is E.164', (value) => {
    expect(isE164(value)).toBe(true);
  });

  it.each(['15551234567', '+0123456', '+1', '+1234567890123456', '+1 555 1234', '+1-555-1234', '1002', '+'])('%s is not', (value) => {
    expect(isE164(value)).toBe(false);
  });

  it('holds for every generated number', () => {
    fc.assert(fc.property(e164, (value) => isE164(value)));
  });
});

describe('SIP user parts', () => {
  it.each(['alice', '1002', '+4930123456', 'a%20b', "o'neil", 'a;b=c', 'a&b=c$d,e?f/g'])('%s is a user', (value) => {
    expect(isSipUser(value)).toBe(true);
  });

  it.each(['', 'alice smith', 'a@b', 'a:b', 'a%2', 'a%zz', 'a\r\nb', 'ü', 'a<b', 'a"b'])('%j is not', (value) => {
    expect(isSipUser(value)).toBe(false);
  });
});

describe('hosts', () => {
  it.each(['example.com', 'pbx-1.example.com', '10.0.0.1', 'example.com:5060', '[::1]', '[2001:db8::1]:5061', 'localhost'])('%s is a host', (value) => {
    expect(isHostPort(value)).toBe(true);
  });

  it.each(['', '-example.com', 'example-.com', 'exa mple.com', 'example.com:', 'example.com:65536', 'example.com:abc', '::1', 'a..b', '[::1]x'])('%j is not', (value) => {
    expect(isHostPort(value)).toBe(false);
  });
});

describe('SIP URIs', () => {
  it('splits scheme, user, host, port and parameters', () => {
    expect(sipUriParts('sip:alice@example.com')).toEqual({ scheme: 'sip', user: 'alice', host: 'example.com', params: '' });
    expect(sipUriParts('SIPS:bob@[::1]:5061;transport=ws;lr')).toEqual({
      scheme: 'sips',
      user: 'bob',
      host: '[::1]',
      port: 5061,
      params: ';transport=ws;lr',
    });
    expect(sipUriParts('  sip:+4930123456@pbx.example.com  ')).toMatchObject({ user: '+4930123456' });
  });

  it.each([
    'alice@example.com',
    'sip:alice',
    'sip:@example.com',
    'sip:alice smith@example.com',
    'sip:alice:secret@example.com',
    'sip:alice@example.com?Subject=hi',
    'sip:alice@example.com\r\nVia: evil',
    'sip:alice@example.com;a b',
    'tel:+15551234567',
    'http://example.com',
  ])('%j is not a SIP URI with a user', (value) => {
    expect(sipUriParts(value)).toBeUndefined();
    expect(() => parseSipUri(value, '`uri`')).toThrow(/`uri`/);
  });

  it('round-trips: a generated URI parses into the parts it was made of', () => {
    fc.assert(
      fc.property(fc.constantFrom('sip', 'sips'), sipUser, hostPort, (scheme, user, host) => {
        const parts = sipUriParts(`${scheme}:${user}@${host}`);
        expect(parts).toBeDefined();
        expect(formatSipUri(parts!)).toBe(`${scheme}:${user}@${host}`);
      }),
    );
  });

  it('never throws from sipUriParts, and parseSipUri throws only invalid-argument', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        sipUriParts(value);
        throwsOnlyInvalidArgument(() => parseSipUri(value));
      }),
    );
  });

  it('never accepts a URI with a control character', () => {
    fc.assert(fc.property(hostileString, (value) => sipUriParts(value) === undefined || !hasControlCharacters(value)));
  });
});

describe('TEL URIs (RFC 3966)', () => {
  it('gives the number of a global TEL URI, visual separators removed', () => {
    expect(telUriNumber('tel:+15551234567')).toBe('+15551234567');
    expect(telUriNumber('TEL:+1-555-(123).4567;ext=9')).toBe('+15551234567');
  });

  it.each(['tel:1002;phone-context=example.com', 'tel:+0123', 'tel:+1 555', 'tel:', 'sip:+15551234567@example.com', 'tel:+1555\r\n'])('%j has no global number', (value) => {
    expect(telUriNumber(value)).toBeUndefined();
  });

  it('round-trips every E.164 number', () => {
    fc.assert(fc.property(e164, (number) => telUriNumber(`tel:${number}`) === number));
  });
});

describe('display names', () => {
  it('can be any text without quotes, backslashes or control characters', () => {
    expect(isDisplayName('Alice Smith — Support')).toBe(true);
    expect(isDisplayName('')).toBe(true);
    expect(isDisplayName('Alice "the boss"')).toBe(false);
    expect(isDisplayName('back\\slash')).toBe(false);
    expect(isDisplayName('Alice\r\nVia: evil')).toBe(false);
    expect(isDisplayName('x'.repeat(129))).toBe(false);
    expect(isDisplayName(42)).toBe(false);
  });
});

describe('generated tokens', () => {
  it('are tokens', () => {
    fc.assert(fc.property(token(), (value) => isToken(value)));
  });
});
