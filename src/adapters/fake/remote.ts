/**
 * A scripted far end: a SIP user on the fake network that the test drives by
 * hand — ring, answer, reject, hang up — instead of another Device.
 */
import type { DtmfMethod } from '../adapter';
import type { FakeCallPort } from './call';
import type { FakeNetwork } from './network';
import type { FakeEnd, WireMessage } from './wire';

export type RemoteCallState = 'incoming' | 'outgoing' | 'answered' | 'ended';

/** One call between a scripted remote and a fake device. */
export class RemoteCall implements FakeEnd {
  /** Custom headers of the INVITE as sent (full names). */
  readonly headers: Readonly<Record<string, string>>;
  /** The caller-ID user of the From header, when the caller set one. */
  readonly fromUser: string | undefined;
  /** The calling device's address of record (inbound to the remote). */
  readonly from: string;
  readonly direction: 'inbound' | 'outbound';
  /** Digits the device sent us. */
  readonly digits: Array<{ digits: string; method: DtmfMethod }> = [];
  /** How the call ended, seen from the remote. */
  endedBy: 'cancel' | 'bye' | 'reject' | 'remote-bye' | undefined;
  /** Whether the device put us on hold. */
  heldByDevice = false;
  /** The device's answers to our REFERs (status codes). */
  readonly referResponses: number[] = [];
  readonly immediate = true;
  readonly #network: FakeNetwork;
  readonly #device: FakeCallPort;
  #state: RemoteCallState;
  #muted = false;

  constructor(network: FakeNetwork, device: FakeCallPort, init: { direction: 'inbound' | 'outbound'; headers: Record<string, string>; from: string; fromUser?: string }) {
    this.#network = network;
    this.#device = device;
    this.direction = init.direction;
    this.headers = init.headers;
    this.from = init.from;
    this.fromUser = init.fromUser;
    this.#state = init.direction === 'inbound' ? 'incoming' : 'outgoing';
  }

  get state(): RemoteCallState {
    return this.#state;
  }

  get sendingAudio(): boolean {
    return this.#state === 'answered' && !this.#muted;
  }

  /** Sends 180 Ringing. */
  ring(): void {
    this.#expect('incoming', 'ring');
    this.#send({ type: 'ringing' });
  }

  /** Sends 200 OK. */
  answer(): void {
    this.#expect('incoming', 'answer');
    this.#state = 'answered';
    this.#send({ type: 'answer' });
  }

  /** Sends a final failure (486 busy, 603 decline, 404, 503 …). */
  reject(status: number): void {
    this.#expect('incoming', 'reject');
    this.#state = 'ended';
    this.endedBy = 'reject';
    this.#send({ type: 'reject', status });
  }

  /** Breaks the media path (ICE fails on the device's side). */
  fail(): void {
    this.#send({ type: 'failure' });
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

  /** Sends BYE on an answered call. */
  hangup(): void {
    this.#expect('answered', 'hang up');
    this.#state = 'ended';
    this.endedBy = 'bye';
    this.#send({ type: 'bye' });
  }

  /** Sends CANCEL on our unanswered outbound call. */
  cancel(): void {
    this.#expect('outgoing', 'cancel');
    this.#state = 'ended';
    this.endedBy = 'cancel';
    this.#send({ type: 'cancel' });
  }

  /** Stops (or restarts) our audio, as the far end muting would. */
  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  receive(message: WireMessage): void {
    switch (message.type) {
      case 'answer':
        if (this.#state === 'outgoing') this.#state = 'answered';
        break;
      case 'reject':
        if (this.#state === 'outgoing') {
          this.#state = 'ended';
          this.endedBy = 'reject';
        }
        break;
      case 'cancel':
        if (this.#state !== 'incoming') break; // answered already: the CANCEL changes nothing
        this.#state = 'ended';
        this.endedBy = 'cancel';
        // The INVITE is answered 487 Request Terminated, a network latency later.
        this.#network.deliver(() => this.#device.receive({ type: 'reject', status: 487 }));
        break;
      case 'bye':
        this.#state = 'ended';
        this.endedBy = 'remote-bye';
        break;
      case 'reinvite':
        this.heldByDevice = message.hold;
        break;
      case 'digits':
        this.digits.push({ digits: message.digits, method: message.method });
        break;
      case 'refer-response':
        this.referResponses.push(message.status);
        break;
      case 'ringing':
      case 'failure':
      case 'refer':
        break;
    }
  }

  /** The test drives the remote step by step, so its messages arrive at once. */
  #send(message: WireMessage): void {
    this.#device.receive(message);
  }

  #expect(state: RemoteCallState, what: string): void {
    if (this.#state !== state) throw new Error(`The remote cannot ${what}: its call is ${this.#state}`);
  }
}

/** A scripted SIP user on the fake network. */
export class ScriptedRemote {
  readonly user: string;
  readonly calls: RemoteCall[] = [];
  readonly #network: FakeNetwork;
  readonly #waiters: Array<(call: RemoteCall) => void> = [];

  constructor(network: FakeNetwork, user: string) {
    this.#network = network;
    this.user = user;
  }

  /** The most recent call. */
  get lastCall(): RemoteCall | undefined {
    return this.calls[this.calls.length - 1];
  }

  /** Resolves with the next call that reaches this remote. */
  nextCall(): Promise<RemoteCall> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Calls a fake device; returns the remote's side of the call. */
  call(target: string, options: { headers?: Record<string, string>; fromUser?: string } = {}): RemoteCall {
    return this.#network.callFromRemote(this, target, options);
  }

  /** @internal */
  accept(call: RemoteCall): void {
    this.calls.push(call);
    for (const waiter of this.#waiters.splice(0)) waiter(call);
  }
}
