/**
 * A scripted far end: a SIP user on the fake network that the test drives by
 * hand — ring, answer, reject, hang up — instead of another Device.
 */
import type { DtmfMethod, MediaDirection, NegotiatedMedia, RemoteParty } from '../adapter';
import { dtmfRelayBody, parseDtmfDigits } from '../../sip/dtmf-digits';
import { VoiceSDKError } from '../../errors';
import { isSipUser } from '../../sip/grammar';
import { isFinalFailureStatus } from '../../sip/responses';
import { parseCallerId } from '../../sip/target';
import type { FakeCallPort } from './call';
import type { FakeNetwork } from './network';
import { callFromRemote } from './routing';
import { FAKE_DEFAULT_MEDIA, type WireMessage } from './wire';

/** How a remote call ended (`RemoteCall.endedBy`). */
type RemoteEnd = NonNullable<RemoteCall['endedBy']>;

/** A remote call's state, seen from the remote: `incoming` (not answered yet), `outgoing` (the remote called), `answered`, `ended`. */
export type RemoteCallState = 'incoming' | 'outgoing' | 'answered' | 'ended';

/**
 * One call between a scripted remote and a fake device: the remote's side,
 * from `remote.nextCall()`, `remote.lastCall` or `remote.call()`.
 * @hideconstructor
 */
export class RemoteCall {
  /** Custom headers of the INVITE as sent (full names). */
  readonly headers: Readonly<Record<string, string>>;
  /** The caller-ID user of the From header, when the caller set one. */
  readonly fromUser: string | undefined;
  /** The calling device's address of record (inbound to the remote). */
  readonly from: string;
  /** Seen from the remote: `'inbound'` when the device called it, `'outbound'` when it called the device. */
  readonly direction: 'inbound' | 'outbound';
  /** Digits the device sent us. */
  readonly digits: Array<{ digits: string; method: DtmfMethod }> = [];
  #endedBy: RemoteEnd | undefined;
  #heldByDevice = false;
  /** Whether we put the device on hold (`hold()`). */
  holdingDevice = false;
  /** The device's answers to our REFERs (status codes). */
  readonly referResponses: number[] = [];
  /** The Refer-To of each REFER the device sent us (its transfers), in order; answer with `respondToRefer`, report with `notify`. */
  readonly referrals: string[] = [];
  /** The bodies of the NOTIFYs the device sent us (a referred call's progress, as sipfrag). */
  readonly notifications: string[] = [];
  /** The device's re-INVITEs, in order, as their hold flag (hold, resume, the refresh after a reconnect, an ICE restart). */
  readonly reinvites: boolean[] = [];
  #iceRestarts = 0;
  /** @internal A scripted end gets the device's messages at once (see `FakeEnd`). */
  readonly immediate = true;
  /** What an offer/answer with this call settles on (codec, telephone-event, INFO in Allow). */
  media: NegotiatedMedia;
  /** We send video: we called with video, answered the device's video offer with it, or `setVideo(true)`. */
  video: boolean;
  /** An offer of this call carried video (the device's, or ours). */
  #videoLine: boolean;
  readonly #network: FakeNetwork;
  readonly #device: FakeCallPort;
  #state: RemoteCallState;
  #muted = false;

  constructor(
    network: FakeNetwork,
    device: FakeCallPort,
    init: {
      direction: 'inbound' | 'outbound';
      headers: Record<string, string>;
      from: string;
      fromUser?: string;
      media?: NegotiatedMedia;
      /** We call with video. */
      video?: boolean;
      /** The device's INVITE to us offered video. */
      offeredVideo?: boolean;
    },
  ) {
    this.video = init.video === true;
    this.#videoLine = init.video === true || init.offeredVideo === true;
    this.media = { ...(init.media ?? FAKE_DEFAULT_MEDIA) };
    this.#network = network;
    this.#device = device;
    this.direction = init.direction;
    this.headers = init.headers;
    this.from = init.from;
    this.fromUser = init.fromUser;
    this.#state = init.direction === 'inbound' ? 'incoming' : 'outgoing';
  }

  /** How the call ended, seen from the remote: we cancelled, hung up (`'bye'`) or rejected, or the device hung up (`'remote-bye'`). */
  get endedBy(): 'cancel' | 'bye' | 'reject' | 'remote-bye' | undefined {
    return this.#endedBy;
  }

  /** Whether the device put us on hold. */
  get heldByDevice(): boolean {
    return this.#heldByDevice;
  }

  /** How many of the device's re-INVITEs restarted ICE. */
  get iceRestarts(): number {
    return this.#iceRestarts;
  }

  /** Where the call is, seen from the remote. */
  get state(): RemoteCallState {
    return this.#state;
  }

  /** Whether we send video now (see `FakeEnd`). */
  get wantsVideo(): boolean {
    return this.video && this.#videoLine;
  }

  /** Whether the device sends us video (it asked for it, an offer carried it, and we do not hold it). */
  get receivingVideo(): boolean {
    return this.#device.wantsVideo && !this.holdingDevice;
  }

  /** Adds or removes our video by re-INVITE (keeping the hold state). */
  setVideo(on: boolean): void {
    this.#expect('answered', 'setVideo');
    this.video = on;
    if (on) this.#videoLine = true;
    this.#reinvite({ video: on });
  }

  /** Whether we send audio now: answered, not muted (`setMuted`), not holding the device. */
  get sendingAudio(): boolean {
    return this.#state === 'answered' && !this.#muted && !this.holdingDevice;
  }

  /** Whether the device's audio reaches us (it sends: not muted, not on hold, not hanging up). */
  get receivingAudio(): boolean {
    return this.#state === 'answered' && this.#device.sendingAudio;
  }

  /** Sends 180 Ringing; with `earlyMedia`, 183 Session Progress with an SDP answer (the far end plays its own audio). */
  ring(options: { earlyMedia?: boolean } = {}): void {
    this.#expect('incoming', 'ring');
    this.#send({ type: 'ringing', earlyMedia: options.earlyMedia });
  }

  /**
   * Sends 200 OK; `identity`: its P-Asserted-Identity / Remote-Party-ID (raw,
   * as a PBX would send them); `video`: answer the device's video offer with
   * our video.
   */
  answer(identity?: Omit<RemoteParty, 'uri'>, options: { video?: boolean } = {}): void {
    this.#expect('incoming', 'answer');
    this.#state = 'answered';
    this.video = options.video === true;
    this.#send({ type: 'answer', identity });
  }

  /**
   * Tells the device who we are now, in the dialog: a re-INVITE (keeping the
   * hold state) carrying a new From display name, P-Asserted-Identity or
   * Remote-Party-ID (raw: hostile values are a test of the device's cleaning).
   */
  updateIdentity(identity: Omit<RemoteParty, 'uri'>): void {
    this.#expect('answered', 'updateIdentity');
    this.#reinvite({ identity });
  }

  /** Sends a final failure (486 busy, 603 decline, 404, 503 …), with a Reason header when given (`Q.850;cause=17`). */
  reject(status: number, reason?: string): void {
    this.#expect('incoming', 'reject');
    if (!isFinalFailureStatus(status)) throw new Error(`The remote cannot reject with ${status}: a final failure is 300-699`);
    this.#end('reject');
    this.#send({ type: 'reject', status, reason });
  }

  /**
   * Breaks the media path (ICE fails on the device's side: nothing flows until
   * an ICE restart), or with `'disconnected'` only makes the device's ICE say
   * `disconnected` while packets still flow (a consent hiccup).
   */
  fail(ice: 'failed' | 'disconnected' = 'failed'): void {
    this.#send({ type: 'failure', ice });
  }

  /**
   * Sends something the device's stack cannot use (an SDP it cannot apply, a
   * missing ACK): the device's SIP stack gives up on the dialog by itself.
   */
  sendUnusable(): void {
    this.#device.breakDialog();
  }

  /** Sends REFER on an answered call. */
  refer(referTo: string): void {
    this.#expect('answered', 'refer');
    this.#send({ type: 'refer', referTo });
  }

  /** Answers the device's REFER (202 to accept it, 603 to decline …). */
  respondToRefer(status: number): void {
    this.#send({ type: 'refer-response', status });
  }

  /** Sends NOTIFY about the referred call (Event `refer`, a sipfrag body: `SIP/2.0 200 OK`, or any body as untrusted input). */
  notify(body: string, event = 'refer'): void {
    this.#expect('answered', 'notify');
    this.#send({ type: 'notify', event, body });
  }

  /**
   * Puts the device on hold (re-INVITE offering `sendonly`, or `direction`:
   * `inactive`, what a `c=0.0.0.0` offer also counts as) or resumes
   * (`sendrecv`, or `recvonly`). Our audio stops while we hold.
   */
  hold(onHold = true, direction: MediaDirection = onHold ? 'sendonly' : 'sendrecv'): void {
    this.#expect('answered', 'hold');
    this.holdingDevice = onHold;
    this.#send({ type: 'reinvite', hold: onHold, direction });
  }

  /** Sends digits by SIP INFO, one request per digit (`application/dtmf-relay`, `Signal=…` / `Duration=…`). */
  sendDigits(digits: string, durationMs = 160): void {
    this.#expect('answered', 'sendDigits');
    for (const digit of parseDtmfDigits(digits).replaceAll(',', '')) {
      this.#send({ type: 'info', contentType: 'application/dtmf-relay', body: dtmfRelayBody(digit, durationMs) });
    }
  }

  /** Sends one SIP INFO as it is (any content type and body: a test of untrusted input). */
  sendInfo(contentType: string, body: string): void {
    this.#expect('answered', 'sendInfo');
    this.#send({ type: 'info', contentType, body });
  }

  /** Sends BYE on an answered call, with a Reason header when given (`Q.850;cause=16`). */
  hangup(reason?: string): void {
    this.#expect('answered', 'hangup');
    this.#end('bye');
    this.#send({ type: 'bye', reason });
  }

  /** Sends CANCEL on our unanswered outbound call. */
  cancel(): void {
    this.#expect('outgoing', 'cancel');
    this.#end('cancel');
    this.#send({ type: 'cancel' });
  }

  /**
   * Re-INVITEs with a new offer on an answered call: what it settles on
   * changes (a PCMU-only re-offer, INFO no longer allowed …).
   */
  renegotiate(media: Partial<NegotiatedMedia>): void {
    this.#expect('answered', 'renegotiate');
    this.media = { ...this.media, ...media };
    this.#send({ type: 'renegotiated' });
  }

  /** Stops (or restarts) our audio, as the far end muting would. */
  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  /** @internal Takes a message from the device's side of the call (the fake wire calls it: see `FakeEnd`). */
  receive(message: WireMessage): void {
    switch (message.type) {
      case 'answer':
        if (this.#state !== 'outgoing') break;
        this.#state = 'answered';
        // Our ACK to the device's 200, a network latency later.
        this.#network.deliver(() => this.#device.receive({ type: 'ack' }));
        break;
      case 'reject':
        if (this.#state === 'outgoing') {
          this.#end('reject');
        }
        break;
      case 'cancel':
        if (this.#state !== 'incoming') break; // answered already: the CANCEL changes nothing
        this.#end('cancel');
        // The INVITE is answered 487 Request Terminated, a network latency later.
        this.#network.deliver(() => this.#device.receive({ type: 'reject', status: 487 }));
        break;
      case 'bye':
        this.#end('remote-bye');
        break;
      case 'reinvite':
        if (message.video === true) this.#videoLine = true;
        this.#heldByDevice = message.hold;
        this.reinvites.push(message.hold);
        if (message.iceRestart) this.#iceRestarts++;
        break;
      case 'digits':
        this.digits.push({ digits: message.digits, method: message.method });
        break;
      case 'refer-response':
        this.referResponses.push(message.status);
        break;
      case 'refer':
        this.referrals.push(message.referTo);
        break;
      case 'notify':
        this.notifications.push(message.body);
        break;
    }
  }

  /** A re-INVITE that keeps the hold state. */
  #reinvite(fields: { video?: boolean; identity?: RemoteParty }): void {
    const hold = this.holdingDevice;
    this.#send({ type: 'reinvite', hold, direction: hold ? 'sendonly' : 'sendrecv', ...fields });
  }

  /** The test drives the remote step by step, so its messages arrive at once. */
  #send(message: WireMessage): void {
    this.#device.receive(message);
  }

  #end(by: RemoteEnd): void {
    this.#state = 'ended';
    this.#endedBy = by;
  }

  /** `method` (its name, for the message) needs the call in `state`. */
  #expect(state: RemoteCallState, method: string): void {
    if (this.#state !== state) throw new Error(`The remote cannot ${method}(): its call is ${this.#state}`);
  }
}

/**
 * A scripted SIP user on the fake network: `network.remote(user)`.
 * @hideconstructor
 */
export class ScriptedRemote {
  /** The user part of its address (`bob` in `sip:bob@example.com`). */
  readonly user: string;
  /** Every call of this remote, both directions, oldest first. */
  readonly calls: RemoteCall[] = [];
  /**
   * What this user's phone negotiates on its next calls: by default Opus with
   * telephone-event/48000 and INFO allowed. `setMedia({ audioCodec: 'pcmu',
   * clockRate: 8000, allowsInfo: false })` scripts a PCMU phone without INFO.
   */
  media: NegotiatedMedia = { ...FAKE_DEFAULT_MEDIA };
  readonly #network: FakeNetwork;
  readonly #waiters: Array<(call: RemoteCall) => void> = [];
  /** Inbound calls not yet handed out by `nextCall()`, oldest first. */
  readonly #unclaimed: RemoteCall[] = [];

  constructor(network: FakeNetwork, user: string) {
    if (!isSipUser(user)) throw new Error(`"${user}" cannot be the user part of a SIP URI`);
    this.#network = network;
    this.user = user;
  }

  /** The most recent call. */
  get lastCall(): RemoteCall | undefined {
    return this.calls.at(-1);
  }

  /**
   * The next call that reaches this remote: the oldest one that arrived and
   * was not handed out by `nextCall()` yet, or else the next to arrive. Each
   * incoming call is handed out once; calls the remote places itself
   * (`call()`) are not counted.
   */
  nextCall(): Promise<RemoteCall> {
    const waiting = this.#unclaimed.shift();
    if (waiting) return Promise.resolve(waiting);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Changes what this user's next calls negotiate. */
  setMedia(media: Partial<NegotiatedMedia>): this {
    this.media = { ...this.media, ...media };
    return this;
  }

  /** Calls a fake device; returns the remote's side of the call. */
  call(
    target: string,
    options: { headers?: Record<string, string>; fromUser?: string; party?: Omit<RemoteParty, 'uri'>; video?: boolean } = {},
  ): RemoteCall {
    if (options.fromUser !== undefined) parseCallerId(options.fromUser);
    return callFromRemote(this.#network, this, target, options);
  }

  /** @internal */
  accept(call: RemoteCall): void {
    this.calls.push(call);
    if (call.direction !== 'inbound') return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter(call);
    else this.#unclaimed.push(call);
  }
}
