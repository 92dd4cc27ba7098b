/**
 * deviceMachine: one SIP user agent. Two parallel regions, because the socket
 * and the registration fail independently:
 *
 * ```
 * transport:    disconnected → connecting → connected → reconnecting → connecting …
 *                               (idle ⇄ pinging: the CRLF keep-alive watchdog)
 * registration: unregistered → registering → registered → unregistering → unregistered
 * ```
 * The backoff counts failures until a connection proved itself (registered,
 * or answered a keep-alive): a server that accepts the socket and drops it on
 * every REGISTER gets exponential backoff, not a storm.
 * `destroyed` is final. The device spawns one `callMachine` actor per call,
 * inbound and outbound; their ids are the call ids.
 */
import { assign, emit, enqueueActions, raise, setup, stateIn, stopChild, type AnyActorRef } from 'xstate';
import { toVoiceSDKError, VoiceSDKError } from '../errors';
import { callMachine } from './call.machine';
import { connectActor, destroyActor, holdOthersActor, registerActor, unregisterActor, userAgentListener } from './device.actors';
import { holdOthersRequest, isInvokedActorId, liveCallActors } from './device.calls';
import { BUSY_STATUS, CALL_DOES_NOT_EXIST_STATUS } from '../sip/responses';
import type { CallSnapshot } from './call.connect';
import type { CallPort } from '../adapters/adapter';
import { backoffDelay, currentServer } from './device.backoff';
import type { DeviceContext, DeviceEmitted, DeviceEvent, DeviceMachineInput, DeviceOperation, QueuedCall } from './device.types';

/**
 * The device statechart: the transport region (disconnected → connecting →
 * connected ↔ reconnecting) in parallel with the registration region
 * (unregistered → registering → registered → unregistering), spawning one
 * `callMachine` per call; destroyed is final.
 */
export const deviceMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as DeviceContext,
    events: {} as DeviceEvent,
    input: {} as DeviceMachineInput,
    emitted: {} as DeviceEmitted,
  },
  actors: { userAgentListener, connectActor, registerActor, unregisterActor, destroyActor, callMachine, holdOthersActor },
  guards: {
    /** Call waiting is off and a call is accepted: the INVITE is answered 486. */
    isWaitingRefused: ({ context }) => !context.policy.callWaiting && Object.values(context.liveCalls).includes('accepted'),
    /** As many calls as `maxCalls` are up already: the INVITE is answered 486. */
    isOverMaxCalls: ({ context }) => Object.keys(context.liveCalls).length >= context.policy.maxCalls,
    canRetry: ({ context }) => context.failedAttempts + 1 < context.reconnect.maxAttempts,
    isTransportConnected: stateIn('#transportConnected'),
    isUnregistered: stateIn({ active: { registration: 'unregistered' } }),
    isCallActor: (_, params: { actorId: string }) => !isInvokedActorId(params.actorId),
    /** An INVITE with Replaces: the call it names is one of ours (else 481: the dialog is gone for us). */
    isReplacing: (_, params: { port: CallPort }) => params.port.replaces !== undefined,
    isReplacingLiveCall: ({ context }, params: { port: CallPort }) =>
      params.port.replaces !== undefined && context.liveCalls[params.port.replaces] !== undefined,
  },
  delays: {
    reconnectDelay: ({ context }) => context.nextDelayMs,
    keepAliveInterval: ({ context }) => context.keepAlive.intervalMs,
    keepAliveTimeout: ({ context }) => context.keepAlive.timeoutMs,
    registerTimeout: ({ context }) => context.registerTimeoutMs,
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
    emitTransportError: emit((_, params: { error: unknown }) => ({
      type: 'error',
      error: toVoiceSDKError(params.error, 'transport-failed'),
      operation: 'transport',
    }) as const),
    raiseTransportFailed: raise((_, params: { error: unknown }) => ({
      type: 'TRANSPORT_FAILED',
      error: toVoiceSDKError(params.error, 'transport-failed'),
    }) as const),
    requestTransport: raise({ type: 'CONNECT' } as const),
    sendPing: ({ context }) => context.ua.ping(),
    /** No pong in time: the socket is open but dead; the transport region treats it as lost. */
    raiseSocketDead: raise(({ context }) => ({
      type: 'TRANSPORT_LOST',
      error: new VoiceSDKError('timeout', `The SIP server did not answer a keep-alive within ${context.keepAlive.timeoutMs} ms`),
    }) as const),
    emitRegisterTimeout: emit(({ context }) => ({
      type: 'error',
      error: new VoiceSDKError('timeout', `Not registered within ${context.registerTimeoutMs} ms; still trying`),
      operation: 'register',
    }) as const),
    emitRegistering: emit({ type: 'registering' } as const),
    emitRegistered: emit({ type: 'registered' } as const),
    emitUnregistered: emit({ type: 'unregistered' } as const),
    emitRequestError: emit((_, params: { error: unknown; operation: DeviceOperation }) => ({
      type: 'error',
      error: toVoiceSDKError(params.error),
      operation: params.operation,
    }) as const),
    emitUnchanged: emit((_, params: { operation: DeviceOperation }) => ({ type: 'unchanged', operation: params.operation }) as const),
    emitJoined: emit((_, params: { operation: DeviceOperation }) => ({ type: 'joined', operation: params.operation }) as const),
    /** Spawns the call actors of `calls` (one CALL, or the queue once the transport is up) and empties the queue. */
    startCalls: enqueueActions(({ context, enqueue, self }, params: { calls: QueuedCall[] }) => {
      for (const { callId, request } of params.calls) {
        enqueue.spawnChild('callMachine', { id: callId, input: { ...context.call, port: context.ua.createCall(request), device: self, video: request.video === true } });
        enqueue.emit({ type: 'call-started', callId });
      }
      const live = { ...context.liveCalls };
      for (const { callId } of params.calls) live[callId] = 'pending';
      enqueue.assign({ queuedCalls: [], liveCalls: live });
    }),
    queueCall: assign({ queuedCalls: ({ context }, params: QueuedCall) => [...context.queuedCalls, params] }),
    /** The transport gave up: every queued call fails with its error. */
    failQueuedCalls: enqueueActions(({ context, enqueue }, params: { error: VoiceSDKError }) => {
      for (const { callId } of context.queuedCalls) enqueue.emit({ type: 'call-failed', callId, error: params.error });
      enqueue.assign({ queuedCalls: [] });
    }),
    spawnInboundCall: enqueueActions(({ context, enqueue, self }, params: { port: CallPort }) => {
      const replaces = params.port.replaces === undefined ? {} : { replaces: params.port.replaces };
      enqueue.spawnChild('callMachine', { id: params.port.id, input: { ...context.call, ...replaces, port: params.port, device: self } });
      enqueue.assign({ liveCalls: { ...context.liveCalls, [params.port.id]: 'pending' } });
    }),
    /** The policy refused the call: 486 Busy Here (481 for a Replaces naming no call of ours), and nothing is surfaced. */
    refuseIncoming: (_, params: { port: CallPort; status?: number }) => {
      const { port } = params;
      port.reject(params.status ?? BUSY_STATUS).then(
        () => port.dispose(),
        () => port.dispose(),
      );
    },
    noteCallStatus: assign({
      liveCalls: ({ context }, params: { callId: string; status: 'accepted' | 'ended' }) => {
        const { [params.callId]: known, ...others } = context.liveCalls;
        if (known === undefined) return context.liveCalls;
        return params.status === 'ended' ? others : { ...context.liveCalls, [params.callId]: 'accepted' as const };
      },
    }),
    /** A referred call was accepted or ended: the call whose REFER it follows is told (once: the referral is over). */
    tellReferringCall: enqueueActions(({ context, enqueue, self }, params: { callId: string; status: 'accepted' | 'ended' }) => {
      const { [params.callId]: referringId, ...others } = context.referrals;
      if (referringId === undefined) return;
      enqueue.assign({ referrals: others });
      // The referring call may have ended meanwhile (and been let go).
      const referring = self.getSnapshot()?.children[referringId] as AnyActorRef | undefined;
      if (referring !== undefined) {
        enqueue.sendTo(referring, { type: params.status === 'accepted' ? 'REFERRED_CALL_ACCEPTED' : 'REFERRED_CALL_ENDED' });
      }
    }),
    /**
     * Places the call that follows the REFER `callId` accepted (the user
     * agent builds it from that REFER) and tells that call its id; a call
     * that cannot be built is told so.
     */
    followRefer: enqueueActions(({ context, enqueue, self }, params: { callId: string }) => {
      const referring = self.getSnapshot()?.children[params.callId] as AnyActorRef | undefined;
      if (referring === undefined) return;
      let port: CallPort;
      try {
        port = context.ua.createReferredCall((referring.getSnapshot() as CallSnapshot).context.port);
      } catch (error) {
        enqueue.sendTo(referring, { type: 'REFER_NOT_FOLLOWED', error: toVoiceSDKError(error) });
        return;
      }
      enqueue.spawnChild('callMachine', { id: port.id, input: { ...context.call, port, device: self } });
      enqueue.assign({
        liveCalls: { ...context.liveCalls, [port.id]: 'pending' },
        referrals: { ...context.referrals, [port.id]: params.callId },
      });
      enqueue.sendTo(referring, { type: 'REFER_FOLLOWED', callId: port.id });
    }),
    /** The call that replaces `replacedId` was accepted: that one ends. */
    endReplacedCall: enqueueActions(({ enqueue, self }, params: { replacedId: string }) => {
      const replaced = self.getSnapshot()?.children[params.replacedId] as AnyActorRef | undefined;
      if (replaced !== undefined) enqueue.sendTo(replaced, { type: 'REPLACED' });
    }),
    /** Starts holding the accepted calls other than `callId` that are not on hold; the actor answers the requester. */
    holdOthers: enqueueActions(({ context, enqueue, self }, params: { callId: string }) => {
      const request = holdOthersRequest(self.getSnapshot()?.children ?? {}, params.callId);
      if (request === undefined) return;
      const id = `hold-others.${context.holdRequests + 1}`;
      enqueue.assign({ holdRequests: context.holdRequests + 1 });
      enqueue.spawnChild('holdOthersActor', { id, input: request });
    }),
    emitIncoming: emit((_, params: { port: CallPort }) => ({ type: 'incoming', callId: params.port.id }) as const),
    /** Tells every live call (`DEVICE_DESTROYED`, the socket's `SOCKET_DOWN` / `SOCKET_UP`, `NETWORK_CHANGED`); pure traversals have no snapshot. */
    tellCalls: enqueueActions(({ enqueue, self }, params: { type: 'DEVICE_DESTROYED' | 'SOCKET_DOWN' | 'SOCKET_UP' | 'NETWORK_CHANGED' }) => {
      for (const call of liveCallActors(self.getSnapshot()?.children ?? {})) enqueue.sendTo(call, { type: params.type });
    }),
    /** A call actor reached its final state: the device lets go of it (its facade keeps the ended snapshot). */
    releaseCall: stopChild((_, params: { callId: string }) => params.callId),
    emitDestroyed: emit({ type: 'destroyed' } as const),
  },
}).createMachine({
  id: 'device',
  context: ({ input }) => ({ ...input, serverIndex: 0, failedAttempts: 0, nextDelayMs: 0, queuedCalls: [], liveCalls: {}, holdRequests: 0, referrals: {} }),
  initial: 'active',
  states: {
    active: {
      type: 'parallel',
      invoke: { id: 'userAgentListener', src: 'userAgentListener', input: ({ context }) => ({ ua: context.ua }) },
      on: {
        // The calls policy: call waiting and the most calls at once.
        INCOMING_CALL: [
          // An INVITE with Replaces takes the place of a call: no call-waiting or maxCalls check.
          {
            guard: { type: 'isReplacingLiveCall', params: ({ event }) => event },
            actions: [
              { type: 'spawnInboundCall', params: ({ event }) => event },
              { type: 'emitIncoming', params: ({ event }) => event },
            ],
          },
          {
            guard: { type: 'isReplacing', params: ({ event }) => event },
            actions: { type: 'refuseIncoming', params: ({ event }) => ({ port: event.port, status: CALL_DOES_NOT_EXIST_STATUS }) },
          },
          { guard: 'isWaitingRefused', actions: { type: 'refuseIncoming', params: ({ event }) => event } },
          { guard: 'isOverMaxCalls', actions: { type: 'refuseIncoming', params: ({ event }) => event } },
          {
            actions: [
              { type: 'spawnInboundCall', params: ({ event }) => event },
              { type: 'emitIncoming', params: ({ event }) => event },
            ],
          },
        ],
        CALL_STATUS: {
          actions: [
            { type: 'noteCallStatus', params: ({ event }) => event },
            { type: 'tellReferringCall', params: ({ event }) => event },
          ],
        },
        // Transfers: a REFER followed places a call; a call accepted in place of another ends that one.
        FOLLOW_REFER: { actions: { type: 'followRefer', params: ({ event }) => event } },
        CALL_REPLACED: { actions: { type: 'endReplacedCall', params: ({ event }) => event } },
        // Answering a waiting call or resuming a held one: the others go on hold first.
        HOLD_OTHERS: { actions: { type: 'holdOthers', params: ({ event }) => event } },
        DESTROY: 'destroying',
        // A call actor reached its final state (the invoked actors' done events are handled where they run).
        'xstate.done.actor.*': {
          guard: { type: 'isCallActor', params: ({ event }) => ({ actorId: event.actorId }) },
          actions: { type: 'releaseCall', params: ({ event }) => ({ callId: event.actorId }) },
        },
      },
      states: {
        transport: {
          initial: 'disconnected',
          states: {
            disconnected: {
              on: { CONNECT: 'connecting' },
            },
            connecting: {
              // Asked again while under way: the answer is the same `connected`.
              on: { CONNECT: { actions: { type: 'emitJoined', params: { operation: 'transport' } } } },
              invoke: {
                id: 'connectActor',
                src: 'connectActor',
                input: ({ context }) => ({ ua: context.ua, server: currentServer(context) }),
                // Not a success yet: the count resets once the connection proved itself.
                // Calls refresh their dialogs once registered again (or now, for a device that does not register).
                onDone: [
                  { guard: 'isUnregistered', target: 'connected', actions: ['emitConnected', { type: 'tellCalls', params: { type: 'SOCKET_UP' } }] },
                  { target: 'connected', actions: 'emitConnected' },
                ],
                onError: [
                  { guard: 'canRetry', target: 'reconnecting', actions: ['countFailure', 'nextServer'] },
                  {
                    target: 'disconnected',
                    actions: [
                      'resetAttempts',
                      'nextServer',
                      { type: 'emitTransportError', params: ({ event }) => event },
                      { type: 'raiseTransportFailed', params: ({ event }) => event },
                      'emitDisconnected',
                    ],
                  },
                ],
              },
            },
            connected: {
              id: 'transportConnected',
              on: {
                CONNECT: { actions: { type: 'emitUnchanged', params: { operation: 'transport' } } },
                TRANSPORT_LOST: {
                  target: 'reconnecting',
                  actions: ['countFailure', 'nextServer', { type: 'tellCalls', params: { type: 'SOCKET_DOWN' } }],
                },
              },
              initial: 'idle',
              states: {
                idle: {
                  after: { keepAliveInterval: 'pinging' },
                  // A network change often leaves a socket open but dead: check it now; the calls restart ICE.
                  on: { NETWORK_ONLINE: { target: 'pinging', actions: { type: 'tellCalls', params: { type: 'NETWORK_CHANGED' } } } },
                },
                pinging: {
                  entry: 'sendPing',
                  on: { PONG: { target: 'idle', actions: 'resetAttempts' } },
                  after: { keepAliveTimeout: { actions: 'raiseSocketDead' } },
                },
              },
            },
            reconnecting: {
              entry: ['planReconnect', 'emitReconnecting'],
              on: {
                CONNECT: { actions: { type: 'emitJoined', params: { operation: 'transport' } } },
                // The network is back: no reason to wait out the backoff (the calls restart ICE once it is).
                NETWORK_ONLINE: { target: 'connecting', actions: { type: 'tellCalls', params: { type: 'NETWORK_CHANGED' } } },
              },
              after: { reconnectDelay: 'connecting' },
            },
          },
        },
        registration: {
          initial: 'unregistered',
          states: {
            unregistered: {
              on: {
                REGISTER: 'registering',
                UNREGISTER: { actions: { type: 'emitUnchanged', params: { operation: 'unregister' } } },
              },
            },
            registering: {
              entry: ['emitRegistering', 'requestTransport'],
              on: {
                // Asked again while under way: the answer is the same `registered`.
                REGISTER: { actions: { type: 'emitJoined', params: { operation: 'register' } } },
                // The transport region already emitted the error.
                TRANSPORT_FAILED: { target: 'unregistered', actions: 'emitUnregistered' },
              },
              // register() stops waiting; the device keeps trying (the socket comes back, or the keep-alive finds it dead).
              after: { registerTimeout: { actions: 'emitRegisterTimeout' } },
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
                    onError: {
                      target: '#device.active.registration.unregistered',
                      actions: { type: 'emitRequestError', params: ({ event }) => ({ error: event.error, operation: 'register' }) },
                    },
                  },
                  on: { TRANSPORT_LOST: 'awaitingTransport' },
                },
              },
            },
            registered: {
              entry: ['emitRegistered', 'resetAttempts', { type: 'tellCalls', params: { type: 'SOCKET_UP' } }],
              on: {
                REGISTER: { actions: { type: 'emitUnchanged', params: { operation: 'register' } } },
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
                onError: {
                  target: 'unregistered',
                  actions: [
                    { type: 'emitRequestError', params: ({ event }) => ({ error: event.error, operation: 'unregister' }) },
                    'emitUnregistered',
                  ],
                },
              },
              on: { UNREGISTER: { actions: { type: 'emitJoined', params: { operation: 'unregister' } } } },
            },
          },
        },
        // Outbound calls wait for the transport, as registering does; the facade only sends CALL.
        outbound: {
          initial: 'idle',
          states: {
            idle: {
              on: {
                CALL: [
                  {
                    guard: 'isTransportConnected',
                    actions: { type: 'startCalls', params: ({ event }) => ({ calls: [event] }) },
                  },
                  {
                    target: 'awaitingTransport',
                    actions: [{ type: 'queueCall', params: ({ event }) => event }, 'requestTransport'],
                  },
                ],
              },
            },
            awaitingTransport: {
              always: {
                guard: 'isTransportConnected',
                target: 'idle',
                actions: { type: 'startCalls', params: ({ context }) => ({ calls: context.queuedCalls }) },
              },
              on: {
                CALL: { actions: { type: 'queueCall', params: ({ event }) => event } },
                // The transport region already emitted the error.
                TRANSPORT_FAILED: { target: 'idle', actions: { type: 'failQueuedCalls', params: ({ event }) => event } },
              },
            },
          },
        },
      },
    },
    destroying: {
      entry: { type: 'tellCalls', params: { type: 'DEVICE_DESTROYED' } },
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

export { backoffDelay } from './device.backoff';

export { deviceState, transportState, type DeviceSnapshot, type DeviceState, type TransportState } from './device.connect';
