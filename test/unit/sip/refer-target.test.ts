import { describe, expect, it } from 'vitest';
import { isUsableReferTarget } from '../../../src/sip/target';

describe('isUsableReferTarget: a Refer-To from the network', () => {
  it.each(['sip:carol@example.com', '<sips:carol@example.com;transport=ws>', 'tel:+15551234567', 'SIP:1002@pbx.example.com?Replaces=abc'])(
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
    undefined,
    42,
  ])('refuses %j', (referTo) => expect(isUsableReferTarget(referTo)).toBe(false));
});
