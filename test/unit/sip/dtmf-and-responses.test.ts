import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeForSipStatus, declineReasonForStatus } from '../../../src/sip/status';
import { DTMF_TONES, dtmfRelayBody, isDtmfDigits, parseDtmfDigits, toneOfInfoBody } from '../../../src/sip/dtmf-digits';
import { dtmfPlayTimeMs } from '../../../src/adapters/sipjs/media/dtmf';
import {
  isAnsweredElsewhere,
  isFinalFailureStatus,
  isProvisionalStatus,
  isRejectStatus,
  isRingingStatus,
  isSuccessStatus,
  parseRejectStatus,
} from '../../../src/sip/responses';
import { anyValue, throwsOnlyInvalidArgument } from './arbitraries';

describe('the DTMF alphabet', () => {
  it('is 0-9 * # A-D and , (a pause), lower-case a-d upper-cased', () => {
    expect(parseDtmfDigits('0123456789*#ABCD')).toBe('0123456789*#ABCD');
    expect(parseDtmfDigits('12a#,5d')).toBe('12A#,5D');
  });

  it.each(['', ' ', '1 2', 'E', '+', '1\r\n', 'w', ';'])('refuses %j', (digits) => {
    expect(() => parseDtmfDigits(digits)).toThrow(/DTMF digits/);
  });

  // The RTP path plays `,` as a 2 s pause: the facade must let it through.
  it('lets the pause through to the adapter, which plays it as 2 s', () => {
    expect(dtmfPlayTimeMs(parseDtmfDigits('1,2'), 100, 70)).toBe(170 + 2000 + 170);
  });

  it('throws nothing but invalid-argument', () => {
    fc.assert(fc.property(anyValue, (value) => throwsOnlyInvalidArgument(() => parseDtmfDigits(value))));
  });

  it('accepts exactly the strings over its alphabet', () => {
    const alphabet = fc.constantFrom(...`${DTMF_TONES}abcd,`.split(''));
    fc.assert(fc.property(fc.string({ unit: alphabet, minLength: 1 }), (digits) => isDtmfDigits(digits)));
  });

  it('writes and reads SIP INFO bodies', () => {
    expect(dtmfRelayBody('5', 160)).toBe('Signal=5\r\nDuration=160');
    expect(toneOfInfoBody('Signal=5\r\nDuration=160', 'application/dtmf-relay')).toBe('5');
    expect(toneOfInfoBody('signal= a \r\n', 'Application/DTMF-Relay; charset=x')).toBe('A');
    expect(toneOfInfoBody('#', 'application/dtmf')).toBe('#');
    expect(toneOfInfoBody('Signal=16', 'application/dtmf-relay')).toBeUndefined();
    expect(toneOfInfoBody('Signal=5', 'text/plain')).toBeUndefined();
    for (const tone of DTMF_TONES) expect(toneOfInfoBody(dtmfRelayBody(tone, 100), 'application/dtmf-relay')).toBe(tone);
  });
});

describe('response classes', () => {
  it('sorts status codes', () => {
    expect([100, 180, 183, 199].every(isProvisionalStatus)).toBe(true);
    expect([180, 183].every(isRingingStatus) && !isRingingStatus(100) && !isRingingStatus(181)).toBe(true);
    expect([200, 202, 299].every(isSuccessStatus) && !isSuccessStatus(300)).toBe(true);
    expect([300, 404, 486, 699].every(isFinalFailureStatus) && !isFinalFailureStatus(700) && !isFinalFailureStatus(299)).toBe(true);
  });

  // reject() cannot give the Contact a 3xx redirect needs.
  it('lets reject() send 400-699 only', () => {
    expect(parseRejectStatus(486)).toBe(486);
    expect(parseRejectStatus(400)).toBe(400);
    expect(parseRejectStatus(699)).toBe(699);
    for (const bad of [302, 399, 700, 200, 486.5, '486', Number.NaN]) expect(() => parseRejectStatus(bad)).toThrow(/400-699/);
    fc.assert(fc.property(fc.integer(), (status) => isRejectStatus(status) === (status >= 400 && status <= 699)));
    fc.assert(fc.property(anyValue, (value) => throwsOnlyInvalidArgument(() => parseRejectStatus(value))));
  });

  it('reads "answered elsewhere" from a CANCEL Reason header', () => {
    expect(isAnsweredElsewhere('SIP;cause=200;text="Call completed elsewhere"')).toBe(true);
    expect(isAnsweredElsewhere('SIP ; cause = 200')).toBe(true);
    expect(isAnsweredElsewhere('SIP;cause=487;text="Request Terminated"')).toBe(false);
    expect(isAnsweredElsewhere(undefined)).toBe(false);
  });
});

describe('status → error code and end reason (src/errors.ts, the one copy)', () => {
  it.each([
    [486, 'INVITE', 'busy'],
    [600, 'INVITE', 'busy'],
    [603, 'INVITE', 'declined'],
    [404, 'INVITE', 'not-found'],
    [410, 'INVITE', 'not-found'],
    [604, 'INVITE', 'not-found'],
    [407, 'INVITE', 'auth-failed'],
    [408, 'INVITE', 'timeout'],
    [503, 'INVITE', 'sip-error'],
    [401, 'REGISTER', 'auth-failed'],
    [403, 'REGISTER', 'auth-failed'],
    [407, 'REGISTER', 'auth-failed'],
    [404, 'REGISTER', 'sip-error'],
    [408, 'REGISTER', 'timeout'],
    [405, 'in-dialog', 'not-supported'],
    [501, 'in-dialog', 'not-supported'],
    [408, 'in-dialog', 'timeout'],
    [488, 'in-dialog', 'sip-error'],
    [486, 'in-dialog', 'sip-error'],
  ] as const)('%i to %s → %s', (status, request, code) => {
    expect(codeForSipStatus(status, request)).toBe(code);
  });

  it('ends a call normally only on busy and declined', () => {
    expect(declineReasonForStatus(486)).toBe('busy');
    expect(declineReasonForStatus(600)).toBe('busy');
    expect(declineReasonForStatus(603)).toBe('declined');
    expect(declineReasonForStatus(404)).toBeUndefined();
    // busy/declined codes agree with the end reasons
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 699 }), (status) => {
        const reason = declineReasonForStatus(status);
        if (reason !== undefined) expect(codeForSipStatus(status)).toBe(reason);
      }),
    );
  });
});
