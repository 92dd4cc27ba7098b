/**
 * `new Device(options)`: bad options are refused with `invalid-argument` and a
 * message that names the option, and nothing is started.
 */
import { describe, expect, it, vi } from 'vitest';
import { Device, type DeviceOptions } from '../../../src/index';
import { deviceOptions, expectSDKError, letTimePass, newNetwork, thrown, useFakeTime } from './harness';

useFakeTime();

/**
 * Options that are refused, each with the words its message must contain;
 * `late` marks the options whose check happens after the basic ones (they must still refuse before any user agent exists).
 */
interface BadOption {
  name: string;
  options: Partial<Record<keyof DeviceOptions, unknown>> | null;
  message: RegExp;
  late?: true;
}

const BAD_OPTIONS: BadOption[] = [
  { name: 'no options at all', options: null, message: /needs options/ },
  { name: 'an iceTransportPolicy other than all or relay', options: { iceTransportPolicy: 'none' }, message: /`iceTransportPolicy`/ },
  { name: 'a uri without the sip: scheme', options: { uri: 'alice@example.com' }, message: /`uri`.*not a SIP URI/ },
  { name: 'a uri without a host', options: { uri: 'sip:alice' }, message: /`uri`/ },
  { name: 'a uri with a space in the user', options: { uri: 'sip:alice smith@example.com' }, message: /`uri`/ },
  { name: 'a uri with a line break', options: { uri: 'sip:alice@example.com\r\nVia: evil' }, message: /`uri`/ },
  { name: 'a uri that is not a string', options: { uri: 42 }, message: /`uri`/ },
  { name: 'no server', options: { server: undefined }, message: /`server`/ },
  { name: 'an empty server list', options: { server: [] }, message: /`server` must name at least one/ },
  { name: 'an https:// server URL', options: { server: 'https://sip.example.com/ws' }, message: /`server`.*ws:\/\/ or wss:\/\// },
  { name: 'a server URL without a host', options: { server: 'wss://' }, message: /`server`/ },
  { name: 'a server URL with a space', options: { server: 'wss://sip.example.com/w s' }, message: /`server`/ },
  { name: 'one bad URL in a server list', options: { server: ['wss://a.example.com/ws', 'tcp://b.example.com'] }, message: /tcp:\/\/b\.example\.com/ },
  { name: 'a header prefix with a space', options: { headerPrefix: 'X Callchart-' }, message: /headerPrefix/ },
  { name: 'a header prefix with a colon', options: { headerPrefix: 'X-Callchart:' }, message: /headerPrefix/ },
  { name: 'an empty header prefix', options: { headerPrefix: '' }, message: /headerPrefix/ },
  { name: 'a password that is not a string', options: { password: 1234 }, message: /`password` must be a string/ },
  { name: 'iceServers that is not an array', options: { iceServers: { urls: 'stun:stun.example.com' } }, message: /`iceServers` must be an array/ },
  { name: 'an unknown DTMF method', options: { dtmf: { method: 'inband' } }, message: /`dtmf\.method`.*'rfc2833' or 'info'/ },
  { name: 'a negative registerExpires', options: { registerExpires: -1 }, message: /`registerExpires`/ },
  { name: 'a zero iceGatheringTimeoutMs', options: { iceGatheringTimeoutMs: 0 }, message: /`iceGatheringTimeoutMs`/ },
  {
    name: 'a quality warning rule that can never raise',
    options: { qualityWarnings: { thresholds: { 'high-rtt': { raise: { samples: 5, window: 3 } } } } },
    message: /Quality warning 'high-rtt': raise needs 1 ≤ samples ≤ window/,
  },
  {
    name: 'a quality warning threshold that is not a number',
    options: { qualityWarnings: { thresholds: { 'high-jitter': { threshold: '30' } } } },
    message: /Quality warning 'high-jitter': thresholds must be finite numbers/,
  },
  { name: 'a zero reportIntervalMs', options: { reportIntervalMs: 0 }, message: /`reportIntervalMs`/, late: true },
  { name: 'a negative qualityIntervalMs', options: { qualityIntervalMs: -1000 }, message: /`qualityIntervalMs` must be a positive number/, late: true },
  { name: 'a zero qualityIntervalMs', options: { qualityIntervalMs: 0 }, message: /`qualityIntervalMs`/, late: true },
  { name: 'a qualityIntervalMs that is not a number', options: { qualityIntervalMs: '1000' }, message: /`qualityIntervalMs`/, late: true },
  { name: 'a negative reconnect delay', options: { reconnect: { baseDelayMs: -5 } }, message: /`reconnect\.baseDelayMs`/, late: true },
  { name: 'a fractional reconnect.maxAttempts', options: { reconnect: { maxAttempts: 2.5 } }, message: /`reconnect\.maxAttempts`/, late: true },
  { name: 'a NaN reconnect.maxAttempts', options: { reconnect: { maxAttempts: Number.NaN } }, message: /`reconnect\.maxAttempts`/, late: true },
  { name: 'a zero registerTimeoutMs', options: { registerTimeoutMs: 0 }, message: /`registerTimeoutMs`/, late: true },
  { name: 'an infinite keepAliveIntervalMs', options: { keepAliveIntervalMs: Infinity }, message: /`keepAliveIntervalMs`/, late: true },
  { name: 'a negative keepAliveTimeoutMs', options: { keepAliveTimeoutMs: -1 }, message: /`keepAliveTimeoutMs`/, late: true },
  { name: 'a zero recovery.timeoutMs', options: { recovery: { timeoutMs: 0 } }, message: /`recovery\.timeoutMs`/, late: true },
  { name: 'a recovery.timeoutMs that is not a number', options: { recovery: { timeoutMs: '30000' } }, message: /`recovery\.timeoutMs`/, late: true },
  { name: 'a NaN DTMF duration', options: { dtmf: { durationMs: Number.NaN } }, message: /`dtmf\.durationMs`/, late: true },
  { name: 'an inspect that is not a function', options: { inspect: 'console' }, message: /`inspect` must be a function/, late: true },
  { name: 'a header prefix longer than 64 characters', options: { headerPrefix: `X-${'a'.repeat(63)}` }, message: /headerPrefix/ },
];

const optionsWith = (network: ReturnType<typeof newNetwork>, bad: BadOption): DeviceOptions =>
  (bad.options === null ? null : { ...deviceOptions(network), ...bad.options }) as DeviceOptions;

describe('new Device()', () => {
  it.each(BAD_OPTIONS)('refuses $name with invalid-argument and a message naming the option', async (bad) => {
    const network = newNetwork();
    const error = thrown(() => new Device(optionsWith(network, bad)));
    expectSDKError(error, 'invalid-argument', bad.message);
    // Nothing was started: no socket, no REGISTER, no timer.
    await letTimePass();
    expect(network.registerCount('sip:alice@example.com')).toBe(0);
    expect(network.userAgents.every((ua) => !ua.connected)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each(BAD_OPTIONS.filter((bad) => !bad.late))('refuses $name before any user agent is created', (bad) => {
    const network = newNetwork();
    thrown(() => new Device(optionsWith(network, bad)));
    expect(network.userAgents).toHaveLength(0);
  });

  // Every option is checked before the adapter factory runs: a refused Device builds nothing.
  it.each(BAD_OPTIONS.filter((bad) => bad.late))('refuses $name before any user agent is created', (bad) => {
    const network = newNetwork();
    thrown(() => new Device(optionsWith(network, bad)));
    expect(network.userAgents).toHaveLength(0);
  });

  // displayName, userAgentString and authorizationUsername go into SIP headers as they are.
  it.each([
    ['displayName', { displayName: 'Alice\r\nVia: SIP/2.0/WSS evil.example.com' }],
    ['userAgentString', { userAgentString: 'callchart\r\nX-Evil: 1' }],
    ['authorizationUsername', { authorizationUsername: 'alice\r\nX-Evil: 1' }],
  ])('refuses a %s with a line break (header injection)', (_name, override) => {
    const network = newNetwork();
    expectSDKError(thrown(() => new Device({ ...deviceOptions(network), ...override })), 'invalid-argument');
  });

  // A typo in a warning name must not silently leave the default in force.
  it.each([
    ['a gracePeriodMs that is not a number', { gracePeriodMs: 'soon' }],
    ['a NaN gracePeriodMs', { gracePeriodMs: Number.NaN }],
    ['a negative gracePeriodMs', { gracePeriodMs: -1 }],
    ['thresholds for an unknown warning', { thresholds: { 'hi-rtt': { threshold: 100 } } }],
  ])('refuses qualityWarnings with %s', (_name, qualityWarnings) => {
    const network = newNetwork();
    expectSDKError(thrown(() => new Device({ ...deviceOptions(network), qualityWarnings } as DeviceOptions)), 'invalid-argument');
  });

  it('accepts a list of servers, a uri with a port and parameters, and X-2Chat- as the header prefix', () => {
    const network = newNetwork();
    const device = new Device({
      ...deviceOptions(network),
      server: ['wss://a.example.com:8443/ws', 'ws://b.example.com'],
      uri: 'sip:alice@example.com:5060;transport=ws',
      headerPrefix: 'X-2Chat-',
      iceServers: [{ urls: 'stun:stun.example.com:3478' }],
      dtmf: { method: 'info', durationMs: 120, gapMs: 80 },
      qualityIntervalMs: 250,
    });
    expect(device.state).toBe('unregistered');
    expect(device.transportState).toBe('disconnected');
    expect(device.calls).toEqual([]);
    expect(network.userAgents).toHaveLength(1);
    expect(network.userAgents[0]!.config.headerPrefix).toBe('X-2Chat-');
  });

  it('does not open the socket or register until asked', async () => {
    const network = newNetwork();
    const device = new Device(deviceOptions(network));
    await letTimePass();
    expect(device.state).toBe('unregistered');
    expect(device.transportState).toBe('disconnected');
    expect(network.userAgents[0]!.connected).toBe(false);
    expect(network.registerCount('sip:alice@example.com')).toBe(0);
  });
});
