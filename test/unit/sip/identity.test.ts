/** The far end's identity from its headers: untrusted input, parsed leniently, cleaned and bounded, never throwing. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VoiceSDKError } from '../../../src/errors';
import {
  callInfoOf,
  cleanDisplayName,
  firstNameAddr,
  numberOfUri,
  parseInfoPartial,
  withAppInfo,
  withNetworkInfo,
} from '../../../src/sip/identity';

const invalid = (message: string) => new VoiceSDKError('invalid-argument', message);

describe('firstNameAddr', () => {
  it.each([
    ['"Alice Liddell" <sip:alice@example.com>;tag=1', { displayName: 'Alice Liddell', uri: 'sip:alice@example.com' }],
    ['Alice <sip:alice@example.com>', { displayName: 'Alice', uri: 'sip:alice@example.com' }],
    ['<tel:+15551234567>', { uri: 'tel:+15551234567' }],
    ['sip:1002@pbx.example.com;party=calling', { uri: 'sip:1002@pbx.example.com' }],
    ['"Doe, Jane \\"JD\\"" <sip:jane@example.com>, <tel:+15550001111>', { displayName: 'Doe, Jane "JD"', uri: 'sip:jane@example.com' }],
  ])('%s', (value, expected) => {
    expect(firstNameAddr(value)).toEqual(expected);
  });

  it.each(['', '"unterminated <sip:a@b', '"Name" without uri', '<>', 'two words'])('%j names nobody', (value) => {
    expect(firstNameAddr(value)).toBeUndefined();
  });
});

describe('cleanDisplayName', () => {
  it('drops CR, LF and control characters and collapses white space', () => {
    expect(cleanDisplayName('Eve\r\nX-Injected: 1\u0000\u0007  Smith')).toBe('EveX-Injected: 1 Smith');
  });

  it('cuts a 10 KB name to 128 characters', () => {
    expect(cleanDisplayName('A'.repeat(10_240))).toHaveLength(128);
  });

  it('an empty or blank name is none', () => {
    expect(cleanDisplayName('  \t ')).toBeUndefined();
    expect(cleanDisplayName(42)).toBeUndefined();
  });
});

describe('numberOfUri', () => {
  it.each([
    ['sip:+15551234567@pbx.example.com', '+15551234567'],
    ['sip:1002@pbx.example.com;user=phone', '1002'],
    ['tel:+1-555-123-4567', '+15551234567'],
    ['sip:%2B4930123456@example.com', '+4930123456'],
  ])('%s → %s', (uri, number) => {
    expect(numberOfUri(uri)).toBe(number);
  });

  it.each(['sip:alice@example.com', 'https://example.com', 'sip:' + '1'.repeat(40) + '@example.com'])('%s has no number', (uri) => {
    expect(numberOfUri(uri)).toBeUndefined();
  });
});

describe('callInfoOf', () => {
  it('the From gives the display name and number', () => {
    expect(callInfoOf({ uri: 'sip:1002@pbx.example.com', displayName: 'Reception' }, 'sip:1002@pbx.example.com')).toEqual({
      uri: 'sip:1002@pbx.example.com',
      displayName: 'Reception',
      number: '1002',
    });
  });

  it('P-Asserted-Identity wins over Remote-Party-ID, which wins over the From', () => {
    const party = {
      uri: 'sip:anonymous@anonymous.invalid',
      displayName: 'Anonymous',
      assertedIdentity: '"Alice" <sip:+15551234567@pbx>, <tel:+15551234567>',
      remotePartyId: '"Other" <sip:999@pbx>;party=calling',
    };
    expect(callInfoOf(party, 'sip:anonymous@anonymous.invalid')).toEqual({
      uri: 'sip:anonymous@anonymous.invalid',
      displayName: 'Alice',
      number: '+15551234567',
    });
    const { assertedIdentity: _pai, ...rpidOnly } = party;
    expect(callInfoOf(rpidOnly, 'x')).toMatchObject({ displayName: 'Other', number: '999' });
  });

  it('an asserted identity without a name keeps the From display name', () => {
    expect(callInfoOf({ displayName: 'Bob', assertedIdentity: '<tel:+15550001111>' }, 'sip:bob@x')).toEqual({
      uri: 'sip:bob@x',
      displayName: 'Bob',
      number: '+15550001111',
    });
  });

  it('never throws on any header values, and bounds what it keeps', () => {
    fc.assert(
      fc.property(fc.record({ uri: fc.string(), displayName: fc.string(), assertedIdentity: fc.string(), remotePartyId: fc.string() }, { requiredKeys: [] }), (party) => {
        const info = callInfoOf(party, 'sip:far@example.com');
        expect(info.uri).toBe('sip:far@example.com');
        expect((info.displayName ?? '').length).toBeLessThanOrEqual(128);
        expect(info.displayName ?? '').not.toMatch(/[\u0000-\u001f\u007f]/);
        expect((info.number ?? '').length).toBeLessThanOrEqual(32);
      }),
    );
  });
});

describe('parseInfoPartial (setInfo)', () => {
  it('takes string fields and undefined (removes)', () => {
    expect(parseInfoPartial({ avatar: 'https://x/a.png', company: undefined }, invalid)).toEqual({ avatar: 'https://x/a.png', company: undefined });
  });

  it.each([
    ['a non-object', 'Acme'],
    ['null', null],
    ['an array', ['a']],
    ['a number value', { company: 42 }],
    ['a value over 1 KB', { company: 'x'.repeat(1025) }],
    ['CR/LF in a value', { company: 'A\r\nB' }],
    ['the uri', { uri: 'sip:x@y' }],
    ['a bad key', { 'bad key': 'x' }],
    ['too many fields', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, 'x']))],
  ])('refuses %s', (_what, partial) => {
    expect(() => parseInfoPartial(partial, invalid)).toThrow(VoiceSDKError);
  });

  it('takes a value of exactly 1 KB', () => {
    expect(parseInfoPartial({ note: 'x'.repeat(1024) }, invalid).note).toHaveLength(1024);
  });
});

describe('merging', () => {
  it('the network updates only the fields not locked, and keeps the app fields', () => {
    const current = { uri: 'sip:a@b', displayName: 'Mine', number: '1', company: 'Acme' };
    expect(withNetworkInfo(current, { uri: 'sip:a@b', displayName: 'Theirs', number: '2' }, ['displayName'])).toEqual({
      uri: 'sip:a@b',
      displayName: 'Mine',
      number: '2',
      company: 'Acme',
    });
  });

  it('app fields set and remove', () => {
    expect(withAppInfo({ uri: 'u', company: 'Acme' }, { company: undefined, avatar: 'a' })).toEqual({ uri: 'u', avatar: 'a' });
  });
});
