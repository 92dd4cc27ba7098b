/**
 * The media region's rules (`call.media.ts`), as pure functions and
 * constants: when ICE counts as up, when media flows again, how long to wait,
 * and the error of media that could not be set up.
 */
import { VoiceSDKError } from '../errors';
import type { QualitySample } from '../quality/quality.types';
import type { CallContext } from './call.types';

/** How long ICE may stay `disconnected` with no inbound bytes before the call restarts it, in ms. */
export const MEDIA_STALL_MS = 2000;
/** After an ICE restart's 2xx, how long ICE may take to connect before the next restart, in ms. */
export const ICE_RESTART_WAIT_MS = 8000;
/**
 * The wait before the next ICE restart after the `attempt`-th one failed, in
 * ms: doubling, at most 8 s, from 2.1 s for the caller (who owns the Call-ID)
 * and 0.5 s for the callee, so two ends restarting at once do not collide
 * again after a 491 (RFC 3261 §14.1).
 */
export const restartBackoffMs = (attempt: number, direction: 'inbound' | 'outbound'): number =>
  Math.min(8000, (direction === 'outbound' ? 2100 : 500) * 2 ** Math.max(0, attempt - 1));

/** ICE `connected` or `completed`. */
export const isIceUpState = (ice: string): boolean => ice === 'connected' || ice === 'completed';

/**
 * Media flows again: ICE connected and inbound bytes moving since the last
 * sample — or no audio to expect (either side holds), then ICE alone.
 */
export function mediaFlowsAgain(context: Pick<CallContext, 'ice' | 'onHold' | 'remoteHeld' | 'lastSample'>, sample: QualitySample): boolean {
  if (!isIceUpState(context.ice)) return false;
  if (context.onHold || context.remoteHeld) return true;
  const before = context.lastSample?.bytesReceived;
  const now = sample.bytesReceived;
  return before !== undefined && now !== undefined && now > before;
}

/** Why a call ends when its offer/answer settled on no usable media. */
export const MEDIA_NOT_NEGOTIATED = 'The call ended: its media could not be negotiated';

/** A `media-failed` error: the call's media could not be set up or failed before it was answered. */
export const mediaFailedError = (message: string): VoiceSDKError => new VoiceSDKError('media-failed', message);
