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

/** The error for a request inside a call (re-INVITE, INFO) that did not end in 2xx. */
export function inDialogError(method: string, status: number, transportConnected: boolean): VoiceSDKError {
  if (isTransportFailure(status, transportConnected)) {
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
