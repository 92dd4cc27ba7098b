/** Getting a camera, with the browser's errors turned into SDK errors (as `./microphone` does for microphones). */
import { VoiceSDKError } from '../../../errors';

/** getUserMedia video constraints for a camera id, or the default camera. */
export function cameraConstraints(deviceId?: string): MediaStreamConstraints {
  if (deviceId === undefined || deviceId === 'default') return { audio: false, video: true };
  return { audio: false, video: { deviceId: { exact: deviceId } } };
}

/**
 * A camera track's stream: `NotAllowedError` / `SecurityError` →
 * `media-denied`; no such camera (`NotFoundError`, `OverconstrainedError`) →
 * `device-not-found` when an id was asked for, else `media-denied`; a busy
 * or broken camera → `media-denied`.
 */
export async function acquireCamera(deviceId?: string): Promise<MediaStream> {
  const mediaDevices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (mediaDevices === undefined || typeof mediaDevices.getUserMedia !== 'function') {
    throw new VoiceSDKError('not-supported', 'getUserMedia is not available (is the page served over https?)');
  }
  try {
    return await mediaDevices.getUserMedia(cameraConstraints(deviceId));
  } catch (error) {
    const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
    const missing = name === 'NotFoundError' || name === 'OverconstrainedError';
    if (missing && deviceId !== undefined && deviceId !== 'default') {
      throw new VoiceSDKError('device-not-found', 'The selected camera does not exist', { cause: error });
    }
    const refused = name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError';
    const message = refused ? 'Camera access was refused' : missing ? 'No camera was found' : 'The camera could not be opened';
    throw new VoiceSDKError('media-denied', message, { cause: error });
  }
}
