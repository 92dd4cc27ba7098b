/**
 * The one error type of the SDK. `code` is stable and meant for programs;
 * `message` is for people; `cause` carries the SIP status or DOM error.
 */
export type VoiceSDKErrorCode =
  /** A method was called with input it cannot accept (bad URI, header, DTMF…). */
  | 'invalid-argument'
  /** A method was called in a state where it makes no sense. */
  | 'invalid-state'
  /** The server rejected our credentials (401/407 after a digest challenge, or 403). */
  | 'auth-failed'
  /** The WebSocket to the SIP server could not be opened or was lost. */
  | 'transport-failed'
  /** getUserMedia was refused or no microphone exists. */
  | 'media-denied'
  /** Media could not be set up or was lost (SDP, ICE, DTLS). */
  | 'media-failed'
  /** The callee does not exist (404 Not Found, 410 Gone, 604 Does Not Exist Anywhere). */
  | 'not-found'
  /** The callee is busy (486/600). */
  | 'busy'
  /** The callee declined (603). */
  | 'declined'
  /** A request got no final answer in time (408 or a local timer). */
  | 'timeout'
  /**
   * The call's dialog did not survive a lost signalling socket: the
   * target-refresh re-INVITE after the reconnect was answered 481 or 408, or
   * not at all. The call ends `failed`.
   */
  | 'connection-lost'
  /**
   * The call's media path was lost and ICE restarts did not bring it back
   * within `recovery.timeoutMs` (or the far end hung up while it was being
   * restored). The call ends `failed`, with a BYE.
   */
  | 'media-lost'
  /** An audio device id is unknown or cannot be used. */
  | 'device-not-found'
  /** The browser lacks a capability (setSinkId, MediaRecorder, DTMF sender). */
  | 'not-supported'
  /**
   * DTMF cannot reach the far end on this call: no telephone-event at the
   * sending codec's clock rate was negotiated and the far end does not allow
   * SIP INFO. Nothing was sent.
   */
  | 'dtmf-unavailable'
  /**
   * A transfer did not complete: the REFER was refused (`status`: its
   * response) or the referred call failed (`status`: the NOTIFY's sipfrag),
   * or no outcome came in time. The call stays as it was.
   */
  | 'transfer-failed'
  /** Any other SIP failure; `status` holds the SIP status code. */
  | 'sip-error';

/** What `new VoiceSDKError()` takes besides the code and the message. */
export interface VoiceSDKErrorOptions {
  /** The underlying error or SIP response. */
  cause?: unknown;
  /** SIP status code, where the error comes from a SIP response (e.g. 486). @default undefined (no SIP response) */
  status?: number;
}

/** The SDK's error: a stable `code`, a readable `message`, the SIP `status` when there is one, the `cause`. */
export class VoiceSDKError extends Error {
  /** Always `'VoiceSDKError'`. */
  override readonly name = 'VoiceSDKError';
  /** Stable, for programs: `'busy'`, `'auth-failed'`, `'invalid-state'`, … */
  readonly code: VoiceSDKErrorCode;
  /** SIP status code, when the error comes from a SIP response. */
  readonly status: number | undefined;

  /** An error with a stable `code`; `options.status` is the SIP status, `options.cause` the underlying error. */
  constructor(code: VoiceSDKErrorCode, message: string, options: VoiceSDKErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}

/** Whether `value` is a `VoiceSDKError` (`instanceof`, usable as a type guard in `catch`). */
export function isVoiceSDKError(value: unknown): value is VoiceSDKError {
  return value instanceof VoiceSDKError;
}

/** Normalises anything thrown by an adapter into a VoiceSDKError. */
export function toVoiceSDKError(
  value: unknown,
  fallback: VoiceSDKErrorCode = 'sip-error',
): VoiceSDKError {
  if (value instanceof VoiceSDKError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new VoiceSDKError(fallback, message, { cause: value });
}
