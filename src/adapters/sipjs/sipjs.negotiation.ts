/**
 * What each completed offer/answer settled on, reported as `negotiated`
 * facts: the answer's first voice codec and its clock rate, whether a
 * telephone-event at that rate was negotiated, and whether the far end's
 * Allow lists INFO. Facts only: the call chart chooses the DTMF method.
 */
import type { CallFact, NegotiatedMedia } from '../adapter';
import { allowsMethod } from '../../sip/dtmf';
import { negotiatedAudio } from '../../sip/sdp';

export class NegotiationReporter {
  readonly #peerConnection: () => RTCPeerConnection | undefined;
  readonly #established: () => boolean;
  readonly #emit: (fact: CallFact) => void;
  /** The far end's Allow header (its INVITE's, or its 2xx's); undefined until known. */
  #remoteAllow: string | undefined;
  /** The last facts reported: they are reported again only when they change. */
  #reported: string | undefined;
  #stopWatching: (() => void) | undefined;

  constructor(
    peerConnection: () => RTCPeerConnection | undefined,
    established: () => boolean,
    emit: (fact: CallFact) => void,
    remoteAllow?: string,
  ) {
    this.#peerConnection = peerConnection;
    this.#established = established;
    this.#emit = emit;
    this.#remoteAllow = remoteAllow;
  }

  /** The far end's Allow became known (outbound: with its 2xx). */
  setRemoteAllow(allow: string | undefined): void {
    this.#remoteAllow = allow ?? '';
    this.report();
  }

  /** Each completed offer/answer (re-INVITEs too) may change the codec or the telephone-events. */
  watch(peerConnection: RTCPeerConnection): void {
    this.#stopWatching?.();
    const onSignalingState = (): void => {
      if (peerConnection.signalingState === 'stable') this.report();
    };
    peerConnection.addEventListener('signalingstatechange', onSignalingState);
    this.#stopWatching = () => {
      peerConnection.removeEventListener('signalingstatechange', onSignalingState);
      this.#stopWatching = undefined;
    };
  }

  /** Reports the negotiated media once the call is established and the Allow is known, and again on a change. */
  report(): void {
    if (this.#remoteAllow === undefined || !this.#established()) return;
    const peerConnection = this.#peerConnection();
    if (peerConnection === undefined || peerConnection.signalingState !== 'stable') return;
    const remote = peerConnection.currentRemoteDescription ?? peerConnection.remoteDescription;
    const local = peerConnection.currentLocalDescription ?? peerConnection.localDescription;
    const answer = remote?.type === 'answer' ? remote : local;
    const audio = negotiatedAudio(answer?.sdp);
    if (audio === undefined) return;
    const facts: NegotiatedMedia = { ...audio, allowsInfo: allowsMethod(this.#remoteAllow, 'INFO') };
    const key = JSON.stringify(facts);
    if (key === this.#reported) return;
    this.#reported = key;
    this.#emit({ type: 'negotiated', ...facts });
  }

  dispose(): void {
    this.#stopWatching?.();
  }
}
