/** The pure DTMF rule (src/sip/dtmf.ts): RFC 4733 when it arrives, else INFO when allowed, else unavailable. */
import { describe, expect, it } from 'vitest';
import { allowsMethod, chooseDtmfMethod, dtmfUnavailableReason } from '../../../src/sip/dtmf';

const opus = { audioCodec: 'opus', clockRate: 48000 };

describe('chooseDtmfMethod', () => {
  it.each([
    ['rfc2833', { telephoneEvent: true, allowsInfo: true }, 'rfc2833'],
    ['rfc2833', { telephoneEvent: true, allowsInfo: false }, 'rfc2833'],
    ['rfc2833', { telephoneEvent: false, allowsInfo: true }, 'info'],
    ['rfc2833', { telephoneEvent: false, allowsInfo: false }, 'unavailable'],
    ['info', { telephoneEvent: true, allowsInfo: true }, 'info'],
    ['info', { telephoneEvent: true, allowsInfo: false }, 'rfc2833'],
    ['info', { telephoneEvent: false, allowsInfo: true }, 'info'],
    ['info', { telephoneEvent: false, allowsInfo: false }, 'unavailable'],
  ] as const)('preferred %s with %o → %s', (preferred, facts, expected) => {
    expect(chooseDtmfMethod(preferred, { ...opus, ...facts })).toBe(expected);
  });

  it('keeps the preferred method when the adapter reported no facts', () => {
    expect(chooseDtmfMethod('rfc2833', undefined)).toBe('rfc2833');
    expect(chooseDtmfMethod('info', undefined)).toBe('info');
  });
});

describe('allowsMethod', () => {
  it('reads an Allow header case-insensitively, token by token', () => {
    expect(allowsMethod('INVITE,ACK,BYE,CANCEL,OPTIONS,INFO,MESSAGE', 'INFO')).toBe(true);
    expect(allowsMethod('invite, ack ,  info', 'INFO')).toBe(true);
    expect(allowsMethod('INVITE, ACK, BYE, INFORMATION', 'INFO')).toBe(false);
    expect(allowsMethod('', 'INFO')).toBe(false);
    expect(allowsMethod(undefined, 'INFO')).toBe(false);
  });
});

it('the dtmf-unavailable message names the codec and both missing ways', () => {
  expect(dtmfUnavailableReason({ ...opus, telephoneEvent: false, allowsInfo: false })).toMatch(/opus\/48000.*INFO/);
  expect(dtmfUnavailableReason(undefined)).toMatch(/negotiated codec/);
});
