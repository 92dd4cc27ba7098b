/**
 * The one error type of the SDK. `code` is stable and meant for programs;
 * `message` is for people; `cause` carries the SIP status or DOM error.
 */
export type VoiceSDKErrorCode =
  /** A method was called with input it cannot accept (bad URI, header, DTMF…). */
  | 'invalid-argument'
  /** A method was called in a state where it makes no sense. */
  | 'invalid-state'
  /** The server rejected our credentials (401/403 after a digest challenge). */
  | 'auth-failed'
  /** The WebSocket to the SIP server could not be opened or was lost. */
  | 'transport-failed'
  /** getUserMedia was refused or no microphone exists. */
  | 'media-denied'
  /** Media could not be set up or was lost (SDP, ICE, DTLS). */
  | 'media-failed'
  /** The callee does not exist (404/604). */
  | 'not-found'
  /** The callee is busy (486/600). */
  | 'busy'
  /** The callee declined (603). */
  | 'declined'
  /** A request got no final answer in time (408 or a local timer). */
  | 'timeout'
  /** An audio device id is unknown or cannot be used. */
  | 'device-not-found'
  /** The browser lacks a capability (setSinkId, MediaRecorder, DTMF sender). */
  | 'not-supported'
  /** Any other SIP failure; `status` holds the SIP status code. */
  | 'sip-error';

export interface VoiceSDKErrorOptions {
  /** The underlying error or SIP response. */
  cause?: unknown;
  /** SIP status code, where the error comes from a SIP response. */
  status?: number;
}

export class VoiceSDKError extends Error {
  override readonly name = 'VoiceSDKError';
  readonly code: VoiceSDKErrorCode;
  /** SIP status code, when the error comes from a SIP response. */
  readonly status: number | undefined;

  constructor(code: VoiceSDKErrorCode, message: string, options: VoiceSDKErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}

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
