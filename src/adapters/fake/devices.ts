/** The devices a fake call can switch to: the network's lists, checked as a browser's getUserMedia / setSinkId would. */
import { VoiceSDKError } from '../../errors';

/** `deviceId` when `devices` has it (`'default'` always works), else `device-not-found` naming the `kind` (`microphone`, `camera`, `audio output`). */
export function knownDevice(devices: readonly string[], deviceId: string, kind: string): string {
  if (deviceId !== 'default' && !devices.includes(deviceId)) throw new VoiceSDKError('device-not-found', `No ${kind} with id "${deviceId}"`);
  return deviceId;
}
