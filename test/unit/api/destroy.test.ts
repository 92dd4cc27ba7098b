/**
 * `device.destroy()`: every call ended, media released, registration gone,
 * no timer left behind.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  answeredCall,
  callEvents,
  callRemote,
  deviceEvents,
  incomingCall,
  newDevice,
  newNetwork,
  registeredDevice,
  settle,
  settled,
  uriOf,
  useFakeTime,
} from './harness';

useFakeTime();

describe('destroy()', () => {
  it("ends every call with reason 'device-destroyed', releases all media and leaves no timer", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call: answered, far: answeredFar } = await answeredCall(device, network.remote('bob'));
    answered.startRecording();
    const { call: ringing, far: ringingFar } = await callRemote(device, network.remote('dave'));
    ringingFar.ring();
    const { call: incoming, far: incomingFar } = await incomingCall(device, network.remote('carol'));
    const events = [answered, ringing, incoming].map((call) => callEvents(call));
    expect(network.openMediaCount).toBeGreaterThan(0);
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    await settle(device.destroy(), 'destroy()');

    expect(events).toEqual([['disconnect:device-destroyed'], ['disconnect:device-destroyed'], ['disconnect:device-destroyed']]);
    expect(network.openMediaCount).toBe(0);
    expect(network.activeRecorders).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(device.calls).toEqual([]);
    expect(device.state).toBe('destroyed');
    expect(network.isRegistered(uriOf('alice'))).toBe(false);
    // The far ends were told: BYE for the answered call, CANCEL for the ringing one, a final answer for the incoming one.
    expect(answeredFar.endedBy).toBe('remote-bye');
    expect(ringingFar.endedBy).toBe('cancel');
    expect(incomingFar.state).toBe('ended');
  });

  it("emits 'destroyed' once and is idempotent", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const events = deviceEvents(device);

    await settle(device.destroy(), 'destroy()');
    await device.destroy();

    expect(events.filter((e) => e === 'destroyed')).toEqual(['destroyed']);
    expect(device.state).toBe('destroyed');
  });

  it('two destroy() calls at once both resolve', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);

    const first = settled(device.destroy());
    const second = settled(device.destroy());
    await settle(Promise.all([first.promise, second.promise]), 'both destroy()');

    expect(first.outcome()).toBe('resolved');
    expect(second.outcome()).toBe('resolved');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a device that never connected is destroyed without a timer left', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    await settle(device.destroy(), 'destroy()');
    expect(device.state).toBe('destroyed');
    expect(device.transportState).toBe('disconnected');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a register() in flight is rejected with invalid-state when the device is destroyed', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const registering = settled(device.register());

    await settle(device.destroy(), 'destroy()');
    await settle(registering.promise.catch(() => undefined), 'the register() promise');

    expect(registering.outcome()).toBe('rejected');
    expect((registering.error as { code?: string }).code).toBe('invalid-state');
    expect(network.isRegistered(uriOf('alice'))).toBe(false);
  });

  it('destroying during a reconnect backoff stops the reconnect', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    network.dropTransport(uriOf('alice'));
    expect(device.transportState).toBe('reconnecting');

    await settle(device.destroy(), 'destroy()');
    await vi.advanceTimersByTimeAsync(60_000);

    expect(vi.getTimerCount()).toBe(0);
    expect(network.isRegistered(uriOf('alice'))).toBe(false);
    expect(network.userAgents[0]!.connected).toBe(false);
  });

  it('a failing shutdown (the socket closes under the un-REGISTER) still ends in destroyed', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    network.failNextDispose();
    await settle(device.destroy(), 'destroy()');
    expect(device.state).toBe('destroyed');
    expect(vi.getTimerCount()).toBe(0);
  });
});
