// The WebAudio player with a recording stand-in for AudioContext (and Audio):
// the tones' frequencies, one context per output device opened for the first
// sound and closed after the last, one-shots that end by themselves.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebAudioPlayer, dtmfFrequencies } from '../../../src/sounds/webaudio';

interface FakeOscillator {
  hz: number;
  start?: number;
  stop?: number;
  disconnected: boolean;
}

const contexts: FakeContext[] = [];

class FakeContext {
  state = 'running';
  currentTime = 0;
  readonly oscillators: FakeOscillator[] = [];
  readonly options: unknown;
  readonly destination = {};
  constructor(options?: unknown) {
    this.options = options;
    contexts.push(this);
  }
  resume = () => Promise.resolve();
  close = () => {
    this.state = 'closed';
    return Promise.resolve();
  };
  createGain() {
    return { gain: { value: 1, setValueAtTime: () => undefined }, connect: () => undefined, disconnect: () => undefined };
  }
  createOscillator() {
    const record: FakeOscillator = { hz: 0, disconnected: false };
    this.oscillators.push(record);
    return {
      frequency: {
        set value(hz: number) {
          record.hz = hz;
        },
      },
      connect: () => undefined,
      start: (at: number) => (record.start = at),
      stop: (at?: number) => (record.stop = at ?? -1),
      disconnect: () => (record.disconnected = true),
    };
  }
}

const open = () => contexts.filter((c) => c.state !== 'closed');

beforeEach(() => {
  contexts.length = 0;
  vi.useFakeTimers();
  vi.stubGlobal('AudioContext', FakeContext);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the WebAudio player', () => {
  it('plays nothing and throws nothing without WebAudio', () => {
    vi.stubGlobal('AudioContext', undefined);
    const stop = createWebAudioPlayer().play({ sound: 'ringtone' });
    expect(() => stop()).not.toThrow();
  });

  it('rings 400 + 450 Hz until stopped; its context closes then', () => {
    const player = createWebAudioPlayer();
    const stop = player.play({ sound: 'ringtone' });
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.oscillators.map((o) => o.hz)).toEqual([400, 450]);
    vi.advanceTimersByTime(60_000);
    expect(open()).toHaveLength(1);
    stop();
    expect(open()).toHaveLength(0);
    expect(contexts[0]!.oscillators.every((o) => o.disconnected)).toBe(true);
  });

  it('shares one context between sounds on the same output; another output gets its own (sinkId)', () => {
    const player = createWebAudioPlayer();
    const ringback = player.play({ sound: 'ringback' });
    const ringtone = player.play({ sound: 'ringtone', sinkId: 'speakers' });
    const second = player.play({ sound: 'ringtone' });
    expect(contexts.map((c) => c.options)).toEqual([undefined, { sinkId: 'speakers' }]);
    ringback();
    expect(open()).toHaveLength(2);
    second();
    expect(open()).toHaveLength(1);
    ringtone();
    expect(open()).toHaveLength(0);
  });

  it('keypad tones are the DTMF pairs, timed by duration and gap, and end by themselves', () => {
    const player = createWebAudioPlayer();
    player.play({ sound: 'dtmf', digits: '1#', durationMs: 100, gapMs: 50 });
    const oscillators = contexts[0]!.oscillators;
    expect(oscillators.map((o) => o.hz)).toEqual([697, 1209, 941, 1477]);
    expect(oscillators.map((o) => [o.start, o.stop].map((t) => Math.round(t! * 1000)))).toEqual([
      [20, 120],
      [20, 120],
      [170, 270],
      [170, 270],
    ]);
    vi.advanceTimersByTime(400);
    expect(open()).toHaveLength(0);
  });

  it('the disconnect tone is three beeps of 480 + 620 Hz, then its context closes', () => {
    createWebAudioPlayer().play({ sound: 'disconnect' });
    expect(contexts[0]!.oscillators.map((o) => o.hz)).toEqual([480, 620]);
    vi.advanceTimersByTime(1000);
    expect(open()).toHaveLength(0);
  });

  it('dispose() stops whatever plays', () => {
    const player = createWebAudioPlayer();
    player.play({ sound: 'ringtone' });
    player.play({ sound: 'ringback', sinkId: 'headset' });
    player.dispose!();
    expect(open()).toHaveLength(0);
  });

  it('a URL plays in an <audio> element: looped for the ringtone, on its output device', () => {
    const elements: Array<{ src: string; loop: boolean; sinkId?: string; paused: boolean }> = [];
    vi.stubGlobal(
      'Audio',
      class {
        loop = false;
        paused = true;
        sinkId?: string;
        onended: (() => void) | null = null;
        constructor(public src: string) {
          elements.push(this);
        }
        setSinkId(id: string) {
          this.sinkId = id;
          return Promise.resolve();
        }
        play() {
          this.paused = false;
          return Promise.resolve();
        }
        pause() {
          this.paused = true;
        }
        removeAttribute() {
          this.src = '';
        }
        load() {}
      },
    );
    const player = createWebAudioPlayer();
    const stop = player.play({ sound: 'ringtone', url: '/ring.ogg', sinkId: 'speakers' });
    player.play({ sound: 'disconnect', url: '/bye.ogg' });
    expect(elements.map(({ src, loop, sinkId, paused }) => ({ src, loop, sinkId, paused }))).toEqual([
      { src: '/ring.ogg', loop: true, sinkId: 'speakers', paused: false },
      { src: '/bye.ogg', loop: false, sinkId: undefined, paused: false },
    ]);
    stop();
    expect(elements[0]!.paused).toBe(true);
    expect(contexts).toHaveLength(0);
  });

  it('knows the DTMF frequencies of every key, and none of other characters', () => {
    expect(dtmfFrequencies('5')).toEqual([770, 1336]);
    expect(dtmfFrequencies('*')).toEqual([941, 1209]);
    expect(dtmfFrequencies('d')).toEqual([941, 1633]);
    expect(dtmfFrequencies(',')).toBeUndefined();
  });
});
