/**
 * DTMF over SIP.js: RFC 4733 telephone-events through the RTP sender, or one
 * SIP INFO (application/dtmf-relay) per digit. One burst at a time —
 * `insertDTMF` would drop the tones still queued — and every wait ends at
 * once when the call is disposed.
 */
import { SessionState } from 'sip.js';
import type { Invitation, Inviter } from 'sip.js';
import type { DtmfOptions } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { inDialogError } from '../../sip/status';
import { playRtpDtmf } from './media/dtmf';
import { asVoiceSDKError } from './sipjs.errors';
import { DTMF_PAUSE, DTMF_PAUSE_MS, dtmfRelayBody, parseDtmfDigits } from '../../sip/dtmf-digits';

const callEnded = (): VoiceSDKError => new VoiceSDKError('invalid-state', 'The call ended while DTMF was being sent');

export class DtmfSender {
  readonly #session: Inviter | Invitation;
  readonly #audioSender: () => RTCRtpSender | undefined;
  readonly #transportUp: () => boolean;
  /** Settles pending waits (tones, pauses) when the call is disposed. */
  readonly #aborters = new Set<() => void>();
  #queue: Promise<void> = Promise.resolve();
  #disposed = false;

  constructor(session: Inviter | Invitation, audioSender: () => RTCRtpSender | undefined, transportUp: () => boolean) {
    this.#session = session;
    this.#audioSender = audioSender;
    this.#transportUp = transportUp;
  }

  send(digits: string, options: DtmfOptions): Promise<void> {
    try {
      parseDtmfDigits(digits);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#disposed || this.#session.state !== SessionState.Established) {
      return Promise.reject(new VoiceSDKError('invalid-state', 'DTMF needs an answered call'));
    }
    const run = (): Promise<void> => (options.method === 'info' ? this.#sendInfo(digits, options) : this.#sendRtp(digits, options));
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  dispose(): void {
    this.#disposed = true;
    this.#aborters.forEach((abort) => abort());
    this.#aborters.clear();
  }

  async #sendRtp(digits: string, options: DtmfOptions): Promise<void> {
    const playback = playRtpDtmf(this.#audioSender(), digits, options);
    this.#aborters.add(playback.cancel);
    try {
      await playback.done;
    } finally {
      this.#aborters.delete(playback.cancel);
    }
  }

  /** One INFO per digit, each awaited, `gapMs` apart; `,` pauses. */
  async #sendInfo(digits: string, options: DtmfOptions): Promise<void> {
    const durationMs = Math.max(1, Math.round(options.durationMs));
    const characters = [...digits];
    for (const [index, digit] of characters.entries()) {
      if (digit === DTMF_PAUSE) {
        await this.#pause(DTMF_PAUSE_MS);
        continue;
      }
      await this.#sendInfoDigit(digit, durationMs);
      if (index < characters.length - 1) await this.#pause(Math.max(0, options.gapMs));
    }
  }

  #sendInfoDigit(digit: string, durationMs: number): Promise<void> {
    if (this.#disposed || this.#session.state !== SessionState.Established) return Promise.reject(callEnded());
    return new Promise<void>((resolve, reject) => {
      this.#session
        .info({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) => reject(inDialogError('INFO', response.message.statusCode ?? 0, !this.#transportUp())),
          },
          requestOptions: {
            body: {
              contentDisposition: 'render',
              contentType: 'application/dtmf-relay',
              content: dtmfRelayBody(digit, durationMs),
            },
          },
        })
        .catch((error: unknown) => reject(asVoiceSDKError(error, 'sip-error', 'INFO could not be sent')));
    });
  }

  /** Waits `ms`, or rejects at once when disposed. */
  #pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const abort = (): void => {
        clearTimeout(timer);
        reject(callEnded());
      };
      const timer = setTimeout(() => {
        this.#aborters.delete(abort);
        resolve();
      }, ms);
      this.#aborters.add(abort);
    });
  }
}
