/**
 * The Device facade: one SIP user agent with its calls. It turns method calls
 * into events for the device actor and the actor's emitted events into typed
 * events; `state` and `calls` read the actor's snapshot.
 */
import { createActor, type ActorRefFrom } from 'xstate';
import { DeviceAudio } from './audio';
import { Call, type CallActorRef, type CallHost, type TransferRequestPolicy } from './call';
import type { TransferPolicy } from './machines/call.types';
import { VoiceSDKError } from './errors';
import { TypedEmitter } from './events';
import { deviceMachine, deviceState, transportState, type DeviceState, type TransportState } from './machines/device.machine';
import type { DeviceEmitted, DeviceEvent } from './machines/device.types';
import { parseDeviceOptions, type DeviceOptions } from './options';
import { encodeParams } from './sip/headers';
import { normalizeTarget, parseCallerId } from './sip/target';
import { sendAndSettle, type Outcome } from './settle';
import { SoundController } from './sounds/sounds';
import { createWebAudioPlayer } from './sounds/webaudio';

export type { DeviceOptions, Inspector } from './options';

/** What `device.connect()` takes: whom to call and what to send along. */
export interface ConnectOptions {
  /** E.164 number (`+15551234567`), a user (`bob`), a SIP URI or a global TEL URI (`tel:+15551234567`); numbers and users get the domain of `uri`. */
  to: string;
  /** Caller ID: the user part of the From header. */
  from?: string;
  /** Custom headers: each key becomes `<prefix><Key>` (`ticketId` → `X-Callchart-TicketId`). */
  params?: Record<string, string | number | boolean>;
  /** Offer video too: the camera is opened with the microphone (without a camera the call goes audio-only). @default false */
  video?: boolean;
}

/** What the `reconnecting` event tells. */
export interface ReconnectingInfo {
  /** Failed attempts so far in this outage. */
  attempt: number;
  /** How long until the next attempt, in ms. */
  delayMs: number;
  /** The server the next attempt goes to. */
  server: string;
}

/** Events of a device: name → handler arguments. */
export type DeviceEvents = {
  /** A REGISTER is under way (first registration, or re-registration after a reconnect). */
  registering: [];
  registered: [];
  unregistered: [];
  /** The WebSocket is open. */
  connected: [info: { server: string }];
  /** The WebSocket dropped, failed, or went silent (a keep-alive unanswered); the next attempt follows after `delayMs` (at once when the browser comes back `online`). */
  reconnecting: [info: ReconnectingInfo];
  /** The WebSocket is closed for good (after `reconnect.maxAttempts` failures, when finite). */
  disconnected: [];
  /** Registration, unregistration or transport failed; `timeout` when not registered within `registerTimeoutMs` (the device keeps trying). */
  error: [error: VoiceSDKError];
  /** A call is coming in. */
  incoming: [call: Call];
  /** destroy() finished. */
  destroyed: [];
};

/** The device's actor (`device.actor`): `deviceMachine` running. */
export type DeviceActorRef = ActorRefFrom<typeof deviceMachine>;

const DONE = { value: undefined };

/**
 * One SIP user agent with its calls: registration, the WebSocket transport
 * (several servers, reconnection), outbound and inbound calls. State is read
 * from its statechart actor; events are typed.
 */
export class Device extends TypedEmitter<DeviceEvents> {
  readonly #actor: DeviceActorRef;
  /** One facade per call actor, so the same Call object is handed out every time. */
  readonly #facades = new WeakMap<CallActorRef, Call>();
  readonly #domain: string;
  readonly #prefix: string;
  readonly #callHost: CallHost = {
    callOf: (callId) => this.#adopt(callId),
    normalizeTarget: (to) => normalizeTarget(to, this.#domain),
  };
  readonly #sounds: SoundController;
  #audio: DeviceAudio | undefined;

  /** Checks every option (bad ones throw `VoiceSDKError('invalid-argument')`) and starts the device actor; nothing goes on the wire until `register()`, `connectTransport()` or `connect()`. */
  constructor(options: DeviceOptions) {
    super();
    // Every option is checked before the adapter exists: a refused Device builds nothing.
    const settings = parseDeviceOptions(options);
    this.#domain = settings.domain;
    this.#prefix = settings.headerPrefix;
    const ua = settings.createAdapter(settings.userAgent);
    this.#sounds = new SoundController(settings.sounds, settings.sounds.player ?? createWebAudioPlayer());
    this.#actor = createActor(deviceMachine, {
      input: {
        ua,
        servers: settings.servers,
        reconnect: settings.reconnect,
        keepAlive: settings.keepAlive,
        registerTimeoutMs: settings.registerTimeoutMs,
        policy: settings.policy,
        random: Math.random,
        call: { ...settings.call, transferPolicy: this.#transferPolicy(settings.onTransferRequest), now: () => Date.now(), sounds: this.#sounds },
      },
      ...(settings.inspect ? { inspect: settings.inspect } : {}),
    });
    this.#actor.on('*', (event) => this.#forward(event));
    this.#actor.start();
  }

  /** 'unregistered' | 'registering' | 'registered' | 'unregistering' | 'destroyed'. */
  get state(): DeviceState {
    return deviceState(this.#actor.getSnapshot());
  }

  /** 'disconnected' | 'connecting' | 'connected' | 'reconnecting'. */
  get transportState(): TransportState {
    return transportState(this.#actor.getSnapshot());
  }

  /** Calls that have not ended, inbound and outbound, oldest first. */
  get calls(): Call[] {
    // The call actors are the device actor's children, in the order spawned.
    const calls: Call[] = [];
    for (const [id, child] of Object.entries(this.#actor.getSnapshot().children)) {
      const call = child?.src === 'callMachine' ? this.#adopt(id) : undefined;
      const status = call?.getStatus();
      if (call && status !== 'disconnected' && status !== 'failed') calls.push(call);
    }
    return calls;
  }

  /** Inbound calls still pending (ringing, not yet accepted or rejected), oldest first. */
  get incomingCalls(): Call[] {
    return this.calls.filter((call) => call.direction === 'inbound' && call.getStatus() === 'pending');
  }

  /**
   * Microphones and speakers (`inputs`, `outputs`, `devicechange`), the ones
   * calls use (`setInputDevice`, `setOutputDevice`: every accepted call and
   * the calls to come), the ringtone's output and the sounds on or off. A
   * chosen device that disappears falls back to the default (`device-lost`).
   */
  get audio(): DeviceAudio {
    this.#audio ??= new DeviceAudio({
      calls: () => this.calls,
      chooseInput: (deviceId) => this.#tell({ type: 'SET_INPUT_DEVICE', deviceId }),
      chooseOutput: (deviceId) => this.#tell({ type: 'SET_OUTPUT_DEVICE', deviceId }),
      chosen: () => {
        const { inputDeviceId = 'default', outputDeviceId = 'default' } = this.#actor.getSnapshot().context.call;
        return { input: inputDeviceId, output: outputDeviceId };
      },
      sounds: this.#sounds,
    });
    return this.#audio;
  }

  /** The device's statechart actor, for inspection. */
  get actor(): DeviceActorRef {
    return this.#actor;
  }

  /** Opens the socket if needed and registers. Resolves when registered; rejects with `auth-failed`, `transport-failed`, …. */
  register(): Promise<void> {
    return this.#request({ type: 'REGISTER' }, 'register() while unregistering: wait for unregister() first', (e) => {
      if (e.type === 'registered' || (e.type === 'unchanged' && e.operation === 'register')) return DONE;
      if (e.type === 'error' && (e.operation === 'register' || e.operation === 'transport')) return { error: e.error };
      return undefined;
    });
  }

  /** Removes the registration (REGISTER with Expires: 0). The socket stays open for outbound calls. */
  unregister(): Promise<void> {
    // A failed un-REGISTER still ends in `unregistered` (the binding expires on its own).
    return this.#request({ type: 'UNREGISTER' }, 'unregister() while registering: wait for register() first', (e) =>
      e.type === 'unregistered' || (e.type === 'unchanged' && e.operation === 'unregister') ? DONE : undefined,
    );
  }

  /**
   * Opens the WebSocket without registering (register() and connect() do it
   * themselves). Opening it early saves a round trip on the first call.
   */
  connectTransport(): Promise<void> {
    return this.#request({ type: 'CONNECT' }, 'The transport cannot be opened now', (e) => {
      if (e.type === 'connected' || (e.type === 'unchanged' && e.operation === 'transport')) return DONE;
      if (e.type === 'error' && e.operation === 'transport') return { error: e.error };
      return undefined;
    });
  }

  /**
   * Places a call. The socket is opened first if needed; resolves with the Call once the INVITE is under way (not
   * when it is answered: wait for the call's `accepted`). Rejects `invalid-argument` for a bad target, header or
   * option, `invalid-state` when `maxCalls` calls are up or the device is destroyed, `transport-failed` when the
   * socket cannot be opened.
   */
  async connect(options: ConnectOptions): Promise<Call> {
    if (typeof options !== 'object' || options === null) throw new VoiceSDKError('invalid-argument', 'connect() needs { to }');
    const target = normalizeTarget(options.to, this.#domain);
    const headers = encodeParams(options.params, this.#prefix);
    const fromUser = options.from === undefined ? undefined : parseCallerId(options.from);
    if (options.video !== undefined && typeof options.video !== 'boolean') throw new VoiceSDKError('invalid-argument', 'connect()\'s video takes a boolean');
    const callId = `call-${globalThis.crypto.randomUUID()}`;
    const request = { target, headers, ...(fromUser ? { fromUser } : {}), ...(options.video ? { video: true } : {}) };
    await this.#request({ type: 'CALL', callId, request }, 'The device cannot place calls now', (e) => {
      if (e.type === 'call-started' && e.callId === callId) return DONE;
      if (e.type === 'call-failed' && e.callId === callId) return { error: e.error };
      return undefined;
    });
    const call = this.#adopt(callId);
    if (!call) throw new VoiceSDKError('invalid-state', 'The device could not start the call');
    return call;
  }

  /** Ends every call, unregisters, closes the socket and stops the actors. Idempotent. */
  async destroy(): Promise<void> {
    const snapshot = this.#actor.getSnapshot();
    if (snapshot.status !== 'active') return;
    // Already destroying: wait for the same end.
    const send = snapshot.can({ type: 'DESTROY' }) ? () => this.#actor.send({ type: 'DESTROY' }) : () => undefined;
    await sendAndSettle(this.#actor, send, (e) => (e.type === 'destroyed' ? DONE : undefined));
    this.#actor.stop();
    this.#sounds.dispose();
    this.#audio?.dispose();
  }

  /** Sends `event` to the device chart unless the device is gone (no answer expected). */
  #tell(event: DeviceEvent): void {
    if (this.#actor.getSnapshot().status === 'active') this.#actor.send(event);
  }

  #destroyedError(): VoiceSDKError {
    return new VoiceSDKError('invalid-state', 'The device was destroyed');
  }

  /**
   * Sends `event` if the chart takes it now (else `invalid-state`, changing
   * nothing) and settles on the emitted event `outcome` picks; destroying the
   * device meanwhile rejects.
   */
  #request(event: DeviceEvent, refusal: string, outcome: (e: DeviceEmitted) => Outcome<void>): Promise<void> {
    const snapshot = this.#actor.getSnapshot();
    if (!snapshot.can(event)) {
      const destroyed = snapshot.status !== 'active' || deviceState(snapshot) === 'destroyed';
      return Promise.reject(destroyed ? this.#destroyedError() : new VoiceSDKError('invalid-state', refusal));
    }
    return sendAndSettle(
      this.#actor,
      () => this.#actor.send(event),
      (e) => (e.type === 'destroyed' ? { error: this.#destroyedError() } : outcome(e)),
    );
  }

  /** Wraps a spawned call actor in a Call facade (once). */
  #adopt(callId: string): Call | undefined {
    const ref = this.#actor.getSnapshot().children[callId] as CallActorRef | undefined;
    if (!ref) return undefined;
    let call = this.#facades.get(ref);
    if (!call) {
      const created = (call = new Call(ref, this.#callHost));
      this.#facades.set(ref, created);
      // Calls use the devices chosen in `device.audio` once they have media. Heard on the actor, not the facade:
      // an app's `call.removeAllListeners()` must not take the SDK's own hook away.
      const accepted = ref.on('accepted', () => {
        accepted.unsubscribe();
        this.#audio?.adopt(created);
      });
    }
    return call;
  }

  /** `onTransferRequest` as the call charts take it: the app's function is asked with the Call facade. */
  #transferPolicy(option: TransferRequestPolicy): TransferPolicy {
    if (typeof option !== 'function') return option;
    return async ({ callId, target, replaces }) => {
      const call = this.#adopt(callId);
      return call !== undefined && (await option({ call, target, replaces })) === true;
    };
  }

  #forward(event: DeviceEmitted): void {
    switch (event.type) {
      case 'registering':
      case 'registered':
      case 'unregistered':
      case 'disconnected':
      case 'destroyed':
        this.emit(event.type);
        break;
      case 'connected':
        this.emit('connected', { server: event.server });
        break;
      case 'reconnecting':
        this.emit('reconnecting', { attempt: event.attempt, delayMs: event.delayMs, server: event.server });
        break;
      case 'error':
        this.emit('error', event.error);
        break;
      case 'incoming': {
        const call = this.#adopt(event.callId);
        if (call) this.emit('incoming', call);
        break;
      }
    }
  }
}
