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
 * Sends a re-INVITE offering a=sendonly (`hold`) or a=sendrecv, with new ICE
 * credentials when `iceRestart`; resolves on the 2xx, rejects with the SDK
 * error for anything else.
 */
export function sendReinvite(
  session: Inviter | Invitation,
  options: { hold: boolean; iceRestart?: boolean },
  transportUp: () => boolean,
): Promise<void> {
  if (session.state !== SessionState.Established) {
    return Promise.reject(new VoiceSDKError('invalid-state', 'A re-INVITE needs an answered call'));
  }
  // The far end's offer is being answered (its re-INVITE crossed ours, e.g.
  // both ends restarting ICE): an offer now would fail inside SIP.js.
  const peerConnection = (session.sessionDescriptionHandler as { peerConnection?: RTCPeerConnection } | undefined)?.peerConnection;
  if (peerConnection !== undefined && peerConnection.signalingState === 'have-remote-offer') {
    return Promise.reject(new VoiceSDKError('invalid-state', "The far end's offer is being answered"));
  }
  const { hold } = options;
  // `hold` sets the offered direction; SIP.js keeps these options for the
  // re-INVITEs the far end sends us, so our answers stay on hold.
  const kept: Web.SessionDescriptionHandlerOptions = { hold, constraints: AUDIO_ONLY };
  const handlerOptions: Web.SessionDescriptionHandlerOptions = options.iceRestart
    ? { ...kept, offerOptions: { iceRestart: true } }
    : kept;
  // SIP.js stores these options before sending and keeps them when the
  // re-INVITE fails: put the previous ones back so later answers match. An
  // ICE restart is for this offer only (kept, every later offer would restart
  // again): once sent, the stored options go back to plain `hold`.
  const previousOptions = session.sessionDescriptionHandlerOptionsReInvite;
  const forget = (): void => {
    if (options.iceRestart) session.sessionDescriptionHandlerOptionsReInvite = kept;
  };
  return new Promise<void>((settle, rejectReinvite) => {
    const resolve = (): void => {
      forget();
      settle();
    };
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

/** The part of SIP.js's `IncomingInviteRequest` that answers a re-INVITE with a failure. */
interface IncomingReinviteLike {
  reject(options?: { statusCode?: number }): unknown;
}

/**
 * RFC 3261 §14.2: an INVITE received on a dialog while one we sent is in
 * progress is answered 491. SIP.js does so only once our re-INVITE is on the
 * wire, not while its offer is being made (getUserMedia, ICE gathering — long
 * for an ICE restart): a far end's re-INVITE in that window was answered
 * 200, the browser rolled our offer back, and our re-INVITE then carried an
 * answer as its offer (seen as both ends restarting ICE at once: the call
 * hung up). Reaches into SIP.js's `pendingReinvite` and `onInviteRequest`;
 * without them (another SIP.js) nothing changes.
 */
export function answerCrossingReinvitesWith491(session: Inviter | Invitation): void {
  const target = session as unknown as { pendingReinvite?: unknown; onInviteRequest?: (request: IncomingReinviteLike) => void };
  const original = target.onInviteRequest;
  if (typeof original !== 'function' || typeof target.pendingReinvite !== 'boolean') return;
  target.onInviteRequest = (request) => {
    if (target.pendingReinvite === true) request.reject({ statusCode: 491 });
    else original.call(session, request);
  };
}
