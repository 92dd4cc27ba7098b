/**
 * A fake device's call: one end of a dialog on the in-memory network. It
 * plays the part SIP.js plays for the SIP.js adapter — a dialog that answers
 * what SIP answers by itself (200 to a BYE, 487 after a CANCEL) — and reports
 * the same facts in the same order (see test/conformance). It decides
 * nothing: the call machine does.
 */
import type { CallFact, CallPort, DtmfOptions, RecorderPort, Unsubscribe } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { ListenerSet } from '../listeners';
import { dtmfRelayBody, parseDtmfDigits } from '../../sip/dtmf-digits';
import { parseRejectStatus, UNAVAILABLE_STATUS } from '../../sip/responses';
import type { FakeNetwork } from './network';
import { FakeRecorder } from './recorder';
import { createStatsClock, syntheticReport, type StatsClock } from './stats';
import { FAKE_DEFAULT_MEDIA, FAKE_TIMER_B_MS, UNANSWERED, type FakeEnd, type WireMessage } from './wire';

/** The dialog as SIP sees it: `canceled` once we sent CANCEL for our INVITE. */
type Dialog = 'new' | 'early' | 'canceled' | 'confirmed' | 'ended';

export interface FakeCallInit {
  id: string;
  direction: 'inbound' | 'outbound';
  remoteIdentity: string;
  customHeaders: Record<string, string>;
  /** Outbound: the target URI. */
  target?: string;
  /** Outbound: the caller's AOR and caller-ID user. */
  from?: { aor: string; user?: string; headers: Record<string, string> };
  /** Inbound: the calling end. */
  peer?: FakeEnd;
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

export class FakeCallPort implements CallPort, FakeEnd {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteIdentity: string;
  readonly customHeaders: Readonly<Record<string, string>>;
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
  #outputDeviceId = 'default';
  #stats: StatsClock | undefined;
  /** Inbound: the stack's own no-answer timer (SIP.js answers 480 after 60 s). */
  #noAnswerTimer: ReturnType<typeof setTimeout> | undefined;
  /** An unanswered re-INVITE of ours, until its Timer B fires. */
  #reinviteInFlight: ReturnType<typeof setTimeout> | undefined;
  /** The user agent whose WebSocket carries this call's requests (set once it owns the call). */
  #transport: { readonly connected: boolean } | undefined;
  readonly #receivedDigits: Array<{ digits: string; method: string }> = [];

  constructor(network: FakeNetwork, init: FakeCallInit) {
    this.#network = network;
    this.#init = init;
    this.id = init.id;
    this.direction = init.direction;
    this.remoteIdentity = init.remoteIdentity;
    this.customHeaders = init.customHeaders;
    this.#peer = init.peer;
    if (init.direction === 'inbound') {
      this.#dialog = 'early';
      this.#noAnswerTimer = setTimeout(() => this.#noAnswer(), network.noAnswerTimeoutMs);
    }
  }

  get session(): FakeSession {
    const self = this;
    return {
      id: this.id,
      target: this.#init.target,
      get receivedDigits() {
        return self.#receivedDigits;
      },
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
    this.#openMedia();
    this.#dialog = 'early';
    this.#network.route(this, this.#init.target ?? '', this.#init.from!);
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

  async answer(): Promise<void> {
    await this.#network.tick();
    const fault = this.#network.takeFault('accept');
    if (fault) {
      this.#send({ type: 'reject', status: 500 });
      this.#end();
      throw fault;
    }
    if (this.#dialog !== 'early') throw new VoiceSDKError('invalid-state', 'The call is no longer ringing');
    this.#openMedia();
    this.#dialog = 'confirmed';
    this.#send({ type: 'answer' });
    this.#emit({ type: 'established' });
    this.#reportNegotiated();
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

  async reinvite(options: { hold: boolean }): Promise<void> {
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
    this.#send({ type: 'reinvite', hold: options.hold });
  }

  setSending(enabled: boolean): void {
    this.#sending = enabled;
  }

  async sendDtmf(digits: string, options: DtmfOptions): Promise<void> {
    parseDtmfDigits(digits);
    await this.#network.tick();
    this.#send({ type: 'digits', digits, method: options.method, durationMs: options.durationMs });
  }

  respondToRefer(statusCode: number): void {
    this.#send({ type: 'refer-response', status: statusCode });
  }

  async setInputDevice(deviceId: string): Promise<void> {
    await this.#network.tick();
    if (!this.#network.inputDevices.includes(deviceId)) {
      throw new VoiceSDKError('device-not-found', `No microphone with id "${deviceId}"`);
    }
    this.#inputDeviceId = deviceId;
  }

  async setOutputDevice(deviceId: string): Promise<void> {
    await this.#network.tick();
    if (deviceId !== 'default' && !this.#network.outputDevices.includes(deviceId)) {
      throw new VoiceSDKError('device-not-found', `No audio output with id "${deviceId}"`);
    }
    this.#outputDeviceId = deviceId;
  }

  startRecording(): RecorderPort {
    const fault = this.#network.takeFault('recording');
    if (fault) throw fault;
    return new FakeRecorder(this.#network, this.id);
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    if (!this.#media || !this.#stats) return undefined;
    const now = this.#network.now();
    const receiving = this.#peer?.sendingAudio ?? false;
    const report = syntheticReport(this.#stats, now, this.#network.conditions, { sending: this.sendingAudio, receiving });
    return report as unknown as RTCStatsReport;
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
    this.#network.releaseMedia(this);
  }

  /** Called by the network with messages from the far end. */
  receive(message: WireMessage): void {
    switch (message.type) {
      case 'ringing':
        if (this.#dialog === 'early') this.#emit({ type: 'provisional', status: 180 });
        break;
      case 'answer':
        if (this.#dialog !== 'early' && this.#dialog !== 'canceled') return;
        this.#stats = createStatsClock(this.#network.now());
        this.#emit({ type: 'final', status: 200 });
        // A 2xx that crossed our CANCEL is only acknowledged; what follows is the machine's call.
        // The stack ACKs every 2xx (also one that crossed our CANCEL; it then hangs up).
        this.#send({ type: 'ack' });
        if (this.#dialog === 'early') {
          this.#emit({ type: 'established' });
          this.#emit({ type: 'confirmed' });
          this.#dialog = 'confirmed';
          this.#reportNegotiated();
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
        this.#emit(message.reason === undefined ? { type: 'final', status: message.status } : { type: 'final', status: message.status, reason: message.reason });
        this.#end();
        break;
      case 'failure':
        if (this.#dialog !== 'ended') this.#emit({ type: 'media', ice: 'failed', connection: 'failed' });
        break;
      case 'cancel':
        if (this.#dialog !== 'early') return;
        this.#emit(message.reason === undefined ? { type: 'cancel' } : { type: 'cancel', reason: message.reason });
        this.#send({ type: 'reject', status: 487 });
        this.#end();
        break;
      case 'bye':
        if (this.#dialog !== 'confirmed') return;
        this.#emit(message.reason === undefined ? { type: 'bye' } : { type: 'bye', reason: message.reason });
        this.#end();
        break;
      case 'reinvite':
        if (this.#dialog !== 'confirmed') return;
        this.#remoteHold = message.hold;
        this.#emit({ type: 'reinvite', direction: message.direction ?? (message.hold ? 'sendonly' : 'sendrecv') });
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
        if (this.#dialog === 'confirmed') this.#emit({ type: 'info', contentType: message.contentType, body: message.body });
        break;
      case 'refer':
        this.#emit({ type: 'refer', referTo: message.referTo });
        break;
      case 'refer-response':
        break;
    }
  }

  /** Called by the network: the stack gave up on the dialog by itself (unusable SDP, no ACK). */
  breakDialog(): void {
    if (this.#dialog === 'ended') return;
    if (this.#dialog === 'confirmed') this.#send({ type: 'bye' });
    this.#end();
  }

  /** Called by the network when it hands an outbound INVITE to a far end. */
  connectTo(peer: FakeEnd): void {
    this.#peer = peer;
  }

  /** What the offer/answer with the far end settled on (as the SIP.js adapter reports it). */
  #reportNegotiated(): void {
    this.#emit({ type: 'negotiated', ...(this.#peer?.media ?? FAKE_DEFAULT_MEDIA) });
  }

  #noAnswer(): void {
    this.#noAnswerTimer = undefined;
    if (this.#dialog !== 'early') return;
    this.#send({ type: 'reject', status: UNAVAILABLE_STATUS });
    this.#end();
  }

  #openMedia(): void {
    this.#media = true;
    if (this.direction === 'inbound') this.#stats = createStatsClock(this.#network.now());
    this.#network.trackMedia(this);
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
    clearTimeout(this.#noAnswerTimer);
    this.#noAnswerTimer = undefined;
    this.#emit({ type: 'terminated' });
  }

  #emit(fact: CallFact): void {
    this.#facts.emit(fact);
  }
}
