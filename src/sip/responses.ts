/**
 * SIP responses: which status codes mean what class, what `reject()` may
 * send, and the RFC 3326 Reason header of a CANCEL. (Which error code or end
 * reason a failure status means lives in `src/sip/status.ts`: `codeForSipStatus`
 * and `declineReasonForStatus`.)
 */
import { invalidArgument, shown } from './grammar';

function isStatusIn(status: unknown, low: number, high: number): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= low && status <= high;
}

/** 1xx. */
export function isProvisionalStatus(status: unknown): status is number {
  return isStatusIn(status, 100, 199);
}

/** 180 Ringing and 183 Session Progress: the far end is alerting (the `ringing` event). */
export function isRingingStatus(status: unknown): status is number {
  return status === 180 || status === 183;
}

/** 2xx. */
export function isSuccessStatus(status: unknown): status is number {
  return isStatusIn(status, 200, 299);
}

/** 3xx–6xx: a final response that ends an INVITE without a call. */
export function isFinalFailureStatus(status: unknown): status is number {
  return isStatusIn(status, 300, 699);
}

/** 480 Temporarily Unavailable: what an incoming call gets when nobody can take it (no listener, the device going away). */
export const UNAVAILABLE_STATUS = 480;

/** 481 Call/Transaction Does Not Exist: an INVITE whose Replaces names no dialog of ours (RFC 3891 §3). */
export const CALL_DOES_NOT_EXIST_STATUS = 481;

/** 486 Busy Here: what `reject()` sends unless told otherwise. */
export const BUSY_STATUS = 486;

/**
 * What `reject(statusCode)` may answer an incoming INVITE with: 400–699.
 * A 3xx redirect needs a Contact to redirect to, which reject() has no way
 * to give, so it is not a rejection.
 */
export const REJECT_STATUS_RANGE = { min: 400, max: 699 } as const;

/** Whether `status` is in `REJECT_STATUS_RANGE`. */
export function isRejectStatus(status: unknown): status is number {
  return isStatusIn(status, REJECT_STATUS_RANGE.min, REJECT_STATUS_RANGE.max);
}

/**
 * `statusCode` checked for `reject()`.
 * @throws VoiceSDKError `invalid-argument` unless an integer 400–699.
 */
export function parseRejectStatus(statusCode: unknown): number {
  if (!isRejectStatus(statusCode)) {
    throw invalidArgument(
      `reject() takes a SIP final failure status ${REJECT_STATUS_RANGE.min}-${REJECT_STATUS_RANGE.max} (486 busy, 603 decline), got ${shown(statusCode)}`,
    );
  }
  return statusCode;
}

/**
 * Whether a CANCEL's Reason header says another device took the call:
 * `Reason: SIP;cause=200;text="Call completed elsewhere"` (RFC 3326, RFC 3261 §9.1).
 * Untrusted input; never throws.
 */
export function isAnsweredElsewhere(reason: string | undefined): boolean {
  if (typeof reason !== 'string') return false;
  const text = reason.slice(0, 1024);
  return /cause\s*=\s*200\b/i.test(text) || /completed elsewhere/i.test(text);
}
