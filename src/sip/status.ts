/**
 * SIP status codes and Reason headers → what they mean for the SDK: end
 * reasons and `VoiceSDKError`s. Pure: the call machine uses these to judge a
 * final response, the adapters to word the errors their commands reject with.
 */
import { VoiceSDKError, type VoiceSDKErrorCode } from '../errors';
import { isAnsweredElsewhere } from './responses';

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

/**
 * What a failure status answered: the same status means different things
 * (a 404 to an INVITE is `not-found`, to a REGISTER a server problem).
 */
export type SipRequestKind = 'INVITE' | 'REGISTER' | 'in-dialog';

/**
 * Maps a final SIP failure status to an error code; the one copy of this
 * rule, for both adapters.
 * - any request: 408 → `timeout`;
 * - INVITE: 401/403/407 → `auth-failed`, 404/410/604 → `not-found`,
 *   486/600 → `busy`, 603 → `declined`;
 * - REGISTER: 401/403/407 → `auth-failed`;
 * - in-dialog (re-INVITE, INFO): 405/501 → `not-supported`;
 * - anything else → `sip-error`.
 */
export function codeForSipStatus(status: number, request: SipRequestKind = 'INVITE'): VoiceSDKErrorCode {
  if (status === 408) return 'timeout';
  if (request === 'in-dialog') return status === 405 || status === 501 ? 'not-supported' : 'sip-error';
  if (status === 401 || status === 403 || status === 407) return 'auth-failed';
  if (request === 'REGISTER') return 'sip-error';
  if (status === 404 || status === 604 || status === 410) return 'not-found';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
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
  const code = codeForSipStatus(status, 'in-dialog');
  const message =
    code === 'not-supported'
      ? `The far end does not support ${method} (${status})`
      : code === 'timeout'
        ? `${method} got no answer in time (408)`
        : `${method} failed with ${status}`;
  return new VoiceSDKError(code, message, { status });
}

/** The error for a REGISTER that did not end in 2xx (`status` undefined: no final answer). */
export function registerError(status: number | undefined, transportDown: boolean): VoiceSDKError {
  if (isTransportFailure(status, transportDown)) {
    return new VoiceSDKError('transport-failed', 'REGISTER could not be sent: the connection is down', { status });
  }
  if (status === undefined) return new VoiceSDKError('sip-error', 'REGISTER failed without a final answer');
  const code = codeForSipStatus(status, 'REGISTER');
  const message =
    code === 'auth-failed'
      ? `The server refused our credentials (${status})`
      : code === 'timeout'
        ? 'REGISTER got no answer in time (408)'
        : `REGISTER failed with ${status}`;
  return new VoiceSDKError(code, message, { status });
}

/** Why the caller's CANCEL ended an incoming call: `Reason: SIP;cause=200` (RFC 3326) means answered elsewhere. */
export function cancelEndReason(reason: string | undefined): 'canceled' | 'answered-elsewhere' {
  return isAnsweredElsewhere(reason) ? 'answered-elsewhere' : 'canceled';
}

/** The longest Reason header value kept as a disconnect `cause`. */
const MAX_CAUSE_LENGTH = 256;

/**
 * A Reason header (RFC 3326: `Q.850;cause=16;text="Normal call clearing"`)
 * as a disconnect `cause`: control characters dropped, white space collapsed,
 * at most 256 characters; `undefined` when nothing is left (untrusted input).
 */
export function causeOfReason(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  const cleaned = reason
    .slice(0, 4 * MAX_CAUSE_LENGTH)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_CAUSE_LENGTH);
  return cleaned === '' ? undefined : cleaned;
}
