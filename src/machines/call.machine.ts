/**
 * callMachine: one call, inbound or outbound.
 *
 * ```
 * pending ──► ringing ──► accepted ──► disconnected
 *    │           │      (hold ∥ mute ∥ recording ∥ reporting)
 *    └───────────┴──────────┴────────► failed
 * ```
 * Outbound: pending while the INVITE is out, ringing on a provisional
 * response, accepted once the answer is applied. Inbound: pending until
 * accept() or reject(). The port reports facts (`PORT.*` events: responses,
 * BYE/CANCEL/REFER received, media state, terminated) and the chart decides
 * what they mean; the implementations are in `./call.setup`.
 */
import { assertEvent } from 'xstate';
import { VoiceSDKError } from '../errors';
import { cancelEndReason } from '../sip/status';
import { callSetup, dtmfMethodFor, EMPTY_REPORT_STATE, MEDIA_NOT_NEGOTIATED, mediaFailedError } from './call.setup';

export { reportOf, warningActorId } from './call.setup';

/** The call statechart (above); the Device spawns one per call, `callStatus()` maps it to the public status. */
export const callMachine = /* @__PURE__ */ callSetup().createMachine({
  id: 'call',
  context: ({ input }) => ({
    port: input.port,
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
    error: undefined,
    acceptedAt: undefined,
    lastSample: undefined,
    muted: false,
    onHold: false,
    negotiated: undefined,
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
          on: {
            ACCEPT: 'answering',
            REJECT: { target: '#call.rejecting', actions: { type: 'setEnd', params: { reason: 'rejected' } } },
            'PORT.CANCEL': {
              target: '#call.disconnected',
              actions: { type: 'setEnd', params: ({ event }) => ({ reason: cancelEndReason(event.reason) }) },
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
            onDone: '#call.accepted',
            onError: { target: '#call.failed', actions: { type: 'setError', params: ({ event }) => event } },
          },
          on: {
            'PORT.CANCEL': {
              target: '#call.disconnected',
              actions: { type: 'setEnd', params: ({ event }) => ({ reason: cancelEndReason(event.reason) }) },
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
      },
    },
    accepted: {
      type: 'parallel',
      entry: ['markAccepted', 'startWarnings', 'emitAccepted'],
      exit: 'stopWarnings',
      invoke: {
        id: 'statsActor',
        src: 'statsActor',
        input: ({ context }) => ({ port: context.port, intervalMs: context.qualityIntervalMs }),
      },
      on: {
        DISCONNECT: { target: 'hangingUp', actions: { type: 'setEnd', params: { reason: 'local-hangup' } } },
        'PORT.BYE': { target: 'disconnected', actions: { type: 'setEnd', params: { reason: 'remote-hangup' } } },
        'PORT.MEDIA': { guard: 'isMediaFailure', target: 'failed', actions: 'failByMedia' },
        // The stack hung up by itself: the far end's SDP was unusable or no ACK came.
        'PORT.TERMINATED': {
          target: 'failed',
          actions: { type: 'setError', params: () => ({ error: mediaFailedError(MEDIA_NOT_NEGOTIATED) }) },
        },
        'PORT.REFER': { actions: 'declineRefer' },
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
        hold: {
          initial: 'off',
          states: {
            off: {
              entry: [{ type: 'setOnHold', params: { onHold: false } }, 'applySending'],
              on: {
                HOLD: 'holding',
                UNHOLD: { actions: { type: 'emitUnchanged', params: { operation: 'resume' } } },
              },
            },
            // On hold from the moment we ask: the microphone stops at once, not when the answer comes.
            holding: {
              entry: [{ type: 'setOnHold', params: { onHold: true } }, 'applySending'],
              invoke: {
                id: 'holdReinvite',
                src: 'reinviteActor',
                input: ({ context }) => ({ port: context.port, hold: true }),
                onDone: { target: 'on', actions: { type: 'emitHold', params: { onHold: true } } },
                // Rolled back: entering `off` sends the microphone again (unless muted).
                onError: {
                  target: 'off',
                  actions: { type: 'emitOperationError', params: ({ event }) => ({ operation: 'hold', error: event.error }) },
                },
              },
            },
            on: {
              on: {
                UNHOLD: 'resuming',
                HOLD: { actions: { type: 'emitUnchanged', params: { operation: 'hold' } } },
              },
            },
            resuming: {
              invoke: {
                id: 'resumeReinvite',
                src: 'reinviteActor',
                input: ({ context }) => ({ port: context.port, hold: false }),
                onDone: { target: 'off', actions: { type: 'emitHold', params: { onHold: false } } },
                onError: {
                  target: 'on',
                  actions: { type: 'emitOperationError', params: ({ event }) => ({ operation: 'resume', error: event.error }) },
                },
              },
            },
          },
        },
        mute: {
          initial: 'off',
          states: {
            off: {
              entry: [{ type: 'setMuted', params: { muted: false } }, 'applySending'],
              on: {
                MUTE: { target: 'on', actions: { type: 'emitMute', params: { muted: true } } },
                UNMUTE: { actions: { type: 'emitUnchanged', params: { operation: 'mute' } } },
              },
            },
            on: {
              entry: [{ type: 'setMuted', params: { muted: true } }, 'applySending'],
              on: {
                UNMUTE: { target: 'off', actions: { type: 'emitMute', params: { muted: false } } },
                MUTE: { actions: { type: 'emitUnchanged', params: { operation: 'mute' } } },
              },
            },
          },
        },
        reporting: {
          initial: 'active',
          states: {
            active: {
              after: { reportInterval: { target: 'active', reenter: true, actions: 'emitReport' } },
            },
          },
        },
        recording: {
          initial: 'idle',
          states: {
            idle: { on: { START_RECORDING: 'active' } },
            active: {
              invoke: {
                id: 'recorder',
                src: 'recorderActor',
                input: ({ context }) => ({ port: context.port }),
              },
              on: {
                RECORDING_FAILED: {
                  target: 'idle',
                  actions: { type: 'emitOperationError', params: ({ event }) => ({ operation: 'recording', error: event.error }) },
                },
              },
              initial: 'recording',
              states: {
                recording: { on: { PAUSE_RECORDING: { target: 'paused', actions: 'pauseRecorder' }, STOP_RECORDING: 'stopping' } },
                paused: { on: { RESUME_RECORDING: { target: 'recording', actions: 'resumeRecorder' }, STOP_RECORDING: 'stopping' } },
                stopping: {
                  entry: 'stopRecorder',
                  on: {
                    RECORDING_STOPPED: {
                      target: '#call.accepted.recording.idle',
                      actions: { type: 'emitRecordingStopped', params: ({ event }) => event },
                    },
                  },
                },
              },
            },
          },
        },
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
          { target: 'disconnected' },
        ],
        // The INVITE never left (canceled while it was being prepared).
        'PORT.TERMINATED': 'disconnected',
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
        input: ({ context, event }) => {
          assertEvent(event, 'REJECT');
          return { port: context.port, statusCode: event.statusCode };
        },
        onDone: 'disconnected',
        onError: 'disconnected',
      },
      on: {
        'PORT.CANCEL': {
          target: 'disconnected',
          actions: { type: 'setEnd', params: ({ event }) => ({ reason: cancelEndReason(event.reason) }) },
        },
      },
    },
    hangingUp: {
      invoke: {
        id: 'byeActor',
        src: 'byeActor',
        input: ({ context }) => ({ port: context.port }),
        onDone: 'disconnected',
        onError: 'disconnected',
      },
      on: {
        'PORT.BYE': { target: 'disconnected', actions: { type: 'setEnd', params: { reason: 'remote-hangup' } } },
      },
    },
    disconnected: {
      type: 'final',
      entry: ['markEnded', 'releaseMedia', 'emitDisconnect'],
    },
    failed: {
      type: 'final',
      entry: ['markEnded', 'releaseMedia', 'emitFailure', 'emitDisconnect'],
    },
  },
});

export { callStatus, isMuted, isOnHold, isRecording, type CallSnapshot } from './call.connect';
