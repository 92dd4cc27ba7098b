/**
 * The default sound output: tones generated with WebAudio (no audio files in
 * the bundle), or an `<audio>` element for a URL. One AudioContext per output
 * device, opened for the first sound and closed when its last sound ends, so
 * nothing runs between calls. Where there is no WebAudio (Node, tests) it
 * plays nothing.
 */
import type { SoundPlay, SoundPlayer } from './sounds';

/** A cadence: frequencies (Hz) and on/off times (s), repeated `loops` times. */
interface Cadence {
  hz: number[];
  /** on, off, on, off … in seconds. */
  steps: number[];
  loops: number;
}

// Looping tones are scheduled ahead for about ten minutes; nobody rings longer.
const CADENCES: Record<'ringtone' | 'callWaiting' | 'ringback' | 'disconnect', Cadence> = {
  // A double ring (400 + 450 Hz), as British phones ring.
  ringtone: { hz: [400, 450], steps: [0.4, 0.2, 0.4, 2], loops: 200 },
  // A soft double beep every 4 s over the call in progress (440 Hz, as the North American call-waiting tone).
  callWaiting: { hz: [440], steps: [0.2, 0.2, 0.2, 3.4], loops: 150 },
  // North American ringback (440 + 480 Hz, 2 s on, 4 s off).
  ringback: { hz: [440, 480], steps: [2, 4], loops: 100 },
  // Three short beeps of the busy tone (480 + 620 Hz).
  disconnect: { hz: [480, 620], steps: [0.15, 0.1, 0.15, 0.1, 0.15, 0.1], loops: 1 },
};

const DTMF_ROWS = [697, 770, 852, 941];
const DTMF_COLUMNS = [1209, 1336, 1477, 1633];
const KEYPAD = ['123A', '456B', '789C', '*0#D'];

/** The two frequencies of a DTMF digit, or undefined for a character that has none. */
export function dtmfFrequencies(digit: string): [number, number] | undefined {
  const row = KEYPAD.findIndex((keys) => keys.includes(digit.toUpperCase()));
  if (row < 0) return undefined;
  return [DTMF_ROWS[row]!, DTMF_COLUMNS[KEYPAD[row]!.indexOf(digit.toUpperCase())]!];
}

/** The tone a request plays, as frequencies switched on and off. */
function cadenceOf(play: SoundPlay): Array<{ hz: number[]; at: number; until: number }> {
  const spans: Array<{ hz: number[]; at: number; until: number }> = [];
  if (play.sound === 'dtmf') {
    let at = 0;
    for (const digit of play.digits) {
      const hz = dtmfFrequencies(digit);
      if (hz) spans.push({ hz, at, until: at + play.durationMs / 1000 });
      at += (play.durationMs + play.gapMs) / 1000;
    }
    return spans;
  }
  const { hz, steps, loops } = CADENCES[play.sound];
  let at = 0;
  for (let loop = 0; loop < loops; loop++) {
    steps.forEach((seconds, i) => {
      if (i % 2 === 0) spans.push({ hz, at, until: at + seconds });
      at += seconds;
    });
  }
  return spans;
}

interface SharedContext {
  context: AudioContext;
  users: number;
}

type ContextConstructor = new (options?: { sinkId?: string }) => AudioContext;

/** The WebAudio player (the default `sounds.player`). */
export function createWebAudioPlayer(): SoundPlayer {
  const contexts = new Map<string, SharedContext>();
  const stops = new Set<() => void>();

  const acquire = (sinkId: string): AudioContext | undefined => {
    const Context = (globalThis as { AudioContext?: ContextConstructor }).AudioContext;
    if (Context === undefined) return undefined;
    let shared = contexts.get(sinkId);
    if (!shared) {
      let context: AudioContext;
      try {
        context = sinkId ? new Context({ sinkId }) : new Context();
      } catch {
        // A browser without AudioContext's sinkId: the default output.
        context = new Context();
      }
      shared = { context, users: 0 };
      contexts.set(sinkId, shared);
    }
    shared.users++;
    // Created before a user gesture it starts suspended; it runs once the page may play.
    shared.context.resume().catch(() => undefined);
    return shared.context;
  };

  const release = (sinkId: string): void => {
    const shared = contexts.get(sinkId);
    if (!shared || --shared.users > 0) return;
    contexts.delete(sinkId);
    shared.context.close().catch(() => undefined);
  };

  const playTone = (play: SoundPlay): (() => void) => {
    const sinkId = play.sinkId ?? '';
    const context = acquire(sinkId);
    if (!context) return () => undefined;
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    const start = context.currentTime + 0.02;
    const spans = cadenceOf(play);
    // One oscillator per frequency of the tone, switched by the gain (DTMF: a pair per digit).
    const oscillators: OscillatorNode[] = [];
    const frequencies = play.sound === 'dtmf' ? [] : spans[0]?.hz ?? [];
    const oscillator = (hz: number, at: number, until: number): void => {
      const node = context.createOscillator();
      node.frequency.value = hz;
      node.connect(gain);
      node.start(at);
      node.stop(until);
      oscillators.push(node);
    };
    const end = start + (spans.at(-1)?.until ?? 0);
    for (const hz of frequencies) oscillator(hz, start, end);
    for (const span of spans) {
      if (play.sound === 'dtmf') for (const hz of span.hz) oscillator(hz, start + span.at, start + span.until);
      gain.gain.setValueAtTime(0.15, start + span.at);
      gain.gain.setValueAtTime(0, start + span.until);
    }
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      stops.delete(stop);
      clearTimeout(timer);
      for (const node of oscillators) {
        try {
          node.stop();
        } catch {
          // Not started yet, or already stopped: nothing plays either way.
        }
        node.disconnect();
      }
      gain.disconnect();
      release(sinkId);
    };
    // A one-shot tone lets go of its context when it has played.
    const timer = setTimeout(stop, Math.max(0, (end - context.currentTime) * 1000) + 50);
    stops.add(stop);
    return stop;
  };

  const playFile = (play: SoundPlay & { url: string }): (() => void) => {
    if (typeof Audio === 'undefined') return () => undefined;
    const element = new Audio(play.url);
    element.loop = play.sound === 'ringtone' || play.sound === 'callWaiting' || play.sound === 'ringback';
    if (play.sinkId && typeof element.setSinkId === 'function') element.setSinkId(play.sinkId).catch(() => undefined);
    element.play().catch(() => undefined);
    const stop = (): void => {
      stops.delete(stop);
      element.pause();
      element.removeAttribute('src');
      element.load();
    };
    element.onended = stop;
    stops.add(stop);
    return stop;
  };

  return {
    play: (play) => {
      try {
        return play.url === undefined ? playTone(play) : playFile(play as SoundPlay & { url: string });
      } catch {
        // No sound is worth breaking a call for.
        return () => undefined;
      }
    },
    dispose: () => {
      for (const stop of [...stops]) stop();
    },
  };
}
