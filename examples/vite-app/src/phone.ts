/**
 * The app's call code, apart from the page so that a test can run it on the
 * fake network of `callchart/testing` (test/phone.test.ts) while the page
 * (main.ts) runs it with SIP.js against a real server.
 */
import { Device, isVoiceSDKError, type Call, type DeviceOptions } from 'callchart';

/** What the page shows, one line. */
export type Show = (status: string) => void;

/** An error for people: `code: message` of a VoiceSDKError. */
export const errorText = (error: unknown): string => (isVoiceSDKError(error) ? `${error.code}: ${error.message}` : String(error));

/** Shows how a call goes, from ringing to its end (with the error it failed with, if any). */
function follow(call: Call, show: Show): void {
  let failure = '';
  call.on('ringing', () => show(`Ringing ${call.remoteIdentity}…`));
  call.on('accepted', () => show(`In call with ${call.remoteIdentity}`));
  call.on('error', (error) => (failure = ` (${errorText(error)})`));
  call.on('disconnect', ({ reason }) => show(`Call ended: ${reason}${failure}`));
}

/** A registered Device whose events are shown; `ring` gets each incoming call, for the page's Answer / Decline. */
export async function startPhone(options: DeviceOptions, show: Show, ring: (call: Call) => void): Promise<Device> {
  const device = new Device(options);
  device.on('reconnecting', ({ attempt, delayMs }) => show(`Reconnecting (attempt ${attempt}, in ${delayMs} ms)`));
  device.on('incoming', (call) => {
    follow(call, show);
    show(`Incoming call from ${call.remoteIdentity}`);
    ring(call);
  });
  show('Registering…');
  try {
    await device.register();
  } catch (error) {
    show(`Registration failed: ${errorText(error)}`);
    await device.destroy();
    throw error;
  }
  show(`Registered as ${options.uri}`);
  return device;
}

/** Places a call and shows how it goes; resolves with the call once it is placed. */
export async function placeCall(device: Device, to: string, show: Show): Promise<Call> {
  try {
    show(`Calling ${to}…`);
    const call = await device.connect({ to });
    follow(call, show);
    return call;
  } catch (error) {
    show(`Cannot call: ${errorText(error)}`);
    throw error;
  }
}

/** A button's action on a call; a rejection is shown (`Cannot answer: media-denied: …`). */
const attempt = (button: string, action: Promise<void>, show: Show): Promise<void> =>
  action.catch((error: unknown) => show(`Cannot ${button}: ${errorText(error)}`));

/** Answer: `call.accept()`. */
export const answer = (call: Call, show: Show): Promise<void> => attempt('answer', call.accept(), show);
/** Decline: `call.reject(603)` (Decline; the default, 486, says Busy Here). */
export const decline = (call: Call, show: Show): Promise<void> => attempt('decline', call.reject(603), show);
/** Hang up: `call.disconnect()` (a BYE, or a CANCEL while our call still rings). */
export const hangUp = (call: Call, show: Show): Promise<void> => attempt('hang up', call.disconnect(), show);
