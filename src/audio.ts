/**
 * `device.audio`: the microphones and speakers the browser lists, the ones
 * chosen for calls and for the ringtone, and the sounds switched on or off.
 * Made on first use of `device.audio` (no `devicechange` listener before).
 * A chosen device that disappears falls back to the default, on every
 * accepted call, with a `device-lost` event. No call state here: calls are
 * switched through their own `setInputDevice` / `setOutputDevice`.
 */
import type { Call } from './call';
import { VoiceSDKError } from './errors';
import { TypedEmitter } from './events';
import { SOUND_NAMES, type SoundController, type SoundName, type UrlSoundName } from './sounds/sounds';

export type { SoundName, UrlSoundName } from './sounds/sounds';

/** A microphone or a speaker, as `enumerateDevices()` lists it. */
export interface AudioDeviceInfo {
  /** The id to choose it by (`setInputDevice`, `setOutputDevice`); `'default'` is the browser's default. */
  deviceId: string;
  /** Devices of one physical device (a headset's microphone and speaker) share it. */
  groupId: string;
  /** `'audioinput'`: a microphone; `'audiooutput'`: a speaker. */
  kind: 'audioinput' | 'audiooutput';
  /** Empty until the page may use the microphone (the browser hides labels before). */
  label: string;
}

/** The lists, as of the last `enumerateDevices()`. */
export interface AudioDeviceLists {
  /** Microphones. */
  inputs: AudioDeviceInfo[];
  /** Speakers (empty where the browser lists none, e.g. without setSinkId). */
  outputs: AudioDeviceInfo[];
}

/** A chosen device that disappeared. */
export interface AudioDeviceLost {
  /** What it was chosen for: the microphone of calls (`input`), their speaker (`output`), or the ringtone's output (`ringtone`). */
  kind: 'input' | 'output' | 'ringtone';
  /** The device that went; `'default'` is used from now on. */
  deviceId: string;
}

/** Events of `device.audio`. */
export type DeviceAudioEvents = {
  /** The browser's device lists changed (plugged, unplugged, permission granted). */
  devicechange: [lists: AudioDeviceLists];
  /** A chosen device disappeared: calls (or the ringtone) are back on the default one. */
  'device-lost': [info: AudioDeviceLost];
};

/** What `device.audio` needs of its device. */
export interface DeviceAudioHost {
  /** The device's calls that have not ended. */
  calls: () => Call[];
  /** Tells the device chart the microphone calls made from now on open. */
  chooseInput: (deviceId: string) => void;
  /** Tells the device chart the output calls play on from now on. */
  chooseOutput: (deviceId: string) => void;
  /** The microphone and output the device chart holds for calls (`'default'` until one is chosen). */
  chosen: () => { input: string; output: string };
  sounds: SoundController;
}

const DEFAULT = 'default';

/**
 * The audio devices and sounds of a Device, as `device.audio`: lists the
 * microphones and speakers (`inputs`, `outputs`, `refresh()`, the
 * `devicechange` event), chooses the ones calls use (`setInputDevice`,
 * `setOutputDevice`: calls in progress switch too) and the ringtone's output
 * (`setRingtoneDevice`), switches each sound on, off or to a URL
 * (`sound`, `setSound`), and falls back to the default device when a chosen
 * one is unplugged (`device-lost`). Made by the Device on first use.
 * @hideconstructor
 */
export class DeviceAudio extends TypedEmitter<DeviceAudioEvents> {
  readonly #host: DeviceAudioHost;
  readonly #media: MediaDevices | undefined;
  #lists: AudioDeviceLists = { inputs: [], outputs: [] };
  readonly #onChange = (): void => {
    this.refresh().catch(() => undefined);
  };

  /** Made by the Device (`device.audio`). */
  constructor(host: DeviceAudioHost) {
    super();
    this.#host = host;
    this.#media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
    this.#media?.addEventListener?.('devicechange', this.#onChange);
    this.#onChange();
  }

  /** Microphones, as of the last list (`refresh()`, or a `devicechange`). */
  get inputs(): AudioDeviceInfo[] {
    return [...this.#lists.inputs];
  }

  /** Speakers, as of the last list. */
  get outputs(): AudioDeviceInfo[] {
    return [...this.#lists.outputs];
  }

  /** The microphone of calls: a `deviceId`, or `'default'`. */
  get inputDevice(): string {
    return this.#input;
  }

  /** Where calls play: a `deviceId`, or `'default'`. */
  get outputDevice(): string {
    return this.#output;
  }

  /** Where the ringtone plays. */
  get ringtoneDevice(): string {
    return this.#host.sounds.ringtoneDevice;
  }

  /** Lists the devices again (`enumerateDevices()`); a chosen one that is gone falls back to the default. */
  async refresh(): Promise<AudioDeviceLists> {
    const devices = (await this.#media?.enumerateDevices?.()) ?? [];
    const of = (kind: AudioDeviceInfo['kind']): AudioDeviceInfo[] =>
      devices
        .filter((d) => d.kind === kind)
        .map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, kind, label: d.label }));
    const lists = { inputs: of('audioinput'), outputs: of('audiooutput') };
    const changed = JSON.stringify(lists) !== JSON.stringify(this.#lists);
    this.#lists = lists;
    if (changed) this.emit('devicechange', { inputs: this.inputs, outputs: this.outputs });
    await this.#fallBack();
    return { inputs: this.inputs, outputs: this.outputs };
  }

  /**
   * The microphone of every accepted call (switched now) and of the calls made
   * from now on, outbound and inbound (they open it for their INVITE or
   * answer); `'default'` for the browser's.
   */
  async setInputDevice(deviceId: string): Promise<void> {
    await this.#check(deviceId, 'inputs');
    this.#setInput(deviceId);
    await this.#apply('input');
  }

  /**
   * Where every call plays (`setSinkId`; `not-supported` without it): the
   * accepted ones switch now, the others (ringing, early media) at once, and
   * calls made from now on from their start; their ringback, keypad and
   * disconnect tones play there too (the ringtone has its own output).
   */
  async setOutputDevice(deviceId: string): Promise<void> {
    await this.#check(deviceId, 'outputs');
    this.#setOutput(deviceId);
    await this.#apply('output');
  }

  /** Where the ringtone plays (`setSinkId` where the browser has it), e.g. the speakers while calls go to a headset. */
  async setRingtoneDevice(deviceId: string): Promise<void> {
    await this.#check(deviceId, 'outputs');
    this.#host.sounds.setRingtoneDevice(deviceId);
  }

  /** Whether a sound plays: `true` (generated), a URL (not for `dtmf`), or `false`. */
  sound(name: 'dtmf'): boolean;
  sound(name: SoundName): boolean | string;
  sound(name: SoundName): boolean | string {
    this.#soundName(name);
    return this.#host.sounds.choice(name);
  }

  /** Turns a sound on (`true`) or off; one sounding now stops, a ringtone or ringback asked for now starts. */
  setSound(name: SoundName, on: boolean): void;
  /** Plays a file instead of the generated tone (every sound but `dtmf`), or turns the sound on (`true`) or off. */
  setSound(name: UrlSoundName, choice: boolean | string): void;
  setSound(name: SoundName, choice: boolean | string): void {
    this.#soundName(name);
    this.#host.sounds.set(name, choice);
  }

  /** @internal The Device's part: a call just accepted gets the chosen devices. */
  adopt(call: Call): void {
    // The first call's microphone permission is when the browser shows labels and ids: list again.
    this.#onChange();
    // The call opened the microphone chosen when it was made: it switches only when another one was chosen since.
    const { inputDeviceId, outputDeviceId } = call.actor.getSnapshot().context;
    if (this.#input !== inputDeviceId) call.setInputDevice(this.#input).catch(() => undefined);
    // It played on the chosen output from the start (early media): it switches only when another one was chosen since.
    if (this.#output !== outputDeviceId) call.setOutputDevice(this.#output).catch(() => undefined);
  }

  /** @internal Stops listening for `devicechange` (the Device's `destroy()`). */
  dispose(): void {
    this.#media?.removeEventListener?.('devicechange', this.#onChange);
    this.removeAllListeners();
  }

  /** The choices are the device chart's (its context); this facade only reads them. */
  get #input(): string {
    return this.#host.chosen().input;
  }

  get #output(): string {
    return this.#host.chosen().output;
  }

  #setInput(deviceId: string): void {
    this.#host.chooseInput(deviceId);
  }

  #setOutput(deviceId: string): void {
    this.#host.chooseOutput(deviceId);
    this.#host.sounds.setCallDevice(deviceId);
  }

  #soundName(name: SoundName): void {
    if (!SOUND_NAMES.includes(name)) {
      throw new VoiceSDKError('invalid-argument', `No sound named ${String(name)}: ${SOUND_NAMES.join(', ')}`);
    }
  }

  async #check(deviceId: string, list: 'inputs' | 'outputs'): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new VoiceSDKError('invalid-argument', 'A device id must be a non-empty string');
    if (deviceId === DEFAULT) return;
    await this.refresh();
    if (!this.#lists[list].some((d) => d.deviceId === deviceId)) {
      throw new VoiceSDKError('device-not-found', `No ${list === 'inputs' ? 'microphone' : 'audio output'} with id ${deviceId}`);
    }
  }

  /** Switches every accepted call to the chosen device; rejects with the first call's failure. */
  async #apply(kind: 'input' | 'output'): Promise<void> {
    const calls = this.#host.calls().filter((call) => call.getStatus() === 'accepted');
    await Promise.all(
      calls.map((call) => (kind === 'input' ? call.setInputDevice(this.#input) : call.setOutputDevice(this.#output))),
    );
  }

  async #fallBack(): Promise<void> {
    // Before the page may use the microphone the browser lists devices without ids: nothing is known gone then.
    const gone = (id: string, list: AudioDeviceInfo[]): boolean =>
      id !== DEFAULT && list.some((d) => d.deviceId !== '') && !list.some((d) => d.deviceId === id);
    const lost: AudioDeviceLost[] = [];
    if (gone(this.#input, this.#lists.inputs)) {
      lost.push({ kind: 'input', deviceId: this.#input });
      this.#setInput(DEFAULT);
    }
    if (gone(this.#output, this.#lists.outputs)) {
      lost.push({ kind: 'output', deviceId: this.#output });
      this.#setOutput(DEFAULT);
    }
    if (gone(this.#host.sounds.ringtoneDevice, this.#lists.outputs)) {
      lost.push({ kind: 'ringtone', deviceId: this.#host.sounds.ringtoneDevice });
      this.#host.sounds.setRingtoneDevice(DEFAULT);
    }
    for (const info of lost) {
      if (info.kind !== 'ringtone') await this.#apply(info.kind).catch(() => undefined);
      this.emit('device-lost', info);
    }
  }
}
