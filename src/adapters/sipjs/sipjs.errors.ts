/** Anything SIP.js or the browser threw, as an SDK error. (Status codes: `src/sip/status.ts`.) */
import { VoiceSDKError } from '../../errors';

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
