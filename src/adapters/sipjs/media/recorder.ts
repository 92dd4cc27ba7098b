/**
 * Call recording: a `MediaRecorder` over a Web Audio mix of the local
 * (microphone) track and the remote track. Shared by adapters; no SIP here.
 *
 * Pausing maps to `MediaRecorder.pause()`, so paused spans are not in the
 * recording at all (no silence is written for them).
 */
import type { RecorderPort } from '../../adapter';
import { VoiceSDKError } from '../../../errors';
import { ListenerSet } from '../../listeners';

/** The tracks to mix; either may be missing (e.g. no remote audio yet). */
export interface RecordingSources {
  local?: MediaStreamTrack | undefined;
  remote?: MediaStreamTrack | undefined;
}

export interface RecordingOptions {
  /**
   * Container and codec asked for; falls back to the browser's default when unsupported.
   * @default 'audio/webm;codecs=opus'
   */
  mimeType?: string;
  /**
   * How often the recorder hands over data, in ms (keeps one chunk from growing for a whole call).
   * @default 1000
   */
  timesliceMs?: number;
}

/** A recording in progress; also lets the adapter swap the local track (microphone change). */
export interface MixedRecording extends RecorderPort {
  /** Feeds a new local track into the mix (after `setInputDevice`). */
  replaceLocalTrack(track: MediaStreamTrack | undefined): void;
}

const DEFAULT_MIME_TYPE = 'audio/webm;codecs=opus';

/**
 * Starts recording the mix of `sources`. Throws `not-supported` when the
 * browser has no `MediaRecorder` or `AudioContext`.
 */
export function startRecording(sources: RecordingSources, options: RecordingOptions = {}): MixedRecording {
  if (typeof MediaRecorder === 'undefined' || typeof AudioContext === 'undefined') {
    throw new VoiceSDKError('not-supported', 'This browser cannot record audio (no MediaRecorder or AudioContext)');
  }
  return new MixedRecorder(sources, options);
}

class MixedRecorder implements MixedRecording {
  private readonly context: AudioContext;
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly recorder: MediaRecorder;
  private readonly chunks: Blob[] = [];
  private localSource: MediaStreamAudioSourceNode | undefined;
  private remoteSource: MediaStreamAudioSourceNode | undefined;
  private stopping: Promise<Blob> | undefined;
  private disposed = false;
  private readonly errorListeners = new ListenerSet<VoiceSDKError>();

  constructor(sources: RecordingSources, options: RecordingOptions) {
    this.context = new AudioContext();
    this.destination = this.context.createMediaStreamDestination();
    this.localSource = this.connect(sources.local);
    this.remoteSource = this.connect(sources.remote);
    const wanted = options.mimeType ?? DEFAULT_MIME_TYPE;
    const mimeType = MediaRecorder.isTypeSupported(wanted) ? wanted : undefined;
    try {
      this.recorder = new MediaRecorder(this.destination.stream, mimeType === undefined ? {} : { mimeType });
    } catch (error) {
      void this.context.close().catch(() => undefined);
      throw new VoiceSDKError('not-supported', 'The recorder could not be created', { cause: error });
    }
    this.recorder.addEventListener('error', (event) => {
      const cause = (event as Event & { error?: unknown }).error ?? event;
      const error = new VoiceSDKError('not-supported', 'The recorder stopped with an error', { cause });
      this.errorListeners.emit(error);
    });
    this.recorder.addEventListener('dataavailable', (event) => {
      if (!this.disposed && event.data.size > 0) this.chunks.push(event.data);
    });
    // A context created without a user gesture may start suspended and then produce nothing.
    void this.context.resume().catch(() => undefined);
    this.recorder.start(options.timesliceMs ?? 1000);
  }

  onError(listener: (error: VoiceSDKError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  pause(): void {
    if (this.recorder.state === 'recording') this.recorder.pause();
  }

  resume(): void {
    if (this.recorder.state === 'paused') this.recorder.resume();
  }

  stop(): Promise<Blob> {
    if (this.disposed) {
      return Promise.reject(new VoiceSDKError('invalid-state', 'The recording was discarded'));
    }
    if (this.stopping !== undefined) return this.stopping;
    this.stopping = new Promise<Blob>((resolve, reject) => {
      const finish = (): void => {
        const blob = new Blob(this.chunks, { type: this.recorder.mimeType || DEFAULT_MIME_TYPE });
        this.release();
        resolve(blob);
      };
      if (this.recorder.state === 'inactive') {
        finish();
        return;
      }
      this.recorder.addEventListener('stop', finish, { once: true });
      this.recorder.addEventListener(
        'error',
        (event) => {
          this.release();
          reject(new VoiceSDKError('media-failed', 'The recorder failed', { cause: event }));
        },
        { once: true },
      );
      this.recorder.stop();
    });
    return this.stopping;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.chunks.length = 0;
    if (this.recorder.state !== 'inactive') {
      try {
        this.recorder.stop();
      } catch {
        // already stopping
      }
    }
    this.release();
  }

  replaceLocalTrack(track: MediaStreamTrack | undefined): void {
    if (this.context.state === 'closed') return;
    this.localSource?.disconnect();
    this.localSource = this.connect(track);
  }

  private connect(track: MediaStreamTrack | undefined): MediaStreamAudioSourceNode | undefined {
    if (track === undefined || track.kind !== 'audio') return undefined;
    const source = this.context.createMediaStreamSource(new MediaStream([track]));
    source.connect(this.destination);
    return source;
  }

  /** Disconnects the graph and closes the AudioContext (the recorder's own track ends with it). */
  private release(): void {
    this.localSource?.disconnect();
    this.remoteSource?.disconnect();
    this.localSource = undefined;
    this.remoteSource = undefined;
    this.destination.stream.getTracks().forEach((track) => track.stop());
    if (this.context.state !== 'closed') void this.context.close().catch(() => undefined);
  }
}
