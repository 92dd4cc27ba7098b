import { describe, expect, it } from 'vitest';
import { isUsableReferTarget } from '../../../src/sip/target';
import { isReferEvent, referProgressOf, referTargetOf, sipfragStatus } from '../../../src/sip/refer';

describe('isUsableReferTarget: a Refer-To from the network', () => {
  it.each(['sip:carol@example.com', '<sips:carol@example.com;transport=ws>', 'tel:+15551234567', 'SIP:1002@pbx.example.com?Replaces=abc', '"Carol" <sip:carol@x.invalid;transport=ws?Replaces=a%3Bto-tag%3Db>', 'Carol <sip:carol@example.com>'])(
    'takes %s',
    (referTo) => expect(isUsableReferTarget(referTo)).toBe(true),
  );
  it.each([
    'javascript:alert(1)',
    'http://example.com/',
    'sip:carol@example.com\r\nX-Evil: 1',
    `sip:${'a'.repeat(1100)}@example.com`,
    '',
    'sip:',
    'carol@example.com',
    '"Carol" <javascript:alert(1)>',
    '<sip:a@b> <sip:c@d>',
    undefined,
    42,
  ])('refuses %j', (referTo) => expect(isUsableReferTarget(referTo)).toBe(false));
});

describe('referTargetOf: what a usable Refer-To asks for', () => {
  it.each([
    ['sip:carol@example.com', { target: 'sip:carol@example.com', replaces: false }],
    ['<sip:carol@example.com>', { target: 'sip:carol@example.com', replaces: false }],
    ['"Carol" <sip:c@x.invalid;transport=ws?Replaces=a%3Bto-tag%3Db&X=1>', { target: 'sip:c@x.invalid;transport=ws', replaces: true }],
    ['<sip:c@x?replaces=a>', { target: 'sip:c@x', replaces: true }],
    ['<sip:c@x?Require=replaces>', { target: 'sip:c@x', replaces: false }],
  ])('%s', (referTo, expected) => expect(referTargetOf(referTo)).toEqual(expected));
});

describe('sipfragStatus and referProgressOf: a NOTIFY about the referred call', () => {
  it.each([
    ['SIP/2.0 100 Trying', 100, 'trying'],
    ['SIP/2.0 180 Ringing\r\n', 180, 'ringing'],
    ['SIP/2.0 183 Session Progress', 183, 'ringing'],
    ['SIP/2.0 200 OK', 200, 'succeeded'],
    ['sip/2.0 202', 202, 'succeeded'],
    ['SIP/2.0 486 Busy Here', 486, 'failed'],
    ['SIP/2.0 181 Call Is Being Forwarded', 181, 'other'],
  ] as const)('%j → %s, %s', (body, status, progress) => {
    expect(sipfragStatus(body)).toBe(status);
    expect(referProgressOf(status)).toBe(progress);
  });
  it.each(['', 'SIP/2.0 2000 OK', 'HTTP/1.1 200 OK', 'SIP/2.0 200\u0000', `SIP/2.0 200 ${'x'.repeat(300)}`, 'SIP/2.0 700 Nope', undefined, 42])(
    'no status in %j',
    (body) => expect(sipfragStatus(body)).toBeUndefined(),
  );
  it('reads the refer event package only', () => {
    expect([isReferEvent('refer'), isReferEvent('Refer;id=17'), isReferEvent('presence'), isReferEvent('referee'), isReferEvent(3)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
