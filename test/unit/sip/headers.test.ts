import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasControlCharacters, isToken } from '../../../src/sip/grammar';
import {
  encodedHeaderBytes,
  customHeadersOf,
  encodeParams,
  HEADER_LIMITS,
  headerFields,
  headerLine,
  keyForParam,
  keyOfHeaderName,
  paramForKey,
  parseHeaderPrefix,
  readCustomHeaders,
} from '../../../src/sip/headers';
import { anyValue, hostileString, throwsOnlyInvalidArgument, token } from './arbitraries';

const PREFIX = 'X-Callchart-';

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

/** A param the app could pass: starts with a lower-case letter, then token characters. */
const param = fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), fc.option(token(30), { nil: undefined })).map(([first, rest]) => first + (rest ?? ''));
const value = fc.oneof(fc.string({ maxLength: 50 }).filter((v) => !hasControlCharacters(v)), fc.integer(), fc.boolean());

describe('header prefix', () => {
  it.each(['X-Callchart-', 'X-2Chat-', 'x-'])('%s is a prefix', (prefix) => {
    expect(parseHeaderPrefix(prefix)).toBe(prefix);
  });

  it.each(['', 'X Callchart-', 'X-Callchart:', 'X-Ä-', 'X|', 'X-\r\n', 'X'.repeat(65), 42, undefined])('%j is not', (prefix) => {
    expect(() => parseHeaderPrefix(prefix)).toThrow(/headerPrefix/);
  });
});

describe('params → <prefix><Key> headers', () => {
  it('upper-cases the first letter of each key and writes values as text, trimmed', () => {
    expect(encodeParams({ ticketId: 'T-1', priority: 2, vip: true, note: '  hi  ' }, PREFIX)).toEqual({
      'X-Callchart-TicketId': 'T-1',
      'X-Callchart-Priority': '2',
      'X-Callchart-Vip': 'true',
      'X-Callchart-Note': 'hi',
    });
    expect(encodeParams(undefined, PREFIX)).toEqual({});
  });

  it.each([
    ['not an object', 'x', /`params` must be an object/],
    ['an array', ['a'], /`params` must be an object/],
    ['an empty key', { '': 'x' }, /must not be empty/],
    ['a key with a space', { 'ticket id': 'x' }, /must be a token/],
    ['a key with a colon', { 'a:b': 'x' }, /must be a token/],
    ['a reserved key', JSON.parse('{"__proto__": "x"}'), /reserved/],
    ['a reserved key in another case', { Constructor: 'x' }, /reserved/],
    ['two keys that make one header', { a: '1', A: '2' }, /same header/],
    ['a value with CR/LF', { a: 'x\r\nVia: evil' }, /CR, LF/],
    ['a value with NUL', { a: 'x\u0000' }, /CR, LF/],
    ['a value with a Unicode line separator', { a: 'x\u2028y' }, /CR, LF/],
    ['an object value', { a: { b: 1 } }, /string, number or boolean/],
    ['an overlong value', { a: 'v'.repeat(HEADER_LIMITS.maxValueLength + 1) }, /longer than/],
    ['an overlong key', { ['k'.repeat(HEADER_LIMITS.maxKeyLength + 1)]: 'v' }, /longer than/],
    ['too many keys', Object.fromEntries(Array.from({ length: HEADER_LIMITS.maxCount + 1 }, (_, i) => [`k${i}`, i])), /at most/],
    ['more than 8 KB of headers in all', Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'.repeat(1000)])), /bytes of headers; at most 8192/],
    ['8 KB of multi-byte characters (bytes count, not characters)', Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'é'.repeat(600)])), /at most 8192/],
  ])('refuses %s', (_name, params, message) => {
    expect(() => encodeParams(params, PREFIX)).toThrow(message);
  });

  it('the 8 KB bound counts each header line as sent: name, colon, space, value, CRLF, in UTF-8 bytes', () => {
    expect(encodedHeaderBytes({ 'X-A': 'é' })).toBe('X-A: '.length + 2 + '\r\n'.length);
    const full = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'v'.repeat(HEADER_LIMITS.maxValueLength)]));
    const rest = HEADER_LIMITS.maxTotalBytes - encodedHeaderBytes(encodeParams(full, PREFIX)) - `${PREFIX}Kz: \r\n`.length;
    expect(encodedHeaderBytes(encodeParams({ ...full, kz: 'v'.repeat(rest) }, PREFIX))).toBe(HEADER_LIMITS.maxTotalBytes);
    expect(() => encodeParams({ ...full, kz: 'v'.repeat(rest + 1) }, PREFIX)).toThrow(/8193 bytes/);
  });

  it('round-trips: what we encode, the far end reads back as the same params', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(param, value), { selector: ([k]) => k.toLowerCase(), maxLength: HEADER_LIMITS.maxCount }), fc.constantFrom(PREFIX, 'X-2Chat-'), (entries, prefix) => {
        const params = Object.fromEntries(entries);
        const headers = encodeParams(params, prefix);
        const raw = invite(...Object.entries(headers).map(([name, v]) => headerLine(name, v)));
        const read = readCustomHeaders(raw, prefix);
        const back = Object.fromEntries(Object.entries(read).map(([k, v]) => [paramForKey(k), v]));
        expect(back).toEqual(Object.fromEntries(entries.map(([k, v]) => [k, String(v).trim()])));
      }),
    );
  });

  it('key ↔ param: a param that starts lower-case (or with a digit) survives; any other loses only its first letter case', () => {
    fc.assert(fc.property(param, (p) => paramForKey(keyForParam(p)) === p));
    fc.assert(fc.property(token(), (t) => paramForKey(keyForParam(t)) === t.charAt(0).toLowerCase() + t.slice(1)));
  });

  it('never lets CR/LF or another control character into a header, and throws nothing but invalid-argument', () => {
    const hostileParams = fc.oneof(anyValue, fc.dictionary(hostileString, fc.oneof(hostileString, fc.anything()), { maxKeys: 5 }));
    fc.assert(
      fc.property(hostileParams, hostileString, (params, prefix) => {
        throwsOnlyInvalidArgument(() => {
          const headers = encodeParams(params, parseHeaderPrefix(prefix));
          for (const [name, v] of Object.entries(headers)) {
            expect(isToken(name)).toBe(true);
            expect(hasControlCharacters(v)).toBe(false);
            expect(headerLine(name, v)).not.toMatch(/[\r\n]/);
          }
        });
      }),
    );
  });
});

describe('header lines', () => {
  it('refuse anything that could inject a header line', () => {
    expect(headerLine('X-A', ' a ')).toBe('X-A: a');
    expect(() => headerLine('X-A', 'a\r\nVia: evil')).toThrow(/control characters/);
    expect(() => headerLine('X A', 'a')).toThrow(/must be a token/);
    expect(() => headerLine('X-A\r\nVia', 'a')).toThrow(/must be a token/);
  });
});

describe('prefix stripping', () => {
  it('matches the prefix in any case and keeps the key as written', () => {
    expect(keyOfHeaderName('x-callchart-TicketId', PREFIX)).toBe('TicketId');
    expect(keyOfHeaderName('X-Callchart-', PREFIX)).toBeUndefined();
    expect(keyOfHeaderName('X-Other', PREFIX)).toBeUndefined();
    expect(keyOfHeaderName('X-Callchart-A', '')).toBeUndefined();
  });
});

describe('custom headers of a call (inbound from the INVITE, outbound from what was sent)', () => {
  it('keeps only our prefix, in any case, with the key case after it', () => {
    const raw = invite('X-Callchart-TicketId: INC-4815', 'x-callchart-queue:  support ', 'X-Other: 1');
    expect(readCustomHeaders(raw, PREFIX)).toEqual({ TicketId: 'INC-4815', queue: 'support' });
    expect(customHeadersOf([['X-Callchart-TicketId', 'INC-1'], ['X-Other', 'o']], PREFIX)).toEqual({ TicketId: 'INC-1' });
  });

  it('works with another prefix, e.g. X-2Chat-', () => {
    expect(readCustomHeaders(invite('X-2Chat-Customer: 42'), 'X-2Chat-')).toEqual({ Customer: '42' });
  });

  it('ignores the body, empty keys and the reserved keys in any case', () => {
    const raw = invite('X-Callchart-: empty', 'X-Callchart-__proto__: evil', 'X-Callchart-constructor: evil', 'X-Callchart-Prototype: evil');
    expect(readCustomHeaders(raw, PREFIX)).toEqual({});
  });

  it('ignores values with control characters and overlong keys or values', () => {
    const raw = invite(
      'X-Callchart-Nul: a\u0000b',
      'X-Callchart-Esc: a\u001bb',
      'X-Callchart-Nel: a\u0085b',
      `X-Callchart-Long: ${'v'.repeat(HEADER_LIMITS.maxValueLength + 1)}`,
      `X-Callchart-${'K'.repeat(HEADER_LIMITS.maxKeyLength + 1)}: v`,
      'X-Callchart-Tab: a\tb',
    );
    expect(readCustomHeaders(raw, PREFIX)).toEqual({ Tab: 'a\tb' });
  });

  it('keeps the first of repeated keys, compared case-insensitively, and joins folded lines', () => {
    const raw = invite('X-Callchart-A: first', 'x-callchart-a: second', 'X-Callchart-B: one', '  two');
    expect(readCustomHeaders(raw, PREFIX)).toEqual({ A: 'first', B: 'one two' });
  });

  it('keeps at most maxCount headers', () => {
    const many = Array.from({ length: 100 }, (_, i) => `X-Callchart-K${i}: ${i}`);
    expect(Object.keys(readCustomHeaders(invite(...many), PREFIX))).toHaveLength(HEADER_LIMITS.maxCount);
  });

  it('reads only the first maxScannedLength characters', () => {
    const padding = `X-Pad: ${'p'.repeat(HEADER_LIMITS.maxScannedLength)}`;
    expect(readCustomHeaders(invite(padding, 'X-Callchart-Late: x'), PREFIX)).toEqual({});
  });

  it('never throws on hostile input and keeps every result within the bounds', () => {
    const line = fc.oneof(hostileString, fc.tuple(fc.constantFrom('X-Callchart-', 'x-CALLCHART-', 'X-'), hostileString, hostileString).map(([p, k, v]) => `${p}${k}:${v}`));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 50 }), (lines) => {
        const result = readCustomHeaders(invite(...lines), PREFIX);
        expect(Object.keys(result).length).toBeLessThanOrEqual(HEADER_LIMITS.maxCount);
        for (const [key, v] of Object.entries(result)) {
          expect(isToken(key)).toBe(true);
          expect(key.length).toBeLessThanOrEqual(HEADER_LIMITS.maxKeyLength);
          expect(hasControlCharacters(v)).toBe(false);
          expect(v.length).toBeLessThanOrEqual(HEADER_LIMITS.maxValueLength);
        }
      }),
    );
    fc.assert(fc.property(fc.array(fc.tuple(fc.anything(), fc.anything())), (pairs) => void customHeadersOf(pairs as Array<[string, unknown]>, PREFIX)));
  });

  it('splits a raw message into header fields without the start line or the body', () => {
    expect(headerFields('INVITE sip:a@b SIP/2.0\r\nA: 1\r\n b\r\nno colon\r\n: x\r\nB:2\r\n\r\nC: body')).toEqual([
      ['A', '1 b'],
      ['B', '2'],
    ]);
  });
});
