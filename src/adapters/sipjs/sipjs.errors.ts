/**
 * SIP outcomes as SDK errors, for the cases SIP.js reports as plain
 * responses or plain `Error`s.
 */
import { codeForSipStatus, VoiceSDKError } from '../../errors';

/**
 * SIP.js turns a failed send into a locally made 503 (RFC 3261 §8.1.3.1);
 * with the socket down that is a transport failure, not a server's answer.
 */
function isTransportFailure(status: number | undefined, transportConnected: boolean): boolean {
  return !transportConnected && (status === undefined || status === 503);
}

/** The error for a REGISTER that did not end in 2xx. */
export function registerError(status: number | undefined, transportConnected: boolean): VoiceSDKError {
  if (isTransportFailure(status, transportConnected)) {
    return new VoiceSDKError('transport-failed', 'REGISTER could not be sent: the connection is down', { status });
  }
  if (status === 401 || status === 403 || status === 407) {
    return new VoiceSDKError('auth-failed', `The server refused our credentials (${status})`, { status });
  }
  if (status === 408) return new VoiceSDKError('timeout', 'REGISTER got no answer in time (408)', { status });
  if (status === undefined) return new VoiceSDKError('sip-error', 'REGISTER failed without a final answer');
  return new VoiceSDKError('sip-error', `REGISTER failed with ${status}`, { status });
}

/** The error for a request inside a call (re-INVITE, INFO) that did not end in 2xx. */
export function inDialogError(method: string, status: number, transportConnected: boolean): VoiceSDKError {
  if (isTransportFailure(status, transportConnected)) {
    return new VoiceSDKError('transport-failed', `${method} could not be sent: the connection is down`, { status });
  }
  if (status === 405 || status === 501) {
    return new VoiceSDKError('not-supported', `The far end does not support ${method} (${status})`, { status });
  }
  if (status === 408) return new VoiceSDKError('timeout', `${method} got no answer in time (408)`, { status });
  return new VoiceSDKError('sip-error', `${method} failed with ${status}`, { status });
}

/** The error for an outbound INVITE's final failure (other than busy/declined, which are not errors). */
export function inviteError(status: number, transportConnected: boolean): VoiceSDKError {
  if (isTransportFailure(status, transportConnected)) {
    return new VoiceSDKError('transport-failed', 'INVITE could not be sent: the connection is down', { status });
  }
  return new VoiceSDKError(codeForSipStatus(status), `The call failed with ${status}`, { status });
}

/** Wraps anything SIP.js or the browser threw; `VoiceSDKError`s pass through unchanged. */
export function asVoiceSDKError(
  error: unknown,
  code: VoiceSDKError['code'],
  message: string,
): VoiceSDKError {
  if (error instanceof VoiceSDKError) return error;
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return new VoiceSDKError(code, `${message}${detail}`, { cause: error });
}
