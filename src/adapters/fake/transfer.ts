/** What the fake network needs for transfers: Refer-To values, Replaces, and the sipfrag of a referred call's responses. */
import { VoiceSDKError } from '../../errors';
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

/**
 * One call's REFERs: ours waiting for its response, the far end's not
 * answered yet (by the id of their `refer` fact), and the Refer-To of the one
 * answered 2xx last, which `createReferredCall` follows.
 */
export class FakeReferrals {
  #answer: { resolve: () => void; reject: (error: VoiceSDKError) => void } | undefined;
  readonly #pending = new Map<string, string>();
  #sequence = 0;
  #accepted: string | undefined;

  /** Our REFER goes out: settles with its response (or the call's end). */
  sent(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#answer = { resolve, reject };
    });
  }

  /** The response to our REFER arrived. */
  answered(status: number): void {
    const answer = this.#answer;
    this.#answer = undefined;
    if (answer === undefined) return;
    if (status >= 200 && status < 300) answer.resolve();
    else answer.reject(new VoiceSDKError('sip-error', `The REFER was answered ${status}`, { status }));
  }

  /** The far end's REFER arrived: the id of its `refer` fact. */
  received(referTo: string): string {
    const id = `refer-${++this.#sequence}`;
    this.#pending.set(id, referTo);
    return id;
  }

  /** We answer the far end's REFER `id` (the last one by default): false when there is none to answer. */
  respond(status: number, id = `refer-${this.#sequence}`): boolean {
    const referTo = this.#pending.get(id);
    if (referTo === undefined) return false;
    this.#pending.delete(id);
    if (status >= 200 && status < 300) this.#accepted = referTo;
    return true;
  }

  /** The Refer-To of the REFER we answered 2xx, once. */
  take(): string | undefined {
    const referTo = this.#accepted;
    this.#accepted = undefined;
    return referTo;
  }

  /** The call ended: our REFER gets no answer now. */
  end(): void {
    this.#answer?.reject(new VoiceSDKError('invalid-state', 'The call ended before the REFER was answered'));
    this.#answer = undefined;
  }
}
