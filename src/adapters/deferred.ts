/**
 * An adapter whose code arrives later: `deferAdapter(load)` is an
 * {@link AdapterFactory} that returns at once and starts `load()` — a dynamic
 * `import()` of the real adapter — in the background. The Device's default
 * adapter is SIP.js deferred this way, so that `import { Device }` does not
 * carry SIP.js (~50 KB gzip): an app's bundler puts it in a chunk of its own,
 * fetched while the page starts, and a Device given another adapter (the fake
 * network, a third-party one) never loads it at all.
 *
 * The port it returns is the real one once loaded: `connect()` waits for the
 * load (and tries it again when it failed: a page that went offline before
 * the chunk arrived recovers on the device's next reconnect attempt), the
 * listeners registered before are attached to the real port when it is made
 * (until then the port itself reports the browser's `online`, so that a load
 * that failed offline is tried again as soon as the network is back), and
 * `dispose()` before the load ends means the real port is never made.
 */
import { VoiceSDKError } from '../errors';
import type { AdapterFactory, CallPort, InviteRequest, Unsubscribe, UserAgentConfig, UserAgentPort } from './adapter';
import { ListenerSet } from './listeners';
import { watchOnline } from './online';

/** `factory` for `load`'s result; `load` is called again at the next need after a failure. */
export function deferAdapter(load: () => Promise<AdapterFactory>): AdapterFactory {
  return (config) => new DeferredUserAgent(config, load);
}

/** The listener sets a port reports facts through, by their `on…` method. */
type FactName = 'onTransportLost' | 'onIncomingCall' | 'onPong' | 'onNetworkOnline' | 'onRegistrationLost';
const FACTS: readonly FactName[] = ['onTransportLost', 'onIncomingCall', 'onPong', 'onNetworkOnline', 'onRegistrationLost'];

class DeferredUserAgent implements UserAgentPort {
  readonly #config: UserAgentConfig;
  readonly #load: () => Promise<AdapterFactory>;
  readonly #facts = new Map<FactName, ListenerSet<never>>(FACTS.map((name) => [name, new ListenerSet<never>()]));
  /** The load under way or done; none after a failure, until the next need starts another. */
  #loading: Promise<AdapterFactory> | undefined;
  #real: UserAgentPort | undefined;
  #disposed = false;
  /** Counts connect / disconnect requests: a connect still waiting for the load when a newer one came is not carried out. */
  #requests = 0;
  /** Until the real port is made, the network coming back is ours to report: it is when a failed load is worth trying again. */
  #stopWatchingOnline: () => void;

  constructor(config: UserAgentConfig, load: () => Promise<AdapterFactory>) {
    this.#config = config;
    this.#load = load;
    this.#loading = this.#startLoad();
    this.#stopWatchingOnline = watchOnline(() => this.#facts.get('onNetworkOnline')!.emit(undefined as never));
  }

  /** What serializers (inspectors) see: never the configuration or its password. */
  toJSON(): Record<string, unknown> {
    return { adapter: 'deferred', loaded: this.#real !== undefined };
  }

  /** A load whose failure is only seen by the `#ready()` that awaits it (never unhandled). */
  #startLoad(): Promise<AdapterFactory> {
    const loading = this.#load();
    loading.catch(() => undefined);
    return loading;
  }

  /** The real port, made on the first need once the code is there. */
  async #ready(): Promise<UserAgentPort> {
    if (this.#real) return this.#real;
    let factory: AdapterFactory;
    try {
      factory = await (this.#loading ??= this.#startLoad());
    } catch (error) {
      this.#loading = undefined;
      throw new VoiceSDKError('transport-failed', 'The SIP stack could not be loaded (its chunk did not arrive)', { cause: error });
    }
    if (this.#disposed) throw new VoiceSDKError('invalid-state', 'The user agent was disposed');
    if (!this.#real) {
      const real = factory(this.#config);
      for (const name of FACTS) {
        const listeners = this.#facts.get(name)!;
        (real[name] as (listener: (value: never) => void) => Unsubscribe)((value) => listeners.emit(value));
      }
      this.#real = real;
      this.#stopWatchingOnline();
    }
    return this.#real;
  }

  #loaded(what: string): UserAgentPort {
    if (this.#real) return this.#real;
    throw new VoiceSDKError('invalid-state', `Cannot ${what} before the device has connected`);
  }

  #listen<T>(name: FactName, listener: (value: T) => void): Unsubscribe {
    return (this.#facts.get(name) as unknown as ListenerSet<T>).add(listener);
  }

  async connect(server: string): Promise<void> {
    const request = ++this.#requests;
    const real = await this.#ready();
    if (request !== this.#requests) {
      throw new VoiceSDKError('transport-failed', `The connection to ${server} was given up before the SIP stack had loaded`);
    }
    return real.connect(server);
  }

  async disconnect(): Promise<void> {
    this.#requests++;
    return this.#real?.disconnect();
  }

  async register(): Promise<void> {
    return (await this.#ready()).register();
  }

  async unregister(): Promise<void> {
    return this.#real?.unregister();
  }

  ping(): void {
    this.#real?.ping();
  }

  createCall(request: InviteRequest): CallPort {
    return this.#loaded('place a call').createCall(request);
  }

  createReferredCall(referred: CallPort, options?: Pick<InviteRequest, 'inputDeviceId'>): CallPort {
    return this.#loaded('follow a transfer').createReferredCall(referred, options);
  }

  onTransportLost(listener: (error: VoiceSDKError) => void): Unsubscribe {
    return this.#listen('onTransportLost', listener);
  }

  onIncomingCall(listener: (call: CallPort) => void): Unsubscribe {
    return this.#listen('onIncomingCall', listener);
  }

  onPong(listener: () => void): Unsubscribe {
    return this.#listen('onPong', listener);
  }

  onNetworkOnline(listener: () => void): Unsubscribe {
    return this.#listen('onNetworkOnline', listener);
  }

  onRegistrationLost(listener: (error: VoiceSDKError) => void): Unsubscribe {
    return this.#listen('onRegistrationLost', listener);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#stopWatchingOnline();
    const real = this.#real;
    for (const listeners of this.#facts.values()) listeners.clear();
    if (real) await real.dispose();
  }
}
