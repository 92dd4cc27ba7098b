/**
 * The call machine's implementations: guards, actions, actors and delays,
 * named for the chart in `call.machine.ts`. Port commands (setSending,
 * respondToRefer, dispose) are named actions here; everything that waits is
 * an actor from `./call.actors`. Time comes from `context.now`.
 */
import { assertEvent, assign, emit, enqueueActions, sendTo, setup, stopChild } from 'xstate';
import { toVoiceSDKError, VoiceSDKError } from '../errors';
import { chooseDtmfMethod, dtmfUnavailableReason } from '../sip/dtmf';
import { dtmfOfInfo } from '../sip/dtmf-digits';
import { isHoldDirection } from '../sip/sdp';
import { isUsableReferTarget } from '../sip/target';
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
} from './call.types';
import { statsActor } from './stats.actor';
import { buildReport, withSample, withWarning, type CallReport } from '../quality/report';

export { EMPTY_REPORT_STATE } from '../quality/report';
import { warningMachine } from '../quality/warning.machine';
import { warningEvents } from '../quality/warnings';
import type { QualitySample, WarningName } from '../quality/quality.types';
import type { DtmfMethod } from '../adapters/adapter';

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
  | 'warningMachine';

/** How long the target-refresh re-INVITE after a reconnect may go unanswered before the call ends `connection-lost`, in ms. */
export const REFRESH_TIMEOUT_MS = 10_000;
/** How long a hangup waits for a lost socket to come back before the call ends locally without a BYE, in ms. */
export const HANGUP_SOCKET_WAIT_MS = 10_000;
/**
 * A refresh that met glare (491) or our own re-INVITE still in flight (SIP.js
 * holds it until Timer B, ~32 s) is sent again after this wait, in ms: the
 * caller (owner of the Call-ID) waits longer than the callee, as in RFC 3261
 * §14.1, so the two ends do not collide again.
 */
export const REFRESH_RETRY_MS = { outbound: 3000, inbound: 1000 } as const;
/** At most this many retries (40 s and more: a re-INVITE in flight ends by Timer B, 32 s): then reported, and the call goes on unrefreshed. */
export const MAX_REFRESH_RETRIES = 40;

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
      resumeReinvite: 'reinviteActor';
      refreshReinvite: 'reinviteActor';
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
    /** accept() / hold(false) asked for the other calls to be held, and there is a device to do it. */
    mustHoldOthers: ({ context, event }) =>
      (event.type === 'ACCEPT' || event.type === 'UNHOLD') && event.holdOthers && context.device !== undefined,
    /** terminate() came while the answer was being set up. */
    isHangUpWhenAnswered: ({ context }) => context.hangUpWhenAnswered,
    /** A REFER whose Refer-To is malformed or hostile (CR/LF, another scheme, over-long): 400. */
    isUnusableReferTarget: ({ event }) => event.type === 'PORT.REFER' && !isUsableReferTarget(event.referTo),
    /** A 2xx final response. */
    isSuccess: (_, params: { status: number }) => isSuccessStatus(params.status),
    /** A final failure that ends the call normally (busy, declined). */
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
    /** The device's signalling socket is down (a BYE now would be lost). */
    isSocketDown: ({ context }) => context.socketDown,
    /** The refresh re-INVITE's failure says the dialog is gone: 481, 408 or a local timeout. */
    isDialogLost: (_, params: { error: unknown }) => {
      const error = toVoiceSDKError(params.error);
      return error.status === 481 || error.status === 408 || error.code === 'timeout';
    },
    /**
     * The refresh met glare (491), a proxy that could not relay it yet (500,
     * 503: just after a restart it may still hold the far end's dead
     * connection) or a re-INVITE of ours still in flight (`invalid-state`):
     * worth sending again.
     */
    isRefreshBlocked: ({ context }, params: { error: unknown }) => {
      const error = toVoiceSDKError(params.error);
      const retryable = error.status === 491 || error.status === 500 || error.status === 503 || error.code === 'invalid-state';
      return retryable && context.refreshRetries < MAX_REFRESH_RETRIES;
    },
    /** Neither RFC 4733 nor SIP INFO would reach the far end (see src/sip/dtmf.ts). */
    dtmfUnavailable: ({ context }) => chooseDtmfMethod(context.dtmf.method, context.negotiated) === 'unavailable',
  },
  delays: {
    reportInterval: ({ context }) => context.reportIntervalMs,
    refreshTimeout: REFRESH_TIMEOUT_MS,
    hangupSocketWait: HANGUP_SOCKET_WAIT_MS,
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
    emitReconnecting: emit({ type: 'reconnecting', cause: 'signalling' } as const),
    emitReconnected: emit({ type: 'reconnected' } as const),
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
    setOnHold: assign((_, params: { onHold: boolean }) => ({ onHold: params.onHold })),
    /** The one sending rule: the microphone goes out only when neither muted nor on hold. */
    applySending: ({ context }) => context.port.setSending(!context.muted && !context.onHold),
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
    emitRequestSettled: emit((_, params: { requestId: string; error?: VoiceSDKError }) => ({
      type: 'request.settled',
      requestId: params.requestId,
      error: params.error,
    }) as const),
    /** No transfer yet: following a REFER would start a call nobody tracks. */
    declineRefer: ({ context }) => context.port.respondToRefer(603),
    /** A Refer-To no transfer could use: 400 Bad Request. */
    refuseBadRefer: ({ context }) => context.port.respondToRefer(400),
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
 * `createStateConfig` of the call machine's setup, without making the setup
 * at load: it is the identity, typed for the call machine (regions written
 * in their own files, e.g. `./call.accepted`).
 */
export const callStateConfig: ReturnType<typeof callSetup>['createStateConfig'] = (config) => config;
