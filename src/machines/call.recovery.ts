/**
 * Calls across a lost signalling socket (issue 10). The device tells its
 * calls `SOCKET_DOWN` when its WebSocket is lost and `SOCKET_UP` once it is
 * back and registered again; the call decides the rest:
 *
 * ```
 * recovery (a region of accepted):  connected ──SOCKET_DOWN──► reconnecting ──SOCKET_UP──► refreshing ──2xx──► connected
 *                                                                                           481 / 408 / no answer ──► failed (connection-lost)
 *                                                                                           491 / 500 / 503 / ours in flight ──► refreshWait ──► refreshing
 *                  (reconnecting, refreshing, refreshWait) ──the far end's re-INVITE──► connected (reconnected)
 * hangingUp:  routing ──► sending (BYE) ──► disconnected
 *                └──socket down──► awaitingSocket ──SOCKET_UP──► sending
 * ```
 * The refresh is a target-refresh re-INVITE (RFC 3261 §12.2.2) keeping the
 * hold state: the proxy aliases the new connection to the dialog, so the far
 * end's BYE or re-INVITE reaches us again (see SIP-NOTES, "When the
 * WebSocket drops mid-call").
 */
import { VoiceSDKError } from '../errors';
import { callStateConfig } from './call.setup';

/**
 * The far end's re-INVITE reached us (and was answered) while we wait to
 * refresh: it came through our new connection and the proxy aliased our
 * answer's Contact to it, so the dialog is repaired both ways — our own
 * refresh is not needed (and would meet it: glare). When the proxy restarted,
 * both ends refresh at once and this is how one of them ends.
 */
const farEndRefreshed = {
  target: 'connected',
  actions: [
    { type: 'setSocketDown', params: { down: false } },
    { type: 'endRecovery', params: { cause: 'signalling', restored: true } },
    'signalBack',
  ],
} as const;

/** The signalling path of an accepted call: up, lost, or being refreshed after the reconnect. */
export const recoveryRegion = /* @__PURE__ */ callStateConfig({
  initial: 'connected',
  states: {
    connected: {
      on: { SOCKET_DOWN: { target: 'reconnecting', actions: { type: 'setSocketDown', params: { down: true } } } },
    },
    reconnecting: {
      entry: [{ type: 'startRecovery', params: { cause: 'signalling' } }, 'resetRefreshRetries'],
      on: {
        SOCKET_UP: { target: 'refreshing', actions: { type: 'setSocketDown', params: { down: false } } },
        'PORT.REINVITE': farEndRefreshed,
      },
    },
    refreshing: {
      invoke: {
        id: 'refreshReinvite',
        src: 'reinviteActor',
        input: ({ context }) => ({ port: context.port, hold: context.onHold }),
        onDone: { target: 'connected', actions: [{ type: 'endRecovery', params: { cause: 'signalling', restored: true } }, 'signalBack'] },
        onError: [
          {
            guard: { type: 'isDialogLost', params: ({ event }) => event },
            target: '#call.failed',
            actions: { type: 'failConnectionLost', params: ({ event }) => event },
          },
          // Glare, or our own re-INVITE still in flight: again after a while.
          { guard: { type: 'isRefreshBlocked', params: ({ event }) => event }, target: 'refreshWait', actions: 'countRefreshRetry' },
          // Refused otherwise (491, 488, 500 …): the dialog is still there, not refreshed; said, and the call goes on.
          {
            target: 'connected',
            actions: [
              { type: 'emitOperationError', params: ({ event }) => ({ operation: 'reconnect', error: event.error }) },
              { type: 'endRecovery', params: { cause: 'signalling', restored: false } },
              'signalBack',
            ],
          },
        ],
      },
      after: { refreshTimeout: { target: '#call.failed', actions: { type: 'failConnectionLost', params: {} } } },
      on: {
        SOCKET_DOWN: { target: 'reconnecting', actions: { type: 'setSocketDown', params: { down: true } } },
        'PORT.REINVITE': farEndRefreshed,
      },
    },
    refreshWait: {
      after: { refreshRetry: 'refreshing' },
      on: {
        SOCKET_DOWN: { target: 'reconnecting', actions: { type: 'setSocketDown', params: { down: true } } },
        'PORT.REINVITE': farEndRefreshed,
      },
    },
  },
});

/**
 * Hanging up: the BYE goes out at once, or once the socket is back (at most
 * `hangupSocketWait`, 30 s); the microphone stops going out at once. A BYE that cannot be sent, is refused or goes
 * unanswered is reported (`error`, operation `hangup`); the call ends locally
 * either way.
 */
export const hangingUpState = /* @__PURE__ */ callStateConfig({
  entry: 'stopSending',
  on: {
    'PORT.BYE': [
      // Transferred or replaced: the far end's BYE crossing ours does not change why the call ended.
      { guard: 'isTransferEnd', target: '#call.disconnected' },
      {
        target: '#call.disconnected',
        actions: { type: 'setEnd', params: ({ event }) => ({ reason: 'remote-hangup', cause: event.reason }) },
      },
    ],
    TERMINATE: { actions: { type: 'emitUnchanged', params: { operation: 'terminate' } } },
  },
  initial: 'routing',
  states: {
    routing: {
      always: [{ guard: 'isSocketDown', target: 'awaitingSocket' }, { target: 'sending' }],
    },
    awaitingSocket: {
      on: { SOCKET_UP: { target: 'sending', actions: { type: 'setSocketDown', params: { down: false } } } },
      after: {
        hangupSocketWait: {
          target: '#call.disconnected',
          actions: {
            type: 'emitOperationError',
            params: () => ({
              operation: 'hangup' as const,
              error: new VoiceSDKError('transport-failed', 'BYE not sent: no connection'),
            }),
          },
        },
      },
    },
    sending: {
      invoke: {
        id: 'byeActor',
        src: 'byeActor',
        input: ({ context }) => ({ port: context.port }),
        onDone: '#call.disconnected',
        onError: {
          target: '#call.disconnected',
          actions: { type: 'emitOperationError', params: ({ event }) => ({ operation: 'hangup', error: event.error }) },
        },
      },
    },
  },
});
