/**
 * The port: everything the statecharts need from the outside world, and
 * nothing more. `adapters/sipjs` implements it with SIP.js and WebRTC,
 * `adapters/fake` with an in-memory network. No SIP.js type appears here.
 *
 * Conventions for implementers:
 * - Promises reject with a `VoiceSDKError` (stable code, SIP status as `status`).
 * - Listener registrations return an unsubscribe function.
 * - Nothing here mirrors call state and nothing here decides: the machines
 *   own both. A call port reports what happened (`CallFact`: responses, BYE /
 *   CANCEL / re-INVITE / REFER / NOTIFY / INFO received, media state, the end)
 *   and carries out commands (invite, cancel, answer, reject, bye, reinvite,
 *   setSending, sendDtmf, respondToRefer, devices, recording, stats). Socket
 *   up / down is the user agent port's.
 * - Both adapters report the same facts for the same scenario:
 *   test/conformance/port-conformance.ts runs one scenario list on each.
 */
import type { VoiceSDKError } from '../errors';

/** Why a call ended without an error. */
export type EndReason =
  /** We hung up (BYE) */
  | 'local-hangup'
  /** The far end hung up (BYE) */
  | 'remote-hangup'
  /** The caller cancelled before the call was answered (CANCEL) */
  | 'canceled'
  /** The callee answered 486/600 */
  | 'busy'
  /** The callee answered 603 */
  | 'declined'
  /** We rejected an incoming call */
  | 'rejected'
  /** Another device answered or the call was picked up elsewhere */
  | 'answered-elsewhere'
  /** The device was destroyed while the call was up */
  | 'device-destroyed'
  /** The call was transferred: our REFER succeeded (we hung up), or we followed the far end's REFER */
  | 'transferred'
  /** An INVITE with Replaces took this call's place (attended transfer, RFC 3891) */
  | 'replaced';

/** The direction an SDP offer asks for (RFC 3264 §6.1), of its audio. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * A fact about one call: what happened on the wire or in the media, reported
 * as it happened and never judged. The call machine decides what each fact
 * means (which end reason wins, what a 2xx after our CANCEL asks for, …).
 *
 * The order is the order things happened, with one rule: `terminated` is the
 * last fact of every call and comes after the fact that says why (the final
 * response, the BYE or CANCEL received), whoever ended the call.
 */
export type CallFact =
  /** A provisional response to our INVITE (180 Ringing, 183 Session Progress; not 100). */
  | {
      type: 'provisional';
      status: number;
      reason?: string;
      /** The response carried an SDP answer (a 183 with early media): the far end's own audio (its ringback, an announcement) plays. */
      earlyMedia?: boolean;
    }
  /**
   * The final response to our INVITE: a 2xx (answered; also when it crossed
   * our CANCEL) or a failure (486, 603, 404, 487 after our CANCEL …).
   * `reason`: its Reason header (RFC 3326). `transportDown`: the socket was
   * down when it came, i.e. the stack made it up because the INVITE could not
   * be sent (a local 503 or 408).
   */
  | { type: 'final'; status: number; reason?: string; transportDown?: boolean }
  /** The answer is applied and media can flow: after the far end's 2xx (outbound) or our 200 (inbound). */
  | { type: 'established' }
  /** The dialog is confirmed: outbound, our ACK went with the `established`; inbound, the far end's ACK to our 200 arrived. Once per call. */
  | { type: 'confirmed' }
  /** The far end sent BYE (already answered 200: answering a BYE is not a decision). `reason`: its Reason header (RFC 3326). */
  | { type: 'bye'; reason?: string }
  /** The far end sent CANCEL for its INVITE to us. `reason`: its Reason header (`SIP;cause=200` = answered elsewhere). */
  | { type: 'cancel'; reason?: string }
  /** The far end sent a re-INVITE (answered by the stack); `direction`: what its offer asks of our audio. */
  | { type: 'reinvite'; direction: MediaDirection }
  /** The far end sent REFER; the machine answers it with `respondToRefer(status, id)` (`id` tells several REFERs apart). */
  | { type: 'refer'; referTo: string; id: string }
  /** The far end sent NOTIFY (answered 200). */
  | { type: 'notify'; event: string; body: string }
  /** The far end sent INFO (answered 200). */
  | { type: 'info'; contentType: string; body: string }
  /** The media connection changed: ICE and the peer connection's (ICE + DTLS) state (an ICE restart goes through them again). */
  | { type: 'media'; ice: string; connection: string }
  /**
   * An offer/answer exchange completed (the call's first one, and each
   * re-INVITE after it): what the audio settled on. Facts only; the call
   * chart decides how DTMF is sent from them.
   */
  | ({ type: 'negotiated' } & NegotiatedMedia)
  /**
   * The far end's identity as a request or response in the dialog names it:
   * outbound, the 2xx's P-Asserted-Identity / Remote-Party-ID; either way, a
   * re-INVITE or UPDATE carrying them or a new From display name. Raw header
   * values (untrusted): the chart cleans them (src/sip/identity.ts).
   */
  | ({ type: 'identity' } & RemoteParty)
  /**
   * What the last completed offer/answer settled on for video (reported when
   * the call has a video stream, and again on each change): `sending`, our
   * camera goes out (the negotiated direction includes send and a camera
   * track is on the sender); `receiving`, the far end's video comes in (it
   * includes recv).
   */
  | { type: 'video'; sending: boolean; receiving: boolean }
  /** A local or remote media stream was added or got a new track (a camera added, the far end's video arriving). */
  | { type: 'stream'; direction: 'local' | 'remote'; stream: MediaStream }
  /** The session is over; the last fact of every call. */
  | { type: 'terminated' };

/** The `type`s of `CallFact`. */
export type CallFactType = CallFact['type'];

/** What the last completed offer/answer settled on, as far as DTMF is concerned. */
export interface NegotiatedMedia {
  /** The first voice codec of the answer, lower case: `opus`, `pcmu`, `pcma`, `g722`. */
  audioCodec: string;
  /** Its RTP clock rate in Hz (G.722 counts 8000, RFC 3551). */
  clockRate: number;
  /** A telephone-event at `clockRate` was negotiated, so RFC 4733 digits arrive. */
  telephoneEvent: boolean;
  /** The far end's Allow header lists INFO, so SIP INFO digits can be sent. */
  allowsInfo: boolean;
}

/** What the headers that name the far end said, raw (untrusted; cleaned by src/sip/identity.ts). */
export interface RemoteParty {
  /** The far end's URI (inbound: the From; outbound: the target). */
  uri?: string;
  /** The display name of that From (inbound) or To. */
  displayName?: string;
  /** The P-Asserted-Identity header value (RFC 3325), if any: `"Alice" <sip:+15551234@pbx>, <tel:+15551234>`. */
  assertedIdentity?: string;
  /** The Remote-Party-ID header value, if any: `"Alice" <sip:1002@pbx>;party=calling`. */
  remotePartyId?: string;
}

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/** How DTMF digits are sent. */
export type DtmfMethod = 'rfc2833' | 'info';

/** How one `sendDigits` sends its tones. */
export interface DtmfOptions {
  /** RFC 4733 telephone-events through the RTP sender, or SIP INFO (application/dtmf-relay). */
  method: DtmfMethod;
  /** Tone duration in ms. */
  durationMs: number;
  /** Gap between tones in ms. */
  gapMs: number;
}

/** A recording in progress, over a mix of local and remote audio. */
export interface RecorderPort {
  /** Pauses recording; the paused span is left out of the result. */
  pause(): void;
  /** Resumes a paused recording. */
  resume(): void;
  /** Stops and returns the recording. */
  stop(): Promise<Blob>;
  /** Stops and discards (call ended). Idempotent. */
  dispose(): void;
  /** Called when recording breaks on its own (MediaRecorder `error`). */
  onError(listener: (error: VoiceSDKError) => void): Unsubscribe;
}

/**
 * One call, either direction: facts out (`subscribe`), commands in. Commands
 * do what they say and nothing else — no command is refused because of call
 * state the port would have to track (the machine only sends what its state
 * allows); a command the stack cannot carry out rejects with a `VoiceSDKError`.
 */
export interface CallPort {
  /** Unique id of the call on this device. */
  readonly id: string;
  /** `'outbound'`: we placed the call; `'inbound'`: it came in. */
  readonly direction: 'inbound' | 'outbound';
  /** The far end: the E.164 number when the user part is one, else the SIP URI without parameters (`remoteIdentity` in src/sip/target.ts). */
  readonly remoteIdentity: string;
  /** What the headers naming the far end said when the call began (inbound: the INVITE's From, P-Asserted-Identity, Remote-Party-ID); later changes come as `identity` facts. Absent: only `remoteIdentity` is known. */
  readonly remoteParty?: Readonly<RemoteParty>;
  /** The `<prefix>*` headers, prefix stripped, bounded and cleaned (`customHeadersOf` in src/sip/headers.ts): inbound those of the INVITE, outbound those we sent. */
  readonly customHeaders: Readonly<Record<string, string>>;
  /** The raw SIP.js session (escape hatch), or the fake session. */
  readonly session: unknown;
  /**
   * Inbound: the id of the call of this user agent that this INVITE's
   * Replaces header names (RFC 3891), matched by the stack (an INVITE whose
   * Replaces matches nothing is answered 481 before it is reported).
   */
  readonly replaces?: string;

  /** Subscribes to the facts of this call. */
  subscribe(listener: (fact: CallFact) => void): Unsubscribe;

  /** Outbound: sends the INVITE (after getUserMedia and the offer). Resolves once it is on the wire. */
  invite(): Promise<void>;
  /** Outbound: sends CANCEL for our INVITE (nothing when a 2xx already arrived). Resolves once sent. */
  cancel(): Promise<void>;
  /**
   * Inbound: answers 200 OK; resolves once media is set up. `video`: answer
   * an offered video stream with our camera too; without it an offered video
   * stream is declined (answered inactive). `inputDeviceId`: the microphone
   * to open (`device-not-found` when there is no such one); absent or
   * `'default'`: the browser's default.
   */
  answer(options?: { video?: boolean; inputDeviceId?: string }): Promise<void>;
  /** Inbound: answers with a final failure status (400–699). */
  reject(statusCode: number): Promise<void>;
  /** Sends BYE; resolves on its 2xx, at once when the session is over already; rejects when it cannot be sent, is refused or gets no answer within a short wait (the session is over locally either way). */
  bye(): Promise<void>;
  /**
   * Re-INVITE offering a=sendonly (`hold`) or a=sendrecv (hold, resume, or
   * the target refresh after a reconnect); resolves on the far end's 2xx,
   * rejects with the SIP `status` otherwise. `iceRestart`: the offer has new
   * ICE credentials (RFC 8839 §4.4.1.1), for this re-INVITE only. `video`:
   * `true` opens the camera and offers it (rejecting `media-denied` /
   * `device-not-found` before anything is sent when it cannot), `false` stops
   * it, absent keeps what is sent; our video follows the hold like the audio.
   */
  reinvite(options: { hold: boolean; iceRestart?: boolean; video?: boolean }): Promise<void>;
  /** Replaces the camera track with one from camera `deviceId`; rejects `invalid-state` when no video is sent. */
  setVideoInputDevice(deviceId: string): Promise<void>;
  /** Sends the microphone or not (the audio track's `enabled`). No signalling. */
  setSending(enabled: boolean): void;
  /** Sends DTMF by `options.method` (the call chart chose it); resolves once the tones were handed over. */
  sendDtmf(digits: string, options: DtmfOptions): Promise<void>;
  /**
   * Answers the REFER that the `refer` fact with `id` reported (the last one
   * when `id` is left out): 202 to follow it with `createReferredCall`, 603 to
   * decline, 400. A REFER answered already is not answered again.
   */
  respondToRefer(statusCode: number, id?: string): void;
  /**
   * Sends REFER: to `target` (a SIP URI: blind transfer) or to the far end of
   * another established call of this user agent (Refer-To with Replaces:
   * attended transfer). Resolves on the REFER's 2xx (202 Accepted), rejects
   * with its `status` otherwise. The referred call's progress arrives as
   * `notify` facts (Event `refer`, a sipfrag body such as `SIP/2.0 200 OK`).
   */
  refer(target: string | CallPort): Promise<void>;
  /** Replaces the sending track with one from another microphone. */
  setInputDevice(deviceId: string): Promise<void>;
  /** Routes remote audio to another output (setSinkId). */
  setOutputDevice(deviceId: string): Promise<void>;
  /** Starts recording local+remote audio. */
  startRecording(): RecorderPort;
  /** The media's stats, or undefined when there is no media yet. */
  getStats(): Promise<RTCStatsReport | undefined>;
  /** The peer connection, when there is one (read-only use: stats, tests). */
  getPeerConnection(): RTCPeerConnection | undefined;
  /** Releases everything this call holds (peer connection, tracks); ends the session the way SIP allows. Idempotent. */
  dispose(): void;
}

/** What the device asks for when it places a call. */
export interface InviteRequest {
  /** Target SIP URI (already normalised: `sip:user@domain`). */
  target: string;
  /** Caller-ID user part for the From header. */
  fromUser?: string;
  /** Extra headers, full names (`X-Callchart-TicketId`), already validated. */
  headers: Record<string, string>;
  /** Offer video too: the camera is opened with the microphone (the call goes audio-only when it cannot be). */
  video?: boolean;
  /**
   * The microphone the call opens for its INVITE, a `deviceId`
   * (`device-not-found` when there is no such one); absent or `'default'`:
   * the browser's default.
   */
  inputDeviceId?: string;
}

/** One user agent: transport, registration, call factory. */
export interface UserAgentPort {
  /** Opens a new WebSocket to `server` (closing one still open: the machine only asks when it holds that one dead). Rejects with `transport-failed`. */
  connect(server: string): Promise<void>;
  /** Closes the WebSocket. */
  disconnect(): Promise<void>;
  /** Called when an open transport drops unexpectedly. */
  onTransportLost(listener: (error: VoiceSDKError) => void): Unsubscribe;
  /** Called for each incoming INVITE. */
  onIncomingCall(listener: (call: CallPort) => void): Unsubscribe;
  /** Sends a keep-alive ping on the open socket (CRLFCRLF, RFC 5626 §4.4.1); nothing when it is closed. The answer is an `onPong` fact. */
  ping(): void;
  /** Called when the server answers a keep-alive ping (a bare CRLF). */
  onPong(listener: () => void): Unsubscribe;
  /** Called when the browser reports the network is back (`online`) or changed (`navigator.connection` `change`). */
  onNetworkOnline(listener: () => void): Unsubscribe;
  /** Called when a registration is lost without us asking (refresh failed). */
  onRegistrationLost(listener: (error: VoiceSDKError) => void): Unsubscribe;
  /** REGISTER; resolves on 200. Rejects `auth-failed` after a failed challenge. */
  register(): Promise<void>;
  /** REGISTER with Expires: 0. */
  unregister(): Promise<void>;
  /** Creates (does not send) an outbound call. */
  createCall(request: InviteRequest): CallPort;
  /**
   * Creates (does not send) the outbound call that follows the REFER that
   * `referred` reported and answered 202: to its Refer-To, with Referred-By
   * and the Replaces it carried. The stack NOTIFYs the referrer of the new
   * call's progress (RFC 3515 §2.4.4) by itself. Throws `invalid-state` when
   * `referred` has no accepted REFER. `options.inputDeviceId`: the microphone
   * it opens, as for `createCall`.
   */
  createReferredCall(referred: CallPort, options?: Pick<InviteRequest, 'inputDeviceId'>): CallPort;
  /** Ends every call, closes the transport, releases everything. Idempotent. */
  dispose(): Promise<void>;
}

/** Configuration the Device passes to an adapter factory. */
export interface UserAgentConfig {
  /** Our address of record, `sip:alice@example.com`. */
  uri: string;
  /** Digest password (never logged). */
  password?: string;
  /** Digest user name; the user part of `uri` when absent. */
  authorizationUsername?: string;
  /** Display name for the From header. */
  displayName?: string;
  /** Prefix of custom headers (for reading inbound ones). */
  headerPrefix: string;
  /** STUN/TURN servers, exactly as the app configured them (`[]` by default). */
  iceServers: RTCIceServer[];
  /** `'relay'`: media only through TURN servers. @default 'all' */
  iceTransportPolicy?: 'all' | 'relay';
  /**
   * How long ICE gathering may take before the offer/answer is sent, in ms,
   * when STUN/TURN servers are configured. Without servers, host candidates
   * are complete at once.
   */
  iceGatheringTimeoutMs: number;
  /** Registration expiry in seconds. */
  registerExpires: number;
  /** User-Agent header. */
  userAgentString: string;
}

/** Creates a user agent; the Device calls it once. */
export type AdapterFactory = (config: UserAgentConfig) => UserAgentPort;
