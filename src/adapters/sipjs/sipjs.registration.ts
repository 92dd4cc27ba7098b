/**
 * REGISTER through SIP.js's `Registerer`, as awaitable requests.
 *
 * SIP.js answers a digest challenge once by itself (a second 401/407 is
 * final), so a wrong password costs exactly two REGISTERs. It also refreshes
 * the registration on its own timer; a refresh that fails is reported as a
 * lost registration.
 */
import { Registerer, RegistererState } from 'sip.js';
import type {
  Core,
  Emitter,
  RegistererOptions,
  RegistererRegisterOptions,
  RegistererUnregisterOptions,
  UserAgent,
} from 'sip.js';
import { VoiceSDKError } from '../../errors';
import { registerError } from '../../sip/status';
import { settlesWithin } from '../timeouts';
import { asVoiceSDKError } from './sipjs.errors';

/**
 * A `Registerer` that remembers the status of the last final response to any
 * REGISTER it sent — its own refreshes included, which SIP.js sends without
 * a delegate we could hook.
 */
export class ReportingRegisterer extends Registerer {
  /** Status of the last final response, or undefined before one / after `resetStatus()`. */
  lastFinalStatus: number | undefined;
  /** The connection (see `Registration.connectionEpoch`) the last request went out on. */
  lastRequestEpoch = -1;
  /** Set right after construction (a field initialiser would run after `super()` registered us). */
  currentEpoch: () => number = () => -1;

  override register(options: RegistererRegisterOptions = {}): Promise<Core.OutgoingRegisterRequest> {
    this.lastRequestEpoch = this.currentEpoch();
    return super.register({ ...options, requestDelegate: this.recording(options.requestDelegate) });
  }

  override unregister(options: RegistererUnregisterOptions = {}): Promise<Core.OutgoingRegisterRequest> {
    this.lastRequestEpoch = this.currentEpoch();
    return super.unregister({ ...options, requestDelegate: this.recording(options.requestDelegate) });
  }

  resetStatus(): void {
    this.lastFinalStatus = undefined;
  }

  private recording(
    delegate: RegistererRegisterOptions['requestDelegate'],
  ): NonNullable<RegistererRegisterOptions['requestDelegate']> {
    const record = (response: Core.IncomingResponse): void => {
      this.lastFinalStatus = response.message.statusCode;
    };
    return {
      ...delegate,
      onAccept: (response) => {
        record(response);
        delegate?.onAccept?.(response);
      },
      onReject: (response) => {
        record(response);
        delegate?.onReject?.(response);
      },
      onRedirect: (response) => {
        record(response);
        delegate?.onRedirect?.(response);
      },
    };
  }
}

export interface RegistrationEvents {
  /** The registration went away without a request of ours (refresh failed, expired). */
  onLost(error: VoiceSDKError): void;
}

/**
 * Owns the registerer of one user agent and turns register/unregister into
 * promises. Does not track registration state itself: SIP.js's registerer
 * has it, the device machine decides on it.
 */
export class Registration {
  private readonly userAgent: UserAgent;
  private readonly options: RegistererOptions;
  private readonly events: RegistrationEvents;
  private registerer: ReportingRegisterer | undefined;
  private stopObserving: (() => void) | undefined;
  /** register()/unregister() calls in progress: a state change then is ours, not a loss. */
  private ownRequests = 0;
  private disposed = false;

  constructor(userAgent: UserAgent, options: RegistererOptions, events: RegistrationEvents) {
    this.userAgent = userAgent;
    this.options = options;
    this.events = events;
  }

  /**
   * Counts connections: a REGISTER sent on an earlier one will never be
   * answered (SIP.js would wait 32 s for it).
   */
  private connectionEpoch = 0;

  /** The user agent's transport closed (deliberately or not). */
  onTransportClosed(): void {
    this.connectionEpoch += 1;
  }

  /** Sends REGISTER; resolves on 2xx, rejects with the SDK error for anything else. */
  async register(): Promise<void> {
    this.ownRequests += 1;
    try {
      const registerer = await this.idleRegisterer();
      registerer.resetStatus();
      await this.whileConnected(registerer, registerer.register());
      if (registerer.state !== RegistererState.Registered) {
        throw registerError(registerer.lastFinalStatus, !this.userAgent.isConnected());
      }
    } finally {
      this.ownRequests -= 1;
    }
  }

  /** Sends REGISTER with expires 0; resolves on 2xx. Nothing to do when never registered. */
  async unregister(): Promise<void> {
    const current = this.registerer;
    if (current === undefined || current.state === RegistererState.Terminated) return;
    const wasRegistered = current.state === RegistererState.Registered;
    this.ownRequests += 1;
    try {
      const registerer = await this.idleRegisterer();
      if (!wasRegistered && registerer.state !== RegistererState.Registered) {
        // Never registered (or lost already): nothing bound on the server to remove.
        return;
      }
      registerer.resetStatus();
      await this.whileConnected(registerer, registerer.unregister());
      const status = registerer.lastFinalStatus;
      if (status === undefined || status < 200 || status >= 300) {
        throw registerError(status, !this.userAgent.isConnected());
      }
    } finally {
      this.ownRequests -= 1;
    }
  }

  /**
   * Unregisters if registered (best effort, at most `timeoutMs`) and stops
   * every timer of the registerer. Idempotent.
   */
  async dispose(timeoutMs: number): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopObserving?.();
    const registerer = this.registerer;
    this.registerer = undefined;
    if (registerer === undefined) return;
    const canUnregister = this.userAgent.isConnected() && registerer.state === RegistererState.Registered;
    // Registerer.dispose() unregisters when registered, then terminates (clearing its timers).
    const disposing = canUnregister ? registerer.dispose() : disposeQuietly(registerer);
    const finished = await settlesWithin(disposing, timeoutMs);
    if (!finished) clearRegistererTimers(registerer);
  }

  /**
   * The registerer to send the next request with, once it has none in flight.
   * A request still out on this connection (e.g. SIP.js's own refresh) is
   * waited for; one sent on an earlier connection is abandoned with its
   * registerer, since it will never be answered.
   */
  private async idleRegisterer(): Promise<ReportingRegisterer> {
    if (this.disposed) throw new VoiceSDKError('invalid-state', 'The user agent was disposed');
    const current = this.registerer;
    if (current !== undefined && current.state !== RegistererState.Terminated) {
      if (!isWaiting(current)) return current;
      if (current.lastRequestEpoch === this.connectionEpoch) {
        await whenIdle(current);
        return this.idleRegisterer();
      }
      // Not disposed (Registerer.dispose() would unregister the contact we are
      // about to register again): just silenced, and left to time out.
      this.stopObserving?.();
      clearRegistererTimers(current);
    }
    return this.newRegisterer();
  }

  private newRegisterer(): ReportingRegisterer {
    const registerer = new ReportingRegisterer(this.userAgent, this.options);
    registerer.currentEpoch = () => this.connectionEpoch;
    const onState = (state: RegistererState): void => {
      if (state !== RegistererState.Unregistered) return;
      // The status arrives in the delegate right after the state change.
      queueMicrotask(() => {
        if (this.ownRequests > 0 || this.disposed || this.registerer !== registerer) return;
        this.events.onLost(registrationLostError(registerer.lastFinalStatus, this.userAgent.isConnected()));
      });
    };
    registerer.stateChange.addListener(onState);
    this.stopObserving = () => registerer.stateChange.removeListener(onState);
    this.registerer = registerer;
    return registerer;
  }

  /**
   * Waits for the request `sent` started to get its final answer; rejects
   * with `transport-failed` at once if the connection drops meanwhile.
   */
  private async whileConnected(registerer: ReportingRegisterer, sent: Promise<unknown>): Promise<void> {
    try {
      await sent;
    } catch (error) {
      throw asVoiceSDKError(error, 'sip-error', 'REGISTER could not be sent');
    }
    const transport = this.userAgent.transport;
    await new Promise<void>((resolve, reject) => {
      const onTransportState = (): void => {
        if (!transport.isConnected()) {
          cleanup();
          reject(registerError(undefined, true));
        }
      };
      const cleanup = (): void => transport.stateChange.removeListener(onTransportState);
      transport.stateChange.addListener(onTransportState);
      whenIdle(registerer).then(
        () => {
          cleanup();
          resolve();
        },
        (error: unknown) => {
          cleanup();
          reject(error);
        },
      );
    });
  }
}

function registrationLostError(status: number | undefined, connected: boolean): VoiceSDKError {
  if (status === undefined && connected) {
    // No refresh answer at all: SIP.js's expiry timer ran out.
    return new VoiceSDKError('timeout', 'The registration expired without a successful refresh');
  }
  return registerError(status, !connected);
}

/**
 * Resolves once the registerer has no request in flight — skipping the
 * moment between a 423 (Interval Too Brief) and SIP.js's own retry.
 */
function whenIdle(registerer: Registerer): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = (): void => {
      queueMicrotask(() => {
        if (isWaiting(registerer)) return;
        waitingChangeOf(registerer).removeListener(onWaiting);
        resolve();
      });
    };
    const onWaiting = (waiting: boolean): void => {
      if (!waiting) check();
    };
    waitingChangeOf(registerer).addListener(onWaiting);
    if (!isWaiting(registerer)) check();
  });
}

function disposeQuietly(registerer: Registerer): Promise<void> {
  try {
    return registerer.dispose().catch(() => undefined);
  } catch {
    return Promise.resolve();
  }
}

/**
 * Clears a registerer's refresh and expiry timers. SIP.js keeps
 * `clearTimers()` private; we call it only for a registerer we are throwing
 * away whose own disposal could not finish.
 */
function clearRegistererTimers(registerer: Registerer): void {
  const internals = registerer as unknown as { clearTimers?: () => void };
  internals.clearTimers?.();
}

/**
 * SIP.js's `Registerer.waiting` / `waitingChange` (true while a REGISTER has
 * no final answer) are public getters at run time but `private` in its type
 * declarations; this is the one place that reads them.
 */
interface RegistererWaiting {
  readonly waiting: boolean;
  readonly waitingChange: Emitter<boolean>;
}

function isWaiting(registerer: Registerer): boolean {
  return (registerer as unknown as RegistererWaiting).waiting;
}

function waitingChangeOf(registerer: Registerer): Emitter<boolean> {
  return (registerer as unknown as RegistererWaiting).waitingChange;
}
