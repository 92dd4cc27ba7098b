/**
 * A fake device's call: one end of a dialog on the in-memory network. It
 * keeps just enough dialog bookkeeping to behave like a SIP peer (a CANCEL
 * after the answer becomes a BYE, and so on); the call machine owns the call.
 */
import type { CallPort, CallPortEvent, DtmfOptions, RecorderPort, Unsubscribe } from '../adapter';
import { codeForSipStatus, declineReasonForStatus, VoiceSDKError } from '../../errors';
import type { FakeNetwork } from './network';
import { createStatsClock, syntheticReport, type StatsClock } from './stats';
import { FAKE_DEFAULT_MEDIA, type FakeEnd, type WireMessage } from './wire';

type Dialog = 'new' | 'early' | 'confirmed' | 'ended';

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
  readonly #listeners = new Set<(event: CallPortEvent) => void>();
  #peer: FakeEnd | undefined;
  #dialog: Dialog = 'new';
  #media = false;
  #muted = false;
  #holding = false;
  #remoteHold = false;
  #inputDeviceId = 'default';
  #outputDeviceId = 'default';
  #stats: StatsClock | undefined;
  readonly #receivedDigits: Array<{ digits: string; method: string }> = [];

  constructor(network: FakeNetwork, init: FakeCallInit) {
    this.#network = network;
    this.#init = init;
    this.id = init.id;
    this.direction = init.direction;
    this.remoteIdentity = init.remoteIdentity;
    this.customHeaders = init.customHeaders;
    this.#peer = init.peer;
    if (init.direction === 'inbound') this.#dialog = 'early';
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
    return this.#media && this.#dialog === 'confirmed' && !this.#muted && !this.#holding;
  }

  get inputDeviceId(): string {
    return this.#inputDeviceId;
  }

  get outputDeviceId(): string {
    return this.#outputDeviceId;
  }

  subscribe(listener: (event: CallPortEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async invite(): Promise<void> {
    // getUserMedia and the offer take a moment, as in a browser.
    await this.#network.tick();
    if (this.#dialog === 'ended') return; // canceled before the INVITE went out
    const fault = this.#network.takeFault('inviteSend');
    if (fault) throw fault;
    this.#openMedia();
    this.#dialog = 'early';
    this.#network.route(this, this.#init.target ?? '', this.#init.from!);
  }

  async cancel(): Promise<void> {
    await this.#network.tick();
    const fault = this.#network.takeFault('cancel');
    if (this.#dialog === 'confirmed') return this.bye();
    if (this.#dialog === 'early' && this.#peer) this.#send({ type: 'cancel' });
    this.#end();
    if (fault) throw fault;
  }

  async accept(): Promise<void> {
    await this.#network.tick();
    const fault = this.#network.takeFault('accept');
    if (fault) {
      this.#send({ type: 'reject', status: 500 });
      throw fault;
    }
    if (this.#dialog !== 'early') throw new VoiceSDKError('invalid-state', 'The call is no longer ringing');
    this.#openMedia();
    this.#dialog = 'confirmed';
    this.#send({ type: 'answer' });
    this.#reportNegotiated();
  }

  async reject(statusCode: number): Promise<void> {
    await this.#network.tick();
    const fault = this.#network.takeFault('reject');
    if (this.#dialog !== 'early') return;
    this.#send({ type: 'reject', status: statusCode });
    this.#end();
    if (fault) throw fault;
  }

  async bye(): Promise<void> {
    await this.#network.tick();
    const fault = this.#network.takeFault('bye');
    if (this.#dialog !== 'confirmed') return;
    this.#send({ type: 'bye' });
    this.#end();
    if (fault) throw fault;
  }

  /** Whether the dialog is over (the network drops a late INVITE of a canceled call). */
  get ended(): boolean {
    return this.#dialog === 'ended';
  }

  async hold(onHold: boolean): Promise<void> {
    await this.#network.tick();
    const fault = this.#network.takeFault('reinvite');
    if (fault) throw fault;
    if (this.#dialog !== 'confirmed') throw new VoiceSDKError('invalid-state', 'No dialog to re-INVITE');
    this.#holding = onHold;
    this.#send({ type: 'reinvite', hold: onHold });
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  async sendDigits(digits: string, options: DtmfOptions): Promise<void> {
    await this.#network.tick();
    this.#send({ type: 'digits', digits, method: options.method });
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

  dispose(): void {
    this.#media = false;
    this.#network.releaseMedia(this);
  }

  /** Called by the network with messages from the far end. */
  receive(message: WireMessage): void {
    switch (message.type) {
      case 'ringing':
        if (this.#dialog === 'early') this.#emit({ type: 'ringing' });
        break;
      case 'answer':
        if (this.#dialog !== 'early') return;
        this.#dialog = 'confirmed';
        this.#stats = createStatsClock(this.#network.now());
        this.#emit({ type: 'answered' });
        this.#reportNegotiated();
        break;
      case 'renegotiated':
        if (this.#dialog === 'confirmed') this.#reportNegotiated();
        break;
      case 'reject':
        if (this.#dialog !== 'early') return;
        this.#end();
        this.#emit(declineOrFailure(message.status));
        break;
      case 'failure':
        if (this.#dialog === 'ended') return;
        this.#end();
        this.#emit({ type: 'failed', error: message.error });
        break;
      case 'cancel':
        if (this.#dialog !== 'early') return;
        this.#end();
        this.#emit({ type: 'ended', reason: 'canceled' });
        break;
      case 'bye':
        if (this.#dialog !== 'confirmed') return;
        this.#end();
        this.#emit({ type: 'ended', reason: 'remote-hangup' });
        break;
      case 'reinvite':
        this.#remoteHold = message.hold;
        break;
      case 'digits':
        this.#receivedDigits.push({ digits: message.digits, method: message.method });
        break;
    }
  }

  /** Called by the network when it hands an outbound INVITE to a far end. */
  connectTo(peer: FakeEnd): void {
    this.#peer = peer;
  }

  /** What the offer/answer with the far end settled on (as the SIP.js adapter reports it). */
  #reportNegotiated(): void {
    this.#emit({ type: 'negotiated', ...(this.#peer?.media ?? FAKE_DEFAULT_MEDIA) });
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

  #end(): void {
    this.#dialog = 'ended';
  }

  #emit(event: CallPortEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

function declineOrFailure(status: number): CallPortEvent {
  const reason = declineReasonForStatus(status);
  if (reason) return { type: 'declined', reason, status };
  return {
    type: 'failed',
    error: new VoiceSDKError(codeForSipStatus(status), `The call was answered with SIP ${status}`, { status }),
  };
}

/** Records which spans of fake time were recorded; the Blob holds them as JSON. */
class FakeRecorder implements RecorderPort {
  readonly #network: FakeNetwork;
  readonly #errorListeners = new Set<(error: VoiceSDKError) => void>();
  readonly #callId: string;
  #segmentStart: number | undefined;
  #recordedMs = 0;
  #done = false;

  constructor(network: FakeNetwork, callId: string) {
    this.#network = network;
    this.#callId = callId;
    this.#segmentStart = network.now();
    network.activeRecorders += 1;
    network.recorders.add(this);
  }

  onError(listener: (error: VoiceSDKError) => void): Unsubscribe {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** Called by the network to break this recording. */
  fail(error: VoiceSDKError): void {
    if (this.#done) return;
    this.dispose();
    for (const listener of [...this.#errorListeners]) listener(error);
  }

  pause(): void {
    if (this.#segmentStart === undefined) return;
    this.#recordedMs += this.#network.now() - this.#segmentStart;
    this.#segmentStart = undefined;
  }

  resume(): void {
    if (this.#segmentStart === undefined) this.#segmentStart = this.#network.now();
  }

  async stop(): Promise<Blob> {
    this.pause();
    await this.#network.tick();
    const fault = this.#network.takeFault('recordingStop');
    if (fault) {
      this.dispose();
      throw fault;
    }
    const body = JSON.stringify({ callId: this.#callId, recordedMs: this.#recordedMs });
    this.dispose();
    return new Blob([body], { type: 'application/json' });
  }

  dispose(): void {
    if (this.#done) return;
    this.#done = true;
    this.#network.activeRecorders -= 1;
    this.#network.recorders.delete(this);
  }
}
