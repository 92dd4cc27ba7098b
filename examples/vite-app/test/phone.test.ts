/** The page's call code, run on the fake network instead of a SIP server. */
import { afterEach, expect, it } from 'vitest';
import { VoiceSDKError, isVoiceSDKError, type Call, type Device } from 'callchart';
import { createFakeNetwork, type FakeNetwork } from 'callchart/testing';
import { answer, decline, hangUp, placeCall, startPhone } from '../src/phone';

let network: FakeNetwork;
let device: Device | undefined;
/** What the page showed, line after line. */
let shown: string[];
const show = (status: string): void => void shown.push(status);
/** The calls handed to the page's Answer / Decline. */
let rung: Call[];
const ring = (call: Call): void => void rung.push(call);

/** alice's phone, registered on a fresh fake network. */
async function start(password = 'pw'): Promise<Device> {
  network = createFakeNetwork({ domain: 'example.com', users: { alice: 'pw' } });
  shown = [];
  rung = [];
  device = await startPhone({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', password, adapter: network.adapter }, show, ring);
  return device;
}

afterEach(async () => {
  await device?.destroy();
  device = undefined;
  expect(network.openMediaCount).toBe(0);
});

it('places a call that rings, is answered and ends when the far end hangs up', async () => {
  const phone = await start();
  const bob = network.remote('bob');
  const call = await placeCall(phone, 'bob', show);
  const far = await bob.nextCall();
  far.ring();
  far.answer();
  far.hangup();
  await network.flush();

  expect(shown).toEqual([
    'Registering…',
    'Registered as sip:alice@example.com',
    'Calling bob…',
    'Ringing sip:bob@example.com…',
    'In call with sip:bob@example.com',
    'Call ended: remote-hangup',
  ]);
  expect(call.getStatus()).toBe('disconnected');
});

it('answers an incoming call and hangs it up', async () => {
  await start();
  const far = network.remote('+15551234567').call('sip:alice@example.com');
  await network.flush();
  expect(shown.at(-1)).toBe('Incoming call from +15551234567');
  expect(rung).toHaveLength(1);

  await answer(rung[0]!, show);
  expect(shown.at(-1)).toBe('In call with +15551234567');
  expect(far.state).toBe('answered');
  await hangUp(rung[0]!, show);
  expect(shown.at(-1)).toBe('Call ended: local-hangup');
  expect(far.endedBy).toBe('remote-bye');
});

it('declines an incoming call with 603', async () => {
  await start();
  const far = network.remote('carol').call('sip:alice@example.com');
  await network.flush();
  const ended = new Promise<number | undefined>((resolve) => rung[0]!.once('disconnect', ({ status }) => resolve(status)));
  await decline(rung[0]!, show);
  expect(await ended).toBe(603);
  expect(shown.at(-1)).toBe('Call ended: rejected');
  expect(far.endedBy).toBe('reject');
});

it('shows why a button failed as code: message', async () => {
  await start();
  network.remote('dave').call('sip:alice@example.com');
  await network.flush();
  network.failNextAccept(new VoiceSDKError('media-failed', 'No microphone here'));
  await answer(rung[0]!, show);
  expect(shown).toContain('Cannot answer: media-failed: No microphone here');
  await network.flush();
  // The call is over: hanging it up again says so.
  await hangUp(rung[0]!, show);
  expect(shown.at(-1)).toMatch(/^Cannot hang up: invalid-state: \S/);
});

it('shows why a call failed and why one cannot be placed', async () => {
  await start();
  network.failNextInvite(404);
  await placeCall(device!, 'nobody', show);
  await network.flush();
  expect(shown.at(-1)).toMatch(/^Call ended: failed \(not-found: \S.*\)$/);

  const error = await placeCall(device!, 'not a number\r\n', show).catch((e: unknown) => e);
  if (!isVoiceSDKError(error)) throw new Error(`placeCall rejected with ${String(error)}`);
  expect(error.code).toBe('invalid-argument');
  expect(shown.at(-1)).toBe(`Cannot call: invalid-argument: ${error.message}`);
});

it('shows why registration failed and leaves no device behind', async () => {
  const error = await start('wrong').catch((e: unknown) => e);
  if (!isVoiceSDKError(error)) throw new Error(`startPhone rejected with ${String(error)}`);
  expect(error.code).toBe('auth-failed');
  expect(shown.at(-1)).toBe(`Registration failed: auth-failed: ${error.message}`);
  expect(network.isRegistered('sip:alice@example.com')).toBe(false);
});
