/**
 * The far end's identity headers of a SIP.js message, raw (the chart cleans
 * them, src/sip/identity.ts): the From (or To) display name and URI,
 * P-Asserted-Identity and Remote-Party-ID.
 */
import type { Core } from 'sip.js';
import type { RemoteParty } from '../adapter';
import { unescapeQuotedPairs } from '../../sip/identity';

/** The identity headers of `message`; `withName`: the From (request) or To (our INVITE's target) that names the far end. */
export function identityHeadersOf(
  message: Pick<Core.IncomingMessage, 'getHeader'>,
  named?: { uri: { toString(): string }; displayName: string },
): RemoteParty {
  const assertedIdentity = message.getHeader('p-asserted-identity');
  const remotePartyId = message.getHeader('remote-party-id');
  return {
    ...(named === undefined ? {} : { uri: named.uri.toString() }),
    // SIP.js strips the quotes of a display name but keeps its escapes.
    ...(typeof named?.displayName !== 'string' || named.displayName === '' ? {} : { displayName: unescapeQuotedPairs(named.displayName) }),
    ...(assertedIdentity === undefined ? {} : { assertedIdentity }),
    ...(remotePartyId === undefined ? {} : { remotePartyId }),
  };
}

/** Whether a message asserts an identity (P-Asserted-Identity or Remote-Party-ID). */
export const assertsIdentity = (party: RemoteParty): boolean =>
  party.assertedIdentity !== undefined || party.remotePartyId !== undefined;
