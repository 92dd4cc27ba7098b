/**
 * The call panel, tested with `callchart/testing`: a real Device on the fake
 * network, far ends scripted by the test. The call's times come from the SDK
 * (`getTimer()`, the `timer` event): with fake timers the test moves the
 * clock and reads them; with real timers it waits for a `timer` event.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Device, VoiceSDKError, type Call, type CallTimer } from 'callchart';
import { createFakeNetwork, type FakeNetwork } from 'callchart/testing';
import { CallPanel, timerText } from '../src/call-panel';

let network: FakeNetwork;
let device: Device;
let panel: CallPanel;

/** A registered Device on a fresh fake network, and the panel over it. */
async function start(): Promise<void> {
  network = createFakeNetwork({ domain: 'example.com', users: { alice: 'pw' } });
  device = new Device({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', password: 'pw', adapter: network.adapter });
  panel = new CallPanel(device);
  await device.register();
}

/** The next call the device surfaces as `incoming`. */
const nextIncoming = (): Promise<Call> => new Promise((resolve) => device.once('incoming', resolve));

afterEach(async () => {
  await device.destroy();
  expect(network.openMediaCount).toBe(0);
  vi.useRealTimers();
});

describe('with fake timers', () => {
  beforeEach(async () => {
    vi.useFakeTimers();
    await start();
  });

  it('shows an incoming call, answers it, shows the talking time of the SDK and ends with the far end', async () => {
    const incoming = nextIncoming();
    const far = network.remote('+15551234567').call('sip:alice@example.com');
    await network.flush();
    const call = await incoming;
    expect(panel.view.title).toBe('Incoming call from +15551234567');
    expect(panel.view.buttons).toEqual(['answer', 'decline']);

    await panel.answer();
    expect(panel.view.title).toBe('In call with +15551234567');
    expect(panel.view.timer).toBe('00:00');
    await vi.advanceTimersByTimeAsync(65_000);
    expect(panel.view.timer).toBe('01:05');
    expect(panel.render()).toContain('<time>01:05</time><button>hold</button><button>hang up</button>');

    // No `timer` events after stopTimer(): the panel, which keeps no clock, stays put while the call's time goes on.
    call.stopTimer();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(panel.view.timer).toBe('01:05');
    expect(call.getTimer().talkingMs).toBe(75_000);

    far.hangup();
    await network.flush();
    expect(panel.view.title).toBe('Call ended (remote-hangup)');
    expect(panel.view.buttons).toEqual([]);
    // At the end the panel shows the call's frozen getTimer().
    expect(panel.view.timer).toBe('01:15');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(panel.view.timer).toBe('01:15');
  });

  it('places a call, holds and resumes it with the on-hold time, and says when the far end refuses the hold', async () => {
    const bob = network.remote('bob');
    panel.show(await device.connect({ to: 'bob' }));
    expect(panel.view.title).toBe('Calling sip:bob@example.com…');
    const far = await bob.nextCall();
    far.ring();
    expect(panel.view.title).toBe('Ringing sip:bob@example.com…');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(panel.view.timer).toBe('');
    far.answer();
    await network.flush();
    expect(panel.view.buttons).toEqual(['hold', 'hang up']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(panel.view.timer).toBe('00:05');

    await panel.toggleHold();
    expect(panel.view.title).toBe('On hold with sip:bob@example.com');
    expect(panel.view.buttons).toEqual(['resume', 'hang up']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(panel.view.timer).toBe('00:05 · on hold 00:10');
    await panel.toggleHold();
    expect(panel.view.title).toBe('In call with sip:bob@example.com');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(panel.view.timer).toBe('00:08 · on hold 00:10');

    network.failNextReinvite(488);
    await panel.toggleHold();
    expect(panel.view.alert).toMatch(/^Hold failed: sip-error: \S/);
    expect(panel.render()).toContain(`<p role="alert">${panel.view.alert}</p>`);

    await panel.hangUp();
    expect(panel.view.title).toBe('Call ended (local-hangup)');
    expect(far.state).toBe('ended');
  });

  it('declines an incoming call with 603 and shows how long it rang', async () => {
    const far = network.remote('carol').call('sip:alice@example.com');
    await network.flush();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(panel.view.timer).toBe('');
    await panel.decline();
    await network.flush();
    expect(panel.view.title).toBe('Call ended (rejected)');
    expect(panel.view.timer).toBe('rang 00:03');
    expect(far.state).toBe('ended');
    expect(far.endedBy).toBe('reject');
  });

  it('shows why an answer failed as code: message', async () => {
    network.remote('dave').call('sip:alice@example.com');
    await network.flush();
    network.failNextAccept(new VoiceSDKError('media-failed', 'No microphone here'));
    await panel.answer();
    expect(panel.view.alert).toBe('Answer failed: media-failed: No microphone here');
  });
});

describe('with real timers', () => {
  beforeEach(start);

  it('shows the talking time of the call’s first timer event', async () => {
    const incoming = nextIncoming();
    network.remote('erin').call('sip:alice@example.com');
    await network.flush();
    const call = await incoming;
    await panel.answer();
    const timer = await new Promise<CallTimer>((resolve) => call.once('timer', resolve));
    expect(timer.talkingMs).toBeGreaterThan(0);
    expect(panel.view.timer).toBe(timerText(timer));
    await panel.hangUp();
    expect(panel.view.title).toBe('Call ended (local-hangup)');
  });
});
