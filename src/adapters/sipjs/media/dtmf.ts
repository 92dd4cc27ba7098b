/**
 * RFC 4733 telephone-events through the RTP sender (`RTCDTMFSender`). The
 * DTMF alphabet (tones and the `,` pause) is `src/sip/dtmf-digits.ts`.
 */
import { VoiceSDKError } from '../../../errors';
import { DTMF_PAUSE, DTMF_PAUSE_MS } from '../../../sip/dtmf-digits';

/** `RTCDTMFSender` limits (WebRTC spec): tone 40–6000 ms, gap at least 30 ms. */
export function clampDtmfTiming(durationMs: number, gapMs: number): { durationMs: number; gapMs: number } {
  return {
    durationMs: Math.min(6000, Math.max(40, Math.round(durationMs))),
    gapMs: Math.max(30, Math.round(gapMs)),
  };
}

/** How long `digits` take to play, in ms. */
export function dtmfPlayTimeMs(digits: string, durationMs: number, gapMs: number): number {
  let total = 0;
  for (const digit of digits) total += digit === DTMF_PAUSE ? DTMF_PAUSE_MS : durationMs + gapMs;
  return total;
}

/**
 * Plays `digits` as RFC 4733 telephone-events on `sender`. Resolves when the
 * sender reports the empty tone (everything played), or, should that event
 * never come, a second after the digits' play time. `not-supported` when the
 * sender has no DTMF sender; `invalid-state` when it cannot send now (e.g.
 * the transceiver does not send while held).
 *
 * Returns the promise and a `cancel` that settles it at once (call disposed).
 */
export function playRtpDtmf(
  sender: RTCRtpSender | undefined,
  digits: string,
  timing: { durationMs: number; gapMs: number },
): { done: Promise<void>; cancel: () => void } {
  const dtmf = sender?.dtmf ?? null;
  if (dtmf === null) {
    return {
      done: Promise.reject(new VoiceSDKError('not-supported', 'The audio sender cannot send DTMF (no RTCDTMFSender)')),
      cancel: () => undefined,
    };
  }
  if (!dtmf.canInsertDTMF) {
    return {
      done: Promise.reject(new VoiceSDKError('invalid-state', 'DTMF cannot be sent while the audio is not being sent')),
      cancel: () => undefined,
    };
  }
  const { durationMs, gapMs } = clampDtmfTiming(timing.durationMs, timing.gapMs);
  let cancel: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    const onToneChange = (event: RTCDTMFToneChangeEvent): void => {
      if (event.tone === '') finish();
    };
    const safety = setTimeout(() => finish(), dtmfPlayTimeMs(digits, durationMs, gapMs) + 1000);
    const cleanup = (): void => {
      clearTimeout(safety);
      dtmf.removeEventListener('tonechange', onToneChange);
    };
    const finish = (): void => {
      cleanup();
      resolve();
    };
    cancel = () => {
      cleanup();
      reject(new VoiceSDKError('invalid-state', 'The call ended while DTMF was playing'));
    };
    dtmf.addEventListener('tonechange', onToneChange);
    try {
      dtmf.insertDTMF(digits, durationMs, gapMs);
    } catch (error) {
      cleanup();
      const name = error instanceof Error ? error.name : '';
      reject(
        new VoiceSDKError(name === 'InvalidCharacterError' ? 'invalid-argument' : 'invalid-state', 'insertDTMF failed', {
          cause: error,
        }),
      );
    }
  });
  return { done, cancel };
}
