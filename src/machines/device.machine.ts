/**
 * deviceMachine: one SIP user agent. Two parallel regions, because the socket
 * and the registration fail independently:
 *
 * ```
 * transport:    disconnected → connecting → connected → reconnecting → connecting …
 * registration: unregistered → registering → registered → unregistering → unregistered
 * ```
 * `destroyed` is final. The device spawns one `callMachine` actor per call,
 * inbound and outbound; their ids are the call ids.
 */
import { assign, emit, enqueueActions, raise, setup, spawnChild, stateIn } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import { toVoiceSDKError } from '../errors';
import { callMachine } from './call.machine';
import { connectActor, destroyActor, registerActor, unregisterActor, userAgentListener } from './device.actors';
import type { DeviceContext, DeviceEmitted, DeviceEvent, DeviceMachineInput } from './device.types';

type EventOf<T extends DeviceEvent['type']> = Extract<DeviceEvent, { type: T }>;

/** Exponential backoff with jitter: the n-th failure waits base·2^(n−1), capped, scaled by 0.5–1. */
export function backoffDelay(context: DeviceContext): number {
  const { baseDelayMs, maxDelayMs } = context.reconnect;
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, context.failedAttempts - 1));
  return Math.round(exponential * (0.5 + context.random() / 2));
}

const currentServer = (context: DeviceContext): string => context.servers[context.serverIndex] ?? '';

/**
 * The device statechart: the transport region (disconnected → connecting →
 * connected ↔ reconnecting) in parallel with the registration region
 * (unregistered → registering → registered → unregistering), spawning one
 * `callMachine` per call; destroyed is final.
 */
export const deviceMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as DeviceContext & { nextDelayMs: number },
    events: {} as DeviceEvent,
    input: {} as DeviceMachineInput,
    emitted: {} as DeviceEmitted,
  },
  actors: { userAgentListener, connectActor, registerActor, unregisterActor, destroyActor, callMachine },
  guards: {
    canRetry: ({ context }) => context.failedAttempts + 1 < context.reconnect.maxAttempts,
    isTransportConnected: stateIn('#transportConnected'),
  },
  delays: {
    reconnectDelay: ({ context }) => context.nextDelayMs,
  },
  actions: {
    resetAttempts: assign({ failedAttempts: 0 }),
    countFailure: assign({ failedAttempts: ({ context }) => context.failedAttempts + 1 }),
    nextServer: assign({ serverIndex: ({ context }) => (context.serverIndex + 1) % context.servers.length }),
    planReconnect: assign({ nextDelayMs: ({ context }) => backoffDelay(context) }),
    emitConnected: emit(({ context }) => ({ type: 'connected', server: currentServer(context) }) as const),
    emitReconnecting: emit(({ context }) => ({
      type: 'reconnecting',
      attempt: context.failedAttempts,
      delayMs: context.nextDelayMs,
      server: currentServer(context),
    }) as const),
    emitDisconnected: emit({ type: 'disconnected' } as const),
    emitTransportError: emit(({ event }) => ({
      type: 'error',
      error: toVoiceSDKError((event as { error?: unknown }).error, 'transport-failed'),
      operation: 'transport',
    }) as const),
    raiseTransportFailed: raise(({ event }) => ({
      type: 'TRANSPORT_FAILED',
      error: toVoiceSDKError((event as { error?: unknown }).error, 'transport-failed'),
    }) as const),
    requestTransport: raise({ type: 'CONNECT' } as const),
    emitRegistering: emit({ type: 'registering' } as const),
    emitRegistered: emit({ type: 'registered' } as const),
    emitUnregistered: emit({ type: 'unregistered' } as const),
    emitRegistrationError: emit(({ event }) => ({
      type: 'error',
      error: toVoiceSDKError((event as { error?: unknown }).error),
      operation: 'register',
    }) as const),
    emitUnregistrationError: emit(({ event }) => ({
      type: 'error',
      error: toVoiceSDKError((event as { error?: unknown }).error),
      operation: 'unregister',
    }) as const),
    spawnOutboundCall: spawnChild('callMachine', {
      id: ({ event }) => (event as EventOf<'CALL'>).callId,
      input: ({ context, event }) => ({
        ...context.call,
        port: context.ua.createCall((event as EventOf<'CALL'>).request),
      }),
    }),
    spawnInboundCall: spawnChild('callMachine', {
      id: ({ event }) => (event as EventOf<'INCOMING_CALL'>).port.id,
      input: ({ context, event }) => ({
        ...context.call,
        port: (event as EventOf<'INCOMING_CALL'>).port,
      }),
    }),
    emitIncoming: emit(({ event }) => ({ type: 'incoming', callId: (event as EventOf<'INCOMING_CALL'>).port.id }) as const),
    endCalls: enqueueActions(({ enqueue, self }) => {
      // (Pure traversals run this on an empty actor with no snapshot.)
      for (const child of Object.values(self.getSnapshot()?.children ?? {})) {
        if (child && child.src === 'callMachine' && child.getSnapshot().status === 'active') {
          enqueue.sendTo(child, { type: 'DEVICE_DESTROYED' });
        }
      }
    }),
    emitDestroyed: emit({ type: 'destroyed' } as const),
  },
}).createMachine({
  id: 'device',
  context: ({ input }) => ({ ...input, serverIndex: 0, failedAttempts: 0, nextDelayMs: 0 }),
  initial: 'active',
  states: {
    active: {
      type: 'parallel',
      invoke: { id: 'userAgentListener', src: 'userAgentListener', input: ({ context }) => ({ ua: context.ua }) },
      on: {
        CALL: { actions: 'spawnOutboundCall' },
        INCOMING_CALL: { actions: ['spawnInboundCall', 'emitIncoming'] },
        DESTROY: 'destroying',
      },
      states: {
        transport: {
          initial: 'disconnected',
          states: {
            disconnected: {
              on: { CONNECT: 'connecting' },
            },
            connecting: {
              invoke: {
                id: 'connectActor',
                src: 'connectActor',
                input: ({ context }) => ({ ua: context.ua, server: currentServer(context) }),
                onDone: { target: 'connected', actions: ['resetAttempts', 'emitConnected'] },
                onError: [
                  { guard: 'canRetry', target: 'reconnecting', actions: ['countFailure', 'nextServer'] },
                  {
                    target: 'disconnected',
                    actions: ['resetAttempts', 'nextServer', 'emitTransportError', 'raiseTransportFailed', 'emitDisconnected'],
                  },
                ],
              },
            },
            connected: {
              id: 'transportConnected',
              on: {
                TRANSPORT_LOST: { target: 'reconnecting', actions: ['countFailure', 'nextServer'] },
              },
            },
            reconnecting: {
              entry: ['planReconnect', 'emitReconnecting'],
              after: { reconnectDelay: 'connecting' },
            },
          },
        },
        registration: {
          initial: 'unregistered',
          states: {
            unregistered: {
              on: { REGISTER: 'registering' },
            },
            registering: {
              entry: ['emitRegistering', 'requestTransport'],
              on: {
                // The transport region already emitted the error.
                TRANSPORT_FAILED: { target: 'unregistered', actions: 'emitUnregistered' },
              },
              initial: 'awaitingTransport',
              states: {
                awaitingTransport: {
                  always: { guard: 'isTransportConnected', target: 'sending' },
                },
                sending: {
                  invoke: {
                    id: 'registerActor',
                    src: 'registerActor',
                    input: ({ context }) => ({ ua: context.ua }),
                    onDone: '#device.active.registration.registered',
                    // No retry loop: a wrong password stays wrong.
                    onError: { target: '#device.active.registration.unregistered', actions: 'emitRegistrationError' },
                  },
                  on: { TRANSPORT_LOST: 'awaitingTransport' },
                },
              },
            },
            registered: {
              entry: 'emitRegistered',
              on: {
                UNREGISTER: 'unregistering',
                TRANSPORT_LOST: 'registering',
                REGISTRATION_LOST: 'registering',
              },
            },
            unregistering: {
              invoke: {
                id: 'unregisterActor',
                src: 'unregisterActor',
                input: ({ context }) => ({ ua: context.ua }),
                onDone: { target: 'unregistered', actions: 'emitUnregistered' },
                // The binding expires on its own; locally we are unregistered either way.
                onError: { target: 'unregistered', actions: ['emitUnregistrationError', 'emitUnregistered'] },
              },
            },
          },
        },
      },
    },
    destroying: {
      entry: 'endCalls',
      invoke: {
        id: 'destroyActor',
        src: 'destroyActor',
        input: ({ context }) => ({ ua: context.ua }),
        onDone: 'destroyed',
        onError: 'destroyed',
      },
    },
    destroyed: {
      type: 'final',
      entry: 'emitDestroyed',
    },
  },
});

/** A snapshot of `deviceMachine` (`device.actor.getSnapshot()`). */
export type DeviceSnapshot = SnapshotFrom<typeof deviceMachine>;

/** The public `device.state`. */
export type DeviceState = 'unregistered' | 'registering' | 'registered' | 'unregistering' | 'destroyed';

/** The public `device.state`: the registration region, or destroyed. */
export function deviceState(snapshot: DeviceSnapshot): DeviceState {
  if (snapshot.matches('destroying') || snapshot.matches('destroyed')) return 'destroyed';
  if (snapshot.matches({ active: { registration: 'registered' } })) return 'registered';
  if (snapshot.matches({ active: { registration: 'registering' } })) return 'registering';
  if (snapshot.matches({ active: { registration: 'unregistering' } })) return 'unregistering';
  return 'unregistered';
}

/** The public `device.transportState`: the WebSocket's state. */
export type TransportState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** The public `device.transportState`, read from a device snapshot. */
export function transportState(snapshot: DeviceSnapshot): TransportState {
  for (const state of ['connected', 'connecting', 'reconnecting'] as const) {
    if (snapshot.matches({ active: { transport: state } })) return state;
  }
  return 'disconnected';
}
