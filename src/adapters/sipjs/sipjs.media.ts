/**
 * A call's media on the SIP.js side: remote audio playout, the ICE / DTLS
 * state reported as `media` facts, and whether the microphone is sent. Keeps
 * no call state: the peer connection and its tracks are the state.
 */
import type { CallFact } from '../adapter';
import { RemoteAudioOutput } from './media/audio-output';
import type { FastIceSessionDescriptionHandler } from './sdh';

export class CallMedia {
  readonly #handler: () => FastIceSessionDescriptionHandler | undefined;
  readonly #emit: (fact: CallFact) => void;
  readonly #output = new RemoteAudioOutput();
  #stopWatching: (() => void) | undefined;
  #disposed = false;

  constructor(handler: () => FastIceSessionDescriptionHandler | undefined, emit: (fact: CallFact) => void) {
    this.#handler = handler;
    this.#emit = emit;
  }

  get peerConnection(): RTCPeerConnection | undefined {
    return this.#handler()?.peerConnection;
  }

  /** The audio sender (the first sender when no track is on it yet). */
  get audioSender(): RTCRtpSender | undefined {
    const senders = this.peerConnection?.getSenders() ?? [];
    return senders.find((sender) => sender.track?.kind === 'audio') ?? senders[0];
  }

  /** Plays the remote stream (call established). */
  play(): void {
    const handler = this.#handler();
    if (handler !== undefined && !this.#disposed) this.#output.play(handler.remoteMediaStream);
  }

  /**
   * Plays the call's remote audio as soon as a track exists (early media is
   * heard while ringing) and reports every ICE / connection state change.
   */
  watch(handler: FastIceSessionDescriptionHandler): void {
    const peerConnection = handler.peerConnection;
    if (peerConnection === undefined) return;
    this.#stopWatching?.();
    // Start playout after setRemoteDescription has run: inside it, it costs
    // 5-10 ms of call setup (measured by the benchmark).
    let playoutTimer: ReturnType<typeof setTimeout> | undefined;
    const onTrack = (): void => {
      playoutTimer = setTimeout(() => this.play(), 0);
    };
    if (handler.remoteMediaStream.getTracks().length > 0) this.play();
    else peerConnection.addEventListener('track', onTrack, { once: true });
    const report = (): void => {
      this.#emit({ type: 'media', ice: peerConnection.iceConnectionState, connection: peerConnection.connectionState });
    };
    peerConnection.addEventListener('connectionstatechange', report);
    peerConnection.addEventListener('iceconnectionstatechange', report);
    this.#stopWatching = () => {
      peerConnection.removeEventListener('connectionstatechange', report);
      peerConnection.removeEventListener('iceconnectionstatechange', report);
      peerConnection.removeEventListener('track', onTrack);
      clearTimeout(playoutTimer);
      this.#stopWatching = undefined;
    };
  }

  /** Sends the microphone or not: the audio tracks' `enabled`, on the sender and in the local stream. */
  setSending(enabled: boolean): void {
    this.peerConnection?.getSenders().forEach((sender) => {
      if (sender.track !== null && sender.track.kind === 'audio') sender.track.enabled = enabled;
    });
    this.#handler()
      ?.localMediaStream.getAudioTracks()
      .forEach((track) => {
        track.enabled = enabled;
      });
  }

  setOutputDevice(deviceId: string): Promise<void> {
    return this.#output.setSinkId(deviceId);
  }

  stopWatching(): void {
    this.#stopWatching?.();
  }

  dispose(): void {
    this.#disposed = true;
    this.#stopWatching?.();
    this.#output.dispose();
  }
}
