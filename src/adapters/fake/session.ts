/**
 * The shapes a fake call is made from and shows: what the network or user
 * agent knows when it creates one (`FakeCallInit`), the dialog state, and
 * what the far end's test sees of it (`FakeSession`).
 */
import type { RemoteParty } from '../adapter';
import type { FakeCallPort } from './call';
import type { FakeEnd } from './wire';

/** The dialog as SIP sees it: `canceled` once we sent CANCEL for our INVITE. */
export type Dialog = 'new' | 'early' | 'canceled' | 'confirmed' | 'ended';

export interface FakeCallInit {
  direction: 'inbound' | 'outbound';
  /** The far end: its URI (outbound: the target; `remoteIdentity` is made from it) and what the headers naming it said. */
  party: RemoteParty & { uri: string };
  /** The INVITE's headers (full names); the custom headers are read from them with `prefix`. */
  headers: Record<string, string>;
  /** The header prefix of the user agent the call belongs to. */
  prefix: string;
  /** Outbound: the caller's AOR, caller-ID user and From display name. */
  from?: { aor: string; user?: string; displayName?: string };
  /** Inbound: the calling end. */
  peer?: FakeEnd;
  /** The far end's address as a transfer's Refer-To names it, when it is not `party.uri` (a device's call: the caller's AOR). */
  remoteUri?: string;
  /** Inbound: the id of this user agent's call that the INVITE's Replaces names (the network matched it). */
  replaces?: string;
  /** Outbound, following a REFER: the Replaces it carried, and the call it came on (told our progress by NOTIFY). */
  referral?: { replaces: string | undefined; referrer: FakeCallPort };
  /** Outbound: the INVITE offers video. Inbound: the caller's INVITE offered video. */
  video?: boolean;
  /** Outbound: the microphone the INVITE opens (undefined: the default one). */
  inputDeviceId?: string;
}

/** What the far end sees of a fake session (the `session` escape hatch). */
export interface FakeSession {
  /** The call id (the port's `id`). */
  readonly id: string;
  /** Outbound: the SIP URI the INVITE went to; inbound: undefined. */
  readonly target: string | undefined;
  /** Digits received from the far end, in order, with the method used. */
  readonly receivedDigits: ReadonlyArray<{ digits: string; method: string }>;
  /** Whether the far end put us on hold. */
  readonly remoteHold: boolean;
}
