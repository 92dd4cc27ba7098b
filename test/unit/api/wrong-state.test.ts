/**
 * A method called in a state where it makes no sense is refused with
 * `invalid-state`, and it changes nothing.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Call } from '../../../src/index';
import { drainMicrotasks } from '../../model/world';
import {
  answeredCall,
  callRemote,
  callView,
  deviceView,
  expectSDKError,
  incomingCall,
  letTimePass,
  newDevice,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  settled,
  thrown,
  uriOf,
  useFakeTime,
} from './harness';

useFakeTime();

/** Every call method that needs an accepted call, as a function that returns the refusal. */
const NEEDS_ACCEPTED: Array<[string, (call: Call) => Promise<unknown>]> = [
  ['mute()', async (call) => thrown(() => call.mute())],
  ['mute(false)', async (call) => thrown(() => call.mute(false))],
  ['hold()', (call) => rejection(call.hold())],
  ['hold(false)', (call) => rejection(call.hold(false))],
  ["sendDigits('1')", (call) => rejection(call.sendDigits('1'))],
  ["setInputDevice('fake-mic-2')", (call) => rejection(call.setInputDevice('fake-mic-2'))],
  ["setOutputDevice('fake-speaker-2')", (call) => rejection(call.setOutputDevice('fake-speaker-2'))],
  ['startRecording()', async (call) => thrown(() => call.startRecording())],
  ['pauseRecording()', async (call) => thrown(() => call.pauseRecording())],
  ['resumeRecording()', async (call) => thrown(() => call.resumeRecording())],
  ['stopRecording()', (call) => rejection(call.stopRecording())],
];

describe('before the call is accepted', () => {
  it.each(NEEDS_ACCEPTED)('%s on an outbound call that is still pending is refused with invalid-state', async (_name, act) => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const before = { call: callView(call, far), device: deviceView(device, network) };

    const error = await act(call);

    expectSDKError(error, 'invalid-state', /\(call is pending\)/);
    await letTimePass();
    expect({ call: callView(call, far), device: deviceView(device, network) }).toEqual(before);
    expect(far.digits).toEqual([]);
  });

  it.each(NEEDS_ACCEPTED)('%s on an outbound call that is ringing is refused with invalid-state', async (_name, act) => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    far.ring();
    const before = callView(call, far);

    expectSDKError(await act(call), 'invalid-state', /\(call is ringing\)/);
    expect(callView(call, far)).toEqual(before);
    expect(call.getStatus()).toBe('ringing');
  });

  it.each(NEEDS_ACCEPTED)('%s on an incoming call not yet answered is refused with invalid-state', async (_name, act) => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    const before = callView(call, far);

    expectSDKError(await act(call), 'invalid-state');
    await letTimePass();
    expect(callView(call, far)).toEqual(before);
    expect(far.state).toBe('outgoing');
  });
});

describe('after the call ended', () => {
  it.each([...NEEDS_ACCEPTED, ['disconnect()', (call: Call) => rejection(call.disconnect())] as const])(
    '%s on a disconnected call is refused with invalid-state',
    async (_name, act) => {
      const network = newNetwork();
      const device = await registeredDevice(network);
      const { call, far } = await answeredCall(device, network.remote('bob'));
      await settle(call.disconnect(), 'disconnect()');
      const before = { call: callView(call, far), device: deviceView(device, network) };

      expectSDKError(await act(call), 'invalid-state', /\(call is disconnected\)/);

      await letTimePass();
      expect({ call: callView(call, far), device: deviceView(device, network) }).toEqual(before);
    },
  );

  it('accept() on an incoming call the caller canceled is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    far.cancel();
    expect(call.getStatus()).toBe('disconnected');

    expectSDKError(await rejection(call.accept()), 'invalid-state');
    expect(network.openMediaCount).toBe(0);
  });

  it('accept() after reject() is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await incomingCall(device, network.remote('carol'));
    await settle(call.reject(), 'reject()');

    expectSDKError(await rejection(call.accept()), 'invalid-state');
    expect(call.getStatus()).toBe('disconnected');
  });
});

describe('accept() and reject() are for incoming calls', () => {
  it('accept() on an outbound call is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const before = callView(call, far);

    expectSDKError(await rejection(call.accept()), 'invalid-state', /accept\(\) is for inbound calls/);

    await letTimePass();
    expect(callView(call, far)).toEqual(before);
    expect(far.state).toBe('incoming');
  });

  it('reject() on an outbound call is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, network.remote('bob'));
    const before = callView(call, far);

    expectSDKError(await rejection(call.reject(603)), 'invalid-state', /reject\(\) is for inbound calls/);

    await letTimePass();
    expect(callView(call, far)).toEqual(before);
    expect(far.endedBy).toBeUndefined();
  });

  it('accept() while the first accept() is still setting up media is refused, and the first one completes', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    const first = settled(call.accept());
    const second = settled(call.accept());
    await drainMicrotasks();

    expect(second.outcome()).toBe('rejected');
    expectSDKError(second.error, 'invalid-state');
    expect(first.outcome()).toBe('pending');
    expect(call.getStatus()).toBe('pending');
    await settle(first.promise, 'the first accept()');
    expect(call.getStatus()).toBe('accepted');
    expect(far.state).toBe('answered');
  });

  it('accept() on a call already accepted is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    await settle(call.accept(), 'accept()');
    const before = callView(call, far);

    expectSDKError(await rejection(call.accept()), 'invalid-state', /\(call is accepted\)/);
    expect(callView(call, far)).toEqual(before);
  });

  it('reject() on a call already accepted is refused with invalid-state and the call stays up', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    await settle(call.accept(), 'accept()');

    expectSDKError(await rejection(call.reject()), 'invalid-state');

    await letTimePass();
    expect(call.getStatus()).toBe('accepted');
    expect(far.state).toBe('answered');
  });
});

describe('recording in the wrong state', () => {
  it('pauseRecording() when not recording is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    expectSDKError(thrown(() => call.pauseRecording()), 'invalid-state', /pauseRecording\(\) needs a running recording/);
    expect(call.isRecording()).toBe(false);
    expect(network.activeRecorders).toBe(0);
  });

  it('resumeRecording() on a recording that is not paused is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    call.startRecording();
    expectSDKError(thrown(() => call.resumeRecording()), 'invalid-state');
    expect(call.isRecording()).toBe(true);
  });

  it('stopRecording() when nothing is recording is refused with invalid-state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    expectSDKError(await rejection(call.stopRecording()), 'invalid-state', /stopRecording\(\) needs a recording in progress/);
    expect(call.isRecording()).toBe(false);
  });

  it('startRecording() while already recording is refused with invalid-state and the recording goes on', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    call.startRecording();
    expectSDKError(thrown(() => call.startRecording()), 'invalid-state');
    expect(call.isRecording()).toBe(true);
    expect(network.activeRecorders).toBe(1);
  });
});

describe('the device in the wrong state', () => {
  it.each([
    ['register()', (device: ReturnType<typeof newDevice>) => device.register()],
    ['unregister()', (device: ReturnType<typeof newDevice>) => device.unregister()],
    ['connectTransport()', (device: ReturnType<typeof newDevice>) => device.connectTransport()],
    ["connect({ to: 'bob' })", (device: ReturnType<typeof newDevice>) => device.connect({ to: 'bob' })],
  ])('%s after destroy() is refused with invalid-state', async (_name, act) => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    await settle(device.destroy(), 'destroy()');
    const before = deviceView(device, network);

    expectSDKError(await rejection(act(device)), 'invalid-state', /destroyed/);

    await letTimePass();
    expect(deviceView(device, network)).toEqual(before);
    expect(device.state).toBe('destroyed');
    expect(remote.calls).toHaveLength(0);
    expect(network.isRegistered(uriOf('alice'))).toBe(false);
  });

  it('unregister() while registering is refused with invalid-state, and the registration completes', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const registering = settled(device.register());
    expect(device.state).toBe('registering');

    expectSDKError(await rejection(device.unregister()), 'invalid-state', /unregister\(\) while registering/);

    await settle(registering.promise, 'the registration');
    expect(device.state).toBe('registered');
    expect(network.isRegistered(uriOf('alice'))).toBe(true);
  });

  it('register() while unregistering is refused with invalid-state, and the unregistration completes', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const unregistering = settled(device.unregister());
    expect(device.state).toBe('unregistering');

    expectSDKError(await rejection(device.register()), 'invalid-state', /register\(\) while unregistering/);

    await settle(unregistering.promise, 'the unregistration');
    expect(device.state).toBe('unregistered');
    expect(network.isRegistered(uriOf('alice'))).toBe(false);
  });

  it('register() on a registered device resolves at once without another REGISTER', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const count = network.registerCount(uriOf('alice'));
    await device.register();
    expect(network.registerCount(uriOf('alice'))).toBe(count);
  });

  it('unregister() on a device that never registered resolves at once without a REGISTER', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    await device.unregister();
    expect(network.registerCount(uriOf('alice'))).toBe(0);
    expect(device.transportState).toBe('disconnected');
  });
});
