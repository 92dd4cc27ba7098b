/**
 * SIP status codes and Reason headers → what they mean for the SDK: end
 * reasons and `VoiceSDKError`s. Pure: the call machine uses these to judge a
 * final response, the adapters to word the errors their commands reject with.
 */
import { VoiceSDKError, type VoiceSDKErrorCode } from '../errors';

/** Whether `status` is a 2xx. */
export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/**
 * The final INVITE failures that end a call normally, with their reason:
 * 486/600 busy, 603 declined. Any other failure status is an error.
 */
export function declineReasonForStatus(status: number): 'busy' | 'declined' | undefined {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  return undefined;
}

/** Maps a final SIP failure status to an error code. */
export function codeForSipStatus(status: number): VoiceSDKErrorCode {
  if (status === 401 || status === 403 || status === 407) return 'auth-failed';
  if (status === 404 || status === 604 || status === 410) return 'not-found';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 408) return 'timeout';
  return 'sip-error';
}

/**
 * SIP stacks turn a failed send into a locally made 503 (RFC 3261 §8.1.3.1):
 * with the socket down that is a transport failure, not a server's answer.
 */
function isTransportFailure(status: number | undefined, transportDown: boolean): boolean {
  return transportDown && (status === undefined || status === 503);
}

/** The error for an outbound INVITE's final failure (busy/declined are end reasons, not errors). */
export function inviteError(status: number, transportDown = false): VoiceSDKError {
  if (isTransportFailure(status, transportDown)) {
    return new VoiceSDKError('transport-failed', 'INVITE could not be sent: the connection is down', { status });
  }
  return new VoiceSDKError(codeForSipStatus(status), `The call failed with ${status}`, { status });
}

/** The error for a request inside a call (re-INVITE, INFO) that did not end in 2xx. */
export function inDialogError(method: string, status: number, transportDown = false): VoiceSDKError {
  if (isTransportFailure(status, transportDown)) {
    return new VoiceSDKError('transport-failed', `${method} could not be sent: the connection is down`, { status });
  }
  if (status === 405 || status === 501) {
    return new VoiceSDKError('not-supported', `The far end does not support ${method} (${status})`, { status });
  }
  if (status === 408) return new VoiceSDKError('timeout', `${method} got no answer in time (408)`, { status });
  return new VoiceSDKError('sip-error', `${method} failed with ${status}`, { status });
}

/** The error for a REGISTER that did not end in 2xx (`status` undefined: no final answer). */
export function registerError(status: number | undefined, transportDown: boolean): VoiceSDKError {
  if (isTransportFailure(status, transportDown)) {
    return new VoiceSDKError('transport-failed', 'REGISTER could not be sent: the connection is down', { status });
  }
  if (status === 401 || status === 403 || status === 407) {
    return new VoiceSDKError('auth-failed', `The server refused our credentials (${status})`, { status });
  }
  if (status === 408) return new VoiceSDKError('timeout', 'REGISTER got no answer in time (408)', { status });
  if (status === undefined) return new VoiceSDKError('sip-error', 'REGISTER failed without a final answer');
  return new VoiceSDKError('sip-error', `REGISTER failed with ${status}`, { status });
}

/** Why the caller's CANCEL ended an incoming call: `Reason: SIP;cause=200` (RFC 3326) means answered elsewhere. */
export function cancelEndReason(reason: string | undefined): 'canceled' | 'answered-elsewhere' {
  if (reason === undefined) return 'canceled';
  return /cause\s*=\s*200\b/i.test(reason) || /completed elsewhere/i.test(reason) ? 'answered-elsewhere' : 'canceled';
}
