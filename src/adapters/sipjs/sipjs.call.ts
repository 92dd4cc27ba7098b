/**
 * One call over SIP.js: an `Inviter` (outbound) or `Invitation` (inbound)
 * behind the `CallPort`. It translates and decides nothing: SIP.js's events
 * become `CallFact`s (`./sipjs.session`), commands become SIP.js requests,
 * and the jobs live in their own files — hold (`./sipjs.reinvite`), DTMF
 * (`./sipjs.dtmf`), devices and recording (`./sipjs.devices`), playout, media
 * state and sending (`./sipjs.media`).
 */
import { Invitation, Inviter, SessionState } from 'sip.js';
import type { UserAgent } from 'sip.js';
import type { CallFact, CallPort, DtmfOptions, RecorderPort, RemoteParty, Unsubscribe } from '../adapter';
import { VoiceSDKError } from '../../errors';
import { ListenerSet } from '../listeners';
import { settlesWithin } from '../timeouts';
import type { CallMediaOptions, FastIceSessionDescriptionHandler } from './sdh';
import { LocalAudio } from './sipjs.devices';
import { DtmfSender } from './sipjs.dtmf';
import { asVoiceSDKError } from './sipjs.errors';
import { CallMedia } from './sipjs.media';
import { answerCrossingReinvitesWith491, AUDIO_AND_VIDEO, AUDIO_ONLY, sendReinvite } from './sipjs.reinvite';
import { CallVideo } from './sipjs.video';
import { NegotiationReporter } from './sipjs.negotiation';
import { SessionReporter } from './sipjs.session';
import { sendRefer } from './sipjs.refer';
import { UNAVAILABLE_STATUS } from '../../sip/responses';
import { inDialogError } from '../../sip/status';

/** How long bye() waits for the BYE's final response before it rejects `timeout` (the call is over locally anyway), in ms. */
const BYE_RESPONSE_WAIT_MS = 2000;

/** What a call needs from its user agent. */
export interface SipJsCallContext {
  readonly userAgent: UserAgent;
  /** Called once when the call is disposed, so the user agent forgets it. */
  readonly onDisposed: (call: SipJsCall) => void;
}

export interface SipJsCallInit {
  readonly direction: 'inbound' | 'outbound';
  readonly session: Inviter | Invitation;
  readonly remoteIdentity: string;
  readonly remoteParty: RemoteParty;
  readonly customHeaders: Readonly<Record<string, string>>;
  /** Inbound: the id of the call the INVITE's Replaces names. */
  readonly replaces?: string;
  /** Outbound: offer video too. */
  readonly video?: boolean;
  /** Outbound: the microphone the INVITE opens (undefined: the default one). */
  readonly inputDeviceId?: string;
}

export class SipJsCall implements CallPort {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteIdentity: string;
  readonly remoteParty: Readonly<RemoteParty>;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly replaces: string | undefined;
  // Private fields: they reach the SIP.js user agent and its credentials, and
  // the call sits in machine context that inspectors serialize.
  readonly #session: Inviter | Invitation;
  readonly #context: SipJsCallContext;
  readonly #facts = new ListenerSet<CallFact>();
  readonly #reporter: SessionReporter;
  readonly #media: CallMedia;
  readonly #local: LocalAudio;
  readonly #dtmf: DtmfSender;
  readonly #negotiation: NegotiationReporter;
  readonly #video: CallVideo;
  readonly #offerVideo: boolean;
  readonly #inputDeviceId: string | undefined;
  #disposed = false;

  /** Escape hatch: the SIP.js `Inviter` or `Invitation`. */
  get session(): Inviter | Invitation {
    return this.#session;
  }

  /** What serializers (inspectors) see: nothing that leads to credentials. */
  toJSON(): Record<string, unknown> {
    return { id: this.id, direction: this.direction, remoteIdentity: this.remoteIdentity };
  }

  constructor(context: SipJsCallContext, init: SipJsCallInit) {
    this.#context = context;
    this.#session = init.session;
    this.direction = init.direction;
    this.remoteIdentity = init.remoteIdentity;
    this.remoteParty = Object.freeze({ ...init.remoteParty });
    this.customHeaders = Object.freeze({ ...init.customHeaders });
    this.replaces = init.replaces;
    this.id = init.session.request.callId;
    const handler = (): FastIceSessionDescriptionHandler | undefined =>
      this.#session.sessionDescriptionHandler as FastIceSessionDescriptionHandler | undefined;
    // Facts reach the listeners once SIP.js's callback has returned: the
    // machine may dispose the session in answer, which SIP.js does not expect
    // from inside its own handlers (e.g. onBye, before it ends the session).
    const emit = (fact: CallFact): void => {
      queueMicrotask(() => {
        if (!this.#disposed) this.#facts.emit(fact);
      });
    };
    const transportUp = (): boolean => context.userAgent.isConnected();
    this.#media = new CallMedia(handler, emit);
    this.#video = new CallVideo(handler, emit);
    this.#offerVideo = init.video === true;
    this.#inputDeviceId = init.inputDeviceId;
    this.#local = new LocalAudio(handler, () => this.#media.audioSender);
    this.#dtmf = new DtmfSender(init.session, () => this.#media.audioSender, transportUp);
    this.#negotiation = new NegotiationReporter(
      () => this.#media.peerConnection,
      () => this.#session.state === SessionState.Established,
      emit,
      init.session instanceof Invitation ? (init.session.request.getHeader('allow') ?? '') : undefined,
    );
    this.#reporter = new SessionReporter(init.session, init.remoteParty.displayName, {
      emit,
      transportUp,
      onMediaHandler: (sdh) => {
        this.#media.watch(sdh as FastIceSessionDescriptionHandler);
        this.#video.watch(sdh as FastIceSessionDescriptionHandler);
        const peerConnection = (sdh as FastIceSessionDescriptionHandler).peerConnection;
        if (peerConnection !== undefined) this.#negotiation.watch(peerConnection);
      },
      onEstablished: () => {
        this.#media.play();
        // After the `established` fact (facts are delivered a microtask later, in order).
        queueMicrotask(() => {
          this.#negotiation.report();
          this.#video.report();
        });
      },
      onAccepted: (allow) => this.#negotiation.setRemoteAllow(allow),
    });
    this.#session.delegate = this.#reporter.delegate();
    answerCrossingReinvitesWith491(this.#session);
  }

  subscribe(listener: (fact: CallFact) => void): Unsubscribe {
    return this.#facts.add(listener);
  }

  // ---- outbound -----------------------------------------------------------

  async invite(): Promise<void> {
    const inviter = this.#inviter('invite');
    if (!this.#context.userAgent.isConnected()) {
      throw new VoiceSDKError('transport-failed', 'Cannot call: the connection to the SIP server is down');
    }
    const media: CallMediaOptions = { constraints: this.#offerVideo ? AUDIO_AND_VIDEO : AUDIO_ONLY, inputDeviceId: this.#inputDeviceId };
    try {
      await inviter.invite({
        sessionDescriptionHandlerOptions: media,
        requestDelegate: this.#reporter.inviteDelegate(),
      });
    } catch (error) {
      throw asVoiceSDKError(error, 'media-failed', 'Could not prepare the call');
    }
  }

  async cancel(): Promise<void> {
    const inviter = this.#inviter('cancel');
    // A 2xx arrived already (SIP.js is applying its answer, or did): there is
    // nothing left to cancel, and SIP.js would not send a CANCEL now.
    if (inviter.dialog !== undefined) return;
    if (inviter.state !== SessionState.Initial && inviter.state !== SessionState.Establishing) return;
    // A 2xx that crosses the CANCEL is acknowledged (and hung up) by SIP.js: reported as a `final` 2xx.
    await inviter.cancel();
  }

  // ---- inbound ------------------------------------------------------------

  async answer(options: { video?: boolean; inputDeviceId?: string } = {}): Promise<void> {
    const invitation = this.#invitation('answer');
    const restoreReject = answerOfferFailuresWith488(invitation);
    try {
      const media: CallMediaOptions = { constraints: options.video ? AUDIO_AND_VIDEO : AUDIO_ONLY, inputDeviceId: options.inputDeviceId };
      await invitation.accept({ sessionDescriptionHandlerOptions: media });
    } catch (error) {
      throw asVoiceSDKError(error, 'media-failed', 'Could not answer the call');
    } finally {
      restoreReject();
    }
    if ((invitation.state as SessionState) !== SessionState.Established) {
      // SIP.js swallows the error when a CANCEL raced the answer.
      throw new VoiceSDKError('invalid-state', 'The caller hung up before the call was answered');
    }
  }

  async reject(statusCode: number): Promise<void> {
    const invitation = this.#invitation('reject');
    try {
      await invitation.reject({ statusCode });
    } catch (error) {
      throw asVoiceSDKError(error, 'invalid-state', 'The call cannot be rejected');
    }
  }

  // ---- in dialog ----------------------------------------------------------

  async bye(): Promise<void> {
    const state = this.#session.state;
    if (state === SessionState.Terminating || state === SessionState.Terminated) return;
    if (state !== SessionState.Established) {
      throw new VoiceSDKError('invalid-state', 'BYE needs an answered call (use cancel or reject before that)');
    }
    // Settle on the BYE's final response (or after a short wait), so that a
    // destroy() right after disconnect() does not close the socket under it.
    // Refused (e.g. a proxy's 500 for a dead alias) or unanswered: rejected,
    // so the chart can report the lost hangup; the session is over locally.
    // 481 is no refusal: the far end has no such call any more (it ended it
    // too, e.g. its refresh met our hangup after a server restart).
    let answered: (refusal?: VoiceSDKError) => void = () => undefined;
    const response = new Promise<VoiceSDKError | undefined>((resolve) => (answered = resolve));
    const refused = (status: number): VoiceSDKError => inDialogError('BYE', status, !this.#context.userAgent.isConnected());
    try {
      await this.#session.bye({
        requestDelegate: { onAccept: () => answered(), onReject: (reply) => answered(reply.message.statusCode === 481 ? undefined : refused(reply.message.statusCode ?? 0)),
        },
      });
    } catch (error) {
      throw asVoiceSDKError(error, 'sip-error', 'BYE could not be sent');
    }
    if (!(await settlesWithin(response, BYE_RESPONSE_WAIT_MS))) {
      throw new VoiceSDKError('timeout', `The BYE got no answer within ${BYE_RESPONSE_WAIT_MS} ms`);
    }
    const refusal = await response;
    if (refusal) throw refusal;
  }

  async reinvite(options: { hold: boolean; iceRestart?: boolean; video?: boolean }): Promise<void> {
    if (this.#disposed) throw new VoiceSDKError('invalid-state', 'The call is over');
    const video = options.video;
    if (video !== undefined) await this.#video.prepare(video);
    try {
      await sendReinvite(this.#session, { hold: options.hold, iceRestart: options.iceRestart }, () => this.#context.userAgent.isConnected());
    } catch (error) {
      // Refused: the camera goes back to what it was (the chart rolls its video back too).
      if (video !== undefined && !this.#disposed) await this.#video.prepare(!video).catch(() => undefined);
      throw error;
    }
  }

  setVideoInputDevice(deviceId: string): Promise<void> {
    return this.#video.setInputDevice(deviceId);
  }

  setSending(enabled: boolean): void {
    this.#media.setSending(enabled);
  }

  sendDtmf(digits: string, options: DtmfOptions): Promise<void> {
    return this.#dtmf.send(digits, options);
  }

  respondToRefer(statusCode: number, id?: string): void {
    this.#reporter.respondToRefer(statusCode, id);
  }

  refer(target: string | CallPort): Promise<void> {
    return sendRefer(this.#session, target, () => this.#context.userAgent.isConnected());
  }

  /** The Inviter that follows the REFER answered 202 (`createReferredCall`), or undefined. */
  referredInviter(): Inviter | undefined {
    return this.#reporter.referredInviter({ earlyMedia: true });
  }

  setInputDevice(deviceId: string): Promise<void> {
    return this.#local.setInputDevice(deviceId);
  }

  setOutputDevice(deviceId: string): Promise<void> {
    return this.#media.setOutputDevice(deviceId);
  }

  startRecording(): RecorderPort {
    return this.#local.startRecording(this.getPeerConnection());
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    const peerConnection = this.getPeerConnection();
    return peerConnection === undefined ? undefined : peerConnection.getStats();
  }

  getPeerConnection(): RTCPeerConnection | undefined {
    return this.#media.peerConnection;
  }

  // ---- teardown -----------------------------------------------------------

  /**
   * Ends the call on the wire the way its state allows (CANCEL, BYE, or a
   * 480 for an unanswered incoming call); best effort, used by the user
   * agent's dispose. Resolves once the request is handed to the transport.
   */
  async end(): Promise<void> {
    const session = this.#session;
    try {
      switch (session.state) {
        case SessionState.Initial:
        case SessionState.Establishing:
          if (session instanceof Inviter) await session.cancel();
          else await session.reject({ statusCode: UNAVAILABLE_STATUS });
          return;
        case SessionState.Established:
          await session.bye();
          return;
        default:
          return;
      }
    } catch {
      // best effort
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#facts.clear();
    this.#local.dispose();
    this.#dtmf.dispose();
    this.#reporter.dispose();
    this.#negotiation.dispose();
    this.#video.dispose();
    this.#media.dispose();
    const handler = this.#session.sessionDescriptionHandler;
    // SIP.js ends a live session its own way (CANCEL, BYE, 480) and closes its media.
    this.#session.dispose().catch(() => undefined);
    // Close now rather than after the CANCEL settles: the microphone goes off at once.
    handler?.close();
    this.#context.onDisposed(this);
  }

  // ---- internals ----------------------------------------------------------

  #inviter(method: string): Inviter {
    if (!(this.#session instanceof Inviter)) {
      throw new VoiceSDKError('invalid-state', `${method}() is for outbound calls`);
    }
    return this.#session;
  }

  #invitation(method: string): Invitation {
    if (!(this.#session instanceof Invitation)) {
      throw new VoiceSDKError('invalid-state', `${method}() is for inbound calls`);
    }
    return this.#session;
  }
}

/** The part of SIP.js's `IncomingInviteRequest` that answers it with a failure. */
interface IncomingInviteRequestLike {
  reject(options?: { statusCode?: number; reasonPhrase?: string; extraHeaders?: string[]; body?: unknown }): unknown;
}

/**
 * SIP.js answers 480 when it cannot apply an offer while accepting; that
 * tells a PBX "nobody answered" (voicemail, forwarding). When the offer is
 * what failed (the browser's setRemoteDescription threw), answer 488 with a
 * Warning instead; a refused microphone stays 480. Returns the undo. Reaches
 * into SIP.js's private `incomingInviteRequest`; without it (another SIP.js)
 * nothing changes.
 */
function answerOfferFailuresWith488(invitation: Invitation): () => void {
  const request = (invitation as unknown as { incomingInviteRequest?: IncomingInviteRequestLike }).incomingInviteRequest;
  if (request === undefined || typeof request.reject !== 'function') return () => undefined;
  const original = request.reject;
  request.reject = (options) => {
    const handler = invitation.sessionDescriptionHandler as FastIceSessionDescriptionHandler | undefined;
    const offerRefused = handler?.remoteDescriptionFailure !== undefined;
    if (options?.statusCode === 480 && offerRefused) {
      return original.call(request, {
        ...options,
        statusCode: 488,
        extraHeaders: [...(options.extraHeaders ?? []), 'Warning: 399 callchart "The browser could not apply the offer"'],
      });
    }
    return original.call(request, options);
  };
  return () => {
    request.reject = original;
  };
}
