/** The page's call code, run on the fake network instead of a SIP server. */
import { expect, it } from 'vitest';
import { createFakeNetwork } from 'callchart/testing';
import { placeCall, startPhone } from '../src/phone';

it('places a call that rings, is answered and ends when the far end hangs up', async () => {
  const network = createFakeNetwork({ domain: 'example.com', users: { alice: 'pw' } });
  const bob = network.remote('bob');
  const shown: string[] = [];
  const show = (status: string): void => void shown.push(status);

  const device = await startPhone({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', password: 'pw', adapter: network.adapter }, show);
  const call = await placeCall(device, 'bob', show);
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
  await device.destroy();
  expect(network.openMediaCount).toBe(0);
});

it('shows why a call cannot be placed', async () => {
  const network = createFakeNetwork({ domain: 'example.com' });
  const shown: string[] = [];
  const device = await startPhone({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', adapter: network.adapter }, (s) => void shown.push(s));
  await expect(placeCall(device, 'not a number\r\n', (s) => void shown.push(s))).rejects.toMatchObject({ code: 'invalid-argument' });
  expect(shown.at(-1)).toBe('Cannot call: invalid-argument');
  await device.destroy();
});
