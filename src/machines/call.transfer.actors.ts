/**
 * The transfer region's effects (`./call.transfer`): our REFER, the app's
 * decision on the far end's REFER.
 */
import { fromPromise } from 'xstate';
import type { CallPort } from '../adapters/adapter';
import { VoiceSDKError } from '../errors';
import type { TransferPolicy, TransferRequestFacts } from './call.types';

/** Sends our REFER; done on its 2xx (202 Accepted), an error with the response's status otherwise. */
export const referActor = /* @__PURE__ */ fromPromise<void, { port: CallPort; to: string | CallPort }>(({ input }) =>
  input.port.refer(input.to),
);

/**
 * Asks the app's `onTransferRequest` callback: true follows. A callback that
 * throws or rejects counts as a refusal (the machine answers 603).
 */
export const transferDecisionActor = /* @__PURE__ */ fromPromise<boolean, { policy: TransferPolicy; request: TransferRequestFacts }>(
  async ({ input }) => {
    const { policy } = input;
    if (typeof policy !== 'function') return policy === 'follow';
    return (await policy(input.request)) === true;
  },
);

/** How long our transfer waits for the next NOTIFY (or the first) before it counts as failed, in ms. */
export const TRANSFER_PROGRESS_TIMEOUT_MS = 60_000;
/** How long the app's `onTransferRequest` may take before the REFER is declined (603), in ms. */
export const TRANSFER_DECISION_TIMEOUT_MS = 10_000;

/** The error a failed transfer rejects with: `status` from the REFER's response or the referred call's sipfrag. */
export function transferFailure(status: number | undefined, cause?: unknown): VoiceSDKError {
  const message =
    status === undefined
      ? `The transfer did not complete (no outcome within ${TRANSFER_PROGRESS_TIMEOUT_MS} ms, or the REFER could not be sent)`
      : `The transfer did not complete (${status})`;
  return new VoiceSDKError('transfer-failed', message, { ...(status === undefined ? {} : { status }), cause });
}
