/**
 * The call machine's implementations: guards, actions, actors and delays,
 * named for the chart in `call.machine.ts`. Port commands (setSending,
 * respondToRefer, dispose) are named actions here; everything that waits is
 * an actor from `./call.actors`. Time comes from `context.now`.
 */
import { assertEvent, assign, emit, enqueueActions, or, raise, sendTo, setup, stateIn, stopChild } from 'xstate';
import { toVoiceSDKError, VoiceSDKError } from '../errors';
import { chooseDtmfMethod, dtmfUnavailableReason } from '../sip/dtmf';
import { dtmfOfInfo } from '../sip/dtmf-digits';
import { isHoldDirection } from '../sip/sdp';
import { isUsableReferTarget } from '../sip/target';
import { isReferEvent, referProgressOf, referTargetOf, sipfragStatus, type ReferProgress } from '../sip/refer';
import {
  referActor,
  transferDecisionActor,
  transferFailure,
  TRANSFER_DECISION_TIMEOUT_MS,
  TRANSFER_PROGRESS_TIMEOUT_MS,
} from './call.transfer.actors';
import { infoEquals } from '../sip/identity';
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
  CallContext,
  CallEmitted,
  CallEvent,
  CallMachineInput,
  CallOperation,
  DisconnectDetail,
  DisconnectReason,
  TransferState,
  ReconnectCause,
} from './call.types';
import { ICE_RESTART_WAIT_MS, isIceUpState, MEDIA_STALL_MS, mediaFlowsAgain, restartBackoffMs } from './call.media.rules';
import { statsActor } from './stats.actor';
import { KEYPAD_TONE_ID, soundActor } from './call.sounds';
import { buildReport, withSample, withWarning, type CallReport } from '../quality/report';

export { EMPTY_REPORT_STATE } from '../quality/report';
import { warningMachine } from '../quality/warning.machine';
import { warningEvents } from '../quality/warnings';
import type { QualitySample, WarningName } from '../quality/quality.types';
import type { CallPort, DtmfMethod } from '../adapters/adapter';
import { appInfoChange, networkInfoChange, type InfoChange } from './call.info';
import { holdTimingAt, TIMER_INTERVAL_MS, timerOf } from './call.timing';

/** The id of the warning actor for `name`. */
export const warningActorId = (name: string): string => `warning.${name}`;

/** The call report from the machine's context, as of `now` for a call still up. */
export function reportOf(context: CallContext, now = context.now()): CallReport {
  return buildReport(context.report, {
    startedAt: context.startedAt,
    ...(context.acceptedAt === undefined ? {} : { acceptedAt: context.acceptedAt }),
    endedAt: context.endedAt ?? now,
  });
}

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
  | 'warningMachine'
  | 'referActor'
  | 'transferDecisionActor'
  | 'soundActor';

/** How long the target-refresh re-INVITE after a reconnect may go unanswered before the call ends `connection-lost`, in ms. */
export const REFRESH_TIMEOUT_MS = 10_000;
/**
 * How long a hangup waits for a lost socket to come back before the call ends
 * locally without a BYE, in ms: about as long as the far end's ICE keeps a
 * silent call up (consent freshness, ~30 s), after which a BYE tells it nothing.
 */
export const HANGUP_SOCKET_WAIT_MS = 30_000;
/**
 * A refresh that met glare (491) or our own re-INVITE still in flight (SIP.js
 * holds it until Timer B, ~32 s) is sent again after this wait, in ms: the
 * caller (owner of the Call-ID) waits longer than the callee, as in RFC 3261
 * §14.1, so the two ends do not collide again.
 */
export const REFRESH_RETRY_MS = { outbound: 3000, inbound: 1000 } as const;
/** At most this many retries (40 s and more: a re-INVITE in flight ends by Timer B, 32 s): then reported, and the call goes on unrefreshed. */
export const MAX_REFRESH_RETRIES = 40;
/**
 * A refresh answered 488 is sent again this many times: when both ends
 * refresh at once (a proxy restart, a failover) one end's offer can meet the
 * other's being made, and SIP.js answers 488 instead of 491. A 488 that
 * stays is reported.
 */
export const MAX_REFRESH_488_RETRIES = 2;

export const MEDIA_NOT_NEGOTIATED = 'The call ended: its media could not be negotiated';

export const mediaFailedError = (message: string): VoiceSDKError => new VoiceSDKError('media-failed', message);

/**
 * How digits go on this call: the configured method, or the other one where
 * the configured one would not arrive (src/sip/dtmf.ts). Only called when the
 * `dtmfUnavailable` guard did not match.
 */
export function dtmfMethodFor(context: CallContext): DtmfMethod {
  const method = chooseDtmfMethod(context.dtmf.method, context.negotiated);
  return method === 'unavailable' ? context.dtmf.method : method;
}

/**
 * The call machine's `setup()`, made when the machine is (call.machine.ts):
 * a function, so that a bundle that never uses the machine drops it whole
 * (its action creators would otherwise count as side effects at load).
 */
export const callSetup = () =>
  setup({
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
      videoReinvite: 'reinviteActor';
      resumeReinvite: 'reinviteActor';
      refreshReinvite: 'reinviteActor';
      iceRestartReinvite: 'reinviteActor';
      recorder: 'recorderActor';
      statsActor: 'statsActor';
      referActor: 'referActor';
      transferDecision: 'transferDecisionActor';
      ringtone: 'soundActor';
      ringback: 'soundActor';
      keypadTone: 'soundActor';
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
    /** A REFER whose Refer-To is malformed or hostile (CR/LF, another scheme, over-long): 400. */
    isUnusableReferTarget: ({ event }) => event.type === 'PORT.REFER' && !isUsableReferTarget(event.referTo),
    /** The far end's REFERs are refused (603): the policy says so, or there is no device to place the referred call. */
    refusesTransfers: ({ context }) => context.transferPolicy === 'refuse' || context.device === undefined,
    /** The far end's REFERs are followed without asking. */
    followsTransfers: ({ context }) => context.transferPolicy === 'follow',
    /** A NOTIFY of our REFER's subscription whose sipfrag means `progress`. */
    isReferProgress: ({ event }, params: { progress: ReferProgress }) => {
      if (event.type !== 'PORT.NOTIFY' || !isReferEvent(event.event)) return false;
      const status = sipfragStatus(event.body);
      return status !== undefined && referProgressOf(status) === params.progress;
    },
    isTrue: (_, params: { value: unknown }) => params.value === true,
    /** An INVITE with Replaces that matched a call of this device: answered without accept(). */
    isReplacement: ({ context }) => context.replaces !== undefined,
    /** The call is ending because of a transfer: a BYE crossing ours does not change why. */
    isTransferEnd: ({ context }) => context.endReason === 'transferred' || context.endReason === 'replaced',
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
    /** The same, once accepted: an ICE restart may bring it back. */
    isIceFailed: ({ event }) => event.type === 'PORT.MEDIA' && (event.ice === 'failed' || event.connection === 'failed'),
    isIceDisconnected: ({ event }) => event.type === 'PORT.MEDIA' && event.ice === 'disconnected',
    isIceUp: ({ event }) => event.type === 'PORT.MEDIA' && isIceUpState(event.ice),
    /** Inbound bytes grew since ICE went `disconnected` (audio still arrives). */
    inboundGrewSinceStall: ({ context }) =>
      context.stallBytes !== undefined && (context.lastSample?.bytesReceived ?? 0) > context.stallBytes,
    /** Media flows again: ICE connected and inbound bytes moving — or no audio to expect (either side holds). */
    isMediaFlowing: ({ context, event }) => event.type === 'QUALITY' && mediaFlowsAgain(context, event.sample),
    /** The signalling path is being recovered (socket lost, or its refresh not answered yet). */
    isSignallingLost: ({ context }) => context.signallingLost,
    /** Our hold or resume re-INVITE is out (one re-INVITE at a time in a dialog: the ICE restart waits its turn). */
    isReinviteInFlight: or([stateIn({ accepted: { hold: 'holding' } }), stateIn({ accepted: { hold: 'resuming' } })]),
    /** The media region is restoring the media path. */
    isMediaRecovering: ({ context }) => context.mediaLost,
    /** The far end's re-INVITE puts us on hold (sendonly, inactive, c=0.0.0.0). */
    isHoldOffer: ({ event }) => event.type === 'PORT.REINVITE' && isHoldDirection(event.direction),
    /** The far end's re-INVITE takes us off hold (sendrecv, recvonly). */
    isResumeOffer: ({ event }) => event.type === 'PORT.REINVITE' && !isHoldDirection(event.direction),
    /** An INFO that carries a DTMF tone (application/dtmf-relay or application/dtmf). */
    isInfoDigit: ({ event }) => event.type === 'PORT.INFO' && dtmfOfInfo(event.body, event.contentType) !== undefined,
    /** The device's signalling socket is down (a BYE now would be lost). */
    isSocketDown: ({ context }) => context.socketDown,
    /** The refresh re-INVITE's failure says the dialog is gone: 481, 408 or a local timeout. */
    isDialogLost: (_, params: { error: unknown }) => {
      const error = toVoiceSDKError(params.error);
      return error.status === 481 || error.status === 408 || error.code === 'timeout';
    },
    /** setVideo(on) asks for what was asked already. */
    isVideoAsked: ({ context, event }) => event.type === 'SET_VIDEO' && event.on === context.videoWanted,
    /**
     * The refresh met glare (491), a proxy that could not relay it yet (500,
     * 503: just after a restart it may still hold the far end's dead
     * connection) or a re-INVITE of ours still in flight (`invalid-state`):
     * worth sending again.
     */
    isRefreshBlocked: ({ context }, params: { error: unknown }) => {
      const error = toVoiceSDKError(params.error);
      if (error.status === 488) return context.refreshRetries < MAX_REFRESH_488_RETRIES;
      const retryable = error.status === 491 || error.status === 500 || error.status === 503 || error.code === 'invalid-state';
      return retryable && context.refreshRetries < MAX_REFRESH_RETRIES;
    },
    /** Neither RFC 4733 nor SIP INFO would reach the far end (see src/sip/dtmf.ts). */
    dtmfUnavailable: ({ context }) => chooseDtmfMethod(context.dtmf.method, context.negotiated) === 'unavailable',
  },
  delays: {
    reportInterval: ({ context }) => context.reportIntervalMs,
    timerInterval: TIMER_INTERVAL_MS,
    refreshTimeout: REFRESH_TIMEOUT_MS,
    hangupSocketWait: HANGUP_SOCKET_WAIT_MS,
    transferProgressTimeout: TRANSFER_PROGRESS_TIMEOUT_MS,
    transferDecisionTimeout: TRANSFER_DECISION_TIMEOUT_MS,
    mediaStallWait: MEDIA_STALL_MS,
    iceRestartWait: ICE_RESTART_WAIT_MS,
    recoveryTimeout: ({ context }) => context.recoveryTimeoutMs,
    restartBackoff: ({ context }) => restartBackoffMs(context.restartAttempts, context.direction),
    refreshRetry: ({ context }) => REFRESH_RETRY_MS[context.direction],
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
    setSocketDown: assign((_, params: { down: boolean }) => ({ socketDown: params.down })),
    /** One path (signalling or media) is lost and being restored: said at once. */
    startRecovery: enqueueActions(({ enqueue }, params: { cause: ReconnectCause }) => {
      enqueue.assign(params.cause === 'media' ? { mediaLost: true, restartAttempts: 0 } : { signallingLost: true });
      enqueue.emit({ type: 'reconnecting', cause: params.cause });
    }),
    /** That path is restored (or given up on, `restored: false`); `reconnected` once neither is lost. */
    endRecovery: enqueueActions(({ context, enqueue }, params: { cause: ReconnectCause; restored: boolean }) => {
      const media = params.cause === 'media';
      enqueue.assign(media ? { mediaLost: false, restartAttempts: 0 } : { signallingLost: false });
      const otherLost = media ? context.signallingLost : context.mediaLost;
      if (params.restored && !otherLost) enqueue.emit({ type: 'reconnected' });
    }),
    /** Tells the media region the signalling path is usable again (its restart may go). */
    signalBack: raise({ type: 'SIGNALLING_BACK' }),
    storeIce: assign(({ event }) => {
      assertEvent(event, 'PORT.MEDIA');
      return { ice: event.ice };
    }),
    noteStall: assign({ stallBytes: ({ context }) => context.lastSample?.bytesReceived ?? 0 }),
    countRestart: assign({ restartAttempts: ({ context }) => context.restartAttempts + 1 }),
    /** The media did not come back within `recoveryTimeoutMs`, or the far end hung up meanwhile (it lost it too). */
    failMediaLost: assign(({ context }, params: { farEndHungUp: boolean }) => ({
      endReason: 'failed' as const,
      error: new VoiceSDKError(
        'media-lost',
        params.farEndHungUp ? 'Media lost: the far end hung up while it was being restored' : `Media lost: not restored within ${context.recoveryTimeoutMs} ms`,
      ),
    })),
    countRefreshRetry: assign({ refreshRetries: ({ context }) => context.refreshRetries + 1 }),
    resetRefreshRetries: assign({ refreshRetries: 0 }),
    /** The dialog did not survive the reconnect (`params.error`: the refresh's failure, or none: no answer). */
    failConnectionLost: assign((_, params: { error?: unknown }) => {
      const cause = params.error === undefined ? undefined : toVoiceSDKError(params.error);
      const answer = cause === undefined ? `no answer within ${REFRESH_TIMEOUT_MS} ms` : cause.message;
      return {
        endReason: 'failed' as const,
        error: new VoiceSDKError('connection-lost', `Lost with the connection (refresh: ${answer})`, {
          ...(cause?.status === undefined ? {} : { status: cause.status }),
          cause,
        }),
      };
    }),
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
    /** The REFER is refused (policy, the app's answer, or another transfer under way): 603 Decline. */
    declineRefer: ({ context, event }) => {
      assertEvent(event, 'PORT.REFER');
      context.port.respondToRefer(603, event.id);
    },
    /** The REFER being decided is refused (the app said no, threw, or took too long): 603. */
    declineReferral: ({ context }) => context.port.respondToRefer(603, context.referral?.id),
    storeTransferTo: assign((_, params: { to: string | CallPort }) => ({ transferTo: params.to })),
    storeReferral: assign(({ event }) => {
      assertEvent(event, 'PORT.REFER');
      return { referral: { ...referTargetOf(event.referTo), id: event.id } };
    }),
    forgetTransfer: assign({ transferTo: undefined, referral: undefined }),
    /** A step of our transfer; `body`: the NOTIFY's sipfrag, whose status is told. */
    emitTransfer: emit((_, params: { state: TransferState; body?: string }) => ({
      type: 'transfer',
      state: params.state,
      status: params.body === undefined ? undefined : sipfragStatus(params.body),
      error: undefined,
    }) as const),
    /** Our transfer failed: the REFER's refusal (`error`), the referred call's failure (`body`), or no outcome in time. */
    emitTransferFailed: emit((_, params: { error?: unknown; body?: string }) => {
      const status = params.body === undefined ? toVoiceSDKError(params.error ?? 'no outcome').status : sipfragStatus(params.body);
      return { type: 'transfer', state: 'failed', status, error: transferFailure(status, params.error) } as const;
    }),
    /** 202 Accepted, and the device places the referred call. */
    followRefer: enqueueActions(({ context, enqueue, self }) => {
      context.port.respondToRefer(202, context.referral?.id);
      if (context.device) enqueue.sendTo(context.device, { type: 'FOLLOW_REFER', callId: self.id });
    }),
    emitReferred: emit(({ context }, params: { callId: string }) => ({
      type: 'referred',
      target: context.referral?.target ?? '',
      callId: params.callId,
    }) as const),
    /** Accepted in place of another call (Replaces): the device ends that one. */
    tellDeviceReplaced: enqueueActions(({ context, enqueue, self }) => {
      if (context.device && context.replaces !== undefined) {
        enqueue.sendTo(context.device, { type: 'CALL_REPLACED', callId: self.id, replacedId: context.replaces });
      }
    }),
    /** A Refer-To no transfer could use: 400 Bad Request. */
    refuseBadRefer: ({ context, event }) => {
      assertEvent(event, 'PORT.REFER');
      context.port.respondToRefer(400, event.id);
    },
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

/** Assigns an info change and emits `info` when the info itself changed. */
function applyInfoChange(
  enqueue: { assign: (values: Partial<CallContext>) => void; emit: (event: CallEmitted) => void },
  context: CallContext,
  change: InfoChange | undefined,
): void {
  if (change === undefined) return;
  // Frozen: `call.info` hands this object to the app.
  enqueue.assign({ party: change.party, info: Object.freeze(change.info), infoLocked: change.infoLocked });
  if (!infoEquals(change.info, context.info)) enqueue.emit({ type: 'info', info: change.info, previous: context.info });
}

/**
 * `createStateConfig` of the call machine's setup, without making the setup
 * at load: it is the identity, typed for the call machine (regions written
 * in their own files, e.g. `./call.accepted`).
 */
export const callStateConfig: ReturnType<typeof callSetup>['createStateConfig'] = (config) => config;
