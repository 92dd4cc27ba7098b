/**
 * Event handlers: adding, removing (with `off` or the function `on`
 * returns), `once`, and a throwing handler that must not break the others.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  answeredCall,
  newDevice,
  newNetwork,
  registeredDevice,
  settle,
  uriOf,
} from './harness';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/**
 * The emitter rethrows a handler's error in a microtask, so that it reaches
 * the page's error reporting without breaking the SDK. This runs every
 * microtask as usual but collects those errors instead of letting them
 * become uncaught exceptions (which would fail the test run).
 */
function catchRethrownErrors(): unknown[] {
  const errors: unknown[] = [];
  const original = globalThis.queueMicrotask;
  vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) =>
    original(() => {
      try {
        callback();
      } catch (error) {
        errors.push(error);
      }
    }),
  );
  return errors;
}

describe('device events', () => {
  it('the function returned by on() removes the handler', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const seen: string[] = [];
    const off = device.on('registered', () => seen.push('registered'));
    device.on('registering', () => seen.push('registering'));

    off();
    await settle(device.register(), 'register()');

    expect(seen).toEqual(['registering']);
  });

  it('off() removes the handler', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const seen: string[] = [];
    const handler = (): void => {
      seen.push('connected');
    };
    device.on('connected', handler);
    device.off('connected', handler);

    await settle(device.register(), 'register()');

    expect(seen).toEqual([]);
  });

  it('removing one handler keeps the others', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const seen: string[] = [];
    const first = (): void => {
      seen.push('first');
    };
    device.on('registered', first);
    device.on('registered', () => seen.push('second'));
    device.off('registered', first);

    await settle(device.register(), 'register()');

    expect(seen).toEqual(['second']);
  });

  it('once() fires a single time', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    let count = 0;
    device.once('registered', () => count++);

    network.dropRegistration(uriOf('alice'));
    await settle(new Promise<void>((resolve) => device.on('registered', () => resolve())), 'the first re-registration');
    network.dropRegistration(uriOf('alice'));
    await settle(new Promise<void>((resolve) => device.on('registered', () => resolve())), 'the second re-registration');

    expect(count).toBe(1);
  });

  it('a handler removed with the function once() returns never fires', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    let fired = false;
    const off = device.once('registered', () => (fired = true));
    off();
    await settle(device.register(), 'register()');
    expect(fired).toBe(false);
  });

  it('removeAllListeners() silences every app handler but the device keeps working', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const seen: string[] = [];
    device.on('registering', () => seen.push('registering'));
    device.on('registered', () => seen.push('registered'));
    device.removeAllListeners();

    await settle(device.register(), 'register()');

    expect(seen).toEqual([]);
    expect(device.state).toBe('registered');
  });

  it('the same handler added twice runs once per event', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    let count = 0;
    const handler = (): void => {
      count++;
    };
    device.on('registered', handler);
    device.on('registered', handler);
    await settle(device.register(), 'register()');
    expect(count).toBe(1);
  });

  it('a device handler that throws does not stop the other handlers, nor the registration', async () => {
    const errors = catchRethrownErrors();
    const network = newNetwork();
    const device = newDevice(network);
    const boom = new Error('bug in the app');
    const seen: string[] = [];
    device.on('registered', () => {
      throw boom;
    });
    device.on('registered', () => seen.push('registered'));

    await settle(device.register(), 'register()');

    expect(seen).toEqual(['registered']);
    expect(device.state).toBe('registered');
    expect(errors).toEqual([boom]);
  });
});

describe('call events', () => {
  it('the function returned by on() removes a call handler', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    const seen: boolean[] = [];
    const off = call.on('mute', (muted) => seen.push(muted));

    call.mute();
    off();
    call.mute(false);

    expect(seen).toEqual([true]);
  });

  it('off() removes a call handler', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    const seen: boolean[] = [];
    const handler = (onHold: boolean): void => {
      seen.push(onHold);
    };
    call.on('hold', handler);
    call.off('hold', handler);

    await settle(call.hold(), 'hold()');

    expect(seen).toEqual([]);
    expect(call.isOnHold()).toBe(true);
  });

  it('a call handler that throws does not stop the other handlers; its error is rethrown asynchronously', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await answeredCall(device, network.remote('bob'));
    const errors = catchRethrownErrors();
    const boom = new Error('bug in the app');
    const seen: boolean[] = [];
    call.on('mute', () => {
      throw boom;
    });
    call.on('mute', (muted) => seen.push(muted));

    expect(() => call.mute()).not.toThrow();

    expect(seen).toEqual([true]);
    expect(call.isMuted()).toBe(true);
    expect(errors).toEqual([]);
    await Promise.resolve();
    expect(errors).toEqual([boom]);
  });

  it('a disconnect handler that throws does not stop the call from leaving device.calls', async () => {
    const errors = catchRethrownErrors();
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    call.on('disconnect', () => {
      throw new Error('bug in the app');
    });

    far.hangup();
    await Promise.resolve();

    expect(device.calls).toEqual([]);
    expect(errors).toHaveLength(1);
  });

});
