/**
 * SIP.js session events → `CallFact`s: the INVITE's responses, BYE / CANCEL /
 * re-INVITE / REFER / NOTIFY / INFO received, and the session's end. Reports
 * what happened and answers only what SIP answers by itself (200 to BYE,
 * INFO, NOTIFY); REFER waits for the machine's `respondToRefer`.
 */
import { Inviter, SessionState } from 'sip.js';
import type { Core, Invitation, InviterOptions, Referral, SessionDelegate, SessionDescriptionHandler } from 'sip.js';
import type { CallFact, MediaDirection } from '../adapter';
import { assertsIdentity, identityHeadersOf } from './sipjs.identity';

/** Where the facts go, and the facts SIP.js does not tell in a callback. */
export interface SessionReporterHost {
  /** Delivers a fact after the current SIP.js callback (a microtask later; order kept). */
  emit(fact: CallFact): void;
  /** Whether the socket is up now (a final response made up by the stack when it is down says so). */
  transportUp(): boolean;
  /** The session's final (non-provisional) description handler exists: media can be watched. */
  onMediaHandler(handler: SessionDescriptionHandler): void;
  /** SIP.js made the session Established (the answer is applied). */
  onEstablished(): void;
  /** Outbound: SIP.js accepted the far end's 2xx; `allow` is its Allow header. */
  onAccepted(allow: string | undefined): void;
}

/**
 * An `Inviter` that tells when SIP.js acknowledges a 2xx and hangs up by
 * itself — a 2xx that crossed our CANCEL, or one whose SDP it cannot use —
 * which it does without calling any delegate.
 */
export class ReportingInviter extends Inviter {
  /** Set right after construction. */
  onAckAndBye: (status: number) => void = () => undefined;

  protected override ackAndBye(response: Core.AckableIncomingResponseWithSession, statusCode?: number, reasonPhrase?: string): void {
    // Established: an extra 2xx of a forked INVITE, not ours to report.
    if (this.state !== SessionState.Established) this.onAckAndBye(response.message.statusCode ?? 200);
    super.ackAndBye(response, statusCode, reasonPhrase);
  }
}

export class SessionReporter {
  readonly #session: Inviter | Invitation;
  readonly #host: SessionReporterHost;
  readonly #stopObserving: () => void;
  /** The REFERs waiting for the machine's answer, by the id their `refer` fact gave. */
  readonly #referrals = new Map<string, Referral>();
  #referSequence = 0;
  /** The REFER the machine accepted (202): `referredInviter()` follows it. */
  #accepted: Referral | undefined;
  /** The `confirmed` fact was reported. */
  #confirmed = false;
  /** The far end's display name last reported (a re-INVITE with another one is an `identity` fact). */
  #displayName: string | undefined;

  constructor(session: Inviter | Invitation, displayName: string | undefined, host: SessionReporterHost) {
    this.#session = session;
    this.#displayName = displayName;
    this.#host = host;
    if (session instanceof ReportingInviter) session.onAckAndBye = (status) => host.emit({ type: 'final', status });
    const onState = (state: SessionState): void => this.#onState(state);
    session.stateChange.addListener(onState);
    this.#stopObserving = () => session.stateChange.removeListener(onState);
  }

  /** The delegate to give the session (before any request). */
  delegate(): SessionDelegate {
    return {
      onBye: (bye) => {
        bye.accept().catch(() => undefined);
        const reason = bye.request.getHeader('reason');
        this.#host.emit(reason === undefined ? { type: 'bye' } : { type: 'bye', reason });
      },
      // Inbound: the ACK to our 200 confirms the dialog (later ACKs answer re-INVITEs).
      onAck: () => {
        if (this.#confirmed) return;
        this.#confirmed = true;
        this.#host.emit({ type: 'confirmed' });
      },
      onCancel: (cancel) => {
        const reason = cancel.request.getHeader('reason');
        this.#host.emit(reason === undefined ? { type: 'cancel' } : { type: 'cancel', reason });
      },
      onRefer: (referral) => {
        const id = `refer-${++this.#referSequence}`;
        this.#referrals.set(id, referral);
        let referTo: string;
        try {
          referTo = referral.referTo.toString();
        } catch {
          // SIP.js could not parse the Refer-To: the chart answers what it gets (400).
          referTo = '';
        }
        this.#host.emit({ type: 'refer', referTo, id });
      },
      onInvite: (request) => {
        // The far end may say who it is now (a PBX after a transfer): its identity first, then the re-INVITE.
        const party = identityHeadersOf(request, request.from);
        const renamed = party.displayName !== undefined && party.displayName !== this.#displayName;
        if (assertsIdentity(party) || renamed) {
          this.#displayName = party.displayName ?? this.#displayName;
          const { uri: _uri, ...identity } = party;
          this.#host.emit({ type: 'identity', ...identity });
        }
        this.#host.emit({ type: 'reinvite', direction: offeredAudioDirection(request.body) });
      },
      onInfo: (info) => {
        info.accept().catch(() => undefined);
        const body = info.request.body;
        this.#host.emit({ type: 'info', contentType: info.request.getHeader('content-type') ?? '', body });
      },
      onNotify: (notification) => {
        notification.accept().catch(() => undefined);
        const request = notification.request;
        this.#host.emit({ type: 'notify', event: request.getHeader('event') ?? '', body: request.body });
      },
      onSessionDescriptionHandler: (handler, provisional) => {
        if (!provisional) this.#host.onMediaHandler(handler);
      },
    };
  }

  /** The request delegate of our INVITE: provisional and final failure responses. */
  inviteDelegate(): NonNullable<Parameters<Inviter['invite']>[0]>['requestDelegate'] {
    const final = (response: Core.IncomingResponse): void => {
      const reason = response.message.getHeader('reason');
      this.#host.emit({
        type: 'final',
        status: response.message.statusCode ?? 0,
        ...(reason === undefined ? {} : { reason }),
        ...(this.#host.transportUp() ? {} : { transportDown: true }),
      });
    };
    return {
      onProgress: (response) => {
        const status = response.message.statusCode ?? 0;
        const reason = response.message.getHeader('reason');
        // SIP.js applies an SDP in a provisional response as early media (earlyMedia: true).
        const earlyMedia = /^application\/sdp/i.test(response.message.getHeader('content-type') ?? '') && response.message.body !== '';
        this.#host.emit({ type: 'provisional', status, ...(reason === undefined ? {} : { reason }), ...(earlyMedia ? { earlyMedia } : {}) });
      },
      onAccept: (response) => {
        // A PBX asserts who answered (P-Asserted-Identity / Remote-Party-ID on the 2xx).
        const party = identityHeadersOf(response.message);
        if (assertsIdentity(party)) this.#host.emit({ type: 'identity', ...party });
        this.#host.onAccepted(response.message.getHeader('allow'));
      },
      onReject: final,
      onRedirect: final,
    };
  }

  /** Answers the REFER the last `refer` fact reported. */
  respondToRefer(statusCode: number, id = `refer-${this.#referSequence}`): void {
    const referral = this.#referrals.get(id);
    this.#referrals.delete(id);
    if (referral === undefined) return;
    const accepted = statusCode >= 200 && statusCode < 300;
    if (accepted) this.#accepted = referral;
    const answer = accepted ? referral.accept({ statusCode }) : referral.reject({ statusCode });
    answer.catch(() => undefined);
  }

  /**
   * The Inviter that follows the accepted REFER: SIP.js's `makeInviter` adds
   * Referred-By and the Replaces it carried, and NOTIFYs the referrer of the
   * INVITE's progress by itself. Undefined without an accepted REFER.
   */
  referredInviter(options: InviterOptions): Inviter | undefined {
    const referral = this.#accepted;
    this.#accepted = undefined;
    return referral?.makeInviter(options);
  }

  dispose(): void {
    this.#stopObserving();
  }

  #onState(state: SessionState): void {
    if (state === SessionState.Established) {
      // SIP.js applied the far end's answer (outbound) or sent our 200 (inbound).
      if (this.#session instanceof Inviter) this.#host.emit({ type: 'final', status: 200 });
      this.#host.onEstablished();
      this.#host.emit({ type: 'established' });
      // Outbound: SIP.js sent the ACK for the 2xx as it took it.
      if (this.#session instanceof Inviter && !this.#confirmed) {
        this.#confirmed = true;
        this.#host.emit({ type: 'confirmed' });
      }
    } else if (state === SessionState.Terminated) {
      // SIP.js changes state before it calls the delegate that says why (the
      // final response): the end is told once that has run and been told.
      queueMicrotask(() => this.#host.emit({ type: 'terminated' }));
    }
  }
}

/**
 * The direction an SDP offer asks of its first audio stream (RFC 3264 §6.1;
 * the session-level attribute when the m-line has none). A connection address
 * of 0.0.0.0 (RFC 2543 hold) counts as inactive.
 */
export function offeredAudioDirection(sdp: string): MediaDirection {
  let sessionDirection: MediaDirection = 'sendrecv';
  let audioDirection: MediaDirection | undefined;
  let section: 'session' | 'audio' | 'other' = 'session';
  let nullAddress = false;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      if (section === 'audio') break;
      section = line.startsWith('m=audio') ? 'audio' : 'other';
      continue;
    }
    if (section === 'other') continue;
    if (/^c=IN IP4 0\.0\.0\.0\b/.test(line)) nullAddress = true;
    const match = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(line);
    if (!match) continue;
    const direction = match[1] as MediaDirection;
    if (section === 'session') sessionDirection = direction;
    else audioDirection = direction;
  }
  return nullAddress ? 'inactive' : (audioDirection ?? sessionDirection);
}
