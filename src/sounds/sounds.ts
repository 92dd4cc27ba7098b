/**
 * Sounds: which one plays is the charts' decision (an invoked `soundActor`
 * while its state is active: the ringtone (or the call-waiting tone) in `pending.incoming`, the ringback
 * in `ringing.ringback`, a keypad tone per `sendDigits`, the disconnect tone as
 * an accepted call ends). This file holds the port the charts play through
 * (`SoundPlayer`), the `sounds` option and the controller between them: it
 * applies the user's choices (each sound on or off, a URL instead of the
 * generated tone, the ringtone's output device) and hands the rest to the
 * output (WebAudio by default, `./webaudio`). No decision about calls here.
 */
import { invalidArgument } from '../sip/grammar';

/** The sounds of a phone. */
export type SoundName = 'ringtone' | 'callWaiting' | 'ringback' | 'disconnect' | 'dtmf';

/**
 * The sounds that can play a file instead of the generated tone: the ones
 * whose `SoundOptions` field takes a URL (all but `dtmf`, a tone per digit).
 */
export type UrlSoundName = { [Name in SoundName]-?: string extends NonNullable<SoundOptions[Name]> ? Name : never }[SoundName];

/** Every sound, in the order the docs list them. */
export const SOUND_NAMES: readonly SoundName[] = ['ringtone', 'callWaiting', 'ringback', 'disconnect', 'dtmf'];

/** The sounds that loop until their state ends. */
const LOOPING: readonly SoundName[] = ['ringtone', 'callWaiting', 'ringback'];

/**
 * What a chart asks to hear: the ringtone (an incoming call), the
 * call-waiting tone (an incoming call while another one is accepted), the
 * ringback (our call rings at the far end, no early media), the disconnect
 * tone (an accepted call ended), or keypad feedback for digits being sent.
 */
export type SoundRequest =
  | { sound: 'ringtone' | 'callWaiting' | 'ringback' | 'disconnect' }
  | { sound: 'dtmf'; digits: string; durationMs: number; gapMs: number };

/** A request as the output gets it: with the file to play instead of the generated tone, and the output device. */
export type SoundPlay = SoundRequest & {
  /** Play this file (looped for the ringtone, the call-waiting tone and the ringback) instead of the generated tone. */
  url?: string;
  /** Output device (`setSinkId`); absent: the default output. */
  sinkId?: string;
};

/**
 * Plays sounds (the port behind `sounds.player`). `play` starts one at once
 * and returns the function that stops it; the ringtone, the call-waiting
 * tone and the ringback loop until stopped, the others end by themselves (stopping them then does nothing).
 * It must not throw; `dispose` stops everything (the Device's `destroy()`).
 */
export interface SoundPlayer {
  /** Starts `request` at once; returns what stops it. */
  play(request: SoundPlay): () => void;
  /** Stops everything (the Device's `destroy()`). */
  dispose?(): void;
}

/** The `sounds` option of `new Device()`; `false` turns every sound off. */
export interface SoundOptions {
  /** An incoming call rings: `true` the generated tone, a URL that file (looped), `false` none. @default true */
  ringtone?: boolean | string;
  /**
   * An incoming call while another call of the device is accepted: a soft
   * double beep (440 Hz, every 4 s) on the calls' output instead of the
   * ringtone; `true`, a URL (looped), or `false` (none: the call still rings
   * silently and can be answered). @default true
   */
  callWaiting?: boolean | string;
  /** Our call rings at the far end and it sends no early media: `true`, a URL, or `false`. @default true */
  ringback?: boolean | string;
  /** An accepted call ended: `true`, a URL, or `false`. @default true */
  disconnect?: boolean | string;
  /** A keypad tone per digit `sendDigits` sends. @default true */
  dtmf?: boolean;
  /** Output device id of the ringtone (e.g. the speakers while calls go to a headset), where the browser can choose (`setSinkId`). @default 'default' */
  ringtoneDevice?: string;
  /** Plays the sounds: WebAudio (no audio files) by default; your own, or a recorder in tests. @default the WebAudio player */
  player?: SoundPlayer;
}

/** Every sound on, generated; the ringtone on the default output (`DEFAULTS.sounds`). */
export const SOUND_DEFAULTS = /* @__PURE__ */ Object.freeze({
  ringtone: true,
  callWaiting: true,
  ringback: true,
  disconnect: true,
  dtmf: true,
  ringtoneDevice: 'default',
} as const);

/** The `sounds` option checked: what each sound is (`false` off, `true` generated, a URL). */
export interface SoundSettings {
  choices: Record<SoundName, boolean | string>;
  ringtoneDevice: string;
  player: SoundPlayer | undefined;
}

/** Checks `sounds` and fills in the defaults (every sound on, generated). */
export function parseSoundOptions(options: SoundOptions | false | undefined): SoundSettings {
  if (options === false) options = { ringtone: false, callWaiting: false, ringback: false, disconnect: false, dtmf: false };
  if (typeof options !== 'object' || options === null) {
    if (options !== undefined) throw invalidArgument('`sounds` must be false or an object');
    options = {};
  }
  const choices = {} as Record<SoundName, boolean | string>;
  for (const name of SOUND_NAMES) choices[name] = soundChoice(options[name] ?? SOUND_DEFAULTS[name], name);
  const ringtoneDevice = options.ringtoneDevice ?? SOUND_DEFAULTS.ringtoneDevice;
  if (typeof ringtoneDevice !== 'string' || ringtoneDevice === '') throw invalidArgument('`sounds.ringtoneDevice` must be a device id');
  const player = options.player;
  if (player !== undefined && typeof player?.play !== 'function') throw invalidArgument('`sounds.player` must have a `play` function');
  return { choices, ringtoneDevice, player };
}

function soundChoice(value: unknown, name: SoundName): boolean | string {
  if (typeof value === 'boolean') return value;
  if (name !== 'dtmf' && typeof value === 'string' && /^(https?:|blob:|data:audio\/|\/|\.{0,2}\/)/i.test(value)) return value;
  throw invalidArgument(`\`sounds.${name}\` must be ${name === 'dtmf' ? 'a boolean' : 'a boolean or an audio URL'}`);
}

interface Playing {
  request: SoundRequest;
  stop: (() => void) | undefined;
}

/**
 * Between the charts and the output: the charts' `play` goes out only for a
 * sound that is on. Turning a sound off stops it where it plays; turning a
 * looping one on starts it where a chart still asks for it.
 */
export class SoundController implements SoundPlayer {
  readonly #choices: Record<SoundName, boolean | string>;
  readonly #output: SoundPlayer;
  readonly #playing = new Set<Playing>();
  #ringtoneDevice: string;
  /** Where the calls' own sounds play (ringback, keypad, disconnect): the calls' output. */
  #callDevice = 'default';
  #disposed = false;

  constructor(settings: SoundSettings, output: SoundPlayer) {
    this.#choices = { ...settings.choices };
    this.#ringtoneDevice = settings.ringtoneDevice;
    this.#output = output;
  }

  play(request: SoundRequest): () => void {
    if (this.#disposed) return () => undefined;
    const playing: Playing = { request, stop: undefined };
    // The disconnect tone plays on after its call, unstopped: the output's dispose() ends it.
    if (request.sound !== 'disconnect') this.#playing.add(playing);
    this.#start(playing);
    return () => {
      this.#playing.delete(playing);
      this.#halt(playing);
    };
  }

  /** Whether `name` plays (`true` generated, a URL, `false` off). */
  choice(name: SoundName): boolean | string {
    return this.#choices[name];
  }

  /** Turns `name` on (`true`, or a URL) or off; what plays now follows. */
  set(name: SoundName, choice: boolean | string): void {
    const checked = soundChoice(choice, name);
    this.#choices[name] = checked;
    for (const playing of this.#playing) {
      if (playing.request.sound !== name) continue;
      this.#halt(playing);
      // A one-shot that was cut is not replayed.
      if (LOOPING.includes(name)) this.#start(playing);
    }
  }

  get ringtoneDevice(): string {
    return this.#ringtoneDevice;
  }

  /** The ringtone's output from now on (and the one ringing now, restarted there). */
  setRingtoneDevice(deviceId: string): void {
    this.#ringtoneDevice = deviceId;
    this.set('ringtone', this.#choices.ringtone);
  }

  /** The output the calls play on (`device.audio.setOutputDevice`): their sounds play there too, a looping one sounding now restarted there. */
  setCallDevice(deviceId: string): void {
    this.#callDevice = deviceId;
    this.set('ringback', this.#choices.ringback);
    this.set('callWaiting', this.#choices.callWaiting);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const playing of this.#playing) this.#halt(playing);
    this.#playing.clear();
    try {
      this.#output.dispose?.();
    } catch {
      // A custom player's failure is not the device's.
    }
  }

  #start(playing: Playing): void {
    const { request } = playing;
    const choice = this.#choices[request.sound];
    if (choice === false) return;
    const device = request.sound === 'ringtone' ? this.#ringtoneDevice : this.#callDevice;
    const sinkId = device === 'default' ? undefined : device;
    const play: SoundPlay = { ...request, ...(typeof choice === 'string' ? { url: choice } : {}), ...(sinkId ? { sinkId } : {}) };
    try {
      playing.stop = this.#output.play(play);
    } catch {
      playing.stop = undefined;
    }
  }

  #halt(playing: Playing): void {
    const stop = playing.stop;
    playing.stop = undefined;
    try {
      stop?.();
    } catch {
      // As above.
    }
  }
}
