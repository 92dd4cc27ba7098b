/**
 * The call panel, tested with `callchart/testing`: a real Device on the fake
 * network, far ends scripted by the test, fake timers for the call clock.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Device } from 'callchart';
import { createFakeNetwork, type FakeNetwork } from 'callchart/testing';
import { CallPanel } from '../src/call-panel';

let network: FakeNetwork;
let device: Device;
let panel: CallPanel;

beforeEach(async () => {
  vi.useFakeTimers();
  network = createFakeNetwork({ domain: 'example.com', users: { alice: 'pw' } });
  device = new Device({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', password: 'pw', adapter: network.adapter });
  panel = new CallPanel(device);
  await device.register();
});

afterEach(async () => {
  await device.destroy();
  expect(network.openMediaCount).toBe(0);
  vi.useRealTimers();
});

it('shows an incoming call, answers it, counts the seconds and ends with the far end', async () => {
  const caller = network.remote('+15551234567');
  const far = caller.call('sip:alice@example.com');
  await network.flush();
  expect(panel.view.title).toBe('Incoming call from +15551234567');
  expect(panel.view.buttons).toEqual(['answer', 'decline']);

  await panel.answer();
  expect(panel.view.title).toBe('In call with +15551234567');
  await vi.advanceTimersByTimeAsync(65_000);
  expect(panel.view.timer).toBe('01:05');
  expect(panel.render()).toContain('<time>01:05</time><button>hold</button><button>hang up</button>');

  far.hangup();
  await network.flush();
  expect(panel.view.title).toBe('Call ended (remote-hangup)');
  expect(panel.view.buttons).toEqual([]);
});

it('places a call, holds and resumes it, and says when the far end refuses the hold', async () => {
  const bob = network.remote('bob');
  panel.show(await device.connect({ to: 'bob' }));
  expect(panel.view.title).toBe('Calling sip:bob@example.com…');
  const far = await bob.nextCall();
  far.ring();
  expect(panel.view.title).toBe('Ringing sip:bob@example.com…');
  far.answer();
  await network.flush();
  expect(panel.view.buttons).toEqual(['hold', 'hang up']);

  await panel.toggleHold();
  expect(panel.view.title).toBe('On hold with sip:bob@example.com');
  expect(panel.view.buttons).toEqual(['resume', 'hang up']);
  await panel.toggleHold();
  expect(panel.view.title).toBe('In call with sip:bob@example.com');

  network.failNextReinvite(488);
  await panel.toggleHold();
  expect(panel.view.alert).toBe('Hold failed (sip-error)');
  expect(panel.render()).toContain('<p role="alert">Hold failed (sip-error)</p>');

  await panel.hangUp();
  expect(panel.view.title).toBe('Call ended (local-hangup)');
  expect(far.state).toBe('ended');
});

it('declines an incoming call with 603', async () => {
  const far = network.remote('carol').call('sip:alice@example.com');
  await network.flush();
  await panel.decline();
  await network.flush();
  expect(panel.view.title).toBe('Call ended (rejected)');
  expect(far.state).toBe('ended');
  expect(far.endedBy).toBe('reject');
});
