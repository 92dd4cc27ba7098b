/**
 * Model-based test of deviceMachine: every transition is the last step of a
 * path, run for real through Device on the fake network; at every step the
 * facade's state and events must agree with the model.
 */
import { describe, expect, it, vi } from 'vitest';
import { deviceMachine } from '../../src/machines/device.machine';
import type { Device } from '../../src/device';
import type { Call } from '../../src/call';
import type { UserAgentPort } from '../../src/adapters/adapter';
import type { FakeNetwork, ScriptedRemote } from '../../src/testing';
import { VoiceSDKError } from '../../src/errors';
import { Coverage, describePath, expectFullCoverage, transitionPaths, type ModelPath, type ModelStep } from './model';
import { createDevice, drainMicrotasks, flushUntil, newNetwork, settled, useFakeTime } from './world';
import { describeTransfers } from './call.transfer.scenarios';

const coverage = new Coverage('deviceMachine', deviceMachine);

const SERVERS = ['wss://sip-a.example.com/ws', 'wss://sip-b.example.com/ws'];
/** Long backoff in fake time, so only the model's own `after` step fires it. */
const RECONNECT = { baseDelayMs: 1_000_000, maxDelayMs: 4_000_000, maxAttempts: 2 };
const AFTER = 'xstate.after.reconnectDelay.device.active.transport.reconnecting';
/**
 * The device's other delays, far apart from the backoff and from each other
 * (and from the world's 5 s latency), so that advancing fake time by one of
 * them fires only the timer the model names.
 */
const REGISTER_TIMEOUT_MS = 8_000_000;
const KEEP_ALIVE = { intervalMs: 20_000_000, timeoutMs: 10_000_000 };
const PING_DUE = 'xstate.after.keepAliveInterval.device.active.transport.connected.idle';
const PONG_MISSED = 'xstate.after.keepAliveTimeout.device.active.transport.connected.pinging';
const REGISTER_TIMEOUT = 'xstate.after.registerTimeout.device.active.registration.registering';
/** A call actor reaching its final state (the model's stands for any call id). */
const CALL_DONE = 'xstate.done.actor.model-call';
/** No call waiting and at most two calls: both refusals are reachable with one outbound and one inbound call. */
const POLICY = { callWaiting: false, maxCalls: 2 };
const OUT_ANSWERED = { type: 'CALL_STATUS', callId: 'model-out', status: 'accepted' };

const liveCalls = (state: ModelStep['state']) => state.context['liveCalls'] as Record<string, 'pending' | 'accepted'>;
const queuedCount = (state: ModelStep['state']) => (state.context['queuedCalls'] as unknown[]).length;
/** `maxCalls` calls are up (placed ones waiting for the transport count): a CALL is refused, an INVITE answered 486. */
const atMaxCalls = (state: ModelStep['state']): boolean => Object.keys(liveCalls(state)).length + queuedCount(state) >= POLICY.maxCalls;
/** The policy refuses the next INVITE (the chart's guards, read from the model's context). */
const refusesIncoming = (state: ModelStep['state']): boolean => Object.values(liveCalls(state)).includes('accepted') || atMaxCalls(state);
const CALL = { type: 'CALL', callId: 'model-out', request: { target: 'sip:bob@example.com', headers: {} } };

const modelInput = {
  ua: {
    createCall: () => ({ id: 'model', direction: 'outbound', subscribe: () => () => undefined }),
    ping: () => undefined,
  } as unknown as UserAgentPort,
  servers: SERVERS,
  reconnect: RECONNECT,
  keepAlive: KEEP_ALIVE,
  registerTimeoutMs: REGISTER_TIMEOUT_MS,
  policy: POLICY,
  random: () => 0.5,
  call: {
    qualityIntervalMs: 1000,
    dtmf: { method: 'rfc2833' as const, durationMs: 100, gapMs: 70 },
    warnings: [],
    gracePeriodMs: 5000,
    reportIntervalMs: 3000,
    now: () => 0,
  },
};

const done = (id: string) => ({ type: `xstate.done.actor.${id}`, actorId: id });
const error = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new VoiceSDKError('sip-error', 'model') });
const incomingPort = { id: 'model-in', direction: 'inbound', subscribe: () => () => undefined };

const matches = (state: ModelStep['state'], region: 'transport' | 'registration' | 'outbound', value: unknown) =>
  state.matches({ active: { [region]: value } });

function events(state: ModelStep['state']): ModelStep['event'][] {
  // Once the policy refuses calls, what is left to show is the refusal (and the end).
  if (refusesIncoming(state)) {
    const registered = matches(state, 'registration', 'registered');
    const talking =
      Object.values(liveCalls(state)).includes('accepted') &&
      matches(state, 'transport', 'connected') &&
      !matches(state, 'registration', 'registering');
    return [
      ...(registered ? [{ type: 'INCOMING_CALL', port: incomingPort }] : []),
      // The answered call is held, then resumed with holdOthers: the device holds the others (none here).
      ...(talking ? [{ type: 'HOLD_OTHERS', callId: 'model-out' }] : []),
      // Registering is what makes an INVITE reach the device at all.
      ...(registered ? [] : [{ type: 'REGISTER' }, done('registerActor')]),
      // One call more than maxCalls: connect() is refused.
      ...(atMaxCalls(state) ? [CALL] : []),
      { type: 'DESTROY' },
    ];
  }
  const registered = matches(state, 'registration', 'registered');
  const connected = matches(state, 'transport', 'connected');
  const transportError = new VoiceSDKError('transport-failed', 'model');
  // A ping unanswered (the connection silent): only the watchdog's own events, and the socket's end.
  if (matches(state, 'transport', { connected: 'pinging' })) {
    return [{ type: 'DESTROY' }, { type: 'TRANSPORT_LOST', error: transportError }, { type: 'PONG' }, { type: PONG_MISSED }];
  }
  const registrationBusy = matches(state, 'registration', 'registering') || matches(state, 'registration', 'unregistering');
  // One request in flight at a time: fake time then finishes exactly the one the model names.
  const waiting =
    matches(state, 'transport', 'connecting') ||
    matches(state, 'registration', { registering: 'sending' }) ||
    matches(state, 'registration', 'unregistering');
  const list: ModelStep['event'][] = [
    { type: 'DESTROY' },
    { type: 'TRANSPORT_LOST', error: transportError },
    ...['connectActor', 'registerActor', 'destroyActor'].flatMap((id) => [done(id), error(id)]),
    error('unregisterActor'),
  ];
  // Without a socket an un-REGISTER can only fail.
  if (connected) list.push(done('unregisterActor'));
  if (!waiting) {
    list.push({ type: 'CONNECT' }, { type: 'REGISTER' }, { type: 'UNREGISTER' }, { type: AFTER });
    // The app chooses a microphone (device.audio): the calls made from now on open it.
    list.push({ type: 'SET_INPUT_DEVICE', deviceId: 'default' }, { type: 'SET_OUTPUT_DEVICE', deviceId: 'default' });
    list.push({ type: 'REGISTRATION_LOST', error: new VoiceSDKError('sip-error', 'model') });
  } else {
    // Asking again for what is under way joins it: no second request.
    if (matches(state, 'transport', 'connecting')) list.push({ type: 'CONNECT' });
    if (matches(state, 'registration', 'registering')) list.push({ type: 'REGISTER' });
    if (matches(state, 'registration', 'unregistering')) list.push({ type: 'UNREGISTER' });
  }
  if (registered) list.push({ type: 'INCOMING_CALL', port: incomingPort });
  // The watchdog and `online` while nothing else waits on the connection (a ping makes it silent).
  if (matches(state, 'transport', { connected: 'idle' }) && !registrationBusy) {
    list.push({ type: PING_DUE }, { type: 'NETWORK_ONLINE' });
    // A call placed and hung up: the device lets go of its actor.
    if (matches(state, 'outbound', 'idle')) list.push({ type: CALL_DONE, actorId: 'model-call', output: undefined });
  }
  if (matches(state, 'transport', 'reconnecting') && !waiting) list.push({ type: 'NETWORK_ONLINE' });
  // A REGISTER the connection never answers.
  if (matches(state, 'registration', { registering: 'sending' }) && connected) list.push({ type: REGISTER_TIMEOUT });
  // bob answers alice's call: it is accepted, and call waiting is off (nothing else in flight meanwhile).
  if (connected && !waiting && liveCalls(state)['model-out'] === 'pending') list.push(OUT_ANSWERED);
  // A call asked for without a transport waits for it (and opens it).
  list.push(CALL);
  return list;
}

const paths = transitionPaths(deviceMachine, {
  input: modelInput,
  events,
  // Failures only reset once a connection proved itself: cap the count (≥ maxAttempts all behave alike).
  serializeState: (state) =>
    JSON.stringify([
      state.value,
      Math.min(Number(state.context['failedAttempts']), RECONNECT.maxAttempts + 1),
      Object.keys(liveCalls(state)).length,
      queuedCount(state),
      Object.values(liveCalls(state)).includes('accepted'),
    ]),
});

// --- the world ------------------------------------------------------------------

interface World {
  network: FakeNetwork;
  device: Device;
  remote: ScriptedRemote;
  events: string[];
  pending: Map<string, ReturnType<typeof settled<unknown>>>;
  /** Every connect() that had to wait for the transport, in order. */
  calls: Array<ReturnType<typeof settled<Call>>>;
  /** Calls placed and hung up by the model's CALL_DONE. */
  ended: Call[];
  /** Every connect() on an open socket. */
  started: Array<ReturnType<typeof settled<Call>>>;
}

function setUp(): World {
  // Incoming calls ring for as long as a path runs (the model does not end them).
  const network = newNetwork({ noAnswerTimeoutMs: 10 ** 12 });
  network.remote('bob');
  const device = createDevice(network, 'alice', coverage.inspect, {
    server: SERVERS,
    reconnect: RECONNECT,
    registerTimeoutMs: REGISTER_TIMEOUT_MS,
    keepAliveIntervalMs: KEEP_ALIVE.intervalMs,
    keepAliveTimeoutMs: KEEP_ALIVE.timeoutMs,
    ...POLICY,
  });
  const events: string[] = [];
  for (const name of ['registering', 'registered', 'unregistered', 'disconnected', 'destroyed'] as const) {
    device.on(name, () => events.push(name));
  }
  device.on('connected', () => events.push('connected'));
  device.on('reconnecting', () => events.push('reconnecting'));
  device.on('error', (e) => events.push(`error:${e.code}`));
  device.on('incoming', () => events.push('incoming'));
  return { network, device, remote: network.remote('carol'), events, pending: new Map(), calls: [], ended: [], started: [] };
}

const keep = (world: World, name: string, promise: Promise<unknown>): void => {
  world.pending.set(name, settled(promise));
};

async function perform(world: World, event: ModelStep['event'], from: ModelStep['state']): Promise<void> {
  const { device, network } = world;
  const uri = 'sip:alice@example.com';
  switch (event.type) {
    case 'CONNECT':
      return keep(world, 'connect', device.connectTransport());
    case 'REGISTER':
      return keep(world, 'register', device.register());
    case 'UNREGISTER':
      return keep(world, 'unregister', device.unregister());
    case 'DESTROY':
      return keep(world, 'destroy', device.destroy());
    case 'TRANSPORT_LOST':
      network.dropTransport(uri);
      return;
    case 'REGISTRATION_LOST':
      network.dropRegistration(uri);
      return;
    case 'INCOMING_CALL': {
      const before = device.calls.length;
      const far = world.remote.call(uri);
      if (refusesIncoming(from)) await flushUntil(() => far.state === 'ended', 'the 486 to the refused call');
      else await flushUntil(() => device.calls.length > before, 'the incoming call');
      return;
    }
    case 'SET_INPUT_DEVICE':
    case 'SET_OUTPUT_DEVICE': {
      const input = event.type === 'SET_INPUT_DEVICE';
      const chosen = settled(input ? device.audio.setInputDevice('default') : device.audio.setOutputDevice('default'));
      await flushUntil(() => chosen.outcome() !== 'pending', `device.audio's choice (${event.type})`);
      expect(chosen.outcome()).toBe('resolved');
      const { inputDeviceId, outputDeviceId } = device.actor.getSnapshot().context.call;
      expect(input ? inputDeviceId : outputDeviceId).toBe('default');
      return;
    }
    case 'HOLD_OTHERS': {
      const call = world.device.calls.find((c) => c.getStatus() === 'accepted')!;
      const holding = settled(call.hold(true).then(() => call.hold(false, { holdOthers: true })));
      await flushUntil(() => holding.outcome() !== 'pending', 'hold, then resume holding the others');
      expect(holding.outcome()).toBe('resolved');
      return;
    }
    case 'CALL_STATUS': {
      await flushUntil(() => network.remote('bob').lastCall?.state === 'incoming', "alice's INVITE to reach bob");
      network.remote('bob').lastCall!.answer();
      await flushUntil(() => world.device.calls.some((call) => call.getStatus() === 'accepted'), 'the answered call');
      return;
    }
    case 'CALL':
      // A call placed on an open socket starts at once; only the others wait for the transport.
      (matches(from, 'transport', 'connected') ? world.started : world.calls).push(settled(device.connect({ to: 'bob' })));
      return;
    case AFTER: {
      const delay = device.actor.getSnapshot().context.nextDelayMs;
      await vi.advanceTimersByTimeAsync(delay);
      return;
    }
    case PING_DUE:
      network.silence(uri);
      await vi.advanceTimersByTimeAsync(KEEP_ALIVE.intervalMs);
      return;
    case PONG_MISSED:
      await vi.advanceTimersByTimeAsync(KEEP_ALIVE.timeoutMs);
      return;
    case 'PONG':
      network.silence(uri, false);
      return;
    case 'NETWORK_ONLINE':
      // The network changed: the socket, if one is open, is left silent.
      network.silence(uri);
      network.comeOnline();
      return;
    case CALL_DONE: {
      const placed = settled(device.connect({ to: 'bob' }));
      await flushUntil(() => placed.outcome() === 'resolved', 'the call to start');
      const call = placed.value!;
      world.ended.push(call);
      const hangup = settled(call.disconnect());
      await flushUntil(() => hangup.outcome() !== 'pending', 'the hangup');
      return;
    }
    case REGISTER_TIMEOUT:
      network.silence(uri);
      await vi.advanceTimersByTimeAsync(REGISTER_TIMEOUT_MS);
      return;
    case 'xstate.error.actor.connectActor':
      network.failNextConnect();
      return;
    case 'xstate.error.actor.registerActor':
      network.failNextRegister(403);
      return;
    case 'xstate.error.actor.unregisterActor':
      network.failNextUnregister(500);
      return;
    case 'xstate.error.actor.destroyActor':
      network.failNextDispose();
      return;
    default:
      return; // done events: the fake finishes the work as time runs
  }
}

// --- what the user must see ---------------------------------------------------------

function publicState(state: ModelStep['state']): string {
  if (state.matches('destroying') || state.matches('destroyed')) return 'destroyed';
  for (const value of ['registered', 'registering', 'unregistering'] as const) {
    if (matches(state, 'registration', value)) return value;
  }
  return 'unregistered';
}

function transport(state: ModelStep['state']): string {
  for (const value of ['connected', 'connecting', 'reconnecting'] as const) {
    if (matches(state, 'transport', value)) return value;
  }
  return 'disconnected';
}

function expectedEvents(from: ModelStep['state'], step: ModelStep): string[] {
  const to = step.state;
  const type = step.event.type;
  const out: string[] = [];
  const entered = (region: 'transport' | 'registration', value: string) => matches(to, region, value) && !matches(from, region, value);
  if (entered('transport', 'connected')) out.push('connected');
  if (entered('transport', 'reconnecting')) out.push('reconnecting');
  if (type === 'xstate.error.actor.connectActor' && matches(to, 'transport', 'disconnected')) {
    out.push('error:transport-failed', 'disconnected');
    if (matches(from, 'registration', 'registering')) out.push('unregistered');
  }
  if (entered('registration', 'registering')) out.push('registering');
  if (entered('registration', 'registered')) out.push('registered');
  if (type === 'xstate.error.actor.registerActor') out.push('error:auth-failed');
  if (type === 'xstate.done.actor.unregisterActor') out.push('unregistered');
  if (type === 'xstate.error.actor.unregisterActor') {
    out.push(matches(from, 'transport', 'connected') ? 'error:sip-error' : 'error:transport-failed', 'unregistered');
  }
  if (type === 'INCOMING_CALL' && !refusesIncoming(from)) out.push('incoming');
  if (type === REGISTER_TIMEOUT) out.push('error:timeout');
  if (to.matches('destroyed') && !from.matches('destroyed')) out.push('destroyed');
  return out.sort();
}

async function runPath(path: ModelPath): Promise<void> {
  const world = setUp();
  const actor = world.device.actor;
  let queueFrom = 0;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  expect(actor.getSnapshot().value).toEqual(path[0]!.state.value);
  for (let i = 1; i < path.length; i++) {
    const step = path[i]!;
    const from = path[i - 1]!.state;
    world.events.length = 0;
    await perform(world, step.event, from);
    await flushUntil(
      () => same(actor.getSnapshot().value, step.state.value),
      `${step.event.type} to reach ${JSON.stringify(step.state.value)} (is ${JSON.stringify(actor.getSnapshot().value)})`,
    );
    await drainMicrotasks();
    expect(actor.getSnapshot().context.failedAttempts, 'failed attempts').toBe(step.state.context['failedAttempts']);
    expect(world.device.state, 'state').toBe(publicState(step.state));
    expect(world.device.transportState, 'transportState').toBe(transport(step.state));
    expect([...world.events].sort(), `events after ${step.event.type}`).toEqual(expectedEvents(from, step));
    if (step.event.type === 'xstate.done.actor.registerActor') expect(world.pending.get('register')?.outcome()).toBe('resolved');
    if (step.event.type === 'CALL' && atMaxCalls(from)) {
      const refused = (matches(from, 'transport', 'connected') ? world.started : world.calls).at(-1)!;
      await flushUntil(() => refused.outcome() !== 'pending', 'connect() beyond maxCalls to settle');
      expect(refused.outcome(), 'connect() beyond maxCalls').toBe('rejected');
      expect((refused.error as VoiceSDKError).code).toBe('invalid-state');
      const context = actor.getSnapshot().context;
      expect([Object.keys(context.liveCalls).length, context.queuedCalls.length], 'calls live and waiting').toEqual([
        Object.keys(liveCalls(from)).length,
        queuedCount(from),
      ]);
    }
    if (step.event.type === 'INCOMING_CALL' && refusesIncoming(from)) {
      expect(world.remote.lastCall!.endedBy, 'a refused call').toBe('reject');
    }
    // A call starts once the transport is up, and fails with it when it gives up.
    const queued = (state: ModelStep['state']) => matches(state, 'outbound', 'awaitingTransport');
    // The calls of this wait for the transport (earlier ones have started or failed).
    if (queued(step.state) && !queued(from)) queueFrom = world.calls.length - (step.event.type === 'CALL' ? 1 : 0);
    const waitingCalls = world.calls.slice(queueFrom);
    if (!step.state.matches('active')) {
      // Destroying: every call still waiting is refused once destroyed.
    } else if (!queued(step.state)) {
      for (const call of world.calls) {
        if (queued(from) && matches(step.state, 'transport', 'disconnected') && waitingCalls.includes(call)) {
          expect(call.outcome(), 'a queued call after the transport gave up').toBe('rejected');
          expect((call.error as VoiceSDKError).code).toBe('transport-failed');
        } else if (call.outcome() !== 'rejected') {
          expect(call.outcome(), 'a call once the transport is up').toBe('resolved');
          expect(world.device.calls.includes(call.value!) || call.value!.getStatus() !== 'pending').toBe(true);
        }
      }
    } else {
      for (const call of waitingCalls) expect(call.outcome(), 'a call waiting for the transport').not.toBe('resolved');
    }
    if (step.event.type === CALL_DONE) {
      const call = world.ended[world.ended.length - 1]!;
      expect(call.getStatus()).toBe('disconnected');
      expect(world.device.calls).not.toContain(call);
      const children = Object.values(actor.getSnapshot().children).filter((child) => child?.src === 'callMachine');
      expect(children.map((child) => child?.getSnapshot().status), 'call actors the device still holds').not.toContain('done');
    }
    if (step.event.type === REGISTER_TIMEOUT) {
      expect(world.pending.get('register')?.outcome(), 'register() after registerTimeoutMs').toBe('rejected');
      expect((world.pending.get('register')?.error as VoiceSDKError).code).toBe('timeout');
    }
    if (step.event.type === 'xstate.error.actor.registerActor') {
      expect(world.pending.get('register')?.outcome()).toBe('rejected');
      expect((world.pending.get('register')?.error as VoiceSDKError).code).toBe('auth-failed');
    }
  }
  const destroying = settled(world.device.destroy());
  await flushUntil(() => destroying.outcome() !== 'pending', 'destroy');
  expect(actor.getSnapshot().status, 'device actor').toBe('done');
  expect(world.device.state).toBe('destroyed');
  expect(world.device.calls).toEqual([]);
  expect(world.network.openMediaCount, 'open media').toBe(0);
  await drainMicrotasks();
  expect(vi.getTimerCount(), 'timers left').toBe(0);
}

describe('deviceMachine paths', () => {
  useFakeTime();
  it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
    await runPath(path);
  });
});

// Transfers: following a REFER places a call; a call accepted with Replaces ends the one it replaces.
describeTransfers(coverage.inspect);

expectFullCoverage(coverage);
