/**
 * Getting a microphone, with the browser's errors turned into SDK errors.
 * Shared by adapters; no SIP here.
 */
import { VoiceSDKError } from '../../../errors';

/** getUserMedia audio constraints for a device id, or the default microphone. */
export function microphoneConstraints(deviceId?: string): MediaStreamConstraints {
  if (deviceId === undefined || deviceId === 'default') return { audio: true, video: false };
  return { audio: { deviceId: { exact: deviceId } }, video: false };
}

/**
 * Calls getUserMedia and maps its failures:
 * - `NotAllowedError` / `SecurityError` (refused) → `media-denied`;
 * - `NotFoundError` / `OverconstrainedError` → `device-not-found` when a
 *   device id was asked for, else `media-denied` (no microphone at all);
 * - anything else (`NotReadableError`, `AbortError`: the device is busy or
 *   broken) → `media-denied`, since we cannot get a microphone either way.
 */
export async function acquireMicrophone(constraints: MediaStreamConstraints): Promise<MediaStream> {
  const mediaDevices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (mediaDevices === undefined || typeof mediaDevices.getUserMedia !== 'function') {
    throw new VoiceSDKError('not-supported', 'getUserMedia is not available (is the page served over https?)');
  }
  try {
    return await mediaDevices.getUserMedia(constraints);
  } catch (error) {
    throw microphoneError(error, constraints);
  }
}

function asksForDevice(constraints: MediaStreamConstraints): boolean {
  const audio = constraints.audio;
  return typeof audio === 'object' && audio !== null && audio.deviceId !== undefined;
}

/** The SDK error for a getUserMedia failure. */
export function microphoneError(error: unknown, constraints: MediaStreamConstraints): VoiceSDKError {
  if (error instanceof VoiceSDKError) return error;
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  if ((name === 'NotFoundError' || name === 'OverconstrainedError') && asksForDevice(constraints)) {
    return new VoiceSDKError('device-not-found', 'The selected microphone does not exist', { cause: error });
  }
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return new VoiceSDKError('media-denied', 'Microphone access was refused', { cause: error });
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return new VoiceSDKError('media-denied', 'No microphone was found', { cause: error });
  }
  return new VoiceSDKError('media-denied', 'The microphone could not be opened', { cause: error });
}

/** Stops every track of a stream (the microphone indicator goes off). */
export function stopStream(stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((track) => track.stop());
}
