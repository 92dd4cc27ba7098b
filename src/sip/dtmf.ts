/**
 * Pure DTMF rule: which way digits can reach the far end on this call, from
 * the facts of the last completed offer/answer. The call chart decides with
 * it; adapters only report the facts (the port's `negotiated` event).
 */
import type { DtmfMethod, NegotiatedMedia } from '../adapters/adapter';

/** How to send digits on a call, or `unavailable` when neither way would arrive. */
export type DtmfChoice = DtmfMethod | 'unavailable';

/**
 * The method to use, starting from the configured one:
 * - RFC 4733 needs a telephone-event at the sending codec's clock rate;
 * - SIP INFO needs `INFO` in the far end's Allow header;
 * - when the preferred way does not work, the other one is used if it does;
 * - neither: `unavailable` (sendDigits rejects with `dtmf-unavailable`, never a silent success).
 *
 * Without facts (an adapter that does not report them) the preferred method is kept.
 */
export function chooseDtmfMethod(preferred: DtmfMethod, negotiated: NegotiatedMedia | undefined): DtmfChoice {
  if (negotiated === undefined) return preferred;
  const works: Record<DtmfMethod, boolean> = { rfc2833: negotiated.telephoneEvent, info: negotiated.allowsInfo };
  if (works[preferred]) return preferred;
  const other: DtmfMethod = preferred === 'rfc2833' ? 'info' : 'rfc2833';
  return works[other] ? other : 'unavailable';
}

/** Why digits cannot be sent, for the `dtmf-unavailable` error message. */
export function dtmfUnavailableReason(negotiated: NegotiatedMedia | undefined): string {
  const codec = negotiated === undefined ? 'the negotiated codec' : `${negotiated.audioCodec}/${negotiated.clockRate}`;
  return (
    `DTMF cannot reach the far end: no telephone-event at the clock rate of ${codec} was negotiated, ` +
    'and its Allow header does not list INFO'
  );
}

/** Bound for untrusted input. */
const MAX_ALLOW_LENGTH = 1024;

/** True when an Allow header value (`INVITE, ACK, INFO, …`) lists `method`. */
export function allowsMethod(allowHeader: string | undefined, method: string): boolean {
  if (allowHeader === undefined) return false;
  const wanted = method.toUpperCase();
  return allowHeader
    .slice(0, MAX_ALLOW_LENGTH)
    .split(',')
    .some((token) => token.trim().toUpperCase() === wanted);
}
