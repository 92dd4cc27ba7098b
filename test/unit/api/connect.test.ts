/**
 * `device.connect()`: who is called, what the far end sees (caller ID, custom
 * headers), and bad input refused without a trace on the wire.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ConnectOptions } from '../../../src/index';
import { fakeSessionOf } from '../../../src/testing';
import {
  answeredCall,
  callRemote,
  deviceToDevice,
  deviceView,
  expectSDKError,
  incomingCall,
  letTimePass,
  newDevice,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  useFakeTime,
} from './harness';

useFakeTime();

const BAD_TARGETS: Array<[string, unknown, RegExp]> = [
  ['an empty `to`', '', /`to` must be a non-empty string/],
  ['a blank `to`', '   ', /`to`/],
  ['a `to` that is only the scheme', 'sip:', /`to`/],
  ['a SIP URI without a host', 'sip:bob', /`to`/],
  ['a SIP URI without a user', 'sip:@example.com', /`to`/],
  ['a number with a single digit', '+1', /E\.164/],
  ['a number starting with +0', '+0155512345', /E\.164/],
  ['a number longer than 15 digits', '+1234567890123456', /E\.164/],
  ['a number with spaces', '+1 555 123 4567', /E\.164/],
  ['a user with a space', 'bob smith', /`to`/],
  ['a user with a line break inside', 'bob\r\nVia: SIP/2.0/WSS evil.example.com', /`to`/],
  ['a SIP URI with a line break inside', 'sip:bob@example.com\r\nX-Evil: 1', /`to`/],
  ['a user with a NUL byte', 'bob\u0000', /`to`/],
  ['a `to` that is not a string', 15551234567, /`to`/],
  ['a missing `to`', undefined, /`to`/],
];

const BAD_OPTIONS: Array<[string, Record<string, unknown>, RegExp]> = [
  ['an empty `from`', { from: '' }, /`from` must be a non-empty string/],
  ['a `from` with a space', { from: 'Alice Smith' }, /`from`/],
  ['a `from` with a line break', { from: 'alice\r\nVia: evil' }, /`from`/],
  ['a `from` that is too short a number', { from: '+1' }, /`from`/],
  ['a `from` that is not a string', { from: 15551234567 }, /`from`/],
  ['a param value with CR/LF (header injection)', { params: { note: 'x\r\nVia: evil' } }, /X-Callchart-Note must not contain CR, LF/],
  ['a param value with only a LF', { params: { note: 'x\nVia: evil' } }, /must not contain CR, LF/],
  ['a param key with a space', { params: { 'ticket id': 'T-1' } }, /Header name "X-Callchart-Ticket id" must be a token/],
  ['a param key with a colon', { params: { 'ticket:id': 'T-1' } }, /must be a token/],
  ['a param key with a line break', { params: { 'a\r\nVia': 'x' } }, /must be a token/],
  ['an empty param key', { params: { '': 'x' } }, /keys must not be empty/],
  ['a param value that is an object', { params: { ticket: { id: 1 } } }, /string, number or boolean/],
  ['a param value longer than 1024 characters', { params: { note: 'x'.repeat(1025) } }, /longer than 1024/],
  ['params of more than 8 KB in all (32 keys of 1000 characters)', { params: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'x'.repeat(1000)])) }, /at most 8192/],
  ['params that are a string', { params: 'ticketId=T-1' }, /`params` must be an object/],
  ['params that are an array', { params: ['T-1'] }, /`params` must be an object/],
  ['params that are null', { params: null }, /`params` must be an object/],
];

describe('connect() refuses bad input with invalid-argument', () => {
  it.each(BAD_TARGETS)('%s', async (_name, to, message) => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const before = deviceView(device, network);

    const error = await rejection(device.connect({ to } as ConnectOptions));

    expectSDKError(error, 'invalid-argument', message);
    await letTimePass();
    expect(deviceView(device, network)).toEqual(before);
    expect(remote.calls).toHaveLength(0);
  });

  it.each(BAD_OPTIONS)('%s', async (_name, options, message) => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const before = deviceView(device, network);

    const error = await rejection(device.connect({ to: 'bob', ...options } as ConnectOptions));

    expectSDKError(error, 'invalid-argument', message);
    await letTimePass();
    expect(deviceView(device, network)).toEqual(before);
    expect(remote.calls).toHaveLength(0);
  });

  it('without options at all', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const before = deviceView(device, network);
    expectSDKError(await rejection((device.connect as (o?: unknown) => Promise<unknown>)()), 'invalid-argument', /connect\(\) needs \{ to \}/);
    expect(deviceView(device, network)).toEqual(before);
  });

  it('and does not open the socket of a device that is not connected yet', async () => {
    const network = newNetwork();
    const device = newDevice(network);
    const before = deviceView(device, network);

    expectSDKError(await rejection(device.connect({ to: 'bob smith' })), 'invalid-argument');

    await letTimePass();
    expect(deviceView(device, network)).toEqual(before);
    expect(device.transportState).toBe('disconnected');
    expect(network.userAgents[0]!.connected).toBe(false);
  });

  it('and a bad call leaves a call already in progress alone', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, remote);
    const before = deviceView(device, network);

    expectSDKError(await rejection(device.connect({ to: 'bob', params: { x: 'a\r\nb' } })), 'invalid-argument');

    expect(deviceView(device, network)).toEqual(before);
    expect(device.calls).toEqual([call]);
    expect(far.state).toBe('answered');
    expect(remote.calls).toHaveLength(1);
  });
});

describe('connect() reaches the right far end', () => {
  it('an E.164 number becomes sip:<number>@<domain of uri> and the remote identity is the number', async () => {
    const network = newNetwork();
    const remote = network.remote('+15551234567');
    const device = await registeredDevice(network);

    const { call, far } = await callRemote(device, remote, { to: '+15551234567' });

    expect(fakeSessionOf(call).target).toBe('sip:+15551234567@example.com');
    expect(call.remoteIdentity).toBe('+15551234567');
    expect(call.direction).toBe('outbound');
    expect(far.state).toBe('incoming');
  });

  it('the shortest E.164 number the rules allow (+12) is accepted', async () => {
    const network = newNetwork();
    const remote = network.remote('+12');
    const device = await registeredDevice(network);
    const { call } = await callRemote(device, remote, { to: '+12' });
    expect(fakeSessionOf(call).target).toBe('sip:+12@example.com');
  });

  it('a bare user becomes sip:<user>@<domain of uri>', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const { call } = await callRemote(device, remote, { to: 'bob' });
    expect(fakeSessionOf(call).target).toBe('sip:bob@example.com');
    expect(call.remoteIdentity).toBe('sip:bob@example.com');
  });

  // The rule of both adapters: the number when the user part is E.164, else the SIP URI.
  it('an extension that is not E.164 shows as the SIP URI, not as bare digits', async () => {
    const network = newNetwork();
    const remote = network.remote('1002');
    const device = await registeredDevice(network);
    const { call } = await callRemote(device, remote, { to: '1002' });
    expect(fakeSessionOf(call).target).toBe('sip:1002@example.com');
    expect(call.remoteIdentity).toBe('sip:1002@example.com');
  });

  it('a global TEL URI is called as its number at the domain of uri', async () => {
    const network = newNetwork();
    const remote = network.remote('+15551234567');
    const device = await registeredDevice(network);
    const { call } = await callRemote(device, remote, { to: 'tel:+1-555-123-4567' });
    expect(fakeSessionOf(call).target).toBe('sip:+15551234567@example.com');
    expect(call.remoteIdentity).toBe('+15551234567');
  });

  it('a SIP URI with parameters shows without them', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const { call } = await callRemote(device, remote, { to: 'sip:bob@example.com;transport=ws' });
    expect(call.remoteIdentity).toBe('sip:bob@example.com');
  });

  it('a full SIP URI is called as given', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const { call } = await callRemote(device, remote, { to: 'sip:bob@example.com' });
    expect(fakeSessionOf(call).target).toBe('sip:bob@example.com');
  });

  it('opens the socket itself when the device is not registered', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = newDevice(network);

    const { call } = await callRemote(device, remote);

    expect(device.transportState).toBe('connected');
    expect(device.state).toBe('unregistered');
    expect(call.getStatus()).toBe('pending');
    expect(network.registerCount('sip:alice@example.com')).toBe(0);
  });

  it('`from` sets the caller ID the far end sees', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);

    const { far } = await callRemote(device, remote, { from: '+15550001111' });

    expect(far.fromUser).toBe('+15550001111');
    expect(far.from).toBe('sip:alice@example.com');
  });

  it('without `from` the far end sees no caller-ID override', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const { far } = await callRemote(device, remote);
    expect(far.fromUser).toBeUndefined();
  });

  it('a callee device shows the caller ID as the remote identity', async () => {
    const network = newNetwork();
    const alice = await registeredDevice(network, 'alice');
    const bob = await registeredDevice(network, 'bob');

    const { inbound } = await deviceToDevice(alice, bob, { to: 'bob', from: '+15550001111' });

    expect(inbound.remoteIdentity).toBe('+15550001111');
    expect(inbound.direction).toBe('inbound');
    expect(inbound.getStatus()).toBe('pending');
  });
});

describe('params become custom headers', () => {
  it('each param becomes an X-Callchart-<Key> header at the far end', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);

    const { call, far } = await callRemote(device, remote, { params: { ticketId: 'T-1', priority: 2, vip: true } });

    expect(far.headers).toEqual({ 'X-Callchart-TicketId': 'T-1', 'X-Callchart-Priority': '2', 'X-Callchart-Vip': 'true' });
    expect(call.customHeaders).toEqual({ ticketId: 'T-1', priority: '2', vip: 'true' });
  });

  it('a call without params sends no custom headers', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network);
    const { call, far } = await callRemote(device, remote);
    expect(far.headers).toEqual({});
    expect(call.customHeaders).toEqual({});
  });

  it('with headerPrefix X-2Chat- the far end gets X-2Chat-<Key> headers', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    const device = await registeredDevice(network, 'alice', { headerPrefix: 'X-2Chat-' });

    const { far } = await callRemote(device, remote, { params: { ticketId: 'T-7' } });

    expect(far.headers).toEqual({ 'X-2Chat-TicketId': 'T-7' });
  });

  it('with headerPrefix X-2Chat- an inbound call shows its X-2Chat- headers as customHeaders, prefix stripped', async () => {
    const network = newNetwork();
    const remote = network.remote('carol');
    const device = await registeredDevice(network, 'alice', { headerPrefix: 'X-2Chat-' });

    const { call } = await incomingCall(device, remote, 'alice', {
      'X-2Chat-TicketId': 'T-42',
      'X-Callchart-TicketId': 'not ours',
      'X-Other': 'ignored',
    });

    expect(call.customHeaders).toEqual({ ticketId: 'T-42' });
  });

  it('by default an inbound call shows its X-Callchart- headers as customHeaders', async () => {
    const network = newNetwork();
    const remote = network.remote('carol');
    const device = await registeredDevice(network);

    const { call } = await incomingCall(device, remote, 'alice', { 'X-Callchart-TicketId': 'T-5', 'X-2Chat-TicketId': 'other' });

    expect(call.customHeaders).toEqual({ ticketId: 'T-5' });
  });

  // The fake reads inbound headers with the SIP.js adapter's rules and bounds (src/sip/headers.ts).
  it('an inbound call drops hostile custom headers as the SIP.js adapter does', async () => {
    const network = newNetwork();
    const remote = network.remote('carol');
    const device = await registeredDevice(network);

    const { call } = await incomingCall(device, remote, 'alice', {
      'X-Callchart-TicketId': ' T-5 ',
      'x-callchart-ticketid': 'second of the same key',
      'X-Callchart-Evil': 'a\r\nVia: evil',
      'X-Callchart-Long': 'v'.repeat(1025),
      'X-Callchart-': 'no key',
      'X-Callchart-Constructor': 'reserved',
    });

    expect(call.customHeaders).toEqual({ ticketId: 'T-5' });
  });

  it('params from one device arrive as customHeaders on the callee device', async () => {
    const network = newNetwork();
    const alice = await registeredDevice(network, 'alice');
    const bob = await registeredDevice(network, 'bob');

    const { inbound } = await deviceToDevice(alice, bob, { to: 'bob', params: { ticketId: 'T-9', queue: 'sales' } });

    expect(inbound.customHeaders).toEqual({ ticketId: 'T-9', queue: 'sales' });
  });
});

describe('connect() after the transport failed for good', () => {
  it('rejects with transport-failed and leaves no call behind', async () => {
    const network = newNetwork();
    network.setServerDown('wss://sip.example.com/ws');
    const device = newDevice(network, 'alice', { reconnect: { maxAttempts: 2, baseDelayMs: 100 } });

    const error = await rejection(device.connect({ to: 'bob' }));

    expectSDKError(error, 'transport-failed');
    expect(device.calls).toEqual([]);
    expect(device.transportState).toBe('disconnected');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('works again once the server is back', async () => {
    const network = newNetwork();
    const remote = network.remote('bob');
    network.setServerDown('wss://sip.example.com/ws');
    const device = newDevice(network, 'alice', { reconnect: { maxAttempts: 1 } });
    expectSDKError(await rejection(device.connect({ to: 'bob' })), 'transport-failed');

    network.setServerDown('wss://sip.example.com/ws', false);
    const call = await settle(device.connect({ to: 'bob' }), 'connect()');

    expect(device.calls).toEqual([call]);
    await letTimePass();
    expect(remote.calls).toHaveLength(1);
  });
});
