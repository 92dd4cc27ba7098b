/**
 * Transfers, a region of the accepted call. Both roles:
 *
 * ```
 * ours (transfer()):   idle ──TRANSFER──► requesting (REFER) ──2xx──► awaitingProgress ──NOTIFY 2xx──► succeeded ──► hangingUp ('transferred')
 *                                            │ refused, no answer       │ NOTIFY ≥ 300, no NOTIFY in time
 *                                            └────────────► failed ◄────┘ ──► idle (the call stays as it was)
 * theirs (a REFER):    idle ──PORT.REFER──► deciding (onTransferRequest) ──true──► following (202; the device places the call)
 *                        └─ 400 hostile, 603 refused           └─ false / throws / too slow: 603 ──► idle
 *                      following ──REFER_FOLLOWED──► referred ──the new call accepted──► hangingUp ('transferred')
 *                                                       └─ it ended unanswered ──► idle;  the transferor's BYE ──► disconnected ('transferred')
 * ```
 * NOTIFYs of 100 and 18x are told as `trying` / `ringing`; each restarts the
 * wait for the outcome (`transferProgressTimeout`).
 */
import { callStateConfig } from './call.setup';

const TRANSFERRED = { type: 'setEnd', params: { reason: 'transferred' } } as const;

export const transferRegion = /* @__PURE__ */ callStateConfig({
  initial: 'idle',
  states: {
    idle: {
      on: {
        TRANSFER: { target: 'requesting', actions: { type: 'storeTransferTo', params: ({ event }) => event } },
        'PORT.REFER': [
          { guard: 'isUnusableReferTarget', actions: 'refuseBadRefer' },
          { guard: 'refusesTransfers', actions: 'declineRefer' },
          { guard: 'followsTransfers', target: 'following', actions: 'storeReferral' },
          { target: 'deciding', actions: 'storeReferral' },
        ],
      },
    },
    requesting: {
      entry: { type: 'emitTransfer', params: { state: 'requested' } },
      invoke: {
        id: 'referActor',
        src: 'referActor',
        input: ({ context }) => ({ port: context.port, to: context.transferTo ?? '' }),
        onDone: { target: 'awaitingProgress', actions: { type: 'emitTransfer', params: { state: 'accepted' } } },
        onError: { target: 'failed', actions: { type: 'emitTransferFailed', params: ({ event }) => ({ error: event.error }) } },
      },
      // The stack answers an unanswered REFER 408 itself (SIP.js: Timer F, 32 s); this bound holds for any adapter.
      after: { transferProgressTimeout: { target: 'failed', actions: { type: 'emitTransferFailed', params: {} } } },
    },
    awaitingProgress: {
      after: { transferProgressTimeout: { target: 'failed', actions: { type: 'emitTransferFailed', params: {} } } },
      on: {
        'PORT.NOTIFY': [
          {
            guard: { type: 'isReferProgress', params: { progress: 'succeeded' } },
            target: 'succeeded',
            actions: { type: 'emitTransfer', params: ({ event }) => ({ state: 'succeeded', body: event.body }) },
          },
          {
            guard: { type: 'isReferProgress', params: { progress: 'failed' } },
            target: 'failed',
            actions: { type: 'emitTransferFailed', params: ({ event }) => ({ body: event.body }) },
          },
          {
            guard: { type: 'isReferProgress', params: { progress: 'trying' } },
            target: 'awaitingProgress',
            reenter: true,
            actions: { type: 'emitTransfer', params: ({ event }) => ({ state: 'trying', body: event.body }) },
          },
          {
            guard: { type: 'isReferProgress', params: { progress: 'ringing' } },
            target: 'awaitingProgress',
            reenter: true,
            actions: { type: 'emitTransfer', params: ({ event }) => ({ state: 'ringing', body: event.body }) },
          },
        ],
      },
    },
    // The far end reports the referred call answered: our leg is no longer needed.
    succeeded: { always: { target: '#call.hangingUp', actions: TRANSFERRED } },
    failed: { always: { target: 'idle', actions: 'forgetTransfer' } },
    deciding: {
      invoke: {
        id: 'transferDecision',
        src: 'transferDecisionActor',
        input: ({ context, self }) => ({
          policy: context.transferPolicy,
          request: { callId: self.id, target: context.referral?.target ?? '', replaces: context.referral?.replaces ?? false },
        }),
        onDone: [
          { guard: { type: 'isTrue', params: ({ event }) => ({ value: event.output }) }, target: 'following' },
          { target: 'idle', actions: ['declineReferral', 'forgetTransfer'] },
        ],
        onError: { target: 'idle', actions: ['declineReferral', 'forgetTransfer'] },
      },
      after: { transferDecisionTimeout: { target: 'idle', actions: ['declineReferral', 'forgetTransfer'] } },
    },
    // 202 Accepted, and the device places the referred call (its progress is NOTIFYed by the stack).
    following: {
      entry: 'followRefer',
      on: {
        REFER_FOLLOWED: { target: 'referred', actions: { type: 'emitReferred', params: ({ event }) => event } },
        REFER_NOT_FOLLOWED: { target: 'idle', actions: 'forgetTransfer' },
      },
    },
    // The device tells how the referred call goes.
    referred: {
      on: {
        REFERRED_CALL_ACCEPTED: { target: '#call.hangingUp', actions: TRANSFERRED },
        REFERRED_CALL_ENDED: { target: 'idle', actions: 'forgetTransfer' },
        // The transferor hung up once the referred call was answered (the NOTIFY 200 went first).
        'PORT.BYE': {
          target: '#call.disconnected',
          actions: { type: 'setEnd', params: ({ event }) => ({ reason: 'transferred', cause: event.reason }) },
        },
      },
    },
  },
});
