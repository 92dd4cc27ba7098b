/** A fake call's recording: which spans of fake time were recorded. */
import type { RecorderPort, Unsubscribe } from '../adapter';
import type { VoiceSDKError } from '../../errors';
import { ListenerSet } from '../listeners';
import type { FakeNetwork } from './network';

/** Records which spans of fake time were recorded; the Blob holds them as JSON. */
export class FakeRecorder implements RecorderPort {
  readonly #network: FakeNetwork;
  readonly #errorListeners = new ListenerSet<VoiceSDKError>();
  readonly #callId: string;
  #segmentStart: number | undefined;
  #recordedMs = 0;
  #done = false;

  constructor(network: FakeNetwork, callId: string) {
    this.#network = network;
    this.#callId = callId;
    this.#segmentStart = network.now();
    network.recorders.add(this);
  }

  onError(listener: (error: VoiceSDKError) => void): Unsubscribe {
    return this.#errorListeners.add(listener);
  }

  /** Called by the network to break this recording. */
  fail(error: VoiceSDKError): void {
    if (this.#done) return;
    this.dispose();
    this.#errorListeners.emit(error);
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
    this.#network.recorders.delete(this);
  }
}
