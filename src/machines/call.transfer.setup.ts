/**
 * The transfer region's guards and actions (`./call.transfer`), added to the
 * call machine's setup (`./call.setup`) with `extend`: our REFER's progress,
 * and the far end's REFER refused, decided or followed.
 */
import { assertEvent, assign, emit, enqueueActions } from 'xstate';
import type { CallPort } from '../adapters/adapter';
import { toVoiceSDKError } from '../errors';
import { isReferEvent, referProgressOf, referTargetOf, sipfragStatus, type ReferProgress } from '../sip/refer';
import { isUsableReferTarget } from '../sip/target';
import type { CallRecoverySetup } from './call.setup';
import { transferFailure } from './call.transfer.actors';
import type { TransferState } from './call.types';

/** `base` with the transfer region's guards and actions. */
export const withTransfers = (base: CallRecoverySetup) =>
  base.extend({
    guards: {
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
      /** The call is ending because of a transfer: a BYE crossing ours does not change why. */
      isTransferEnd: ({ context }) => context.endReason === 'transferred' || context.endReason === 'replaced',
    },
    actions: {
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
    },
  });
