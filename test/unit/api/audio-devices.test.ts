/**
 * `device.audio` with a stubbed `navigator.mediaDevices`: the lists, the
 * devicechange event, choosing devices for calls (now and to come), and the
 * fall back to the default when a chosen device disappears mid-call.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AudioDeviceLost, Call } from '../../../src/index';
import type { FakeNetwork } from '../../../src/testing';
import type { SoundPlay, SoundPlayer } from '../../../src/sounds/sounds';
import { answeredCall, callEvents, callRemote, expectSDKError, flushUntil, incomingCall, newNetwork, registeredDevice, settle, uriOf, useFakeTime } from './harness';

useFakeTime();

type Kind = 'audioinput' | 'audiooutput' | 'videoinput';
const info = (deviceId: string, kind: Kind, label = deviceId) => ({ deviceId, groupId: `g-${deviceId}`, kind, label, toJSON: () => ({}) });

/** A `navigator.mediaDevices` whose devices the test plugs and unplugs. */
function stubMediaDevices(initial: ReturnType<typeof info>[]) {
  let devices = initial;
  const target = new EventTarget();
  const enumerateDevices = vi.fn(async () => devices.map((d) => ({ ...d })));
  vi.stubGlobal('navigator', {
    mediaDevices: {
      enumerateDevices,
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
    },
  });
  return {
    enumerateDevices,
    listeners: () => target,
    set(next: ReturnType<typeof info>[]) {
      devices = next;
      target.dispatchEvent(new Event('devicechange'));
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const HEADSET = [info('default', 'audioinput'), info('fake-mic-2', 'audioinput', 'Headset mic'), info('default', 'audiooutput'), info('fake-speaker-2', 'audiooutput', 'Headset')];
const BUILT_IN = [info('default', 'audioinput'), info('default', 'audiooutput'), info('cam', 'videoinput')];

const fakeCallOf = (network: FakeNetwork, index = 0) => [...network.userAgents[0]!.calls][index]!;

function recordingPlayer() {
  const playing: SoundPlay[] = [];
  const player: SoundPlayer = {
    play: (request) => {
      playing.push(request);
      return () => playing.splice(playing.indexOf(request), 1);
    },
  };
  return { player, playing };
}

describe('device.audio', () => {
  it('lists microphones and speakers (no cameras) and emits devicechange when they change', async () => {
    const media = stubMediaDevices(BUILT_IN);
    const device = await registeredDevice(newNetwork());
    const changes: string[][] = [];
    device.audio.on('devicechange', ({ inputs, outputs }) => changes.push([...inputs, ...outputs].map((d) => `${d.kind}:${d.deviceId}`)));
    await flushUntil(() => device.audio.inputs.length === 1, 'the first list');
    expect(device.audio.inputs).toEqual([{ deviceId: 'default', groupId: 'g-default', kind: 'audioinput', label: 'default' }]);
    expect(device.audio.outputs.map((d) => d.deviceId)).toEqual(['default']);
    media.set(HEADSET);
    await flushUntil(() => changes.length === 2, 'the devicechange');
    expect(changes[1]).toEqual(['audioinput:default', 'audioinput:fake-mic-2', 'audiooutput:default', 'audiooutput:fake-speaker-2']);
    expect(device.audio.inputs[1]!.label).toBe('Headset mic');
  });

  it('the chosen devices go to the accepted call, and the calls that follow open that microphone from the start', async () => {
    stubMediaDevices(HEADSET);
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    await settle(device.audio.setOutputDevice('fake-speaker-2'), 'setOutputDevice');
    expect(device.audio.inputDevice).toBe('fake-mic-2');
    expect([fakeCallOf(network).inputDeviceId, fakeCallOf(network).outputDeviceId]).toEqual(['fake-mic-2', 'fake-speaker-2']);
    await settle(call.disconnect(), 'disconnect()');

    // Inbound: answer() opens the headset's microphone; nothing is switched afterwards.
    const next = await incomingCall(device, network.remote('carol'));
    const inbound = fakeCallOf(network, 1);
    const switched = vi.spyOn(inbound, 'setInputDevice');
    expect(inbound.inputDeviceId).toBe('default'); // ringing: no microphone open yet
    await settle(next.call.accept(), 'accept()');
    expect(inbound.inputDeviceId).toBe('fake-mic-2');
    await flushUntil(() => inbound.outputDeviceId === 'fake-speaker-2', 'the call on the headset speaker');
    expect(switched).not.toHaveBeenCalled();
    await settle(next.call.disconnect(), 'disconnect()');

    // Outbound: the INVITE is sent with the headset's microphone open, before the far end answers.
    const { call: out, far } = await callRemote(device, network.remote('dave'));
    const outbound = fakeCallOf(network, 2);
    const switchedOut = vi.spyOn(outbound, 'setInputDevice');
    expect([far.state, out.getStatus(), outbound.mediaOpen, outbound.inputDeviceId]).toEqual(['incoming', 'pending', true, 'fake-mic-2']);
    far.answer();
    await flushUntil(() => outbound.outputDeviceId === 'fake-speaker-2', 'the answered call on the headset speaker');
    expect(outbound.inputDeviceId).toBe('fake-mic-2');
    expect(switchedOut).not.toHaveBeenCalled();
  });

  it('the chosen output plays a call from the start (early media, ringing), follows a new choice before the answer, and is not set again once accepted', async () => {
    const media = stubMediaDevices(HEADSET);
    const network = newNetwork({ outputDevices: ['default', 'fake-speaker-2', 'fake-speaker-3'] });
    const device = await registeredDevice(network);
    await settle(device.audio.setOutputDevice('fake-speaker-2'), 'setOutputDevice');

    const { call, far } = await callRemote(device, network.remote('bob'));
    const outbound = fakeCallOf(network);
    const sinks = vi.spyOn(outbound, 'setOutputDevice');
    far.ring({ earlyMedia: true });
    await flushUntil(() => outbound.outputDeviceId === 'fake-speaker-2', 'the early media on the headset');
    expect(call.getStatus()).toBe('ringing');
    far.answer();
    await flushUntil(() => call.getStatus() === 'accepted', 'the call accepted');
    expect(outbound.outputDeviceId).toBe('fake-speaker-2');
    expect(sinks).not.toHaveBeenCalled(); // set before the spy, once
    await settle(call.disconnect(), 'disconnect()');

    // Inbound: on the chosen output while it rings; a new choice moves it at once.
    const ringing = await incomingCall(device, network.remote('carol'));
    const inbound = fakeCallOf(network, 1);
    await flushUntil(() => inbound.outputDeviceId === 'fake-speaker-2', 'the ringing call on the headset');
    media.set([...HEADSET, info('fake-speaker-3', 'audiooutput', 'Desk speaker')]);
    await settle(device.audio.setOutputDevice('fake-speaker-3'), 'setOutputDevice(speaker 3)');
    await flushUntil(() => inbound.outputDeviceId === 'fake-speaker-3', 'the ringing call moved');
    const inboundSinks = vi.spyOn(inbound, 'setOutputDevice');
    await settle(ringing.call.accept(), 'accept()');
    await flushUntil(() => inbound.mediaOpen, 'media');
    expect(inbound.outputDeviceId).toBe('fake-speaker-3');
    expect(inboundSinks).not.toHaveBeenCalled();
  });

  it('the call that follows a REFER opens the chosen microphone for its INVITE too', async () => {
    stubMediaDevices(HEADSET);
    const network = newNetwork();
    const device = await registeredDevice(network);
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    const { far } = await answeredCall(device, network.remote('bob'));
    far.refer(`<${uriOf('carol')}>`);
    await flushUntil(() => network.remote('carol').lastCall?.state === 'incoming', "the referred call's INVITE at carol");
    const referred = fakeCallOf(network, 1);
    expect([referred.mediaOpen, referred.inputDeviceId]).toEqual([true, 'fake-mic-2']);
  });

  it('a microphone chosen while a call rings: an inbound call answers with it; an outbound one (its microphone open already) switches once accepted', async () => {
    stubMediaDevices(HEADSET);
    const network = newNetwork();
    const device = await registeredDevice(network);
    const ringing = await incomingCall(device, network.remote('carol'));
    const inbound = fakeCallOf(network);
    const switched = vi.spyOn(inbound, 'setInputDevice');
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    await settle(ringing.call.accept(), 'accept()');
    expect(inbound.inputDeviceId).toBe('fake-mic-2');
    expect(switched).not.toHaveBeenCalled();
    await settle(ringing.call.disconnect(), 'disconnect()');

    const { call } = await callRemote(device, network.remote('bob'));
    const outbound = fakeCallOf(network, 1);
    expect(outbound.inputDeviceId).toBe('fake-mic-2');
    await settle(device.audio.setInputDevice('default'), 'setInputDevice(default)');
    network.remote('bob').lastCall!.answer();
    await flushUntil(() => call.getStatus() === 'accepted', 'the call accepted');
    await flushUntil(() => outbound.inputDeviceId === 'default', 'the call back on the default microphone');
  });

  it("an app's call.removeAllListeners() does not take away the switch to a microphone chosen while the call rang", async () => {
    stubMediaDevices(HEADSET);
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await callRemote(device, network.remote('bob'));
    const outbound = fakeCallOf(network);
    call.removeAllListeners();
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    network.remote('bob').lastCall!.answer();
    await flushUntil(() => call.getStatus() === 'accepted', 'the call accepted');
    await flushUntil(() => outbound.inputDeviceId === 'fake-mic-2', 'the call on the chosen microphone');
  });

  it('a chosen headset unplugged while a call rings: the call answers on the default microphone', async () => {
    const media = stubMediaDevices(HEADSET);
    const network = newNetwork();
    const device = await registeredDevice(network);
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    const ringing = await incomingCall(device, network.remote('carol'));
    const lost: AudioDeviceLost[] = [];
    device.audio.on('device-lost', (event) => lost.push(event));
    // Gone from the browser and from what getUserMedia finds.
    network.inputDevices.splice(network.inputDevices.indexOf('fake-mic-2'), 1);
    media.set(BUILT_IN);
    await flushUntil(() => lost.length === 1, 'device-lost');
    const events = callEvents(ringing.call);
    await settle(ringing.call.accept(), 'accept()');
    expect(fakeCallOf(network).inputDeviceId).toBe('default');
    expect(events).toEqual(['accepted']);
  });

  it('a chosen microphone gone when a call opens it: that call fails device-not-found (the device asked for is not swapped for another)', async () => {
    stubMediaDevices(HEADSET);
    // The browser still lists the headset, but getUserMedia no longer finds it (unplugged a moment ago).
    const network = newNetwork({ inputDevices: ['default'] });
    const device = await registeredDevice(network);
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    // The socket is open, so connect() resolves without fake time passing: no event is missed.
    const call = await device.connect({ to: 'bob' });
    const events = callEvents(call);
    await flushUntil(() => events.includes('disconnect:failed'), 'the call failed');
    expect(events).toEqual(['error:device-not-found', 'disconnect:failed']);
    expect(network.remote('bob').calls).toHaveLength(0);

    const ringing = await incomingCall(device, network.remote('carol'));
    const inboundEvents = callEvents(ringing.call);
    let answered: unknown;
    void ringing.call.accept().then(
      () => (answered = 'resolved'),
      (error: unknown) => (answered = error),
    );
    await flushUntil(() => answered !== undefined, 'accept() to settle');
    expectSDKError(answered, 'device-not-found');
    await flushUntil(() => ringing.far.state === 'ended', 'the caller told');
    expect(ringing.far.endedBy).toBe('reject');
    await flushUntil(() => inboundEvents.includes('disconnect:failed'), 'the call failed');
    expect(inboundEvents).toEqual(['error:device-not-found', 'disconnect:failed']);
    expect(ringing.call.getStatus()).toBe('failed');
  });

  it('a device the browser does not list is device-not-found; a bad id invalid-argument; nothing changes', async () => {
    stubMediaDevices(BUILT_IN);
    const device = await registeredDevice(newNetwork());
    expectSDKError(await device.audio.setInputDevice('fake-mic-2').catch((e: unknown) => e), 'device-not-found');
    expectSDKError(await device.audio.setOutputDevice('').catch((e: unknown) => e), 'invalid-argument');
    expectSDKError(await device.audio.setRingtoneDevice('nope').catch((e: unknown) => e), 'device-not-found');
    expect([device.audio.inputDevice, device.audio.outputDevice, device.audio.ringtoneDevice]).toEqual(['default', 'default', 'default']);
  });

  it('a chosen headset unplugged mid-call: the call falls back to the default devices, with device-lost', async () => {
    const media = stubMediaDevices(HEADSET);
    const network = newNetwork();
    const rec = recordingPlayer();
    const device = await registeredDevice(network, 'alice', { sounds: { player: rec.player } });
    const { call } = await answeredCall(device, network.remote('bob'));
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    await settle(device.audio.setOutputDevice('fake-speaker-2'), 'setOutputDevice');
    await settle(device.audio.setRingtoneDevice('fake-speaker-2'), 'setRingtoneDevice');
    const lost: AudioDeviceLost[] = [];
    device.audio.on('device-lost', (event) => lost.push(event));
    media.set(BUILT_IN);
    await flushUntil(() => lost.length === 3, 'device-lost for all three');
    expect(lost).toEqual([
      { kind: 'input', deviceId: 'fake-mic-2' },
      { kind: 'output', deviceId: 'fake-speaker-2' },
      { kind: 'ringtone', deviceId: 'fake-speaker-2' },
    ]);
    await flushUntil(() => fakeCallOf(network).inputDeviceId === 'default', 'the call back on the default microphone');
    expect(fakeCallOf(network).outputDeviceId).toBe('default');
    expect([device.audio.inputDevice, device.audio.outputDevice, device.audio.ringtoneDevice]).toEqual(['default', 'default', 'default']);
    // The call's own sounds and the next ringtone play on the default output.
    await settle(call.disconnect(), 'disconnect()');
    await incomingCall(device, network.remote('carol'));
    expect(rec.playing).toEqual([{ sound: 'disconnect' }, { sound: 'ringtone' }]);
  });

  it('labels and ids hidden before permission (empty ids) are no reason to fall back', async () => {
    const media = stubMediaDevices(HEADSET);
    const device = await registeredDevice(newNetwork());
    await settle(device.audio.setInputDevice('fake-mic-2'), 'setInputDevice');
    const lost: AudioDeviceLost[] = [];
    device.audio.on('device-lost', (event) => lost.push(event));
    media.set([info('', 'audioinput', ''), info('', 'audiooutput', '')]);
    await flushUntil(() => device.audio.inputs[0]?.deviceId === '', 'the hidden list');
    expect(lost).toEqual([]);
    expect(device.audio.inputDevice).toBe('fake-mic-2');
  });

  it('the ringtone rings on its own output; sounds switch on and off at run time', async () => {
    stubMediaDevices(HEADSET);
    const network = newNetwork();
    const rec = recordingPlayer();
    const device = await registeredDevice(network, 'alice', { sounds: { player: rec.player, ringtone: false } });
    await settle(device.audio.setRingtoneDevice('fake-speaker-2'), 'setRingtoneDevice');
    const { call } = await incomingCall(device, network.remote('bob'));
    expect(rec.playing).toEqual([]);
    device.audio.setSound('ringtone', true);
    expect(rec.playing).toEqual([{ sound: 'ringtone', sinkId: 'fake-speaker-2' }]);
    expect(device.audio.sound('ringtone')).toBe(true);
    device.audio.setSound('ringtone', false);
    expect(rec.playing).toEqual([]);
    device.audio.setSound('ringtone', 'https://cdn.example.com/ring.ogg');
    expect(rec.playing).toEqual([{ sound: 'ringtone', url: 'https://cdn.example.com/ring.ogg', sinkId: 'fake-speaker-2' }]);
    await settle(call.reject(), 'reject()');
    expect(rec.playing).toEqual([]);
    expect(() => device.audio.setSound('beep' as never, true)).toThrow(/No sound named/);
    // @ts-expect-error: the type refuses a URL for the keypad tones as the code does
    expect(() => device.audio.setSound('dtmf', 'https://x.example/dtmf.mp3')).toThrow(/sounds.dtmf/);
  });

  it("a call's own sounds (ringback, keypad, disconnect) play on the calls' chosen output; the ringtone on its own", async () => {
    stubMediaDevices(HEADSET);
    const network = newNetwork();
    const rec = recordingPlayer();
    const played: unknown[] = [];
    const player: SoundPlayer = { play: (request) => (played.push(request), rec.player.play(request)) };
    const device = await registeredDevice(network, 'alice', { sounds: { player } });
    const { call, far } = await callRemote(device, network.remote('bob'));
    far.ring();
    await flushUntil(() => rec.playing.length === 1, 'the ringback');
    expect(rec.playing).toEqual([{ sound: 'ringback' }]);
    // Chosen while it rings: the ringback goes on in the headset.
    await settle(device.audio.setOutputDevice('fake-speaker-2'), 'setOutputDevice');
    expect(rec.playing).toEqual([{ sound: 'ringback', sinkId: 'fake-speaker-2' }]);
    far.answer();
    await flushUntil(() => call.getStatus() === 'accepted', 'the call accepted');
    expect(rec.playing).toEqual([]);
    await settle(call.sendDigits('1'), 'sendDigits');
    await settle(call.disconnect(), 'disconnect()');
    expect(played.slice(-2)).toEqual([
      { sound: 'dtmf', digits: '1', durationMs: 100, gapMs: 70, sinkId: 'fake-speaker-2' },
      { sound: 'disconnect', sinkId: 'fake-speaker-2' },
    ]);
    // The ringtone keeps its own output (the default here).
    await incomingCall(device, network.remote('carol'));
    expect(played.at(-1)).toEqual({ sound: 'ringtone' });
  });

  it('the call-waiting tone follows an output chosen while it sounds', async () => {
    stubMediaDevices(HEADSET);
    const network = newNetwork();
    const rec = recordingPlayer();
    const device = await registeredDevice(network, 'alice', { sounds: { player: rec.player } });
    await answeredCall(device, network.remote('bob'));
    await incomingCall(device, network.remote('carol'));
    expect(rec.playing).toEqual([{ sound: 'callWaiting' }]);
    await settle(device.audio.setOutputDevice('fake-speaker-2'), 'setOutputDevice');
    expect(rec.playing).toEqual([{ sound: 'callWaiting', sinkId: 'fake-speaker-2' }]);
  });

  it('destroy() stops listening for devicechange', async () => {
    const media = stubMediaDevices(HEADSET);
    const device = await registeredDevice(newNetwork());
    await flushUntil(() => device.audio.inputs.length === 2, 'the list');
    const calls = media.enumerateDevices.mock.calls.length;
    await settle(device.destroy(), 'destroy()');
    media.set(BUILT_IN);
    await vi.advanceTimersByTimeAsync(10);
    expect(media.enumerateDevices.mock.calls.length).toBe(calls);
  });

  it('without mediaDevices (Node) the lists are empty and the default works', async () => {
    vi.stubGlobal('navigator', {});
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call }: { call: Call } = await answeredCall(device, network.remote('bob'));
    expect(await device.audio.refresh()).toEqual({ inputs: [], outputs: [] });
    await settle(device.audio.setInputDevice('default'), 'setInputDevice(default)');
    expect(call.getStatus()).toBe('accepted');
  });
});
