/**
 * The app's call code, apart from the page so that a test can run it on the
 * fake network of `callchart/testing` (test/phone.test.ts) while the page
 * (main.ts) runs it with SIP.js against a real server.
 */
import { Device, VoiceSDKError, type Call, type DeviceOptions } from 'callchart';

/** What the page shows, one line. */
export type Show = (status: string) => void;

/** A registered Device whose events are shown. */
export async function startPhone(options: DeviceOptions, show: Show): Promise<Device> {
  const device = new Device(options);
  device.on('reconnecting', ({ attempt, delayMs }) => show(`Reconnecting (attempt ${attempt}, in ${delayMs} ms)`));
  device.on('incoming', (call) => show(`Incoming call from ${call.remoteIdentity}`));
  show('Registering…');
  await device.register();
  show(`Registered as ${options.uri}`);
  return device;
}

/** Places a call and shows how it goes; resolves with the call once it is placed. */
export async function placeCall(device: Device, to: string, show: Show): Promise<Call> {
  try {
    show(`Calling ${to}…`);
    const call = await device.connect({ to });
    call.on('ringing', () => show(`Ringing ${call.remoteIdentity}…`));
    call.on('accepted', () => show(`In call with ${call.remoteIdentity}`));
    call.on('disconnect', ({ reason }) => show(`Call ended: ${reason}`));
    return call;
  } catch (error) {
    show(error instanceof VoiceSDKError ? `Cannot call: ${error.code}` : 'Cannot call');
    throw error;
  }
}
