/**
 * The guards, actions and delays of restoring a lost path, added to the call
 * machine's setup (`./call.setup`) with `extend`: the signalling path
 * (`./call.recovery`: the socket lost, the target-refresh re-INVITE) and the
 * media path (`./call.media`: ICE restarts).
 */
import { assertEvent, assign, enqueueActions, or, raise, stateIn } from 'xstate';
import { toVoiceSDKError, VoiceSDKError } from '../errors';
import { ICE_RESTART_WAIT_MS, isIceUpState, MEDIA_STALL_MS, mediaFlowsAgain, restartBackoffMs } from './call.media.rules';
import type { CallBaseSetup } from './call.setup';
import type { ReconnectCause } from './call.types';

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

/** `base` with the implementations of the recovery and media regions. */
export const withRecovery = (base: CallBaseSetup) =>
  base.extend({
    guards: {
      /** ICE or the peer connection (ICE + DTLS) failed on an accepted call: an ICE restart may bring it back. */
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
        if (error.status === 488) return context.refreshRetries < MAX_REFRESH_488_RETRIES;
        const retryable = error.status === 491 || error.status === 500 || error.status === 503 || error.code === 'invalid-state';
        return retryable && context.refreshRetries < MAX_REFRESH_RETRIES;
      },
    },
    delays: {
      refreshTimeout: REFRESH_TIMEOUT_MS,
      hangupSocketWait: HANGUP_SOCKET_WAIT_MS,
      mediaStallWait: MEDIA_STALL_MS,
      iceRestartWait: ICE_RESTART_WAIT_MS,
      recoveryTimeout: ({ context }) => context.recoveryTimeoutMs,
      restartBackoff: ({ context }) => restartBackoffMs(context.restartAttempts, context.direction),
      refreshRetry: ({ context }) => REFRESH_RETRY_MS[context.direction],
    },
    actions: {
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
    },
  });
