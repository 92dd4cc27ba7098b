/**
 * callMachine: one call, inbound or outbound.
 *
 * ```
 * pending ──► ringing ──► accepted ──► disconnected
 *    │           │      (hold ∥ mute ∥ remoteHold ∥ recording ∥ reporting ∥ recovery)
 *    └───────────┴──────────┴────────► failed
 * ```
 * Outbound: pending while the INVITE is out, ringing on a provisional
 * response, accepted once the answer is applied. Inbound: pending until
 * accept() or reject(). The port reports facts (`PORT.*` events: responses,
 * BYE/CANCEL/REFER received, media state, terminated) and the chart decides
 * what they mean; the implementations are in `./call.setup`.
 */
import { VoiceSDKError } from '../errors';
import { BUSY_STATUS } from '../sip/responses';
import { cancelEndReason } from '../sip/status';
import { holdRegion, muteRegion, recordingRegion, remoteHoldRegion, reportingRegion } from './call.accepted';
import { hangingUpState, recoveryRegion } from './call.recovery';
import { callSetup, dtmfMethodFor, EMPTY_REPORT_STATE, MEDIA_NOT_NEGOTIATED, mediaFailedError } from './call.setup';

export { reportOf, warningActorId } from './call.setup';

/** The call statechart (above); the Device spawns one per call, `callStatus()` maps it to the public status. */
export const callMachine = /* @__PURE__ */ callSetup().createMachine({
  id: 'call',
  context: ({ input }) => ({
    port: input.port,
    device: input.device,
    direction: input.port.direction,
    qualityIntervalMs: input.qualityIntervalMs,
    dtmf: input.dtmf,
    warnings: input.warnings,
    gracePeriodMs: input.gracePeriodMs,
    reportIntervalMs: input.reportIntervalMs,
    now: input.now,
    startedAt: input.now(),
    endedAt: undefined,
    report: EMPTY_REPORT_STATE,
    endReason: undefined,
    endDetail: undefined,
    endStatus: undefined,
    endCause: undefined,
    hangUpWhenAnswered: false,
    error: undefined,
    acceptedAt: undefined,
    lastSample: undefined,
    muted: false,
    onHold: false,
    remoteHeld: false,
    negotiated: undefined,
    socketDown: false,
    refreshRetries: 0,
  }),
  invoke: { id: 'sessionListener', src: 'sessionListener', input: ({ context }) => ({ port: context.port }) },
  on: {
    'PORT.NEGOTIATED': { actions: 'storeNegotiated' },
    DEVICE_DESTROYED: { target: '.disconnected', actions: { type: 'setEnd', params: { reason: 'device-destroyed' } } },
  },
  initial: 'pending',
  states: {
    pending: {
      initial: 'routing',
      states: {
        routing: {
          always: [{ guard: 'isOutbound', target: 'outgoing' }, { target: 'incoming' }],
        },
        outgoing: {
          // The far end may answer before invite() has resolved (a fast
          // network, the fake one): its answers count in both substates.
          on: {
            'PORT.PROVISIONAL': '#call.ringing',
            'PORT.ESTABLISHED': '#call.accepted',
            'PORT.FINAL': [
              { guard: 'isDeclineResponse', target: '#call.disconnected', actions: 'endByResponse' },
              { guard: 'isFailureResponse', target: '#call.failed', actions: 'failByResponse' },
            ],
            // Early media (or the answer being applied) can fail before the call is up.
            'PORT.MEDIA': { guard: 'isMediaFailure', target: '#call.failed', actions: 'failByMedia' },
            DISCONNECT: { target: '#call.canceling', actions: { type: 'setEnd', params: { reason: 'canceled' } } },
            TERMINATE: { target: '#call.canceling', actions: { type: 'setEnd', params: { reason: 'canceled' } } },
          },
          initial: 'inviting',
          states: {
            inviting: {
              invoke: {
                id: 'inviteActor',
                src: 'inviteActor',
                input: ({ context }) => ({ port: context.port }),
                onDone: 'trying',
                onError: { target: '#call.failed', actions: { type: 'setError', params: ({ event }) => event } },
              },
            },
            trying: {
              on: {
                'PORT.TERMINATED': {
                  target: '#call.failed',
                  actions: { type: 'setError', params: () => ({ error: mediaFailedError(MEDIA_NOT_NEGOTIATED) }) },
                },
              },
            },
          },
        },
        incoming: {
          initial: 'waiting',
          states: {
            waiting: {
              on: {
                ACCEPT: [{ guard: 'mustHoldOthers', target: 'holdingOthers' }, { target: '#call.pending.answering' }],
              },
            },
            // accept({ holdOthers }): the device puts its other accepted calls on hold first.
            holdingOthers: {
              entry: 'askDeviceToHoldOthers',
              on: {
                OTHERS_HELD: '#call.pending.answering',
                OTHERS_HOLD_FAILED: {
                  target: 'waiting',
                  actions: { type: 'emitOperationError', params: ({ event }) => ({ operation: 'accept', error: event.error }) },
                },
              },
            },
          },
          on: {
            REJECT: {
              target: '#call.rejecting',
              actions: { type: 'setEnd', params: ({ event }) => ({ reason: 'rejected', status: event.statusCode }) },
            },
            TERMINATE: { target: '#call.rejecting', actions: { type: 'setEnd', params: { reason: 'rejected', status: BUSY_STATUS } } },
            'PORT.CANCEL': {
              target: '#call.disconnected',
              actions: { type: 'setEnd', params: ({ event }) => ({ reason: cancelEndReason(event.reason), cause: event.reason }) },
            },
            // Nobody answered: the stack answered 480 itself after its no-answer timer.
            'PORT.TERMINATED': {
              target: '#call.failed',
              actions: {
                type: 'setError',
                params: () => ({ error: new VoiceSDKError('timeout', 'The incoming call was not answered in time') }),
              },
            },
          },
        },
        answering: {
          invoke: {
            id: 'acceptActor',
            src: 'acceptActor',
            input: ({ context }) => ({ port: context.port }),
            onDone: [
              // terminate() while answering: BYE as soon as the call is up.
              {
                guard: 'isHangUpWhenAnswered',
                target: '#call.hangingUp',
                actions: { type: 'setEnd', params: { reason: 'local-hangup' } },
              },
              { target: '#call.accepted' },
            ],
            onError: { target: '#call.failed', actions: { type: 'setError', params: ({ event }) => event } },
          },
          on: {
            TERMINATE: { actions: 'hangUpWhenAnswered' },
            'PORT.CANCEL': {
              target: '#call.disconnected',
              actions: { type: 'setEnd', params: ({ event }) => ({ reason: cancelEndReason(event.reason), cause: event.reason }) },
            },
          },
        },
      },
    },
    ringing: {
      entry: 'emitRinging',
      on: {
        'PORT.ESTABLISHED': 'accepted',
        'PORT.FINAL': [
          { guard: 'isDeclineResponse', target: 'disconnected', actions: 'endByResponse' },
          { guard: 'isFailureResponse', target: 'failed', actions: 'failByResponse' },
        ],
        'PORT.TERMINATED': {
          target: 'failed',
          actions: { type: 'setError', params: () => ({ error: mediaFailedError(MEDIA_NOT_NEGOTIATED) }) },
        },
        'PORT.MEDIA': { guard: 'isMediaFailure', target: 'failed', actions: 'failByMedia' },
        DISCONNECT: { target: 'canceling', actions: { type: 'setEnd', params: { reason: 'canceled' } } },
        TERMINATE: { target: 'canceling', actions: { type: 'setEnd', params: { reason: 'canceled' } } },
      },
    },
    accepted: {
      type: 'parallel',
      entry: ['markAccepted', 'startWarnings', 'emitAccepted', 'tellDeviceAccepted'],
      exit: 'stopWarnings',
      invoke: {
        id: 'statsActor',
        src: 'statsActor',
        input: ({ context }) => ({ port: context.port, intervalMs: context.qualityIntervalMs }),
      },
      on: {
        DISCONNECT: { target: 'hangingUp', actions: { type: 'setEnd', params: { reason: 'local-hangup' } } },
        TERMINATE: { target: 'hangingUp', actions: { type: 'setEnd', params: { reason: 'local-hangup' } } },
        'PORT.BYE': {
          target: 'disconnected',
          actions: { type: 'setEnd', params: ({ event }) => ({ reason: 'remote-hangup', cause: event.reason }) },
        },
        'PORT.CONFIRMED': { actions: 'emitConfirmed' },
        'PORT.MEDIA': { guard: 'isMediaFailure', target: 'failed', actions: 'failByMedia' },
        // The stack hung up by itself: the far end's SDP was unusable or no ACK came.
        'PORT.TERMINATED': {
          target: 'failed',
          actions: { type: 'setError', params: () => ({ error: mediaFailedError(MEDIA_NOT_NEGOTIATED) }) },
        },
        'PORT.REFER': [{ guard: 'isUnusableReferTarget', actions: 'refuseBadRefer' }, { actions: 'declineRefer' }],
        // Digits by SIP INFO; other INFO bodies (and RFC 4733, which browsers cannot see) tell nothing.
        'PORT.INFO': { guard: 'isInfoDigit', actions: 'emitInfoDigit' },
        QUALITY: {
          actions: [
            { type: 'recordSample', params: ({ event }) => event },
            { type: 'emitQuality', params: ({ event }) => event },
            { type: 'judgeSample', params: ({ event }) => event },
          ],
        },
        WARNING_RAISED: {
          actions: [
            { type: 'noteWarningRaised', params: ({ event }) => event },
            { type: 'emitWarning', params: ({ event }) => event },
          ],
        },
        WARNING_CLEARED: {
          actions: [
            { type: 'noteWarningCleared', params: ({ event }) => event },
            { type: 'emitWarningCleared', params: ({ event }) => event },
          ],
        },
        SEND_DIGITS: [
          // Neither RFC 4733 nor SIP INFO would reach the far end: refuse, send nothing.
          { guard: 'dtmfUnavailable', actions: { type: 'refuseDigits', params: ({ event }) => ({ requestId: event.requestId }) } },
          {
            actions: {
              type: 'spawnRequest',
              params: ({ context, event }) => ({
                requestId: event.requestId,
                request: { kind: 'digits', digits: event.digits, options: { ...context.dtmf, method: dtmfMethodFor(context) } },
              }),
            },
          },
        ],
        SET_INPUT_DEVICE: {
          actions: {
            type: 'spawnRequest',
            params: ({ event }) => ({ requestId: event.requestId, request: { kind: 'input-device', deviceId: event.deviceId } }),
          },
        },
        SET_OUTPUT_DEVICE: {
          actions: {
            type: 'spawnRequest',
            params: ({ event }) => ({ requestId: event.requestId, request: { kind: 'output-device', deviceId: event.deviceId } }),
          },
        },
        REQUEST_DONE: {
          actions: [
            { type: 'stopRequest', params: ({ event }) => event },
            { type: 'emitRequestSettled', params: ({ event }) => ({ requestId: event.requestId }) },
          ],
        },
        REQUEST_FAILED: {
          actions: [
            { type: 'stopRequest', params: ({ event }) => event },
            { type: 'emitRequestSettled', params: ({ event }) => event },
          ],
        },
      },
      states: {
        hold: holdRegion,
        mute: muteRegion,
        remoteHold: remoteHoldRegion,
        reporting: reportingRegion,
        recording: recordingRegion,
        recovery: recoveryRegion,
      },
    },
    // Our CANCEL is out; the INVITE's final response (487, or a 2xx that crossed it) settles the call.
    canceling: {
      on: {
        'PORT.FINAL': [
          {
            // The far end answered before our CANCEL reached it: it is a call now, so we hang up.
            guard: { type: 'isSuccess', params: ({ event }) => event },
            target: 'hangingUp',
            actions: { type: 'setEnd', params: { reason: 'canceled', detail: 'answered-after-cancel' } },
          },
          { target: 'disconnected', actions: 'noteFinal' },
        ],
        // The INVITE never left (canceled while it was being prepared).
        'PORT.TERMINATED': 'disconnected',
        // Ending already: terminate() waits for the same end.
        TERMINATE: { actions: { type: 'emitUnchanged', params: { operation: 'terminate' } } },
      },
      initial: 'sending',
      states: {
        sending: {
          invoke: {
            id: 'cancelActor',
            src: 'cancelActor',
            input: ({ context }) => ({ port: context.port }),
            onDone: 'awaitingFinal',
            // The CANCEL could not be sent (socket gone): the call is over for us.
            onError: '#call.disconnected',
          },
        },
        awaitingFinal: {},
      },
    },
    rejecting: {
      invoke: {
        id: 'rejectActor',
        src: 'rejectActor',
        input: ({ context }) => ({ port: context.port, statusCode: context.endStatus ?? BUSY_STATUS }),
        onDone: 'disconnected',
        onError: 'disconnected',
      },
      on: {
        'PORT.CANCEL': {
          target: 'disconnected',
          actions: { type: 'setEnd', params: ({ event }) => ({ reason: cancelEndReason(event.reason), cause: event.reason }) },
        },
        TERMINATE: { actions: { type: 'emitUnchanged', params: { operation: 'terminate' } } },
      },
    },
    hangingUp: hangingUpState,
    disconnected: {
      type: 'final',
      entry: ['markEnded', 'releaseMedia', 'emitDisconnect', 'tellDeviceEnded'],
    },
    failed: {
      type: 'final',
      entry: ['markEnded', 'releaseMedia', 'emitFailure', 'emitDisconnect', 'tellDeviceEnded'],
    },
  },
});

export { callStatus, isMuted, isOnHold, isReconnecting, isRecording, isRemoteOnHold, type CallSnapshot } from './call.connect';
