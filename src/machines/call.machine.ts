/**
 * callMachine: one call, inbound or outbound.
 *
 * ```
 * pending ──► ringing ──► accepted ──► disconnected
 *    │           │      (hold ∥ mute ∥ recording ∥ stats)
 *    └───────────┴──────────┴────────► failed
 * ```
 * Outbound: pending while the INVITE is out, ringing on 180/183, accepted on
 * answer. Inbound: pending until accept() or reject(). The machine is pure:
 * every effect is an actor from `./call.actors` working on the call's port.
 */
import { assertEvent, assign, emit, enqueueActions, sendTo, setup, spawnChild, stopChild } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import { toVoiceSDKError, VoiceSDKError } from '../errors';
import { chooseDtmfMethod, dtmfUnavailableReason } from '../sip/dtmf';
import {
  acceptActor,
  byeActor,
  cancelActor,
  inviteActor,
  recorderActor,
  reinviteActor,
  rejectActor,
  requestActor,
  sessionListener,
  type CallRequest,
} from './call.actors';
import type { CallContext, CallEmitted, CallEvent, CallMachineInput, CallOperation, CallStatus } from './call.types';
import { statsActor } from './stats.actor';
import { buildReport, EMPTY_REPORT_STATE, withSample, withWarning, type CallReport } from '../quality/report';
import { warningMachine } from '../quality/warning.machine';
import { warningEvents } from '../quality/warnings';

/** The id of the warning actor for `name`. */
export const warningActorId = (name: string): string => `warning.${name}`;

/** The call report from the machine's context, as of `now` for a call still up. */
export function reportOf(context: CallContext, now = Date.now()): CallReport {
  return buildReport(context.report, {
    startedAt: context.startedAt,
    ...(context.acceptedAt === undefined ? {} : { acceptedAt: context.acceptedAt }),
    endedAt: context.endedAt ?? now,
  });
}

type EventOf<T extends CallEvent['type']> = Extract<CallEvent, { type: T }>;

type CallActorSource =
  | 'sessionListener'
  | 'inviteActor'
  | 'acceptActor'
  | 'rejectActor'
  | 'cancelActor'
  | 'byeActor'
  | 'reinviteActor'
  | 'recorderActor'
  | 'requestActor'
  | 'statsActor'
  | 'warningMachine';

function requestOf(context: CallContext, event: CallEvent): CallRequest {
  const e = event as EventOf<'SEND_DIGITS' | 'SET_INPUT_DEVICE' | 'SET_OUTPUT_DEVICE'>;
  if (e.type === 'SEND_DIGITS') {
    // The `dtmfUnavailable` guard ran first: the choice is a method here.
    const method = chooseDtmfMethod(context.dtmf.method, context.negotiated);
    return { kind: 'digits', digits: e.digits, options: { ...context.dtmf, method: method === 'unavailable' ? context.dtmf.method : method } };
  }
  if (e.type === 'SET_INPUT_DEVICE') return { kind: 'input-device', deviceId: e.deviceId };
  return { kind: 'output-device', deviceId: e.deviceId };
}

/**
 * The call statechart: pending → ringing → accepted (hold ∥ mute ∥ recording ∥
 * reporting, with the stats and warning actors) → disconnected | failed. The
 * Device spawns one per call; `callStatus()` maps its state to the public status.
 */
export const callMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as CallContext,
    events: {} as CallEvent,
    input: {} as CallMachineInput,
    emitted: {} as CallEmitted,
    // Spelled out so the published .d.ts is valid without skipLibCheck:
    // invoked ids, plus the spawned requests and warnings by dynamic id.
    children: {} as {
      [id: string]: CallActorSource;
      sessionListener: 'sessionListener';
      inviteActor: 'inviteActor';
      acceptActor: 'acceptActor';
      rejectActor: 'rejectActor';
      cancelActor: 'cancelActor';
      byeActor: 'byeActor';
      holdReinvite: 'reinviteActor';
      resumeReinvite: 'reinviteActor';
      recorder: 'recorderActor';
      statsActor: 'statsActor';
    },
  },
  actors: {
    sessionListener,
    inviteActor,
    acceptActor,
    rejectActor,
    cancelActor,
    byeActor,
    reinviteActor,
    recorderActor,
    requestActor,
    statsActor,
    warningMachine,
  },
  guards: {
    isOutbound: ({ context }) => context.direction === 'outbound',
    /** Neither RFC 4733 nor SIP INFO would reach the far end (see src/sip/dtmf.ts). */
    dtmfUnavailable: ({ context }) => chooseDtmfMethod(context.dtmf.method, context.negotiated) === 'unavailable',
  },
  delays: {
    reportInterval: ({ context }) => context.reportIntervalMs,
  },
  actions: {
    emitRinging: emit({ type: 'ringing' } as const),
    markAccepted: assign({ acceptedAt: () => Date.now() }),
    emitAccepted: emit({ type: 'accepted' } as const),
    markEnded: assign({ endedAt: () => Date.now() }),
    emitDisconnect: emit(({ context }) => ({
      type: 'disconnect',
      reason: context.endReason ?? 'local-hangup',
      report: reportOf(context),
    }) as const),
    emitReport: emit(({ context }) => ({ type: 'report', report: reportOf(context) }) as const),
    startWarnings: enqueueActions(({ context, enqueue, self }) => {
      for (const warning of context.warnings) {
        enqueue.spawnChild('warningMachine', { id: warningActorId(warning.name), input: { ...warning, reportTo: self } });
      }
    }),
    stopWarnings: enqueueActions(({ context, enqueue }) => {
      for (const warning of context.warnings) enqueue.stopChild(warningActorId(warning.name));
    }),
    /** Feeds a sample to every warning actor, with the facts the stats cannot know. */
    judgeSample: enqueueActions(({ context, event, enqueue, self }) => {
      const sample = (event as EventOf<'QUALITY'>).sample;
      // (Pure traversals run this on an empty actor with no snapshot.)
      const current = self.getSnapshot() as Partial<CallSnapshot> | undefined;
      const snapshot = typeof current?.matches === 'function' ? (current as CallSnapshot) : undefined;
      const facts = {
        muted: snapshot?.matches({ accepted: { mute: 'on' } }) ?? false,
        onHold: snapshot !== undefined && !snapshot.matches({ accepted: { hold: 'off' } }),
        elapsedMs: sample.timestamp - (context.acceptedAt ?? sample.timestamp),
      };
      const enabled = new Set(context.warnings.map((w) => w.name));
      for (const { name, event: warningEvent } of warningEvents(sample, facts, { gracePeriodMs: context.gracePeriodMs })) {
        if (enabled.has(name)) enqueue.sendTo(warningActorId(name), warningEvent);
      }
    }),
    noteWarning: assign({
      report: ({ context, event }) => {
        const notice = event as EventOf<'WARNING_RAISED' | 'WARNING_CLEARED'>;
        return notice.type === 'WARNING_RAISED'
          ? withWarning(context.report, notice.name, Date.now(), false, notice.value)
          : withWarning(context.report, notice.name, Date.now(), true);
      },
    }),
    emitWarning: emit(({ event }) => {
      const notice = event as EventOf<'WARNING_RAISED'>;
      return { type: 'warning', name: notice.name, value: notice.value, threshold: notice.threshold } as const;
    }),
    emitWarningCleared: emit(({ event }) => ({ type: 'warning-cleared', name: (event as EventOf<'WARNING_CLEARED'>).name }) as const),
    /** `failed` emits the error, then `disconnect` so one handler can clean up after any end. */
    emitFailure: emit(({ context }) => ({
      type: 'error',
      error: context.error ?? toVoiceSDKError('call failed'),
      operation: undefined,
    }) as const),
    setEndReason: assign({
      endReason: (_, params: { reason: CallContext['endReason'] }) => params.reason,
    }),
    setEndReasonFromRemote: assign({
      endReason: ({ event }) => (event as EventOf<'REMOTE_DECLINED' | 'REMOTE_ENDED'>).reason,
    }),
    setErrorFromSession: assign({
      endReason: 'failed',
      error: ({ event }) => (event as EventOf<'SESSION_FAILED'>).error,
    }),
    setErrorFromActor: assign({
      endReason: 'failed',
      error: ({ event }) => toVoiceSDKError((event as { error?: unknown }).error),
    }),
    emitOperationError: emit(({ event }, params: { operation: CallOperation }) => ({
      type: 'error',
      error: toVoiceSDKError((event as { error?: unknown }).error),
      operation: params.operation,
    }) as const),
    applyMute: ({ context }, params: { muted: boolean }) => context.port.setMuted(params.muted),
    emitMute: emit((_, params: { muted: boolean }) => ({ type: 'mute', muted: params.muted }) as const),
    emitHold: emit((_, params: { onHold: boolean }) => ({ type: 'hold', onHold: params.onHold }) as const),
    recordSample: assign({
      lastSample: ({ event }) => (event as EventOf<'QUALITY'>).sample,
      report: ({ context, event }) => withSample(context.report, (event as EventOf<'QUALITY'>).sample),
    }),
    emitQuality: emit(({ event }) => ({ type: 'quality', sample: (event as EventOf<'QUALITY'>).sample }) as const),
    pauseRecorder: sendTo('recorder', { type: 'PAUSE' }),
    resumeRecorder: sendTo('recorder', { type: 'RESUME' }),
    stopRecorder: sendTo('recorder', { type: 'STOP' }),
    emitRecordingStopped: emit(({ event }) => ({
      type: 'recording.stopped',
      blob: (event as EventOf<'RECORDING_STOPPED'>).blob,
    }) as const),
    spawnRequest: spawnChild('requestActor', {
      id: ({ event }) => (event as EventOf<'SEND_DIGITS'>).requestId,
      input: ({ context, event }) => ({
        port: context.port,
        requestId: (event as EventOf<'SEND_DIGITS'>).requestId,
        request: requestOf(context, event),
      }),
    }),
    stopRequest: stopChild(({ event }) => (event as EventOf<'REQUEST_DONE'>).requestId),
    emitRequestSettled: emit(({ event }) => {
      const e = event as EventOf<'REQUEST_DONE' | 'REQUEST_FAILED'>;
      return { type: 'request.settled', requestId: e.requestId, error: e.type === 'REQUEST_FAILED' ? e.error : undefined } as const;
    }),
    releaseMedia: ({ context }) => context.port.dispose(),
    storeNegotiated: assign({
      negotiated: ({ event }) => {
        assertEvent(event, 'NEGOTIATED');
        const { type: _type, ...facts } = event;
        return facts;
      },
    }),
    /** Settles the digits request with `dtmf-unavailable`; nothing is sent. */
    refuseDigits: emit(({ context, event }) => {
      assertEvent(event, 'SEND_DIGITS');
      return {
        type: 'request.settled',
        requestId: event.requestId,
        error: new VoiceSDKError('dtmf-unavailable', dtmfUnavailableReason(context.negotiated)),
      } as const;
    }),
  },
}).createMachine({
  id: 'call',
  context: ({ input }) => ({
    port: input.port,
    direction: input.port.direction,
    qualityIntervalMs: input.qualityIntervalMs,
    dtmf: input.dtmf,
    warnings: input.warnings,
    gracePeriodMs: input.gracePeriodMs,
    reportIntervalMs: input.reportIntervalMs,
    startedAt: Date.now(),
    endedAt: undefined,
    report: EMPTY_REPORT_STATE,
    endReason: undefined,
    error: undefined,
    acceptedAt: undefined,
    lastSample: undefined,
    negotiated: undefined,
  }),
  invoke: { id: 'sessionListener', src: 'sessionListener', input: ({ context }) => ({ port: context.port }) },
  on: {
    NEGOTIATED: { actions: 'storeNegotiated' },
    DEVICE_DESTROYED: {
      target: '.disconnected',
      actions: { type: 'setEndReason', params: { reason: 'device-destroyed' } },
    },
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
            REMOTE_RINGING: '#call.ringing',
            REMOTE_ANSWERED: '#call.accepted',
            REMOTE_DECLINED: { target: '#call.disconnected', actions: 'setEndReasonFromRemote' },
            SESSION_FAILED: { target: '#call.failed', actions: 'setErrorFromSession' },
            DISCONNECT: '#call.canceling',
          },
          initial: 'inviting',
          states: {
            inviting: {
              invoke: {
                id: 'inviteActor',
                src: 'inviteActor',
                input: ({ context }) => ({ port: context.port }),
                onDone: 'trying',
                onError: { target: '#call.failed', actions: 'setErrorFromActor' },
              },
            },
            trying: {},
          },
        },
        incoming: {
          on: {
            ACCEPT: 'answering',
            REJECT: '#call.rejecting',
            REMOTE_ENDED: { target: '#call.disconnected', actions: 'setEndReasonFromRemote' },
            SESSION_FAILED: { target: '#call.failed', actions: 'setErrorFromSession' },
          },
        },
        answering: {
          invoke: {
            id: 'acceptActor',
            src: 'acceptActor',
            input: ({ context }) => ({ port: context.port }),
            onDone: '#call.accepted',
            onError: { target: '#call.failed', actions: 'setErrorFromActor' },
          },
          on: {
            REMOTE_ENDED: { target: '#call.disconnected', actions: 'setEndReasonFromRemote' },
          },
        },
      },
    },
    ringing: {
      entry: 'emitRinging',
      on: {
        REMOTE_ANSWERED: 'accepted',
        REMOTE_DECLINED: { target: 'disconnected', actions: 'setEndReasonFromRemote' },
        SESSION_FAILED: { target: 'failed', actions: 'setErrorFromSession' },
        DISCONNECT: 'canceling',
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
        DISCONNECT: 'hangingUp',
        REMOTE_ENDED: { target: 'disconnected', actions: 'setEndReasonFromRemote' },
        SESSION_FAILED: { target: 'failed', actions: 'setErrorFromSession' },
        QUALITY: { actions: ['recordSample', 'emitQuality', 'judgeSample'] },
        WARNING_RAISED: { actions: ['noteWarning', 'emitWarning'] },
        WARNING_CLEARED: { actions: ['noteWarning', 'emitWarningCleared'] },
        SEND_DIGITS: [{ guard: 'dtmfUnavailable', actions: 'refuseDigits' }, { actions: 'spawnRequest' }],
        SET_INPUT_DEVICE: { actions: 'spawnRequest' },
        SET_OUTPUT_DEVICE: { actions: 'spawnRequest' },
        REQUEST_DONE: { actions: ['stopRequest', 'emitRequestSettled'] },
        REQUEST_FAILED: { actions: ['stopRequest', 'emitRequestSettled'] },
      },
      states: {
        hold: {
          initial: 'off',
          states: {
            off: { on: { HOLD: 'holding' } },
            holding: {
              invoke: {
                id: 'holdReinvite',
                src: 'reinviteActor',
                input: ({ context }) => ({ port: context.port, onHold: true }),
                onDone: { target: 'on', actions: { type: 'emitHold', params: { onHold: true } } },
                onError: { target: 'off', actions: { type: 'emitOperationError', params: { operation: 'hold' } } },
              },
            },
            on: { on: { UNHOLD: 'resuming' } },
            resuming: {
              invoke: {
                id: 'resumeReinvite',
                src: 'reinviteActor',
                input: ({ context }) => ({ port: context.port, onHold: false }),
                onDone: { target: 'off', actions: { type: 'emitHold', params: { onHold: false } } },
                onError: { target: 'on', actions: { type: 'emitOperationError', params: { operation: 'resume' } } },
              },
            },
          },
        },
        mute: {
          initial: 'off',
          states: {
            off: {
              on: {
                MUTE: {
                  target: 'on',
                  actions: [
                    { type: 'applyMute', params: { muted: true } },
                    { type: 'emitMute', params: { muted: true } },
                  ],
                },
              },
            },
            on: {
              on: {
                UNMUTE: {
                  target: 'off',
                  actions: [
                    { type: 'applyMute', params: { muted: false } },
                    { type: 'emitMute', params: { muted: false } },
                  ],
                },
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
                  actions: { type: 'emitOperationError', params: { operation: 'recording' } },
                },
              },
              initial: 'recording',
              states: {
                recording: { on: { PAUSE_RECORDING: { target: 'paused', actions: 'pauseRecorder' }, STOP_RECORDING: 'stopping' } },
                paused: { on: { RESUME_RECORDING: { target: 'recording', actions: 'resumeRecorder' }, STOP_RECORDING: 'stopping' } },
                stopping: {
                  entry: 'stopRecorder',
                  on: { RECORDING_STOPPED: { target: '#call.accepted.recording.idle', actions: 'emitRecordingStopped' } },
                },
              },
            },
          },
        },
      },
    },
    canceling: {
      invoke: {
        id: 'cancelActor',
        src: 'cancelActor',
        input: ({ context }) => ({ port: context.port }),
        onDone: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'canceled' } } },
        onError: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'canceled' } } },
      },
      on: {
        // The far end's answer crossed our CANCEL; it ends the call all the same.
        REMOTE_DECLINED: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'canceled' } } },
        SESSION_FAILED: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'canceled' } } },
      },
    },
    rejecting: {
      invoke: {
        id: 'rejectActor',
        src: 'rejectActor',
        input: ({ context, event }) => ({
          port: context.port,
          statusCode: (event as EventOf<'REJECT'>).statusCode,
        }),
        onDone: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'rejected' } } },
        onError: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'rejected' } } },
      },
      on: {
        REMOTE_ENDED: { target: 'disconnected', actions: 'setEndReasonFromRemote' },
      },
    },
    hangingUp: {
      invoke: {
        id: 'byeActor',
        src: 'byeActor',
        input: ({ context }) => ({ port: context.port }),
        onDone: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'local-hangup' } } },
        onError: { target: 'disconnected', actions: { type: 'setEndReason', params: { reason: 'local-hangup' } } },
      },
      on: {
        REMOTE_ENDED: { target: 'disconnected', actions: 'setEndReasonFromRemote' },
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

/** A snapshot of `callMachine` (`call.actor.getSnapshot()`). */
export type CallSnapshot = SnapshotFrom<typeof callMachine>;

/** Maps the machine's state to the public status. */
export function callStatus(snapshot: CallSnapshot): CallStatus {
  if (snapshot.matches('failed')) return 'failed';
  if (snapshot.matches('ringing')) return 'ringing';
  if (snapshot.matches('accepted')) return 'accepted';
  if (snapshot.matches('pending')) return 'pending';
  // canceling, rejecting, hangingUp: the call is committed to ending.
  return 'disconnected';
}

export const isMuted = (snapshot: CallSnapshot): boolean => snapshot.matches({ accepted: { mute: 'on' } });
export const isOnHold = (snapshot: CallSnapshot): boolean =>
  snapshot.matches({ accepted: { hold: 'on' } }) || snapshot.matches({ accepted: { hold: 'resuming' } });
export const isRecording = (snapshot: CallSnapshot): boolean =>
  snapshot.matches({ accepted: { recording: 'active' } });
