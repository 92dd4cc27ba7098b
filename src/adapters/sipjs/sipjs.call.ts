/**
 * One call over SIP.js: an `Inviter` (outbound) or `Invitation` (inbound)
 * behind the `CallPort`. SIP.js callbacks and state changes become
 * `CallPortEvent`s; requests become promises with `VoiceSDKError`s.
 *
 * What the port reports is what happened on the wire, and only what the
 * machine did not cause itself: once the machine asked to end the call (bye,
 * cancel, reject, dispose) or a promise it awaits reports the failure
 * (invite, accept), no event follows.
 */
import { Invitation, Inviter, SessionState } from 'sip.js';
import type { Bye, Cancel, Core, Referral, SessionDelegate, UserAgent, Web } from 'sip.js';
import type {
  CallPort,
  CallPortEvent,
  DtmfOptions,
  NegotiatedMedia,
  RecorderPort,
  Unsubscribe,
} from '../adapter';
import { declineReasonForStatus, VoiceSDKError } from '../../errors';
import { RemoteAudioOutput } from './media/audio-output';
import { assertDtmfDigits, DTMF_PAUSE_MS, playRtpDtmf } from './media/dtmf';
import { acquireMicrophone, microphoneConstraints, stopStream } from './media/microphone';
import { startRecording, type MixedRecording } from './media/recorder';
import type { FastIceSessionDescriptionHandler } from './sdh';
import { asVoiceSDKError, inDialogError, inviteError } from './sipjs.errors';
import { withTimeout } from './timeouts';
import { allowsMethod } from '../../sip/dtmf';
import { negotiatedAudio } from '../../sip/sdp';

/** Local media for every call: one microphone, no video. */
const AUDIO_ONLY: MediaStreamConstraints = { audio: true, video: false };

/** How long bye() waits for the BYE's final response before it resolves anyway, in ms. */
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
  readonly customHeaders: Readonly<Record<string, string>>;
}

/** Session delegate callbacks the call needs; SIP.js's `SessionDelegate` shape. */
export type CallSessionDelegate = Pick<
  SessionDelegate,
  'onBye' | 'onCancel' | 'onRefer' | 'onSessionDescriptionHandler'
>;

export class SipJsCall implements CallPort {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteIdentity: string;
  readonly customHeaders: Readonly<Record<string, string>>;
  // Private fields: they reach the SIP.js user agent and its credentials, and
  // the call sits in machine context that inspectors serialize.
  readonly #session: Inviter | Invitation;

  readonly #context: SipJsCallContext;
  readonly #listeners = new Set<(event: CallPortEvent) => void>();
  readonly #audioOutput = new RemoteAudioOutput();
  readonly #recordings = new Set<MixedRecording>();
  /** Settles pending waits (DTMF, pauses) when the call is disposed. */
  readonly #aborters = new Set<() => void>();
  readonly #stopObservingState: () => void;
  #stopObservingMedia: (() => void) | undefined;

  // Facts about this call's wire and media, not a mirror of SIP.js state.
  /** The machine asked for the end (bye, cancel, reject, dispose): report nothing more. */
  #endedLocally = false;
  /** A terminal event (declined, ended, failed) went out. */
  #reportedEnd = false;
  #reportedRinging = false;
  /** invite()/accept() is running: its promise reports a failure, not an event. */
  #operationInFlight = false;
  #remoteHangup = false;
  #cancelReason: 'canceled' | 'answered-elsewhere' | undefined;
  /** An outbound final non-2xx, turned into the event to report. */
  #finalResponseEvent: CallPortEvent | undefined;
  #muted = false;
  #held = false;
  #dtmfQueue: Promise<void> = Promise.resolve();
  #disposed = false;
  /** The far end's Allow header (the INVITE's, or the 2xx's for outbound); undefined until known. */
  #remoteAllow: string | undefined;
  /** The last `negotiated` facts reported (reported again only when they change). */
  #reportedNegotiation: string | undefined;

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
    this.customHeaders = Object.freeze({ ...init.customHeaders });
    this.id = init.session.request.callId;
    if (init.session instanceof Invitation) this.#remoteAllow = init.session.request.getHeader('allow') ?? '';
    const onStateChange = (state: SessionState): void => this.onSessionState(state);
    this.#session.stateChange.addListener(onStateChange);
    this.#stopObservingState = () => this.#session.stateChange.removeListener(onStateChange);
  }

  /** The delegate to give the session (set by the user agent before any request). */
  sessionDelegate(): CallSessionDelegate {
    return {
      onBye: (bye: Bye) => {
        this.#remoteHangup = true;
        bye.accept().catch(() => undefined);
      },
      onCancel: (cancel: Cancel) => {
        this.#cancelReason = isAnsweredElsewhere(cancel.request.getHeader('reason'))
          ? 'answered-elsewhere'
          : 'canceled';
      },
      // The port has no transfer yet: following a REFER would start a call
      // nobody tracks, so we decline it.
      onRefer: (referral: Referral) => {
        referral.reject({ statusCode: 603 }).catch(() => undefined);
      },
      onSessionDescriptionHandler: (handler, provisional) => {
        if (!provisional) this.watchMedia(handler as FastIceSessionDescriptionHandler);
      },
    };
  }

  subscribe(listener: (event: CallPortEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- outbound -----------------------------------------------------------

  async invite(): Promise<void> {
    const inviter = this.asInviter('invite');
    if (this.#disposed || inviter.state !== SessionState.Initial) {
      throw new VoiceSDKError('invalid-state', 'The INVITE was sent already or the call is over');
    }
    if (!this.#context.userAgent.isConnected()) {
      throw new VoiceSDKError('transport-failed', 'Cannot call: the connection to the SIP server is down');
    }
    this.#operationInFlight = true;
    try {
      await inviter.invite({
        sessionDescriptionHandlerOptions: { constraints: AUDIO_ONLY },
        requestDelegate: {
          // SIP.js calls this once the answer is applied (the call is Established).
          onAccept: (response) => {
            this.#remoteAllow = response.message.getHeader('allow') ?? '';
            this.reportNegotiated();
          },
          onProgress: (response) => this.onInviteProgress(response),
          onReject: (response) => this.onInviteFinalFailure(response),
          onRedirect: (response) => this.onInviteFinalFailure(response),
        },
      });
    } catch (error) {
      if (this.#endedLocally) {
        throw new VoiceSDKError('invalid-state', 'The call was ended before the INVITE was sent', { cause: error });
      }
      throw asVoiceSDKError(error, 'media-failed', 'Could not prepare the call');
    } finally {
      this.#operationInFlight = false;
    }
  }

  async cancel(): Promise<void> {
    const inviter = this.asInviter('cancel');
    if (inviter.state === SessionState.Establishing && inviter.dialog !== undefined) {
      // The 2xx is here and SIP.js is applying its answer: a CANCEL is
      // pointless now (SIP.js would not send it, and would then fail to
      // establish); hang up once established instead.
      this.#endedLocally = true;
      await settled(inviter);
      if ((inviter.state as SessionState) === SessionState.Established) await this.bye();
      return;
    }
    switch (inviter.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        this.#endedLocally = true;
        // If a 2xx crosses the CANCEL, SIP.js ACKs it and sends BYE itself.
        await inviter.cancel();
        return;
      case SessionState.Established:
        await this.bye();
        return;
      default:
        return; // already over
    }
  }

  private onInviteProgress(response: Core.IncomingResponse): void {
    const status = response.message.statusCode ?? 0;
    if ((status === 180 || status === 183) && !this.#reportedRinging) {
      this.#reportedRinging = true;
      this.emit({ type: 'ringing' });
    }
  }

  private onInviteFinalFailure(response: Core.IncomingResponse): void {
    const status = response.message.statusCode ?? 0;
    const reason = declineReasonForStatus(status);
    this.#finalResponseEvent = reason
      ? { type: 'declined', reason, status }
      : { type: 'failed', error: inviteError(status, this.#context.userAgent.isConnected()) };
  }

  // ---- inbound ------------------------------------------------------------

  async accept(): Promise<void> {
    const invitation = this.asInvitation('accept');
    if (this.#disposed || invitation.state !== SessionState.Initial) {
      throw new VoiceSDKError('invalid-state', 'The call cannot be answered any more');
    }
    this.#operationInFlight = true;
    const restoreReject = this.answerOfferFailuresWith488(invitation);
    try {
      await invitation.accept({ sessionDescriptionHandlerOptions: { constraints: AUDIO_ONLY } });
    } catch (error) {
      if (this.#cancelReason !== undefined) {
        throw new VoiceSDKError('invalid-state', 'The caller hung up before the call was answered', { cause: error });
      }
      throw asVoiceSDKError(error, 'media-failed', 'Could not answer the call');
    } finally {
      restoreReject();
      this.#operationInFlight = false;
    }
    if ((invitation.state as SessionState) !== SessionState.Established) {
      // SIP.js swallows the error when a CANCEL raced the answer.
      throw new VoiceSDKError('invalid-state', 'The caller hung up before the call was answered');
    }
  }

  /**
   * SIP.js answers 480 when it cannot apply an offer while accepting; that
   * tells a PBX "nobody answered" (voicemail, forwarding). When the offer is
   * what failed (the browser's setRemoteDescription threw), answer 488 with a
   * Warning instead; a refused microphone stays 480. Returns the undo. Reaches into SIP.js's private
   * `incomingInviteRequest`; without it (another SIP.js) nothing changes.
   */
  private answerOfferFailuresWith488(invitation: Invitation): () => void {
    const request = (invitation as unknown as { incomingInviteRequest?: IncomingInviteRequestLike }).incomingInviteRequest;
    if (request === undefined || typeof request.reject !== 'function') return () => undefined;
    const original = request.reject;
    request.reject = (options) => {
      const offerRefused = this.handler()?.remoteDescriptionFailure !== undefined;
      if (options?.statusCode === 480 && offerRefused && this.#cancelReason === undefined) {
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

  async reject(statusCode: number): Promise<void> {
    const invitation = this.asInvitation('reject');
    if (!Number.isInteger(statusCode) || statusCode < 300 || statusCode > 699) {
      throw new VoiceSDKError('invalid-argument', `${statusCode} is not a final failure status (300-699)`);
    }
    if (invitation.state !== SessionState.Initial && invitation.state !== SessionState.Establishing) {
      throw new VoiceSDKError('invalid-state', 'Only a call that was not answered can be rejected');
    }
    this.#endedLocally = true;
    await invitation.reject({ statusCode });
  }

  // ---- in dialog ----------------------------------------------------------

  async bye(): Promise<void> {
    const state = this.#session.state;
    if (state === SessionState.Terminating || state === SessionState.Terminated) {
      this.#endedLocally = true;
      return;
    }
    if (state !== SessionState.Established) {
      throw new VoiceSDKError('invalid-state', 'BYE needs an answered call (use cancel or reject before that)');
    }
    this.#endedLocally = true;
    // Resolve on the BYE's final response (or after a short wait), so that a
    // destroy() right after disconnect() does not close the socket under it.
    let answered: () => void = () => undefined;
    const response = new Promise<void>((resolve) => (answered = resolve));
    try {
      await this.#session.bye({ requestDelegate: { onAccept: () => answered(), onReject: () => answered() } });
    } catch (error) {
      throw asVoiceSDKError(error, 'sip-error', 'BYE could not be sent');
    }
    await withTimeout(response, BYE_RESPONSE_WAIT_MS);
  }

  async hold(onHold: boolean): Promise<void> {
    if (this.#disposed || this.#session.state !== SessionState.Established) {
      throw new VoiceSDKError('invalid-state', 'Hold needs an answered call');
    }
    const heldBefore = this.#held;
    // Going on hold: stop sending our microphone at once, not when the answer comes.
    if (onHold) this.setHeld(true);
    try {
      await this.reinvite(onHold);
    } catch (error) {
      this.setHeld(heldBefore);
      throw error;
    }
    this.setHeld(onHold);
  }

  /** re-INVITE with a=sendonly (hold) or a=sendrecv; resolves on the far end's 2xx. */
  private reinvite(onHold: boolean): Promise<void> {
    const session = this.#session;
    // `hold` sets the offered direction (sendonly / sendrecv); SIP.js keeps these
    // options for the re-INVITEs the far end sends us, so our answers stay on hold.
    const handlerOptions: Web.SessionDescriptionHandlerOptions = { hold: onHold, constraints: AUDIO_ONLY };
    // SIP.js stores these options before sending and keeps them when the
    // re-INVITE fails; put the previous ones back so later answers match the
    // state the machine rolled back to.
    const previousOptions = session.sessionDescriptionHandlerOptionsReInvite;
    return new Promise<void>((resolveReinvite, rejectReinvite) => {
      const resolve = (): void => resolveReinvite();
      const reject = (error: VoiceSDKError): void => {
        session.sessionDescriptionHandlerOptionsReInvite = previousOptions;
        rejectReinvite(error);
      };
      session
        .invite({
          sessionDescriptionHandlerOptions: handlerOptions,
          requestDelegate: {
            onAccept: () => {
              // SIP.js calls onAccept even when it could not apply the answer (and hung up).
              if (session.state === SessionState.Established) resolve();
              else reject(new VoiceSDKError('media-failed', 'The answer to the re-INVITE could not be applied'));
            },
            onReject: (response) => {
              const status = response.message.statusCode ?? 0;
              reject(inDialogError('re-INVITE', status, this.#context.userAgent.isConnected()));
            },
            onRedirect: (response) => {
              reject(inDialogError('re-INVITE', response.message.statusCode ?? 0, true));
            },
          },
        })
        .catch((error: unknown) => {
          const pending = error instanceof Error && error.name === 'RequestPendingError';
          reject(
            pending
              ? new VoiceSDKError('invalid-state', 'Another re-INVITE is still in progress', { cause: error })
              : asVoiceSDKError(error, 'media-failed', 'Could not send the re-INVITE'),
          );
        });
    });
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    this.applySenderEnabled();
  }

  sendDigits(digits: string, options: DtmfOptions): Promise<void> {
    try {
      assertDtmfDigits(digits);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#disposed || this.#session.state !== SessionState.Established) {
      return Promise.reject(new VoiceSDKError('invalid-state', 'DTMF needs an answered call'));
    }
    // One burst at a time: insertDTMF would drop the tones still queued.
    const run = (): Promise<void> =>
      options.method === 'info' ? this.sendInfoDigits(digits, options) : this.sendRtpDigits(digits, options);
    const result = this.#dtmfQueue.then(run, run);
    this.#dtmfQueue = result.catch(() => undefined);
    return result;
  }

  private async sendRtpDigits(digits: string, options: DtmfOptions): Promise<void> {
    const playback = playRtpDtmf(this.audioSender(), digits, options);
    this.#aborters.add(playback.cancel);
    try {
      await playback.done;
    } finally {
      this.#aborters.delete(playback.cancel);
    }
  }

  /** One SIP INFO (application/dtmf-relay) per digit, each awaited, `gapMs` apart. */
  private async sendInfoDigits(digits: string, options: DtmfOptions): Promise<void> {
    const durationMs = Math.max(1, Math.round(options.durationMs));
    const characters = [...digits];
    for (const [index, digit] of characters.entries()) {
      if (digit === ',') {
        await this.pause(DTMF_PAUSE_MS);
        continue;
      }
      await this.sendInfoDigit(digit, durationMs);
      if (index < characters.length - 1) await this.pause(Math.max(0, options.gapMs));
    }
  }

  private sendInfoDigit(digit: string, durationMs: number): Promise<void> {
    if (this.#disposed || this.#session.state !== SessionState.Established) {
      return Promise.reject(new VoiceSDKError('invalid-state', 'The call ended while DTMF was being sent'));
    }
    return new Promise<void>((resolve, reject) => {
      this.#session
        .info({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) =>
              reject(inDialogError('INFO', response.message.statusCode ?? 0, this.#context.userAgent.isConnected())),
          },
          requestOptions: {
            body: {
              contentDisposition: 'render',
              contentType: 'application/dtmf-relay',
              content: `Signal=${digit}\r\nDuration=${durationMs}`,
            },
          },
        })
        .catch((error: unknown) => reject(asVoiceSDKError(error, 'sip-error', 'INFO could not be sent')));
    });
  }

  async setInputDevice(deviceId: string): Promise<void> {
    const handler = this.handler();
    if (this.#disposed || handler === undefined || handler.closed) {
      throw new VoiceSDKError('invalid-state', 'The call has no media to change the microphone of');
    }
    const stream = await acquireMicrophone(microphoneConstraints(deviceId));
    if (this.#disposed || handler.closed) {
      stopStream(stream);
      throw new VoiceSDKError('invalid-state', 'The call ended while the microphone was being opened');
    }
    try {
      // Replaces the sender's track and stops the old one.
      await handler.replaceLocalStream(stream);
    } catch (error) {
      stopStream(stream);
      throw asVoiceSDKError(error, 'media-failed', 'Could not switch the microphone');
    }
    this.applySenderEnabled();
    const track = this.audioSender()?.track ?? undefined;
    this.#recordings.forEach((recording) => recording.replaceLocalTrack(track));
  }

  setOutputDevice(deviceId: string): Promise<void> {
    return this.#audioOutput.setSinkId(deviceId);
  }

  startRecording(): RecorderPort {
    const peerConnection = this.getPeerConnection();
    if (this.#disposed || peerConnection === undefined) {
      throw new VoiceSDKError('invalid-state', 'The call has no media to record');
    }
    const remote = peerConnection.getReceivers().find((receiver) => receiver.track.kind === 'audio')?.track;
    const recording = startRecording({ local: this.audioSender()?.track ?? undefined, remote });
    this.#recordings.add(recording);
    const release = (): void => {
      this.#recordings.delete(recording);
    };
    return {
      pause: () => recording.pause(),
      resume: () => recording.resume(),
      onError: (listener) => recording.onError(listener),
      stop: () => recording.stop().finally(release),
      dispose: () => {
        release();
        recording.dispose();
      },
    };
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    const peerConnection = this.getPeerConnection();
    return peerConnection === undefined ? undefined : peerConnection.getStats();
  }

  getPeerConnection(): RTCPeerConnection | undefined {
    return this.handler()?.peerConnection;
  }

  // ---- teardown -----------------------------------------------------------

  /**
   * Ends the call on the wire the way its state allows (CANCEL, BYE, or a
   * 480 for an unanswered incoming call); best effort, used by the user
   * agent's dispose. Resolves once the request is handed to the transport.
   */
  async end(): Promise<void> {
    this.#endedLocally = true;
    const session = this.#session;
    try {
      switch (session.state) {
        case SessionState.Initial:
        case SessionState.Establishing:
          if (session instanceof Inviter) await session.cancel();
          else await session.reject({ statusCode: 480 });
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
    this.#endedLocally = true;
    this.#listeners.clear();
    this.#recordings.forEach((recording) => recording.dispose());
    this.#recordings.clear();
    this.#aborters.forEach((abort) => abort());
    this.#aborters.clear();
    this.#stopObservingMedia?.();
    this.#stopObservingState();
    const handler = this.handler();
    // SIP.js ends a live session its own way (CANCEL, BYE, 480) and closes its media.
    this.#session.dispose().catch(() => undefined);
    // Close now rather than after the CANCEL settles: the microphone goes off at once.
    handler?.close();
    this.#audioOutput.dispose();
    this.#context.onDisposed(this);
  }

  // ---- internals ----------------------------------------------------------

  private onSessionState(state: SessionState): void {
    if (state === SessionState.Established) {
      const handler = this.handler();
      if (handler !== undefined) this.#audioOutput.play(handler.remoteMediaStream);
      this.applySenderEnabled();
      if (this.direction === 'outbound' && !this.#endedLocally) this.emit({ type: 'answered' });
      this.reportNegotiated();
      return;
    }
    if (state === SessionState.Terminated) {
      // SIP.js changes state before it calls the request delegate that says
      // why (e.g. the INVITE's final response): decide once those have run.
      queueMicrotask(() => this.onTerminated());
    }
  }

  private onTerminated(): void {
    this.#stopObservingMedia?.();
    if (this.#endedLocally || this.#reportedEnd) return;
    if (this.#cancelReason !== undefined) {
      this.emitEnd({ type: 'ended', reason: this.#cancelReason });
      return;
    }
    if (this.#operationInFlight) return; // invite()/accept() rejects instead
    if (this.#finalResponseEvent !== undefined) {
      this.emitEnd(this.#finalResponseEvent);
      return;
    }
    if (this.#remoteHangup) {
      this.emitEnd({ type: 'ended', reason: 'remote-hangup' });
      return;
    }
    if (this.direction === 'inbound' && !this.answered()) {
      // SIP.js answered 480 itself after its no-answer timer.
      this.emitEnd({
        type: 'failed',
        error: new VoiceSDKError('timeout', 'The incoming call was not answered in time'),
      });
      return;
    }
    // SIP.js hangs up on its own only when it cannot use the far end's SDP or no ACK came.
    this.emitEnd({
      type: 'failed',
      error: new VoiceSDKError('media-failed', 'The call ended: its media could not be negotiated'),
    });
  }

  private answered(): boolean {
    return this.#session.dialog !== undefined && this.#session.state !== SessionState.Initial;
  }

  /** Plays the call's remote audio and reports ICE / DTLS failure as `media-failed`. */
  private watchMedia(handler: FastIceSessionDescriptionHandler): void {
    const peerConnection = handler.peerConnection;
    if (peerConnection === undefined) return;
    // Play as soon as a remote track exists (early media, 183 with SDP, is heard
    // while ringing), but after setRemoteDescription has run: starting playout
    // inside it costs 5-10 ms of call setup (measured by the benchmark).
    const startPlayout = (): void => {
      if (!this.#disposed) this.#audioOutput.play(handler.remoteMediaStream);
    };
    this.#stopObservingMedia?.();
    let playoutTimer: ReturnType<typeof setTimeout> | undefined;
    const onTrack = (): void => {
      playoutTimer = setTimeout(startPlayout, 0);
    };
    if (handler.remoteMediaStream.getTracks().length > 0) startPlayout();
    else peerConnection.addEventListener('track', onTrack, { once: true });
    const check = (): void => {
      const failed = peerConnection.connectionState === 'failed' || peerConnection.iceConnectionState === 'failed';
      if (!failed || this.#endedLocally || this.#reportedEnd) return;
      this.emitEnd({
        type: 'failed',
        error: new VoiceSDKError(
          'media-failed',
          `The media connection failed (ICE ${peerConnection.iceConnectionState}, ${peerConnection.connectionState})`,
        ),
      });
    };
    // Each completed offer/answer (re-INVITEs too) may change codec or telephone-events.
    const onSignalingState = (): void => {
      if (peerConnection.signalingState === 'stable') this.reportNegotiated();
    };
    peerConnection.addEventListener('connectionstatechange', check);
    peerConnection.addEventListener('iceconnectionstatechange', check);
    peerConnection.addEventListener('signalingstatechange', onSignalingState);
    this.#stopObservingMedia = () => {
      peerConnection.removeEventListener('signalingstatechange', onSignalingState);
      peerConnection.removeEventListener('connectionstatechange', check);
      peerConnection.removeEventListener('iceconnectionstatechange', check);
      peerConnection.removeEventListener('track', onTrack);
      clearTimeout(playoutTimer);
      this.#stopObservingMedia = undefined;
    };
  }

  /**
   * Reports what the last completed offer/answer settled on (`negotiated`),
   * once the call is established and the far end's Allow header is known,
   * and again whenever a later exchange changes it. Facts only: the chart
   * chooses the DTMF method.
   */
  private reportNegotiated(): void {
    if (this.#disposed || this.#endedLocally || this.#remoteAllow === undefined) return;
    if (this.#session.state !== SessionState.Established) return;
    const peerConnection = this.getPeerConnection();
    if (peerConnection === undefined || peerConnection.signalingState !== 'stable') return;
    const remote = peerConnection.currentRemoteDescription ?? peerConnection.remoteDescription;
    const local = peerConnection.currentLocalDescription ?? peerConnection.localDescription;
    const answer = remote?.type === 'answer' ? remote : local;
    const audio = negotiatedAudio(answer?.sdp);
    if (audio === undefined) return;
    const facts: NegotiatedMedia = { ...audio, allowsInfo: allowsMethod(this.#remoteAllow, 'INFO') };
    const key = JSON.stringify(facts);
    if (key === this.#reportedNegotiation) return;
    this.#reportedNegotiation = key;
    this.emit({ type: 'negotiated', ...facts });
  }

  private setHeld(held: boolean): void {
    this.#held = held;
    this.applySenderEnabled();
  }

  /** The microphone is sent only when neither muted nor on hold. */
  private applySenderEnabled(): void {
    const enabled = !this.#muted && !this.#held;
    const peerConnection = this.getPeerConnection();
    peerConnection?.getSenders().forEach((sender) => {
      if (sender.track !== null && sender.track.kind === 'audio') sender.track.enabled = enabled;
    });
    this.handler()
      ?.localMediaStream.getAudioTracks()
      .forEach((track) => {
        track.enabled = enabled;
      });
  }

  private audioSender(): RTCRtpSender | undefined {
    const senders = this.getPeerConnection()?.getSenders() ?? [];
    return senders.find((sender) => sender.track?.kind === 'audio') ?? senders[0];
  }

  private handler(): FastIceSessionDescriptionHandler | undefined {
    return this.#session.sessionDescriptionHandler as FastIceSessionDescriptionHandler | undefined;
  }

  /** Waits `ms`, or rejects at once when the call is disposed. */
  private pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const abort = (): void => {
        clearTimeout(timer);
        reject(new VoiceSDKError('invalid-state', 'The call ended while DTMF was being sent'));
      };
      const timer = setTimeout(() => {
        this.#aborters.delete(abort);
        resolve();
      }, ms);
      this.#aborters.add(abort);
    });
  }

  private emitEnd(event: CallPortEvent): void {
    this.#reportedEnd = true;
    this.emit(event);
  }

  private emit(event: CallPortEvent): void {
    if (this.#disposed) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not break SIP.js's callback chain.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private asInviter(method: string): Inviter {
    if (!(this.#session instanceof Inviter)) {
      throw new VoiceSDKError('invalid-state', `${method}() is for outbound calls`);
    }
    return this.#session;
  }

  private asInvitation(method: string): Invitation {
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

/** Resolves once an establishing session is Established or over. */
function settled(session: Inviter | Invitation): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = (): void => {
      if (session.state === SessionState.Establishing || session.state === SessionState.Initial) return;
      session.stateChange.removeListener(check);
      resolve();
    };
    session.stateChange.addListener(check);
    check();
  });
}

/** `Reason: SIP;cause=200;text="Call completed elsewhere"` (RFC 3326) on a CANCEL. */
function isAnsweredElsewhere(reason: string | undefined): boolean {
  if (reason === undefined) return false;
  return /cause\s*=\s*200\b/i.test(reason) || /completed elsewhere/i.test(reason);
}
