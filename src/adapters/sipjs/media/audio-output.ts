/**
 * Where the far end's audio plays: one `HTMLAudioElement` per call, created
 * here with `autoplay` and never attached to the DOM (a detached element
 * plays just the same). Shared by adapters; no SIP here.
 */
import { VoiceSDKError } from '../../../errors';

export class RemoteAudioOutput {
  /** The element playing the remote audio; undefined outside a browser. */
  readonly element: HTMLAudioElement | undefined;
  private disposed = false;

  constructor() {
    if (typeof document === 'undefined') {
      this.element = undefined;
      return;
    }
    const element = document.createElement('audio');
    element.autoplay = true;
    this.element = element;
  }

  /** Plays `stream` (the remote media stream; its tracks may arrive later). */
  play(stream: MediaStream): void {
    const element = this.element;
    if (element === undefined || this.disposed) return;
    if (element.srcObject !== stream) element.srcObject = stream;
    // Autoplay may be refused before a user gesture; `autoplay` retries by itself
    // once the page may play, so a refusal here is not an error of the call.
    element.play().catch(() => undefined);
  }

  /**
   * Routes the audio to output device `deviceId` (`'default'` always works).
   * `not-supported` without `setSinkId`; `device-not-found` for an id that
   * `enumerateDevices()` does not list as an `audiooutput`, or one the browser
   * refuses.
   */
  async setSinkId(deviceId: string): Promise<void> {
    const element = this.element;
    if (element === undefined || typeof element.setSinkId !== 'function') {
      throw new VoiceSDKError('not-supported', 'This browser cannot choose the audio output device (no setSinkId)');
    }
    const sinkId = deviceId === 'default' ? '' : deviceId;
    if (sinkId !== '') {
      const outputs = await listAudioOutputs();
      if (!outputs.some((device) => device.deviceId === deviceId)) {
        throw new VoiceSDKError('device-not-found', `No audio output device with id ${deviceId}`);
      }
    }
    try {
      await element.setSinkId(sinkId);
    } catch (error) {
      throw new VoiceSDKError('device-not-found', `The audio output device ${deviceId} cannot be used`, {
        cause: error,
      });
    }
  }

  /** Stops playing and lets go of the stream. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const element = this.element;
    if (element === undefined) return;
    element.pause();
    element.srcObject = null;
  }
}

async function listAudioOutputs(): Promise<MediaDeviceInfo[]> {
  const mediaDevices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (mediaDevices === undefined || typeof mediaDevices.enumerateDevices !== 'function') return [];
  const devices = await mediaDevices.enumerateDevices();
  return devices.filter((device) => device.kind === 'audiooutput');
}
