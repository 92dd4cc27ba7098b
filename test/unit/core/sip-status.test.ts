/** SIP status codes and Reason headers → end reasons and errors: the one mapping the call machine and the adapters use. */
import { describe, expect, it } from 'vitest';
import { cancelEndReason, declineReasonForStatus, inDialogError, inviteError, isSuccessStatus, registerError } from '../../../src/sip/status';

describe('SIP status rules', () => {
  it('486 and 600 are busy, 603 is declined; other failures are errors, not end reasons', () => {
    expect([486, 600, 603, 404, 480, 487, 500].map(declineReasonForStatus)).toEqual([
      'busy',
      'busy',
      'declined',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('a final INVITE failure becomes the error of its status', () => {
    expect([404, 604, 410, 408, 401, 503].map((status) => inviteError(status).code)).toEqual([
      'not-found',
      'not-found',
      'not-found',
      'timeout',
      'auth-failed',
      'sip-error',
    ]);
    expect(inviteError(404).status).toBe(404);
  });

  it('a 503 the stack made up while the socket was down is a transport failure', () => {
    expect(inviteError(503, true).code).toBe('transport-failed');
    expect(inDialogError('re-INVITE', 503, true).code).toBe('transport-failed');
    expect(registerError(undefined, true).code).toBe('transport-failed');
    expect(registerError(503, false).code).toBe('sip-error');
  });

  it('in-dialog failures: 405/501 not supported, 408 timeout, the rest sip-error with the status', () => {
    expect([405, 501, 408, 488, 491].map((status) => inDialogError('INFO', status).code)).toEqual([
      'not-supported',
      'not-supported',
      'timeout',
      'sip-error',
      'sip-error',
    ]);
    expect(inDialogError('re-INVITE', 488).status).toBe(488);
  });

  it('REGISTER: 401/403/407 are auth-failed, 408 timeout, no answer at all sip-error', () => {
    expect([401, 403, 407, 408].map((status) => registerError(status, false).code)).toEqual([
      'auth-failed',
      'auth-failed',
      'auth-failed',
      'timeout',
    ]);
    expect(registerError(undefined, false).code).toBe('sip-error');
  });

  it('only 2xx is success', () => {
    expect([199, 200, 202, 299, 300].map(isSuccessStatus)).toEqual([false, true, true, true, false]);
  });

  it('a CANCEL with Reason cause=200 (RFC 3326) means answered elsewhere', () => {
    expect(cancelEndReason(undefined)).toBe('canceled');
    expect(cancelEndReason('SIP;cause=487;text="Request Terminated"')).toBe('canceled');
    expect(cancelEndReason('SIP;cause=200;text="Call completed elsewhere"')).toBe('answered-elsewhere');
    expect(cancelEndReason('SIP ; cause = 200')).toBe('answered-elsewhere');
  });
});
