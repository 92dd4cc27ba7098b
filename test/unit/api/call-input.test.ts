/**
 * Call methods refuse bad input with `invalid-argument` and change nothing:
 * not the call's state, not what the far end received.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Call, Device } from '../../../src/index';
import type { FakeNetwork, RemoteCall } from '../../../src/testing';
import {
  answeredCall,
  callView,
  deviceView,
  expectSDKError,
  incomingCall,
  letTimePass,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  thrown,
  useFakeTime,
} from './harness';

useFakeTime();

interface Answered {
  network: FakeNetwork;
  device: Device;
  call: Call;
  far: RemoteCall;
}

async function answered(): Promise<Answered> {
  const network = newNetwork();
  const device = await registeredDevice(network);
  const { call, far } = await answeredCall(device, network.remote('bob'));
  return { network, device, call, far };
}

/** Runs `refuse`, then checks that neither the call, the device nor the far end changed. */
async function expectRefusedWithoutChange(world: Answered, refuse: () => Promise<unknown>, message: RegExp): Promise<void> {
  const call = callView(world.call, world.far);
  const device = deviceView(world.device, world.network);
  const events: string[] = [];
  world.call.on('mute', () => events.push('mute'));
  world.call.on('hold', () => events.push('hold'));
  world.call.on('error', () => events.push('error'));

  expectSDKError(await refuse(), 'invalid-argument', message);

  await letTimePass();
  expect(callView(world.call, world.far)).toEqual(call);
  expect(deviceView(world.device, world.network)).toEqual(device);
  expect(events).toEqual([]);
}

describe('an accepted call refuses bad input with invalid-argument and changes nothing', () => {
  it.each([
    ["sendDigits('12x')", '12x'],
    ["sendDigits('')", ''],
    ["sendDigits('1 2')", '1 2'],
    ["sendDigits('E')", 'E'],
    ['sendDigits(12)', 12],
    ["sendDigits('1\\r\\n')", '1\r\n'],
  ])('%s', async (_name, digits) => {
    const world = await answered();
    await expectRefusedWithoutChange(world, () => rejection(world.call.sendDigits(digits as string)), /DTMF digits must be one or more of 0-9 \* # A-D/);
    expect(world.far.digits).toEqual([]);
  });

  it.each([
    ["hold('yes')", 'yes'],
    ['hold(1)', 1],
    ['hold(null)', null],
  ])('%s', async (_name, value) => {
    const world = await answered();
    await expectRefusedWithoutChange(world, () => rejection(world.call.hold(value as unknown as boolean)), /hold\(\) takes a boolean/);
    expect(world.far.heldByDevice).toBe(false);
  });

  it.each([
    ['mute(1)', 1],
    ["mute('true')", 'true'],
    ['mute(null)', null],
  ])('%s throws at once', async (_name, value) => {
    const world = await answered();
    await expectRefusedWithoutChange(world, async () => thrown(() => world.call.mute(value as unknown as boolean)), /mute\(\) takes a boolean/);
  });

  it.each([
    ["setInputDevice('')", (call: Call) => call.setInputDevice('')],
    ['setInputDevice(undefined)', (call: Call) => call.setInputDevice(undefined as unknown as string)],
    ["setOutputDevice('')", (call: Call) => call.setOutputDevice('')],
    ['setOutputDevice(7)', (call: Call) => call.setOutputDevice(7 as unknown as string)],
  ])('%s', async (_name, act) => {
    const world = await answered();
    await expectRefusedWithoutChange(world, () => rejection(act(world.call)), /media device id must be a non-empty string/);
  });

  it('an invalid-argument check comes before the state check: hold("yes") on a held call is still a bad argument', async () => {
    const world = await answered();
    await settle(world.call.hold(true), 'hold()');
    expect(world.call.isOnHold()).toBe(true);
    expectSDKError(await rejection(world.call.hold('yes' as unknown as boolean)), 'invalid-argument');
    expect(world.call.isOnHold()).toBe(true);
  });
});

describe('an incoming call refuses a bad reject() status with invalid-argument and keeps ringing', () => {
  it.each([
    ['reject(200)', 200],
    ['reject(99)', 99],
    ['reject(302), a redirect without a Contact', 302],
    ['reject(399)', 399],
    ['reject(700)', 700],
    ['reject(486.5)', 486.5],
    ["reject('486')", '486'],
    ['reject(NaN)', Number.NaN],
  ])('%s', async (_name, status) => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await incomingCall(device, network.remote('carol'));
    const before = { call: callView(call, far), device: deviceView(device, network) };

    const error = await rejection(call.reject(status as number));

    expectSDKError(error, 'invalid-argument', /reject\(\) takes a SIP final failure status 400-699/);
    await letTimePass();
    expect({ call: callView(call, far), device: deviceView(device, network) }).toEqual(before);
    expect(far.state).toBe('outgoing');
    expect(device.calls).toEqual([call]);
  });
});
