/**
 * The port: everything the statecharts need from the outside world, and
 * nothing more. `adapters/sipjs` implements it with SIP.js and WebRTC,
 * `adapters/fake` with an in-memory network. No SIP.js type appears here.
 *
 * Conventions for implementers:
 * - Promises reject with a `VoiceSDKError` (stable code, SIP status as `status`).
 * - Listener registrations return an unsubscribe function.
 * - Nothing here mirrors call state: the machines own it. A port only reports
 *   what happened on the wire (`CallPortEvent`) and performs requests.
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
  | 'device-destroyed';

/** What the wire tells a call; sent to the call machine as events. */
export type CallPortEvent =
  /** Outbound: 180/183 arrived. */
  | { type: 'ringing' }
  /** Outbound: 2xx arrived and media is set up. */
  | { type: 'answered' }
  /** Outbound: the INVITE got a final failure that is a normal end (486, 600, 603). */
  | { type: 'declined'; reason: Extract<EndReason, 'busy' | 'declined'>; status: number }
  /** The far end ended the call (BYE, or CANCEL of an incoming call). */
  | { type: 'ended'; reason: Extract<EndReason, 'remote-hangup' | 'canceled' | 'answered-elsewhere'> }
  /** The call failed: INVITE 404/408/5xx, transport loss, media failure. */
  | { type: 'failed'; error: VoiceSDKError }
  /**
   * An offer/answer exchange completed (the call's first one, and each
   * re-INVITE or UPDATE after it): what the audio settled on. Facts only; the
   * call chart decides how DTMF is sent from them.
   */
  | ({ type: 'negotiated' } & NegotiatedMedia);

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

/** One call, either direction. */
export interface CallPort {
  /** Unique id of the call on this device. */
  readonly id: string;
  /** `'outbound'`: we placed the call; `'inbound'`: it came in. */
  readonly direction: 'inbound' | 'outbound';
  /** The far end: the E.164 number when the user part is one, else the SIP URI without parameters (`remoteIdentity` in src/sip/target.ts). */
  readonly remoteIdentity: string;
  /** The `<prefix>*` headers, prefix stripped, bounded and cleaned (`customHeadersOf` in src/sip/headers.ts): inbound those of the INVITE, outbound those we sent. */
  readonly customHeaders: Readonly<Record<string, string>>;
  /** The raw SIP.js session (escape hatch), or the fake session. */
  readonly session: unknown;

  /** Subscribes to wire events of this call. */
  subscribe(listener: (event: CallPortEvent) => void): Unsubscribe;

  /** Outbound: sends the INVITE (after getUserMedia and the offer). Resolves once it is on the wire. */
  invite(): Promise<void>;
  /** Outbound: CANCEL an unanswered INVITE (or BYE if a 2xx crossed it). */
  cancel(): Promise<void>;
  /** Inbound: answer with 200 OK; resolves once media is set up. */
  accept(): Promise<void>;
  /** Inbound: answer with a final failure status. */
  reject(statusCode: number): Promise<void>;
  /** Ends an established call (BYE). */
  bye(): Promise<void>;
  /** Re-INVITE with a=sendonly (true) or a=sendrecv (false); resolves on the far end's 2xx. */
  hold(onHold: boolean): Promise<void>;
  /** Enables/disables the local audio track. No signalling. */
  setMuted(muted: boolean): void;
  /** Sends DTMF with `options.method` (the call chart chose it); resolves once the tones were handed over. */
  sendDigits(digits: string, options: DtmfOptions): Promise<void>;
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
  /** Releases everything this call holds (peer connection, tracks). Idempotent. */
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
}

/** One user agent: transport, registration, call factory. */
export interface UserAgentPort {
  /** Opens the WebSocket to `server`. Rejects with `transport-failed`. */
  connect(server: string): Promise<void>;
  /** Closes the WebSocket. */
  disconnect(): Promise<void>;
  /** Called when an open transport drops unexpectedly. */
  onTransportLost(listener: (error: VoiceSDKError) => void): Unsubscribe;
  /** Called for each incoming INVITE. */
  onIncomingCall(listener: (call: CallPort) => void): Unsubscribe;
  /** Called when a registration is lost without us asking (refresh failed). */
  onRegistrationLost(listener: (error: VoiceSDKError) => void): Unsubscribe;
  /** REGISTER; resolves on 200. Rejects `auth-failed` after a failed challenge. */
  register(): Promise<void>;
  /** REGISTER with Expires: 0. */
  unregister(): Promise<void>;
  /** Creates (does not send) an outbound call. */
  createCall(request: InviteRequest): CallPort;
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
