/**
 * Video and streams of a fake call: what the offer/answer would settle on
 * (a video stream exists once an offer carried one; we send when we asked
 * for video and the far end does not hold us, we receive when it sends and
 * we do not hold it), reported as `video` facts on a change, and stand-in
 * `MediaStream`s (Node has none) reported as `stream` facts.
 */
import type { CallFact } from '../adapter';

/** A MediaStreamTrack stand-in: kind, id, `live` until stopped. */
export interface FakeTrack {
  readonly kind: 'audio' | 'video';
  readonly id: string;
  readyState: 'live' | 'ended';
  enabled: boolean;
  stop(): void;
}

let trackSequence = 0;

function fakeTrack(kind: 'audio' | 'video'): FakeTrack {
  return {
    kind,
    id: `fake-${kind}-${++trackSequence}`,
    readyState: 'live',
    enabled: true,
    stop() {
      this.readyState = 'ended';
    },
  };
}

/** A MediaStream stand-in with the reading methods apps use: an audio track, and a video track with `video`. */
export function fakeStream(video: boolean): MediaStream {
  const tracks = (video ? (['audio', 'video'] as const) : (['audio'] as const)).map(fakeTrack);
  const stream = {
    id: `fake-stream-${++trackSequence}`,
    active: true,
    getTracks: () => [...tracks],
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  };
  return stream as unknown as MediaStream;
}

/** One end's view of a fake call's video. */
export class FakeVideo {
  /** We asked for video (connect / accept / setVideo). */
  wanted: boolean;
  /** An offer carried a video stream (it stays in the session). */
  line: boolean;
  #reported: string | undefined;
  /** Whether the far end's last stream had video (undefined: none reported yet). */
  #remoteVideo: boolean | undefined;
  /** What the last `video` fact said. */
  sending = false;
  receiving = false;

  constructor(wanted: boolean, line: boolean) {
    this.wanted = wanted;
    this.line = line;
  }

  /**
   * The `video` fact after an offer/answer, when it changed; `peerWants`: the
   * far end sends video; `holding` / `held`: we hold it / it holds us.
   */
  fact(peerWants: boolean, holding: boolean, held: boolean): CallFact | undefined {
    if (!this.line) return undefined;
    const sending = this.wanted && !held;
    const receiving = peerWants && !holding;
    const key = `${sending}/${receiving}`;
    if (key === this.#reported) return undefined;
    this.#reported = key;
    this.sending = sending;
    this.receiving = receiving;
    return { type: 'video', sending, receiving };
  }

  /** Our stream: the microphone, and the camera when we send video. */
  localStream(): CallFact {
    return { type: 'stream', direction: 'local', stream: fakeStream(this.wanted && this.line) };
  }

  /** The far end's stream, when what it sends changed (its first audio, its video added or removed). */
  remoteStream(peerWants: boolean): CallFact | undefined {
    const video = peerWants && this.line;
    if (video === this.#remoteVideo) return undefined;
    this.#remoteVideo = video;
    return { type: 'stream', direction: 'remote', stream: fakeStream(video) };
  }
}
