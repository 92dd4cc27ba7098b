/** What the fake network needs for transfers: Refer-To values, Replaces, and the sipfrag of a referred call's responses. */
import { sipfragOf } from '../../sip/refer';

/** The reason phrases the fake's NOTIFYs carry (as SIP.js copies them from the response). */
const PHRASES: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  404: 'Not Found',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  603: 'Decline',
};

/** The sipfrag a referred call's response is NOTIFYed with (`SIP/2.0 180 Ringing`). */
export const fakeSipfrag = (status: number): string => sipfragOf(status, PHRASES[status] ?? '');

/** An attended transfer's Refer-To: the far end of the other call, and the dialog to replace there. */
export const referToReplacing = (uri: string, dialogId: string): string => `<${uri}?Replaces=${encodeURIComponent(dialogId)}>`;

/** The dialog a Refer-To's Replaces names (its value up to the first `;`, decoded), if any. */
export function replacesOf(referTo: string): string | undefined {
  const match = /[?&]replaces=([^&>]*)/i.exec(referTo);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!).split(';')[0];
  } catch {
    return undefined;
  }
}
