/**
 * The regions of the accepted call, in parallel: our hold (off → holding →
 * on → resuming, rolled back on failure), mute, the far end's hold
 * (`remoteHold`, from the directions of its re-INVITEs), recording and the
 * periodic report. The call chart (`call.machine.ts`) puts them together.
 */
import { callStateConfig } from './call.setup';

/** Our hold: on from the moment we ask, until a resume is confirmed. */
export const holdRegion = /* @__PURE__ */ callStateConfig({
  initial: 'off',
  states: {
    off: {
      entry: [{ type: 'setOnHold', params: { onHold: false } }, 'applySending'],
      // hold() during the resume: held again at once (the microphone never sends in between).
      always: { guard: 'isHoldAfterResume', target: 'holding', actions: { type: 'setHoldAfterResume', params: { value: false } } },
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
        UNHOLD: [{ guard: 'mustHoldOthers', target: 'holdingOthers' }, { target: 'resuming' }],
        HOLD: { actions: { type: 'emitUnchanged', params: { operation: 'hold' } } },
      },
    },
    // hold(false, { holdOthers }): the device puts its other accepted calls on hold first; still on hold meanwhile.
    holdingOthers: {
      entry: 'askDeviceToHoldOthers',
      on: {
        OTHERS_HELD: 'resuming',
        OTHERS_HOLD_FAILED: {
          target: 'on',
          actions: { type: 'emitOperationError', params: ({ event }) => ({ operation: 'resume', error: event.error }) },
        },
      },
    },
    // Another call's holdOthers (or hold()) may come meanwhile: a resume cannot be called back, so it is held again once done.
    resuming: {
      on: { HOLD: { actions: { type: 'setHoldAfterResume', params: { value: true } } } },
      invoke: {
        id: 'resumeReinvite',
        src: 'reinviteActor',
        input: ({ context }) => ({ port: context.port, hold: false }),
        onDone: { target: 'off', actions: { type: 'emitHold', params: { onHold: false } } },
        onError: [
          {
            guard: 'isHoldAfterResume',
            target: 'on',
            actions: [
              { type: 'emitOperationError', params: ({ event }) => ({ operation: 'resume', error: event.error }) },
              { type: 'setHoldAfterResume', params: { value: false } },
              { type: 'emitUnchanged', params: { operation: 'hold' } },
            ],
          },
          {
            target: 'on',
            actions: { type: 'emitOperationError', params: ({ event }) => ({ operation: 'resume', error: event.error }) },
          },
        ],
      },
    },
  },
});

export const muteRegion = /* @__PURE__ */ callStateConfig({
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
});

/**
 * The far end's hold, from the direction its re-INVITEs offer (sendonly,
 * inactive or c=0.0.0.0: held; sendrecv, recvonly: not). Our own offers stay
 * sendrecv unless we hold (RFC 6337): nothing to send here.
 */
export const remoteHoldRegion = /* @__PURE__ */ callStateConfig({
  initial: 'off',
  states: {
    off: {
      entry: { type: 'setRemoteHeld', params: { held: false } },
      on: {
        'PORT.REINVITE': { guard: 'isHoldOffer', target: 'on', actions: { type: 'emitRemoteHold', params: { onHold: true } } },
      },
    },
    on: {
      entry: { type: 'setRemoteHeld', params: { held: true } },
      on: {
        'PORT.REINVITE': {
          guard: 'isResumeOffer',
          target: 'off',
          actions: { type: 'emitRemoteHold', params: { onHold: false } },
        },
      },
    },
  },
});

export const reportingRegion = /* @__PURE__ */ callStateConfig({
  initial: 'active',
  states: {
    active: {
      after: { reportInterval: { target: 'active', reenter: true, actions: 'emitReport' } },
    },
  },
});

export const recordingRegion = /* @__PURE__ */ callStateConfig({
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
});
