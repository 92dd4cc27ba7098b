/**
 * A fake device's call: one end of a dialog on the in-memory network. It
 * plays the part SIP.js plays for the SIP.js adapter — a dialog that answers
 * what SIP answers by itself (200 to a BYE, 487 after a CANCEL) — and reports
 * the same facts in the same order (see test/conformance). It decides
 * nothing: the call machine does.
 */
import type { CallFact, CallPort, DtmfOptions, RecorderPort, RemoteParty, Unsubscribe } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { ListenerSet } from '../listeners';
import { dtmfRelayBody, parseDtmfDigits } from '../../sip/dtmf-digits';
import { parseRejectStatus, UNAVAILABLE_STATUS } from '../../sip/responses';
import type { FakeNetwork } from './network';
import { FakeRecorder } from './recorder';
import { FakeMediaPath } from './stats';
import { knownDevice } from './devices';
import { FakeReferrals, fakeSipfrag, referToReplacing } from './transfer';
import { FAKE_DEFAULT_MEDIA, FAKE_TIMER_B_MS, UNANSWERED, type FakeEnd, type WireMessage } from './wire';
import { FakeVideo } from './video';
import { routeInvite } from './routing';
import type { Dialog, FakeCallInit, FakeSession } from './session';
import { customHeadersOf } from '../../sip/headers';
import { remoteIdentity } from '../../sip/target';

export class FakeCallPort implements CallPort, FakeEnd {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteIdentity: string;
  readonly remoteParty: Readonly<RemoteParty>;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly replaces?: string;
  readonly #network: FakeNetwork;
  readonly #init: FakeCallInit;
  readonly #facts = new ListenerSet<CallFact>();
  #peer: FakeEnd | undefined;
  #dialog: Dialog = 'new';
  #media = false;
  #sending = true;
  #remoteHold = false;
  /** Inbound: the far end's ACK to our 200 arrived (reported once as `confirmed`). */
  #acked = false;
  #inputDeviceId = 'default';
  #videoInputDeviceId: string | undefined;
  readonly #video: FakeVideo;
  /** We hold the far end (our last re-INVITE offered sendonly). */
  #holding = false;
  #outputDeviceId = 'default';
  readonly #path: FakeMediaPath;
  /** Inbound: the stack's own no-answer timer (SIP.js answers 480 after 60 s). */
  #noAnswerTimer: ReturnType<typeof setTimeout> | undefined;
  /** An unanswered re-INVITE of ours, until its Timer B fires. */
  #reinviteInFlight: ReturnType<typeof setTimeout> | undefined;
  /** The user agent whose WebSocket carries this call's requests (set once it owns the call). */
  #transport: { readonly connected: boolean } | undefined;
  readonly #receivedDigits: Array<{ digits: string; method: string }> = [];
  readonly #refers = new FakeReferrals();

  constructor(network: FakeNetwork, init: FakeCallInit) {
    this.#network = network;
    this.#init = init;
    this.id = network.nextCallId();
    this.direction = init.direction;
    this.remoteIdentity = remoteIdentity(init.party.uri);
    this.remoteParty = Object.freeze({ ...init.party });
    this.customHeaders = customHeadersOf(Object.entries(init.headers), init.prefix);
    this.replaces = init.replaces;
    this.#peer = init.peer;
    this.#path = new FakeMediaPath(network, this.#facts);
    // Outbound the offer is ours (camera asked for); inbound the caller's offer decides whether a video stream exists.
    this.#video = new FakeVideo(init.direction === 'outbound' && init.video === true, init.video === true);
    if (init.direction === 'inbound') {
      this.#dialog = 'early';
      // Ringing too long: the stack answers 480 itself.
      this.#noAnswerTimer = setTimeout(() => {
        if (this.#dialog !== 'early') return;
        this.#send({ type: 'reject', status: UNAVAILABLE_STATUS });
        this.#end();
      }, network.noAnswerTimeoutMs);
    }
  }

  get session(): FakeSession {
    const self = this;
    return {
      id: this.id,
      target: this.direction === 'outbound' ? this.#init.party.uri : undefined,
      // The array itself: it fills as digits arrive.
      receivedDigits: this.#receivedDigits,
      get remoteHold() {
        return self.#remoteHold;
      },
    };
  }

  /** Whether this end has a microphone and peer connection open. */
  get mediaOpen(): boolean {
    return this.#media;
  }

  get sendingAudio(): boolean {
    return this.#media && this.#dialog === 'confirmed' && this.#sending;
  }

  /** Whether this end sends video (see `FakeEnd`). */
  get wantsVideo(): boolean {
    return this.#video.wanted && this.#video.line;
  }

  /** The camera `setVideoInputDevice` chose last (undefined: the default one). */
  get videoInputDeviceId(): string | undefined {
    return this.#videoInputDeviceId;
  }

  get inputDeviceId(): string {
    return this.#inputDeviceId;
  }

  get outputDeviceId(): string {
    return this.#outputDeviceId;
  }

  /** Whether the dialog is over (the network drops a late INVITE of a canceled call). */
  get ended(): boolean {
    return this.#dialog === 'ended';
  }

  /** Whether the dialog is confirmed (an INVITE with Replaces can take its place). */
  get answered(): boolean {
    return this.#dialog === 'confirmed';
  }

  /** @internal The user agent that owns the call: BYE and re-INVITE need its socket. */
  attachTransport(transport: { readonly connected: boolean }): void {
    this.#transport = transport;
  }

  #transportUp(): boolean {
    return this.#transport?.connected ?? true;
  }

  subscribe(listener: (fact: CallFact) => void): Unsubscribe {
    return this.#facts.add(listener);
  }

  async invite(): Promise<void> {
    // getUserMedia and the offer take a moment, as in a browser.
    await this.#network.tick();
    if (this.#dialog !== 'new') return; // canceled before the INVITE went out
    const fault = this.#network.takeFault('inviteSend');
    if (fault) {
      this.#end();
      throw fault;
    }
    // No camera: the call goes audio-only (the offer carries no video).
    if (this.#video.wanted && this.#network.takeFault('camera')) this.#video.wanted = this.#video.line = false;
    this.#openMedia(this.#init.inputDeviceId);
    this.#dialog = 'early';
    routeInvite(this.#network, this, this.#init);
    // The proxy's 100 Trying.
    this.#notifyReferrer(100);
  }

  async cancel(): Promise<void> {
    // As in SIP.js, a 2xx that arrives once cancel() was called is only acknowledged.
    const before = this.#dialog;
    if (before === 'new' || before === 'early') this.#dialog = 'canceled';
    await this.#network.tick();
    const fault = this.#network.takeFault('cancel');
    if (fault) throw fault;
    // The INVITE never went out: nothing to send, the session is over.
    if (before === 'new' && this.#dialog === 'canceled') this.#end();
    // The far end answers 487 to the INVITE (or its 2xx crosses the CANCEL).
    else if (before === 'early' && this.#dialog === 'canceled') this.#send({ type: 'cancel' });
    // confirmed: a 2xx arrived already; there is nothing left to cancel.
  }

  async answer(options: { video?: boolean; inputDeviceId?: string } = {}): Promise<void> {
    await this.#network.tick();
    // An offered video stream is answered with our camera only when asked (and the camera opens).
    this.#video.wanted = options.video === true && this.#video.line && !this.#network.takeFault('camera');
    // Declined: the offered video stream is rejected (m=video 0); a later offer of video is a new question.
    if (!this.#video.wanted) this.#video.line = false;
    const fault = this.#network.takeFault('accept');
    if (fault) {
      this.#send({ type: 'reject', status: 500 });
      this.#end();
      throw fault;
    }
    if (this.#dialog !== 'early') throw new VoiceSDKError('invalid-state', 'The call is no longer ringing');
    this.#openMedia(options.inputDeviceId, UNAVAILABLE_STATUS);
    this.#dialog = 'confirmed';
    const declined = this.#init.video === true && !this.#video.line;
    this.#send({ type: 'answer', videoDeclined: declined });
    this.#emit({ type: 'established' });
    this.#reportNegotiated();
    this.#reportVideo();
  }

  async reject(statusCode: number): Promise<void> {
    parseRejectStatus(statusCode);
    await this.#network.tick();
    const fault = this.#network.takeFault('reject');
    if (this.#dialog === 'early') {
      this.#send({ type: 'reject', status: statusCode });
      this.#end();
    }
    if (fault) throw fault;
  }

  async bye(): Promise<void> {
    await this.#network.tick();
    if (!this.#transportUp()) {
      this.#end();
      throw new VoiceSDKError('transport-failed', 'No socket');
    }
    const fault = this.#network.takeFault('bye');
    if (this.#dialog === 'confirmed') {
      this.#send({ type: 'bye' });
      this.#end();
    }
    if (fault) throw fault;
  }

  async reinvite(options: { hold: boolean; iceRestart?: boolean; video?: boolean }): Promise<void> {
    if (options.video === true && !this.wantsVideo) {
      const refused = this.#network.takeFault('camera');
      if (refused) throw refused;
    }
    await this.#network.tick();
    if (!this.#transportUp()) throw new VoiceSDKError('transport-failed', 'No socket');
    // As SIP.js: one re-INVITE of ours at a time.
    if (this.#reinviteInFlight !== undefined) throw new VoiceSDKError('invalid-state', 'Another re-INVITE is still in progress');
    const fault = this.#network.takeFault('reinvite');
    // No answer (a far end or proxy that swallowed it, or a socket that died under it): the chart's own
    // timer decides; the transaction itself times out after Timer B, and blocks the next re-INVITE until then.
    if (fault === UNANSWERED) {
      return new Promise<void>((_, reject) => {
        this.#reinviteInFlight = setTimeout(() => {
          this.#reinviteInFlight = undefined;
          reject(new VoiceSDKError('timeout', 'The re-INVITE got no answer (Timer B)', { status: 408 }));
        }, FAKE_TIMER_B_MS);
      });
    }
    if (fault) throw fault;
    if (this.#dialog !== 'confirmed') throw new VoiceSDKError('invalid-state', 'No dialog to re-INVITE');
    const videoBefore = this.wantsVideo;
    if (options.video !== undefined) {
      this.#video.wanted = options.video;
      if (options.video) this.#video.line = true;
    }
    this.#holding = options.hold;
    this.#send({ type: 'reinvite', hold: options.hold, video: this.wantsVideo, iceRestart: options.iceRestart });
    if (options.iceRestart) this.restartIce();
    if (this.wantsVideo !== videoBefore) this.#emit(this.#video.localStream());
    this.#reportVideo();
  }

  async setVideoInputDevice(deviceId: string): Promise<void> {
    await this.#network.tick();
    if (!this.wantsVideo) throw new VoiceSDKError('invalid-state', 'The call sends no video');
    this.#videoInputDeviceId = knownDevice(this.#network.videoInputDevices, deviceId, 'camera');
    this.#emit(this.#video.localStream());
  }

  setSending(enabled: boolean): void {
    this.#sending = enabled;
  }

  async sendDtmf(digits: string, options: DtmfOptions): Promise<void> {
    parseDtmfDigits(digits);
    await this.#network.tick();
    this.#send({ type: 'digits', digits, method: options.method, durationMs: options.durationMs });
  }

  respondToRefer(statusCode: number, id?: string): void {
    if (this.#refers.respond(statusCode, id)) this.#send({ type: 'refer-response', status: statusCode });
  }

  async refer(target: string | CallPort): Promise<void> {
    await this.#network.tick();
    if (!this.#transportUp()) throw new VoiceSDKError('transport-failed', 'No socket');
    if (this.#dialog !== 'confirmed') throw new VoiceSDKError('invalid-state', 'REFER needs an answered call');
    let referTo: string;
    if (typeof target === 'string') referTo = `<${target}>`;
    else if (target instanceof FakeCallPort && target.#dialog === 'confirmed') referTo = target.#replacingReferTo();
    else throw new VoiceSDKError('invalid-state', 'An attended transfer needs another answered call of this user agent');
    const answer = this.#refers.sent();
    this.#send({ type: 'refer', referTo });
    return answer;
  }

  /** @internal What `createReferredCall` follows: the Refer-To of the REFER we answered 2xx. */
  acceptedReferTo(): string | undefined {
    return this.#refers.take();
  }

  /** Refer-To for a transfer to this call's far end, replacing this dialog there (the far end's port id names it on the fake network). */
  #replacingReferTo(): string {
    const peer = this.#peer;
    return referToReplacing(this.#init.remoteUri ?? this.#init.party.uri, peer instanceof FakeCallPort ? peer.id : this.id);
  }

  /** Following a REFER: the referrer hears how our INVITE goes (RFC 3515 §2.4.4), as SIP.js's Inviter tells it. */
  #notifyReferrer(status: number): void {
    const referrer = this.#init.referral?.referrer;
    if (referrer && referrer.#dialog === 'confirmed') referrer.#send({ type: 'notify', event: 'refer', body: fakeSipfrag(status) });
  }

  async setInputDevice(deviceId: string): Promise<void> {
    await this.#network.tick();
    this.#inputDeviceId = knownDevice(this.#network.inputDevices, deviceId, 'microphone');
  }

  async setOutputDevice(deviceId: string): Promise<void> {
    await this.#network.tick();
    this.#outputDeviceId = knownDevice(this.#network.outputDevices, deviceId, 'audio output');
  }

  startRecording(): RecorderPort {
    const fault = this.#network.takeFault('recording');
    if (fault) throw fault;
    return new FakeRecorder(this.#network, this.id);
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    if (!this.#media) return undefined;
    return this.#path.stats({
      sending: this.sendingAudio,
      receiving: this.#peer?.sendingAudio ?? false,
      videoSending: this.#video.sending,
      videoReceiving: this.#video.receiving,
    });
  }

  getPeerConnection(): RTCPeerConnection | undefined {
    return undefined;
  }

  /** Ends the dialog the way its state allows (as SIP.js's dispose does) and releases the media. */
  dispose(): void {
    this.#facts.clear();
    clearTimeout(this.#reinviteInFlight);
    this.#reinviteInFlight = undefined;
    // With the socket down the BYE would be lost, as it is on a real network.
    if (this.#dialog === 'confirmed' && this.#transportUp()) this.#send({ type: 'bye' });
    else if (this.#dialog === 'early') this.#send(this.direction === 'inbound' ? { type: 'reject', status: UNAVAILABLE_STATUS } : { type: 'cancel' });
    if (this.#dialog !== 'ended') this.#end();
    this.#media = false;
    this.#network.openMedia.delete(this);
  }

  /** Called by the network with messages from the far end. */
  receive(message: WireMessage): void {
    switch (message.type) {
      case 'ringing':
        if (this.#dialog !== 'early') return;
        this.#notifyReferrer(message.earlyMedia ? 183 : 180);
        this.#emit(message.earlyMedia ? { type: 'provisional', status: 183, earlyMedia: true } : { type: 'provisional', status: 180 });
        break;
      case 'answer':
        if (this.#dialog !== 'early' && this.#dialog !== 'canceled') return;
        this.#notifyReferrer(200);
        this.#path.start();
        if (message.videoDeclined) this.#video.line = false;
        // As SIP.js: the 2xx's identity headers are read as it is accepted, before the session is established.
        if (message.identity !== undefined && this.#dialog === 'early') this.#emit({ type: 'identity', ...message.identity });
        this.#emit({ type: 'final', status: 200 });
        // A 2xx that crossed our CANCEL is only acknowledged; what follows is the machine's call.
        // The stack ACKs every 2xx (also one that crossed our CANCEL; it then hangs up).
        this.#send({ type: 'ack' });
        if (this.#dialog === 'early') {
          this.#emit({ type: 'established' });
          this.#emit({ type: 'confirmed' });
          this.#dialog = 'confirmed';
          this.#reportNegotiated();
          this.#reportVideo();
        } else this.#dialog = 'confirmed';
        break;
      case 'renegotiated':
        if (this.#dialog === 'confirmed') this.#reportNegotiated();
        break;
      case 'ack':
        if (this.#dialog !== 'confirmed' || this.#acked) return;
        this.#acked = true;
        this.#emit({ type: 'confirmed' });
        break;
      case 'reject':
        if (this.#dialog !== 'early' && this.#dialog !== 'canceled') return;
        this.#notifyReferrer(message.status);
        this.#emit({ ...message, type: 'final' });
        this.#end();
        break;
      case 'failure':
        if (this.#dialog === 'ended') return;
        this.#path.set(message.ice === 'disconnected' ? 'disconnected' : 'failed');
        break;
      case 'cancel':
        if (this.#dialog !== 'early') return;
        this.#emit(message);
        this.#send({ type: 'reject', status: 487 });
        this.#end();
        break;
      case 'bye':
        if (this.#dialog !== 'confirmed') return;
        this.#emit(message);
        this.#end();
        break;
      case 'reinvite':
        if (this.#dialog !== 'confirmed') return;
        this.#remoteHold = message.hold;
        if (message.video === true) this.#video.line = true;
        if (message.identity !== undefined) this.#emit({ type: 'identity', ...message.identity });
        this.#emit({ type: 'reinvite', direction: message.direction ?? (message.hold ? 'sendonly' : 'sendrecv') });
        // The stack answers an ICE-restart offer with new credentials of its own: ICE checks again.
        if (message.iceRestart) this.restartIce();
        this.#reportVideo();
        break;
      case 'digits':
        this.#receivedDigits.push({ digits: message.digits, method: message.method });
        // RFC 4733 events are invisible to the far end's page; INFO arrives one request per digit.
        if (message.method === 'info') {
          for (const digit of message.digits) {
            this.#emit({ type: 'info', contentType: 'application/dtmf-relay', body: dtmfRelayBody(digit, message.durationMs) });
          }
        }
        break;
      case 'info':
        if (this.#dialog === 'confirmed') this.#emit(message);
        break;
      case 'refer':
        if (this.#dialog === 'confirmed') this.#emit({ type: 'refer', referTo: message.referTo, id: this.#refers.received(message.referTo) });
        break;
      case 'refer-response':
        this.#refers.answered(message.status);
        break;
      case 'notify':
        if (this.#dialog === 'confirmed') this.#emit(message);
        break;
    }
  }

  /** Called by the network: the stack gave up on the dialog by itself (unusable SDP, no ACK). */
  breakDialog(): void {
    if (this.#dialog === 'ended') return;
    if (this.#dialog === 'confirmed') this.#send({ type: 'bye' });
    this.#end();
  }

  /**
   * @internal Called by the network when the media path breaks (`cut`: ICE
   * `disconnected`, no packets) or comes back (ICE `connected` again, unless
   * it had failed: that takes an ICE restart).
   */
  setPathCut(cut: boolean): void {
    if (this.#dialog === 'confirmed') this.#path.cut(cut);
  }

  /** @internal ICE restarts (our offer or the far end's): checks run, and succeed a delivery later if the path is up. */
  restartIce(): void {
    this.#path.restart(() => this.#dialog === 'confirmed');
  }

  /** Called by the network when it hands an outbound INVITE to a far end. */
  connectTo(peer: FakeEnd): void {
    this.#peer = peer;
  }

  /** What the offer/answer with the far end settled on (as the SIP.js adapter reports it). */
  #reportNegotiated(): void {
    this.#emit({ type: 'negotiated', ...(this.#peer?.media ?? FAKE_DEFAULT_MEDIA) });
  }

  /** What video flows after an offer/answer, and the far end's stream when it changed. */
  #reportVideo(): void {
    const peerWants = this.#peer?.wantsVideo === true;
    const fact = this.#video.fact(peerWants, this.#holding, this.#remoteHold);
    if (fact) this.#emit(fact);
    const remote = this.#video.remoteStream(peerWants);
    if (remote) this.#emit(remote);
  }


  /**
   * Opens the microphone `inputDeviceId` (the default one when undefined) and the media. A microphone the network does
   * not list ends the call with `device-not-found`, as getUserMedia failing in SIP.js's invite() / accept() does
   * (an answer it could not make is refused 480 first).
   */
  #openMedia(inputDeviceId?: string, refusal?: number): void {
    try {
      this.#inputDeviceId = knownDevice(this.#network.inputDevices, inputDeviceId ?? 'default', 'microphone');
    } catch (error) {
      if (refusal !== undefined) this.#send({ type: 'reject', status: refusal });
      this.#end();
      throw error;
    }
    this.#media = true;
    this.#emit(this.#video.localStream());
    if (this.direction === 'inbound') this.#path.start();
    this.#network.openMedia.add(this);
  }

  #send(message: WireMessage): void {
    const peer = this.#peer;
    if (!peer) return;
    if (peer.immediate) peer.receive(message);
    else this.#network.deliver(() => peer.receive(message));
  }

  /** The session is over: `terminated` is the last fact. */
  #end(): void {
    this.#dialog = 'ended';
    this.#refers.end();
    clearTimeout(this.#noAnswerTimer);
    this.#emit({ type: 'terminated' });
  }

  #emit(fact: CallFact): void {
    this.#facts.emit(fact);
  }
}
