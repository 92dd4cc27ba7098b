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
import { CALL_DOES_NOT_EXIST_STATUS } from '../sip/responses';
import { currentServer } from './device.backoff';
import { deviceSetup } from './device.setup';

/**
 * The device statechart: the transport region (disconnected → connecting →
 * connected ↔ reconnecting) in parallel with the registration region
 * (unregistered → registering → registered → unregistering), spawning one
 * `callMachine` per call; destroyed is final. Its implementations are in
 * `./device.setup`.
 */
export const deviceMachine = /* @__PURE__ */ deviceSetup().createMachine({
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
            'tellOthersTalking',
            { type: 'tellReferringCall', params: ({ event }) => event },
          ],
        },
        // Transfers: a REFER followed places a call; a call accepted in place of another ends that one.
        FOLLOW_REFER: { actions: { type: 'followRefer', params: ({ event }) => event } },
        CALL_REPLACED: { actions: { type: 'endReplacedCall', params: ({ event }) => event } },
        // Answering a waiting call or resuming a held one: the others go on hold first.
        HOLD_OTHERS: { actions: { type: 'holdOthers', params: ({ event }) => event } },
        // The microphone and output the calls made from now on use (accepted calls are switched by the facade's requests).
        SET_INPUT_DEVICE: { actions: { type: 'chooseInputDevice', params: ({ event }) => event } },
        SET_OUTPUT_DEVICE: { actions: { type: 'chooseOutputDevice', params: ({ event }) => event } },
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
                  { guard: 'isOverMaxCalls', actions: { type: 'refuseCall', params: ({ event }) => event } },
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
                CALL: [
                  { guard: 'isOverMaxCalls', actions: { type: 'refuseCall', params: ({ event }) => event } },
                  { actions: { type: 'queueCall', params: ({ event }) => event } },
                ],
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
