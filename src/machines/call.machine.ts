/**
 * callMachine: one call, inbound or outbound.
 *
 * ```
 * pending ──► ringing ──► accepted ──► disconnected
 *    │           │      (hold ∥ mute ∥ remoteHold ∥ recording ∥ reporting ∥ recovery ∥ media ∥ transfer)
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
import { mediaRegion } from './call.media';
import { hangingUpState, recoveryRegion } from './call.recovery';
import { transferRegion } from './call.transfer';
import { callInfoOf } from './call.info';
import { timerRegion } from './call.timer';
import { videoRegion } from './call.video';
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
    recoveryTimeoutMs: input.recoveryTimeoutMs,
    now: input.now,
    sounds: input.sounds,
    inputDeviceId: input.inputDeviceId ?? 'default',
    outputDeviceId: input.outputDeviceId ?? 'default',
    outputRequests: 0,
    othersTalking: input.othersTalking ?? false,
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
    holdAfterResume: false,
    remoteHeld: false,
    negotiated: undefined,
    socketDown: false,
    transferPolicy: input.transferPolicy ?? 'refuse',
    replaces: input.replaces,
    transferTo: undefined,
    referral: undefined,
    signallingLost: false,
    mediaLost: false,
    ice: 'new',
    stallBytes: undefined,
    restartAttempts: 0,
    party: { ...input.port.remoteParty },
    info: Object.freeze(callInfoOf({ ...input.port.remoteParty }, input.port.remoteIdentity)),
    infoLocked: [],
    heldSince: undefined,
    heldMs: 0,
    videoWanted: input.video ?? false,
    videoSending: false,
    videoReceiving: false,
    localStream: undefined,
    remoteStream: undefined,
    refreshRetries: 0,
  }),
  invoke: { id: 'sessionListener', src: 'sessionListener', input: ({ context }) => ({ port: context.port }) },
  on: {
    'PORT.NEGOTIATED': { actions: 'storeNegotiated' },
    'PORT.IDENTITY': { actions: 'updateInfoFromNetwork' },
    SET_INFO: { actions: 'setAppInfo' },
    'PORT.VIDEO': { actions: 'storeVideo' },
    'PORT.STREAM': { actions: 'storeStream' },
    DEVICE_DESTROYED: { target: '.disconnected', actions: { type: 'setEnd', params: { reason: 'device-destroyed' } } },
    // One-off requests (DTMF, devices) report back by id, in whatever state the call is by then.
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
  initial: 'pending',
  states: {
    pending: {
      // The far end's audio plays on the chosen output from the start (early media, an answer), and follows a new choice.
      entry: 'playOnChosenOutput',
      on: { OUTPUT_DEVICE_CHOSEN: { actions: 'playOnChosenOutput' } },
      initial: 'routing',
      states: {
        routing: {
          // An INVITE with Replaces that matched one of our calls is answered at once.
          always: [{ guard: 'isOutbound', target: 'outgoing' }, { guard: 'isReplacement', target: '#call.pending.answering' }, { target: 'incoming' }],
        },
        outgoing: {
          // The far end may answer before invite() has resolved (a fast
          // network, the fake one): its answers count in both substates.
          on: {
            'PORT.PROVISIONAL': [{ guard: 'isEarlyMedia', target: '#call.ringing.earlyMedia' }, { target: '#call.ringing' }],
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
          // The ringtone; the call-waiting tone instead while another call of the device is accepted.
          entry: 'ring',
          exit: 'stopRinging',
          initial: 'waiting',
          states: {
            waiting: {
              on: {
                ACCEPT: [
                  { guard: 'mustHoldOthers', target: 'holdingOthers', actions: 'noteAcceptVideo' },
                  { target: '#call.pending.answering', actions: 'noteAcceptVideo' },
                ],
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
            // No microphone is open yet: the answer opens the one the device chose last.
            INPUT_DEVICE_CHOSEN: { actions: 'noteInputDevice' },
            OTHERS_TALKING: { actions: 'ring' },
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
            input: ({ context }) => ({ port: context.port, video: context.videoWanted, inputDeviceId: context.inputDeviceId }),
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
      initial: 'ringback',
      states: {
        // A 180 without media: we play the ringback tone until an answer, or early media.
        ringback: {
          invoke: { id: 'ringback', src: 'soundActor', input: ({ context }) => ({ sounds: context.sounds, request: { sound: 'ringback' } }) },
          on: { 'PORT.PROVISIONAL': { guard: 'isEarlyMedia', target: 'earlyMedia' } },
        },
        // A 183 with SDP: the far end's own audio plays.
        earlyMedia: {},
      },
      on: {
        OUTPUT_DEVICE_CHOSEN: { actions: 'playOnChosenOutput' },
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
      entry: ['markAccepted', 'startWarnings', 'emitAccepted', 'tellDeviceAccepted', 'tellDeviceReplaced'],
      exit: ['stopWarnings', 'stopKeypadTone'],
      invoke: {
        id: 'statsActor',
        src: 'statsActor',
        input: ({ context }) => ({ port: context.port, intervalMs: context.qualityIntervalMs }),
      },
      on: {
        DISCONNECT: { target: 'hangingUp', actions: { type: 'setEnd', params: { reason: 'local-hangup' } } },
        TERMINATE: { target: 'hangingUp', actions: { type: 'setEnd', params: { reason: 'local-hangup' } } },
        'PORT.BYE': [
          // While our media was being restored the far end hung up: it lost the media too (or gave up on it).
          { guard: 'isMediaRecovering', target: 'failed', actions: { type: 'failMediaLost', params: { farEndHungUp: true } } },
          {
            target: 'disconnected',
            actions: { type: 'setEnd', params: ({ event }) => ({ reason: 'remote-hangup', cause: event.reason }) },
          },
        ],
        'PORT.CONFIRMED': { actions: 'emitConfirmed' },
        // Decided by the media region (an ICE restart, not the end of the call).
        'PORT.MEDIA': { actions: 'storeIce' },
        // The stack hung up by itself: the far end's SDP was unusable or no ACK came.
        'PORT.TERMINATED': {
          target: 'failed',
          actions: { type: 'setError', params: () => ({ error: mediaFailedError(MEDIA_NOT_NEGOTIATED) }) },
        },
        // A REFER while a transfer is under way (the transfer region takes the others).
        'PORT.REFER': [{ guard: 'isUnusableReferTarget', actions: 'refuseBadRefer' }, { actions: 'declineRefer' }],
        // The call that replaces this one (an INVITE with Replaces) was answered.
        REPLACED: { target: 'hangingUp', actions: { type: 'setEnd', params: { reason: 'replaced' } } },
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
            actions: [
              {
                type: 'spawnRequest',
                params: ({ context, event }) => ({
                  requestId: event.requestId,
                  request: { kind: 'digits', digits: event.digits, options: { ...context.dtmf, method: dtmfMethodFor(context) } },
                }),
              },
              { type: 'playKeypadTone', params: ({ event }) => ({ digits: event.digits }) },
            ],
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
        SET_VIDEO_INPUT_DEVICE: {
          actions: {
            type: 'spawnRequest',
            params: ({ event }) => ({ requestId: event.requestId, request: { kind: 'video-input-device', deviceId: event.deviceId } }),
          },
        },
      },
      states: {
        hold: holdRegion,
        mute: muteRegion,
        remoteHold: remoteHoldRegion,
        reporting: reportingRegion,
        recording: recordingRegion,
        recovery: recoveryRegion,
        transfer: transferRegion,
        media: mediaRegion,
        timer: timerRegion,
        video: videoRegion,
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
      entry: ['markEnded', 'releaseMedia', 'playDisconnectTone', 'emitDisconnect', 'tellDeviceEnded'],
    },
    failed: {
      type: 'final',
      entry: ['markEnded', 'releaseMedia', 'playDisconnectTone', 'emitFailure', 'emitDisconnect', 'tellDeviceEnded'],
    },
  },
});

export { callStatus, isMuted, isOnHold, isReconnecting, isRecording, isRemoteOnHold, type CallSnapshot } from './call.connect';
