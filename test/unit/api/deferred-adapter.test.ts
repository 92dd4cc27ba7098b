/**
 * The deferred adapter (how the Device's default SIP.js adapter arrives by
 * `import()`): a Device made before the code is there registers, takes calls
 * and places them; a load that failed is tried again on the next connection
 * attempt; a Device destroyed before the load ends never makes the real user
 * agent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferAdapter } from '../../../src/adapters/deferred';
import type { AdapterFactory, UserAgentConfig } from '../../../src/adapter';
import type { FakeNetwork } from '../../../src/testing';
import { callRemote, expectSDKError, incomingCall, newDevice, newNetwork, settle, thrown, uriOf } from './harness';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

const LOAD_MS = 200;

/** A load of `network.adapter` that takes LOAD_MS of fake time, failing the first `failures` times; counts loads and real user agents made. */
function slowLoad(network: FakeNetwork, failures = 0) {
  const counts = { loads: 0, made: 0 };
  const factory: AdapterFactory = (config) => {
    counts.made++;
    return network.adapter(config);
  };
  const load = () => {
    counts.loads++;
    const fails = counts.loads <= failures;
    return new Promise<AdapterFactory>((resolve, reject) =>
      setTimeout(() => (fails ? reject(new TypeError('Failed to fetch dynamically imported module')) : resolve(factory)), LOAD_MS),
    );
  };
  return { counts, adapter: deferAdapter(load) };
}

describe('a Device whose adapter is loaded by import()', () => {
  it('starts the load when it is made, registers once it arrived, and takes and places calls', async () => {
    const network = newNetwork();
    const { counts, adapter } = slowLoad(network);
    const device = newDevice(network, 'alice', { adapter });
    // The load starts with the Device, before anything asks for the network.
    expect(counts).toEqual({ loads: 1, made: 0 });

    await settle(device.register(), 'register()');
    expect(device.state).toBe('registered');
    expect(network.isRegistered(uriOf('alice'))).toBe(true);
    expect(counts).toEqual({ loads: 1, made: 1 });

    // Listeners the device registered before the code arrived hear the real port's facts.
    const inbound = await incomingCall(device, network.remote('bob'));
    expect(inbound.call.getStatus()).toBe('pending');
    const outbound = await callRemote(device, network.remote('carol'));
    expect(outbound.far.state).toBe('incoming');

    await settle(device.destroy(), 'destroy()');
    expect(network.isRegistered(uriOf('alice'))).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('tries the load again on the next connection attempt when it failed (the chunk did not arrive)', async () => {
    const network = newNetwork();
    const { counts, adapter } = slowLoad(network, 1);
    const device = newDevice(network, 'alice', { adapter, reconnect: { baseDelayMs: 100, maxAttempts: 3 } });
    const attempts: number[] = [];
    device.on('reconnecting', ({ attempt }) => attempts.push(attempt));

    await settle(device.register(), 'register()');

    expect(device.state).toBe('registered');
    expect(attempts).toEqual([1]);
    expect(counts).toEqual({ loads: 2, made: 1 });
    await settle(device.destroy(), 'destroy()');
  });

  it('rejects register() with transport-failed, naming the SIP stack, when the load keeps failing', async () => {
    const network = newNetwork();
    const { counts, adapter } = slowLoad(network, Number.POSITIVE_INFINITY);
    const device = newDevice(network, 'alice', { adapter, reconnect: { baseDelayMs: 100, maxAttempts: 2 } });

    const outcome = settle(device.register(), 'register()').catch((error: unknown) => error);
    expectSDKError(await outcome, 'transport-failed', /SIP stack could not be loaded/);
    expect(device.state).toBe('unregistered');
    expect(counts.made).toBe(0);
    await settle(device.destroy(), 'destroy()');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never makes the real user agent when the Device is destroyed before the load ends', async () => {
    const network = newNetwork();
    const { counts, adapter } = slowLoad(network);
    const device = newDevice(network, 'alice', { adapter });
    const registering = device.register().catch((error: unknown) => error);

    await settle(device.destroy(), 'destroy()');
    await vi.advanceTimersByTimeAsync(LOAD_MS * 2);

    expect(counts).toEqual({ loads: 1, made: 0 });
    expect(await registering).toBeInstanceOf(Error);
    expect(network.isRegistered(uriOf('alice'))).toBe(false);
  });
});

describe('the network coming back before the code arrived', () => {
  it('tries a failed load again at once on the browser\'s online event, and stops listening once the real port is made', async () => {
    const browser = new EventTarget();
    const listening = new Set<unknown>();
    vi.stubGlobal('addEventListener', (type: string, listener: EventListener) => {
      listening.add(listener);
      browser.addEventListener(type, listener);
    });
    vi.stubGlobal('removeEventListener', (type: string, listener: EventListener) => {
      listening.delete(listener);
      browser.removeEventListener(type, listener);
    });
    try {
      const network = newNetwork();
      const { counts, adapter } = slowLoad(network, 1);
      // A backoff far longer than the test waits: only the online event can make the second attempt this soon.
      const device = newDevice(network, 'alice', { adapter, reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
      const registering = device.register();
      await vi.advanceTimersByTimeAsync(LOAD_MS + 10);
      expect(counts.loads).toBe(1);
      expect(device.state).not.toBe('registered');
      expect(listening.size).toBeGreaterThan(0);

      browser.dispatchEvent(new Event('online'));
      await settle(registering, 'register() after the network came back');

      expect(counts).toEqual({ loads: 2, made: 1 });
      expect(listening.size).toBe(0);
      await settle(device.destroy(), 'destroy()');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('the deferred port before its code arrived', () => {
  const config: UserAgentConfig = {
    uri: uriOf('alice'),
    password: 'alice-Secret-9f3k',
    headerPrefix: 'X-Callchart-',
    iceServers: [],
    iceGatheringTimeoutMs: 500,
    registerExpires: 600,
    userAgentString: 'callchart',
  };

  it('refuses to create calls with invalid-state, and shows no configuration or password to serializers', async () => {
    const network = newNetwork();
    const port = slowLoad(network).adapter(config);

    expectSDKError(thrown(() => port.createCall({ target: uriOf('bob'), headers: {} })), 'invalid-state');
    expect(JSON.stringify(port)).not.toContain('alice-Secret');
    // Closing what never opened is fine.
    await port.disconnect();
    await port.unregister();
    port.ping();
    await port.dispose();
  });

  it('carries out only the newest of the connect / disconnect requests made while the code was loading', async () => {
    const network = newNetwork();
    const servers: string[] = [];
    const factory: AdapterFactory = (given) => {
      const real = network.adapter(given);
      const connect = real.connect.bind(real);
      real.connect = (server) => {
        servers.push(server);
        return connect(server);
      };
      return real;
    };
    const load = () => new Promise<AdapterFactory>((resolve) => setTimeout(() => resolve(factory), LOAD_MS));

    const port = deferAdapter(load)(config);
    const first = port.connect('wss://a.example.com/ws').catch((error: unknown) => error);
    const second = port.connect('wss://b.example.com/ws');
    await vi.advanceTimersByTimeAsync(LOAD_MS);
    await settle(second, 'the newer connect()');
    expectSDKError(await first, 'transport-failed', /given up/);
    expect(servers).toEqual(['wss://b.example.com/ws']);
    await settle(port.dispose(), 'dispose()');

    const again = deferAdapter(load)(config);
    const abandoned = again.connect('wss://a.example.com/ws').catch((error: unknown) => error);
    await again.disconnect();
    await vi.advanceTimersByTimeAsync(LOAD_MS);
    expectSDKError(await abandoned, 'transport-failed');
    expect(servers).toEqual(['wss://b.example.com/ws']);
    await settle(again.dispose(), 'dispose()');
  });
});
