/** Hold and resume over SIP.js: one re-INVITE, resolved on the far end's 2xx. */
import { SessionState } from 'sip.js';
import type { Invitation, Inviter, Web } from 'sip.js';
import { VoiceSDKError } from '../../errors';
import { inDialogError } from '../../sip/status';
import { asVoiceSDKError } from './sipjs.errors';

/** Local media of an audio call: one microphone, no video. */
export const AUDIO_ONLY: MediaStreamConstraints = { audio: true, video: false };
/** Local media of a video call: the microphone and the camera (audio only when there is no camera). */
export const AUDIO_AND_VIDEO: MediaStreamConstraints = { audio: true, video: true };

/**
 * Sends a re-INVITE offering a=sendonly (`hold`) or a=sendrecv; resolves on
 * the 2xx, rejects with the SDK error for anything else.
 */
export function sendReinvite(session: Inviter | Invitation, hold: boolean, transportUp: () => boolean): Promise<void> {
  if (session.state !== SessionState.Established) {
    return Promise.reject(new VoiceSDKError('invalid-state', 'A re-INVITE needs an answered call'));
  }
  // `hold` sets the offered direction; SIP.js keeps these options for the
  // re-INVITEs the far end sends us, so our answers stay on hold.
  const handlerOptions: Web.SessionDescriptionHandlerOptions = { hold, constraints: AUDIO_ONLY };
  // SIP.js stores these options before sending and keeps them when the
  // re-INVITE fails: put the previous ones back so later answers match.
  const previousOptions = session.sessionDescriptionHandlerOptionsReInvite;
  return new Promise<void>((resolve, rejectReinvite) => {
    const reject = (error: VoiceSDKError): void => {
      session.sessionDescriptionHandlerOptionsReInvite = previousOptions;
      rejectReinvite(error);
    };
    session
      .invite({
        sessionDescriptionHandlerOptions: handlerOptions,
        requestDelegate: {
          onAccept: () => {
            // SIP.js calls onAccept even when it could not apply the answer (and hung up).
            if (session.state === SessionState.Established) resolve();
            else reject(new VoiceSDKError('media-failed', 'The answer to the re-INVITE could not be applied'));
          },
          onReject: (response) => reject(inDialogError('re-INVITE', response.message.statusCode ?? 0, !transportUp())),
          onRedirect: (response) => reject(inDialogError('re-INVITE', response.message.statusCode ?? 0)),
        },
      })
      .catch((error: unknown) => {
        const pending = error instanceof Error && error.name === 'RequestPendingError';
        reject(
          pending
            ? new VoiceSDKError('invalid-state', 'Another re-INVITE is still in progress', { cause: error })
            : asVoiceSDKError(error, 'media-failed', 'Could not send the re-INVITE'),
        );
      });
  });
}
