/**
 * The call machine's implementations: guards, actions, actors and delays,
 * named for the chart in `call.machine.ts`. Port commands (setSending,
 * respondToRefer, dispose) are named actions here; everything that waits is
 * an actor from `./call.actors`. Time comes from `context.now`. The
 * recovery and media regions' implementations (`./call.recovery.setup`) and
 * the transfer region's (`./call.transfer.setup`) extend this setup.
 */
import { assertEvent, assign, emit, enqueueActions, sendTo, setup, stopChild } from 'xstate';
import { toVoiceSDKError, VoiceSDKError } from '../errors';
import { chooseDtmfMethod, dtmfUnavailableReason } from '../sip/dtmf';
import { dtmfOfInfo } from '../sip/dtmf-digits';
import { isHoldDirection } from '../sip/sdp';
import { referActor, transferDecisionActor, TRANSFER_DECISION_TIMEOUT_MS, TRANSFER_PROGRESS_TIMEOUT_MS } from './call.transfer.actors';
import { causeOfReason, declineReasonForStatus, inviteError, isSuccessStatus } from '../sip/status';
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
import type {
  CallChildren,
  CallContext,
  CallEmitted,
  CallEvent,
  CallMachineInput,
  CallOperation,
  DisconnectDetail,
  DisconnectReason,
} from './call.types';
import { statsActor } from './stats.actor';
import { KEYPAD_TONE_ID, soundActor } from './call.sounds';
import { withSample, withWarning } from '../quality/report';

export { EMPTY_REPORT_STATE } from '../quality/report';
import { warningMachine } from '../quality/warning.machine';
import { warningEvents } from '../quality/warnings';
import type { QualitySample, WarningName } from '../quality/quality.types';
import { appInfoChange, applyInfoChange, networkInfoChange } from './call.info';
import { reportOf, warningActorId } from './call.reporting.rules';
import { mediaFailedError } from './call.media.rules';
import { holdTimingAt, TIMER_INTERVAL_MS, timerOf } from './call.timing';
// Imported last, so that bundlers put the extensions next to this setup (the bundle gzips ~60 B smaller).
import { withRecovery } from './call.recovery.setup';
import { withTransfers } from './call.transfer.setup';

// Moved to the files of the parts they belong to; named here still for the code that imports them from ./call.setup.
export { HANGUP_SOCKET_WAIT_MS, MAX_REFRESH_488_RETRIES, MAX_REFRESH_RETRIES, REFRESH_RETRY_MS, REFRESH_TIMEOUT_MS } from './call.recovery.setup';
export { reportOf, warningActorId } from './call.reporting.rules';
export { MEDIA_NOT_NEGOTIATED, mediaFailedError } from './call.media.rules';
export { dtmfMethodFor } from './call.dtmf.rules';

/** The call machine's types, actors and the implementations shared by its regions. */
const callBaseSetup = () =>
  setup({
  types: {
    context: {} as CallContext,
    events: {} as CallEvent,
    input: {} as CallMachineInput,
    emitted: {} as CallEmitted,
    children: {} as CallChildren,
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
    soundActor,
    warningMachine,
    referActor,
    transferDecisionActor,
  },
  guards: {
    isOutbound: ({ context }) => context.direction === 'outbound',
    /** accept() / hold(false) asked for the other calls to be held, and there is a device to do it. */
    mustHoldOthers: ({ context, event }) =>
      (event.type === 'ACCEPT' || event.type === 'UNHOLD') && event.holdOthers && context.device !== undefined,
    /** terminate() came while the answer was being set up. */
    isHangUpWhenAnswered: ({ context }) => context.hangUpWhenAnswered,
    /** hold() came while the resume was under way. */
    isHoldAfterResume: ({ context }) => context.holdAfterResume,
    isTrue: (_, params: { value: unknown }) => params.value === true,
    /** An INVITE with Replaces that matched a call of this device: answered without accept(). */
    isReplacement: ({ context }) => context.replaces !== undefined,
    /** A 2xx final response. */
    isSuccess: (_, params: { status: number }) => isSuccessStatus(params.status),
    /** A final failure that ends the call normally (busy, declined). */
    /** A provisional response with an SDP answer: the far end plays its own ringback or announcement. */
    isEarlyMedia: ({ event }) => event.type === 'PORT.PROVISIONAL' && event.earlyMedia === true,
    isDeclineResponse: ({ event }) => event.type === 'PORT.FINAL' && declineReasonForStatus(event.status) !== undefined,
    /** Any other final failure. */
    isFailureResponse: ({ event }) => event.type === 'PORT.FINAL' && event.status >= 300,
    /** ICE or the peer connection (ICE + DTLS) failed. */
    isMediaFailure: ({ event }) => event.type === 'PORT.MEDIA' && (event.ice === 'failed' || event.connection === 'failed'),
    /** The far end's re-INVITE puts us on hold (sendonly, inactive, c=0.0.0.0). */
    isHoldOffer: ({ event }) => event.type === 'PORT.REINVITE' && isHoldDirection(event.direction),
    /** The far end's re-INVITE takes us off hold (sendrecv, recvonly). */
    isResumeOffer: ({ event }) => event.type === 'PORT.REINVITE' && !isHoldDirection(event.direction),
    /** An INFO that carries a DTMF tone (application/dtmf-relay or application/dtmf). */
    isInfoDigit: ({ event }) => event.type === 'PORT.INFO' && dtmfOfInfo(event.body, event.contentType) !== undefined,
    /** setVideo(on) asks for what was asked already. */
    isVideoAsked: ({ context, event }) => event.type === 'SET_VIDEO' && event.on === context.videoWanted,
    /** Neither RFC 4733 nor SIP INFO would reach the far end (see src/sip/dtmf.ts). */
    dtmfUnavailable: ({ context }) => chooseDtmfMethod(context.dtmf.method, context.negotiated) === 'unavailable',
  },
  delays: {
    reportInterval: ({ context }) => context.reportIntervalMs,
    timerInterval: TIMER_INTERVAL_MS,
    transferProgressTimeout: TRANSFER_PROGRESS_TIMEOUT_MS,
    transferDecisionTimeout: TRANSFER_DECISION_TIMEOUT_MS,
  },
  actions: {
    emitRinging: emit({ type: 'ringing' } as const),
    markAccepted: assign({ acceptedAt: ({ context }) => context.now() }),
    emitAccepted: emit({ type: 'accepted' } as const),
    markEnded: assign({ endedAt: ({ context }) => context.now() }),
    emitDisconnect: emit(({ context }) => ({
      type: 'disconnect',
      reason: context.endReason ?? 'local-hangup',
      detail: context.endDetail,
      status: context.endStatus,
      cause: context.endCause,
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
    /** Feeds a sample to every warning actor, with the call facts the stats cannot know. */
    judgeSample: enqueueActions(({ context, enqueue }, params: { sample: QualitySample }) => {
      const { sample } = params;
      const facts = {
        muted: context.muted,
        // Either side's hold: no audio flows, audio metrics mean nothing.
        onHold: context.onHold || context.remoteHeld,
        elapsedMs: sample.timestamp - (context.acceptedAt ?? sample.timestamp),
      };
      const enabled = new Set(context.warnings.map((w) => w.name));
      for (const { name, event: warningEvent } of warningEvents(sample, facts, { gracePeriodMs: context.gracePeriodMs })) {
        if (enabled.has(name)) enqueue.sendTo(warningActorId(name), warningEvent);
      }
    }),
    noteWarningRaised: assign({
      report: ({ context }, params: { name: WarningName; value: number }) =>
        withWarning(context.report, params.name, context.now(), false, params.value),
    }),
    noteWarningCleared: assign({
      report: ({ context }, params: { name: WarningName }) => withWarning(context.report, params.name, context.now(), true),
    }),
    emitWarning: emit((_, params: { name: WarningName; value: number; threshold: number }) => ({
      type: 'warning',
      name: params.name,
      value: params.value,
      threshold: params.threshold,
    }) as const),
    emitWarningCleared: emit((_, params: { name: WarningName }) => ({ type: 'warning-cleared', name: params.name }) as const),
    /** `failed` emits the error, then `disconnect` so one handler can clean up after any end. */
    emitFailure: emit(({ context }) => ({
      type: 'error',
      error: context.error ?? toVoiceSDKError('call failed'),
      operation: undefined,
    }) as const),
    /** Why the call ends; `status` and `cause` (a Reason header) when the end came with them. */
    setEnd: assign((_, params: { reason: DisconnectReason; detail?: DisconnectDetail; status?: number; cause?: string }) => ({
      endReason: params.reason,
      endDetail: params.detail,
      endStatus: params.status,
      endCause: causeOfReason(params.cause),
    })),
    /** Busy or declined, from the final response. */
    endByResponse: assign(({ event }) => {
      assertEvent(event, 'PORT.FINAL');
      return {
        endReason: declineReasonForStatus(event.status) ?? 'declined',
        endDetail: undefined,
        endStatus: event.status,
        endCause: causeOfReason(event.reason),
      };
    }),
    /** The error the final response means (404 not-found, 408 timeout, …). */
    failByResponse: assign(({ event }) => {
      assertEvent(event, 'PORT.FINAL');
      return {
        endReason: 'failed' as const,
        error: inviteError(event.status, event.transportDown),
        endStatus: event.status,
        endCause: causeOfReason(event.reason),
      };
    }),
    /** The final response that settled our CANCEL (487): the end's status, the reason stays `canceled`. */
    noteFinal: assign(({ event }) => {
      assertEvent(event, 'PORT.FINAL');
      return { endStatus: event.status, endCause: causeOfReason(event.reason) };
    }),
    hangUpWhenAnswered: assign({ hangUpWhenAnswered: true }),
    askDeviceToHoldOthers: enqueueActions(({ context, enqueue, self }) => {
      if (context.device) enqueue.sendTo(context.device, { type: 'HOLD_OTHERS', callId: self.id });
    }),
    tellDeviceAccepted: enqueueActions(({ context, enqueue, self }) => {
      if (context.device) enqueue.sendTo(context.device, { type: 'CALL_STATUS', callId: self.id, status: 'accepted' });
    }),
    tellDeviceEnded: enqueueActions(({ context, enqueue, self }) => {
      if (context.device) enqueue.sendTo(context.device, { type: 'CALL_STATUS', callId: self.id, status: 'ended' });
    }),
    emitConfirmed: emit({ type: 'confirmed' } as const),
    failByMedia: assign(({ event }) => {
      assertEvent(event, 'PORT.MEDIA');
      const error = mediaFailedError(`The media connection failed (ICE ${event.ice}, ${event.connection})`);
      return { endReason: 'failed' as const, error };
    }),
    setError: assign((_, params: { error: unknown }) => ({
      endReason: 'failed' as const,
      error: toVoiceSDKError(params.error),
    })),
    emitOperationError: emit((_, params: { operation: CallOperation; error: unknown }) => ({
      type: 'error',
      error: toVoiceSDKError(params.error),
      operation: params.operation,
    }) as const),
    emitUnchanged: emit((_, params: { operation: CallOperation }) => ({ type: 'unchanged', operation: params.operation }) as const),
    setMuted: assign((_, params: { muted: boolean }) => ({ muted: params.muted })),
    /** On hold or not, and the hold's timing for `getTimer()`. */
    setOnHold: assign(({ context }, params: { onHold: boolean }) => ({
      onHold: params.onHold,
      ...holdTimingAt(context, params.onHold, context.now()),
    })),
    setHoldAfterResume: assign((_, params: { value: boolean }) => ({ holdAfterResume: params.value })),
    setVideoWanted: assign((_, params: { on: boolean }) => ({ videoWanted: params.on })),
    /** Ringing, no microphone open yet: the answer opens the one the device chose last. */
    noteInputDevice: assign(({ context, event }) => ({ inputDeviceId: event.type === 'INPUT_DEVICE_CHOSEN' ? event.deviceId : context.inputDeviceId })),
    /** accept({ video }): the answer takes an offered video stream. */
    noteAcceptVideo: assign(({ context, event }) => ({ videoWanted: event.type === 'ACCEPT' ? (event.video ?? false) : context.videoWanted })),
    emitVideoSwitched: emit(({ context }) => ({ type: 'video.switched', on: context.videoWanted }) as const),
    /** What video flows now (a `video` fact): `video` / `remote-video` when it changed. */
    storeVideo: enqueueActions(({ context, enqueue, event }) => {
      assertEvent(event, 'PORT.VIDEO');
      enqueue.assign({ videoSending: event.sending, videoReceiving: event.receiving });
      if (event.sending !== context.videoSending) enqueue.emit({ type: 'video', on: event.sending });
      if (event.receiving !== context.videoReceiving) enqueue.emit({ type: 'remote-video', on: event.receiving });
    }),
    /** A stream added or replaced: kept for `localStream` / `remoteStream`, and told. */
    storeStream: enqueueActions(({ enqueue, event }) => {
      assertEvent(event, 'PORT.STREAM');
      enqueue.assign(event.direction === 'local' ? { localStream: event.stream } : { remoteStream: event.stream });
      enqueue.emit({ type: 'stream', direction: event.direction, stream: event.stream });
    }),
    emitTimer: emit(({ context }) => ({ type: 'timer', timer: timerOf(context) }) as const),
    /** The far end's identity changed (an `identity` fact): `info` follows, except where the app locked it. */
    updateInfoFromNetwork: enqueueActions(({ context, enqueue, event }) => {
      assertEvent(event, 'PORT.IDENTITY');
      const { type: _type, ...update } = event;
      applyInfoChange(enqueue, context, networkInfoChange(context, update));
    }),
    /** The app's `setInfo`. */
    setAppInfo: enqueueActions(({ context, enqueue, event }) => {
      assertEvent(event, 'SET_INFO');
      applyInfoChange(enqueue, context, appInfoChange(context, event.fields, event.lock));
    }),
    /** The one sending rule: the microphone goes out only when neither muted nor on hold. */
    applySending: ({ context }) => context.port.setSending(!context.muted && !context.onHold),
    /** Hanging up: the far end hears nothing more from us, even while the BYE waits for the socket. */
    stopSending: ({ context }) => context.port.setSending(false),
    setRemoteHeld: assign((_, params: { held: boolean }) => ({ remoteHeld: params.held })),
    emitRemoteHold: emit((_, params: { onHold: boolean }) => ({ type: 'remote-hold', onHold: params.onHold }) as const),
    /** A digit the far end sent by SIP INFO (only called when `isInfoDigit` matched). */
    emitInfoDigit: enqueueActions(({ enqueue, event }) => {
      assertEvent(event, 'PORT.INFO');
      const received = dtmfOfInfo(event.body, event.contentType);
      if (received === undefined) return;
      enqueue.emit({ type: 'dtmf', digit: received.digit, method: 'info', durationMs: received.durationMs });
    }),
    emitMute: emit((_, params: { muted: boolean }) => ({ type: 'mute', muted: params.muted }) as const),
    emitHold: emit((_, params: { onHold: boolean }) => ({ type: 'hold', onHold: params.onHold }) as const),
    recordSample: assign(({ context }, params: { sample: QualitySample }) => ({
      lastSample: params.sample,
      report: withSample(context.report, params.sample),
    })),
    emitQuality: emit((_, params: { sample: QualitySample }) => ({ type: 'quality', sample: params.sample }) as const),
    pauseRecorder: sendTo('recorder', { type: 'PAUSE' }),
    resumeRecorder: sendTo('recorder', { type: 'RESUME' }),
    stopRecorder: sendTo('recorder', { type: 'STOP' }),
    emitRecordingStopped: emit((_, params: { blob: Blob }) => ({ type: 'recording.stopped', blob: params.blob }) as const),
    spawnRequest: enqueueActions(({ context, enqueue }, params: { requestId: string; request: CallRequest }) => {
      enqueue.spawnChild('requestActor', { id: params.requestId, input: { port: context.port, ...params } });
    }),
    /** Before the answer: the far end's audio plays on the output the device chose (asked again when the choice changes). */
    playOnChosenOutput: enqueueActions(({ context, enqueue, event }) => {
      const chosen = event.type === 'OUTPUT_DEVICE_CHOSEN';
      const deviceId = chosen ? event.deviceId : context.outputDeviceId;
      if (!chosen && deviceId === 'default') return;
      const requestId = `output-device.${context.outputRequests + 1}`;
      enqueue.assign({ outputDeviceId: deviceId, outputRequests: context.outputRequests + 1 });
      enqueue.spawnChild('requestActor', { id: requestId, input: { port: context.port, requestId, request: { kind: 'output-device', deviceId } } });
    }),
    /**
     * Rings: the ringtone, or the call-waiting tone while another call of the device is accepted; on `OTHERS_TALKING`
     * the tone changes only when that changed.
     */
    ring: enqueueActions(({ context, enqueue, event }) => {
      const talking = event.type === 'OTHERS_TALKING' ? event.talking : context.othersTalking;
      if (event.type === 'OTHERS_TALKING' && talking === context.othersTalking) return;
      enqueue.assign({ othersTalking: talking });
      enqueue.stopChild(talking ? 'ringtone' : 'callWaitingTone');
      const sound = talking ? 'callWaiting' : 'ringtone';
      enqueue.spawnChild('soundActor', { id: talking ? 'callWaitingTone' : 'ringtone', input: { sounds: context.sounds, request: { sound } } });
    }),
    stopRinging: enqueueActions(({ enqueue }) => {
      enqueue.stopChild('ringtone');
      enqueue.stopChild('callWaitingTone');
    }),
    stopRequest: stopChild((_, params: { requestId: string }) => params.requestId),
    /** Keypad feedback for digits being sent: one tone at a time, the last digits' (a sound never outlives `accepted`). */
    playKeypadTone: enqueueActions(({ context, enqueue }, params: { digits: string }) => {
      enqueue.stopChild(KEYPAD_TONE_ID);
      const request = { sound: 'dtmf' as const, digits: params.digits, durationMs: context.dtmf.durationMs, gapMs: context.dtmf.gapMs };
      enqueue.spawnChild('soundActor', { id: KEYPAD_TONE_ID, input: { sounds: context.sounds, request } });
    }),
    stopKeypadTone: stopChild(KEYPAD_TONE_ID),
    /** An accepted call ended (not by destroy()): the disconnect tone, a one-shot that plays on after the call. */
    playDisconnectTone: ({ context }) => {
      if (context.acceptedAt !== undefined && context.endReason !== 'device-destroyed') context.sounds?.play({ sound: 'disconnect' });
    },
    emitRequestSettled: emit((_, params: { requestId: string; error?: VoiceSDKError }) => ({
      type: 'request.settled',
      requestId: params.requestId,
      error: params.error,
    }) as const),
    releaseMedia: ({ context }) => context.port.dispose(),
    /** What the last offer/answer settled on: the DTMF method is chosen from it. */
    storeNegotiated: assign({
      negotiated: ({ event }) => {
        assertEvent(event, 'PORT.NEGOTIATED');
        const { type: _type, ...facts } = event;
        return facts;
      },
    }),
    /** Settles the digits request with `dtmf-unavailable`; nothing is sent. */
    refuseDigits: emit(({ context }, params: { requestId: string }) => ({
      type: 'request.settled',
      requestId: params.requestId,
      error: new VoiceSDKError('dtmf-unavailable', dtmfUnavailableReason(context.negotiated)),
    }) as const),
  },
});

/**
 * The setups that regions' own implementations extend, one after the other:
 * the base, then `./call.recovery.setup`, then `./call.transfer.setup`.
 */
export type CallBaseSetup = ReturnType<typeof callBaseSetup>;
export type CallRecoverySetup = ReturnType<typeof withRecovery>;

/**
 * The call machine's `setup()`, made when the machine is (call.machine.ts):
 * a function, so that a bundle that never uses the machine drops it whole
 * (its action creators would otherwise count as side effects at load).
 */
export const callSetup = () => withTransfers(withRecovery(callBaseSetup()));

/**
 * `createStateConfig` of the call machine's setup, without making the setup
 * at load: it is the identity, typed for the call machine (regions written
 * in their own files, e.g. `./call.accepted`).
 */
export const callStateConfig: ReturnType<typeof callSetup>['createStateConfig'] = (config) => config;
