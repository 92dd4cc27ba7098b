/**
 * A call's local audio devices and recordings: switching the microphone on
 * the sender (recordings follow the new track) and recording local + remote.
 */
import type { RecorderPort } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { acquireMicrophone, microphoneConstraints, stopStream } from './media/microphone';
import { startRecording, type MixedRecording } from './media/recorder';
import type { FastIceSessionDescriptionHandler } from './sdh';
import { asVoiceSDKError } from './sipjs.errors';

export class LocalAudio {
  readonly #handler: () => FastIceSessionDescriptionHandler | undefined;
  readonly #audioSender: () => RTCRtpSender | undefined;
  readonly #recordings = new Set<MixedRecording>();
  #disposed = false;

  constructor(handler: () => FastIceSessionDescriptionHandler | undefined, audioSender: () => RTCRtpSender | undefined) {
    this.#handler = handler;
    this.#audioSender = audioSender;
  }

  /** Puts a track of microphone `deviceId` on the sender; it is sent (or not) as the old one was. */
  async setInputDevice(deviceId: string): Promise<void> {
    const handler = this.#handler();
    if (this.#disposed || handler === undefined || handler.closed) {
      throw new VoiceSDKError('invalid-state', 'The call has no media to change the microphone of');
    }
    const stream = await acquireMicrophone(microphoneConstraints(deviceId));
    if (this.#disposed || handler.closed) {
      stopStream(stream);
      throw new VoiceSDKError('invalid-state', 'The call ended while the microphone was being opened');
    }
    const enabled = this.#audioSender()?.track?.enabled ?? true;
    try {
      // Replaces the sender's track and stops the old one.
      await handler.replaceLocalStream(stream);
    } catch (error) {
      stopStream(stream);
      throw asVoiceSDKError(error, 'media-failed', 'Could not switch the microphone');
    }
    stream.getAudioTracks().forEach((track) => {
      track.enabled = enabled;
    });
    const track = this.#audioSender()?.track ?? undefined;
    this.#recordings.forEach((recording) => recording.replaceLocalTrack(track));
  }

  startRecording(peerConnection: RTCPeerConnection | undefined): RecorderPort {
    if (this.#disposed || peerConnection === undefined) {
      throw new VoiceSDKError('invalid-state', 'The call has no media to record');
    }
    const remote = peerConnection.getReceivers().find((receiver) => receiver.track.kind === 'audio')?.track;
    const recording = startRecording({ local: this.#audioSender()?.track ?? undefined, remote });
    this.#recordings.add(recording);
    const release = (): void => {
      this.#recordings.delete(recording);
    };
    return {
      pause: () => recording.pause(),
      resume: () => recording.resume(),
      onError: (listener) => recording.onError(listener),
      stop: () => recording.stop().finally(release),
      dispose: () => {
        release();
        recording.dispose();
      },
    };
  }

  dispose(): void {
    this.#disposed = true;
    this.#recordings.forEach((recording) => recording.dispose());
    this.#recordings.clear();
  }
}
