/** How the call sends digits (`SEND_DIGITS` in the accepted call): a pure function of its context. */
import type { DtmfMethod } from '../adapters/adapter';
import { chooseDtmfMethod } from '../sip/dtmf';
import type { CallContext } from './call.types';

/**
 * How digits go on this call: the configured method, or the other one where
 * the configured one would not arrive (src/sip/dtmf.ts). Only called when the
 * `dtmfUnavailable` guard did not match.
 */
export function dtmfMethodFor(context: CallContext): DtmfMethod {
  const method = chooseDtmfMethod(context.dtmf.method, context.negotiated);
  return method === 'unavailable' ? context.dtmf.method : method;
}
