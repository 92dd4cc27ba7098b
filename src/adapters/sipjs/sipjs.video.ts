/**
 * A call's video and streams on the SIP.js side: the camera put on (or
 * taken off) the peer connection before a re-INVITE, camera switching, the
 * `video` facts (what each completed offer/answer settled on, from the
 * transceivers' negotiated directions) and the `stream` facts (the local and
 * remote streams got a track). Decides nothing: the call chart asks.
 */
import type { CallFact } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { acquireCamera } from './media/camera';
import { stopStream } from './media/microphone';
import type { FastIceSessionDescriptionHandler } from './sdh';
import { asVoiceSDKError } from './sipjs.errors';

const isVideo = (transceiver: RTCRtpTransceiver): boolean => transceiver.receiver.track.kind === 'video';
const live = (transceiver: RTCRtpTransceiver): boolean => transceiver.direction !== 'stopped';

/** The video transceivers still in use. */
export function videoTransceivers(peerConnection: RTCPeerConnection): RTCRtpTransceiver[] {
  return peerConnection.getTransceivers().filter((t) => isVideo(t) && live(t));
}

export class CallVideo {
  readonly #handler: () => FastIceSessionDescriptionHandler | undefined;
  readonly #emit: (fact: CallFact) => void;
  #reported: string | undefined;
  #stopWatching: (() => void) | undefined;

  constructor(handler: () => FastIceSessionDescriptionHandler | undefined, emit: (fact: CallFact) => void) {
    this.#handler = handler;
    this.#emit = emit;
  }

  /** Reports the streams as they get tracks, and the video after each completed offer/answer. */
  watch(handler: FastIceSessionDescriptionHandler): void {
    const peerConnection = handler.peerConnection;
    if (peerConnection === undefined) return;
    this.#stopWatching?.();
    const local = handler.localMediaStream;
    const remote = handler.remoteMediaStream;
    const onLocal = (): void => this.#emit({ type: 'stream', direction: 'local', stream: local });
    const onRemote = (): void => this.#emit({ type: 'stream', direction: 'remote', stream: remote });
    const onSignalingState = (): void => {
      if (peerConnection.signalingState === 'stable') this.report();
    };
    local.addEventListener('addtrack', onLocal);
    remote.addEventListener('addtrack', onRemote);
    peerConnection.addEventListener('signalingstatechange', onSignalingState);
    if (local.getTracks().length > 0) onLocal();
    if (remote.getTracks().length > 0) onRemote();
    this.#stopWatching = () => {
      local.removeEventListener('addtrack', onLocal);
      remote.removeEventListener('addtrack', onRemote);
      peerConnection.removeEventListener('signalingstatechange', onSignalingState);
      this.#stopWatching = undefined;
    };
  }

  /** The `video` fact, when the call has a video stream and what flows changed. */
  report(): void {
    const peerConnection = this.#handler()?.peerConnection;
    if (peerConnection === undefined || peerConnection.signalingState !== 'stable') return;
    const transceivers = videoTransceivers(peerConnection).filter((t) => t.currentDirection !== null);
    if (transceivers.length === 0 && this.#reported === undefined) return;
    const sending = transceivers.some((t) => /send/.test(t.currentDirection ?? '') && t.sender.track?.readyState === 'live');
    const receiving = transceivers.some((t) => /recv/.test(t.currentDirection ?? ''));
    const key = `${sending}/${receiving}`;
    if (key === this.#reported) return;
    this.#reported = key;
    this.#emit({ type: 'video', sending, receiving });
  }

  /**
   * Before a re-INVITE: `true` opens the camera and puts it on the video
   * sender (a new transceiver when there is none), `false` takes it off and
   * stops it; the next offer's directions follow (`videoWanted`).
   */
  async prepare(video: boolean): Promise<void> {
    const handler = this.#open();
    const peerConnection = handler.peerConnection!;
    if (!video) {
      handler.videoWanted = false;
      for (const transceiver of videoTransceivers(peerConnection)) {
        const track = transceiver.sender.track;
        if (track === null) continue;
        await transceiver.sender.replaceTrack(null);
        track.stop();
        handler.localMediaStream.removeTrack(track);
      }
      return;
    }
    if (handler.videoWanted && this.#sender(peerConnection) !== undefined) return;
    const camera = await acquireCamera();
    const track = camera.getVideoTracks()[0];
    if (handler.closed || track === undefined) {
      stopStream(camera);
      throw new VoiceSDKError('invalid-state', 'The call ended while the camera was being opened');
    }
    try {
      const transceiver = videoTransceivers(peerConnection).find((t) => t.sender.track === null);
      if (transceiver === undefined) peerConnection.addTrack(track, handler.localMediaStream);
      else await transceiver.sender.replaceTrack(track);
    } catch (error) {
      stopStream(camera);
      throw asVoiceSDKError(error, 'media-failed', 'Could not add the camera');
    }
    handler.videoWanted = true;
    handler.localMediaStream.addTrack(track);
    this.#emit({ type: 'stream', direction: 'local', stream: handler.localMediaStream });
  }

  /** Puts camera `deviceId` on the video sender; the old camera is stopped. */
  async setInputDevice(deviceId: string): Promise<void> {
    const handler = this.#open();
    const sender = this.#sender(handler.peerConnection!);
    if (sender === undefined) throw new VoiceSDKError('invalid-state', 'The call sends no video');
    const camera = await acquireCamera(deviceId);
    const track = camera.getVideoTracks()[0];
    const old = sender.track;
    if (handler.closed || track === undefined || old === null) {
      stopStream(camera);
      throw new VoiceSDKError('invalid-state', 'The call ended while the camera was being opened');
    }
    try {
      await sender.replaceTrack(track);
    } catch (error) {
      stopStream(camera);
      throw asVoiceSDKError(error, 'media-failed', 'Could not switch the camera');
    }
    old.stop();
    handler.localMediaStream.removeTrack(old);
    handler.localMediaStream.addTrack(track);
    this.#emit({ type: 'stream', direction: 'local', stream: handler.localMediaStream });
  }

  dispose(): void {
    this.#stopWatching?.();
  }

  #open(): FastIceSessionDescriptionHandler {
    const handler = this.#handler();
    if (handler === undefined || handler.closed) throw new VoiceSDKError('invalid-state', 'The call has no media');
    return handler;
  }

  #sender(peerConnection: RTCPeerConnection): RTCRtpSender | undefined {
    return videoTransceivers(peerConnection).find((t) => t.sender.track !== null)?.sender;
  }
}
