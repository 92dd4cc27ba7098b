/** Our REFER over SIP.js (RFC 3515): blind to a URI, attended to another established call's far end (Refer-To with Replaces). */
import { SessionState, UserAgent } from 'sip.js';
import type { Invitation, Inviter, Session } from 'sip.js';
import type { CallPort } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { inDialogError } from '../../sip/status';
import { asVoiceSDKError } from './sipjs.errors';

/** The part of a SIP.js call port `sendRefer` needs of the other call in an attended transfer. */
interface WithSession {
  readonly session: unknown;
}

/**
 * Sends REFER on `session`; resolves on its 2xx (202), rejects with the
 * response's status otherwise. NOTIFYs about the referred call reach the
 * session delegate (`notify` facts), which accepts them.
 */
export function sendRefer(session: Inviter | Invitation, target: string | CallPort, transportUp: () => boolean): Promise<void> {
  if (session.state !== SessionState.Established) {
    return Promise.reject(new VoiceSDKError('invalid-state', 'REFER needs an answered call'));
  }
  let referTo: ReturnType<typeof UserAgent.makeURI> | Session;
  if (typeof target === 'string') {
    referTo = UserAgent.makeURI(target);
    if (referTo === undefined) return Promise.reject(new VoiceSDKError('invalid-argument', `"${target}" is not a SIP URI`));
  } else {
    const other = (target as CallPort & WithSession).session as Session | undefined;
    if (other === undefined || other === session || other.state !== SessionState.Established || other.dialog === undefined) {
      return Promise.reject(new VoiceSDKError('invalid-state', 'An attended transfer needs another answered call of this user agent'));
    }
    referTo = other;
  }
  return new Promise<void>((resolve, reject) => {
    session
      .refer(referTo, {
        requestDelegate: {
          onAccept: () => resolve(),
          onReject: (response) => reject(inDialogError('REFER', response.message.statusCode ?? 0, !transportUp())),
        },
      })
      .catch((error: unknown) => reject(asVoiceSDKError(error, 'sip-error', 'Could not send the REFER')));
  });
}
