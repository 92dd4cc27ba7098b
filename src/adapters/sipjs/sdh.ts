/**
 * Our WebRTC session description handler: SIP.js's own, with ICE gathering
 * that stops as soon as the candidates we can get are there.
 *
 * SIP.js's handler waits for ICE gathering to complete before it sends an
 * offer or answer (no trickle ICE over SIP). Chromium reports "complete" only
 * after every interface and server has been tried — about 115 ms on loopback,
 * seconds with an unreachable STUN server. We stop at the first candidate that
 * is good enough instead (see `IceGatheringPolicy`), with
 * `config.iceGatheringTimeoutMs` as the upper bound.
 */
// By path, not through the `Web` namespace: a namespace member is not
// tree-shakable, and `Web` drags SessionManager and SimpleUser along.
import { SessionDescriptionHandler } from 'sip.js/lib/platform/web/session-description-handler/session-description-handler.js';
import type { Session, Web } from 'sip.js';
import { VoiceSDKError } from '../../errors';
import { acquireMicrophone, microphoneConstraints, stopStream } from './media/microphone';
import { acquireCamera } from './media/camera';

/** The kind of local ICE candidate, by how far it reaches. */
export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** When the offer/answer is sent during ICE gathering. */
export interface IceGatheringPolicy {
  /**
   * The first candidate of this type (or a farther-reaching one) ends the wait:
   * `host` without ICE servers, `srflx` with only STUN, `relay` with TURN.
   */
  readonly sufficientType: 'host' | 'srflx' | 'relay';
  /** After the first sufficient candidate, how long to wait for candidates of the same burst, in ms. */
  readonly settleMs: number;
  /** Upper bound of the whole wait, in ms (0: none). */
  readonly timeoutMs: number;
}

const REACH: Record<IceCandidateType, number> = { host: 0, srflx: 1, prflx: 1, relay: 2 };

/**
 * Host candidates for all interfaces come in one burst of a millisecond or
 * two; a few ms more lets that burst in without costing a round trip.
 */
const HOST_SETTLE_MS = 5;

/** The policy for a peer connection configured with `iceServers`. */
export function iceGatheringPolicyFor(iceServers: readonly RTCIceServer[], timeoutMs: number): IceGatheringPolicy {
  const urls = iceServers.flatMap((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]));
  const hasTurn = urls.some((url) => /^turns?:/i.test(url));
  const hasStun = urls.some((url) => /^stuns?:/i.test(url));
  const sufficientType = hasTurn ? 'relay' : hasStun ? 'srflx' : 'host';
  return {
    sufficientType,
    settleMs: sufficientType === 'host' ? HOST_SETTLE_MS : 0,
    timeoutMs: Math.max(0, timeoutMs),
  };
}

/** The `typ` of an ICE candidate line (`candidate:…` or `a=candidate:…`). */
export function candidateTypeOf(candidateLine: string): IceCandidateType | undefined {
  const match = / typ (host|srflx|prflx|relay)(?: |$)/.exec(candidateLine);
  return match?.[1] as IceCandidateType | undefined;
}

/** True when a candidate of this type ends the wait under `policy`. */
export function isSufficientCandidate(type: IceCandidateType | undefined, policy: IceGatheringPolicy): boolean {
  return type !== undefined && REACH[type] >= REACH[policy.sufficientType];
}

/** True when the SDP already carries a candidate that ends the wait. */
export function sdpHasSufficientCandidate(sdp: string | undefined, policy: IceGatheringPolicy): boolean {
  if (sdp === undefined) return false;
  return sdp
    .split(/\r?\n/)
    .filter((line) => line.startsWith('a=candidate:'))
    .some((line) => isSufficientCandidate(candidateTypeOf(line), policy));
}

/**
 * SIP.js's `SessionDescriptionHandler`, with:
 * - ICE gathering cut short by `IceGatheringPolicy`;
 * - `close()` that also stops local tracks not (yet) attached to a sender;
 * - `replaceLocalStream()` for a microphone change.
 */
export class FastIceSessionDescriptionHandler extends SessionDescriptionHandler {
  private readonly icePolicy: IceGatheringPolicy;
  private stopWatchingCandidates: (() => void) | undefined;
  #remoteDescriptionFailure: unknown;

  constructor(
    logger: ConstructorParameters<typeof SessionDescriptionHandler>[0],
    mediaStreamFactory: Web.MediaStreamFactory,
    configuration: Web.SessionDescriptionHandlerConfiguration,
    icePolicy: IceGatheringPolicy,
  ) {
    super(logger, mediaStreamFactory, configuration);
    this.icePolicy = icePolicy;
  }

  /** True once `close()` ran (the peer connection is gone). */
  get closed(): boolean {
    return this.peerConnection === undefined;
  }

  /**
   * Undoes an offer the far end refused (a re-INVITE answered 488, 491 …).
   * SIP.js calls this on a non-2xx to a re-INVITE, but its web handler has
   * none, so the peer connection stayed in have-local-offer and every later
   * re-INVITE failed.
   */
  rollbackDescription(): Promise<void> {
    const peerConnection = this.peerConnection;
    if (peerConnection === undefined) return Promise.resolve();
    if (peerConnection.signalingState === 'have-local-offer') return peerConnection.setLocalDescription({ type: 'rollback' });
    if (peerConnection.signalingState === 'have-remote-offer') return peerConnection.setRemoteDescription({ type: 'rollback' });
    return Promise.resolve();
  }

  /** Puts the first audio track of `stream` on the sender; the old track is stopped. */
  replaceLocalStream(stream: MediaStream): Promise<void> {
    return this.setLocalMediaStream(stream);
  }

  /**
   * Why the browser refused the last remote description (setRemoteDescription
   * threw), if it did: the offer is what failed, not the microphone.
   */
  get remoteDescriptionFailure(): unknown {
    return this.#remoteDescriptionFailure;
  }

  protected override async setRemoteSessionDescription(sessionDescription: RTCSessionDescriptionInit): Promise<void> {
    this.#remoteDescriptionFailure = undefined;
    try {
      await super.setRemoteSessionDescription(sessionDescription);
    } catch (error) {
      this.#remoteDescriptionFailure = error ?? new Error('setRemoteDescription failed');
      throw error;
    }
  }

  /**
   * Our offers ask for what we want, whatever the far end asked before
   * (RFC 6337 §5.1): `sendonly` while we hold, else `sendrecv`. SIP.js derives
   * an offer's direction from the transceiver's current one, so after the far
   * end held us (our answer was recvonly or inactive) every later offer of
   * ours stayed recvonly and the call could not come off hold from our side.
   * Answers keep SIP.js's rule (the offered direction intersected with ours).
   */
  protected override updateDirection(options?: Web.SessionDescriptionHandlerOptions): Promise<void> {
    const peerConnection = this.peerConnection;
    if (peerConnection === undefined) return super.updateDirection(options);
    if (peerConnection.signalingState !== 'stable') return super.updateDirection(options).then(() => this.#answerVideo(peerConnection));
    const offered: RTCRtpTransceiverDirection = options?.hold ? 'sendonly' : 'sendrecv';
    for (const transceiver of peerConnection.getTransceivers()) {
      if (transceiver.direction === 'stopped') continue;
      const direction = isVideoTransceiver(transceiver) ? videoDirection(this.#sendsVideo(transceiver), !options?.hold) : offered;
      if (transceiver.direction !== direction) transceiver.direction = direction;
    }
    return Promise.resolve();
  }

  /**
   * We send video: `connect({ video })` / `accept({ video })` got a camera, or
   * `setVideo(true)` put one on. Our offers and answers send video only then.
   */
  videoWanted = false;

  #sendsVideo(transceiver: RTCRtpTransceiver): boolean {
    return this.videoWanted && transceiver.sender.track !== null;
  }

  /**
   * Answers: an offered video stream is declined (rejected: m=video 0) when
   * the call is being answered without video; later offers of video are
   * received, and our camera goes out only when we want video. SIP.js set
   * each transceiver from the offer's first direction and our hold already.
   */
  #answerVideo(peerConnection: RTCPeerConnection): void {
    const answeringCall = peerConnection.currentRemoteDescription === null;
    for (const transceiver of peerConnection.getTransceivers()) {
      if (transceiver.direction === 'stopped' || !isVideoTransceiver(transceiver)) continue;
      if (answeringCall && !this.videoWanted) {
        transceiver.stop();
        continue;
      }
      const direction = videoDirection(this.#sendsVideo(transceiver), /recv/.test(transceiver.direction));
      if (transceiver.direction !== direction) transceiver.direction = direction;
    }
  }

  override close(): void {
    this.stopWatchingCandidates?.();
    const local = this.localMediaStream;
    super.close();
    stopStream(local);
  }

  protected override waitForIceGatheringComplete(restart = false, timeout = 0): Promise<void> {
    // The base class keeps the promise, the timeout (our upper bound) and the
    // resolution on "complete"; we only call `iceGatheringComplete()` earlier.
    const waiting = super.waitForIceGatheringComplete(restart, timeout);
    const peerConnection = this.peerConnection;
    if (peerConnection === undefined) return waiting;
    if (!restart && peerConnection.iceGatheringState === 'complete') return waiting;
    this.stopWatchingCandidates?.();

    let settleTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      stop();
      this.iceGatheringComplete();
    };
    const enough = (): void => {
      if (settleTimer !== undefined) return;
      if (this.icePolicy.settleMs <= 0) {
        finish();
        return;
      }
      peerConnection.removeEventListener('icecandidate', onCandidate);
      settleTimer = setTimeout(finish, this.icePolicy.settleMs);
    };
    const onCandidate = (event: RTCPeerConnectionIceEvent): void => {
      const candidate = event.candidate;
      if (candidate === null) return; // end of candidates: the base class handles "complete"
      const type = (candidate.type ?? candidateTypeOf(candidate.candidate)) as IceCandidateType | undefined;
      if (isSufficientCandidate(type, this.icePolicy)) enough();
    };
    const stop = (): void => {
      peerConnection.removeEventListener('icecandidate', onCandidate);
      if (settleTimer !== undefined) clearTimeout(settleTimer);
      settleTimer = undefined;
      if (this.stopWatchingCandidates === stop) this.stopWatchingCandidates = undefined;
    };
    this.stopWatchingCandidates = stop;
    peerConnection.addEventListener('icecandidate', onCandidate);
    // Candidates gathered between setLocalDescription() and now are in the SDP already.
    if (sdpHasSufficientCandidate(peerConnection.localDescription?.sdp, this.icePolicy)) enough();
    waiting.then(stop, stop);
    return waiting;
  }
}

const isVideoTransceiver = (transceiver: RTCRtpTransceiver): boolean => transceiver.receiver.track.kind === 'video';

/** The direction of a video stream that sends and / or receives. */
function videoDirection(send: boolean, receive: boolean): RTCRtpTransceiverDirection {
  if (send) return receive ? 'sendrecv' : 'sendonly';
  return receive ? 'recvonly' : 'inactive';
}

/** What our handler factory needs from the user agent configuration. */
export interface SessionDescriptionHandlerSettings {
  iceServers: RTCIceServer[];
  /** @default 'all' */
  iceTransportPolicy?: 'all' | 'relay';
  iceGatheringTimeoutMs: number;
}

/** What our calls pass SIP.js as `sessionDescriptionHandlerOptions`: its own, and the microphone to open. */
export interface CallMediaOptions extends Web.SessionDescriptionHandlerOptions {
  /** The microphone's `deviceId`; undefined or `'default'`: the browser's default. */
  inputDeviceId?: string;
}

/**
 * The media stream factory: getUserMedia with SDK errors (`media-denied`,
 * `device-not-found` for a microphone that is not there…) for the microphone
 * the call's options name, and tracks stopped if the call was closed while
 * the browser was asking.
 */
export const microphoneStreamFactory: Web.MediaStreamFactory = async (constraints, sessionDescriptionHandler, options) => {
  if (!constraints.audio && !constraints.video) return new MediaStream();
  const stream = await acquireMicrophone(microphoneConstraints((options as CallMediaOptions | undefined)?.inputDeviceId));
  // Video asked for: the camera too, or audio only when there is none (the call still works).
  const camera = constraints.video ? await acquireCamera().catch(() => undefined) : undefined;
  camera?.getVideoTracks().forEach((track) => stream.addTrack(track));
  if (sessionDescriptionHandler.peerConnection === undefined) {
    stopStream(stream);
    throw new VoiceSDKError('invalid-state', 'The call ended while the microphone was being opened');
  }
  if (sessionDescriptionHandler instanceof FastIceSessionDescriptionHandler && camera !== undefined) {
    sessionDescriptionHandler.videoWanted = stream.getVideoTracks().length > 0;
  }
  return stream;
};

/**
 * The `sessionDescriptionHandlerFactory` for our user agents. Never uses
 * SIP.js's default peer connection configuration (it names a public STUN
 * server): `iceServers` is exactly what the app configured, `[]` by default.
 */
export function createSessionDescriptionHandlerFactory(
  settings: SessionDescriptionHandlerSettings,
): Web.SessionDescriptionHandlerFactory {
  const policy = iceGatheringPolicyFor(settings.iceServers, settings.iceGatheringTimeoutMs);
  const configuration: Web.SessionDescriptionHandlerConfiguration = {
    iceGatheringTimeout: policy.timeoutMs,
    peerConnectionConfiguration: {
      // 'balanced', not 'max-bundle': gateways that do not bundle (rtpengine
      // 10.5 answers and offers `a=mid` without `a=group:BUNDLE`, as do many
      // PBXs) make Chromium refuse a max-bundle answer ("cannot remove m=
      // section … from already-established BUNDLE group") and a max-bundle
      // offer ("no BUNDLE group"). With one audio m-line both policies gather
      // the same candidates, so call setup costs the same (bench).
      bundlePolicy: 'balanced',
      // The only policy Chromium still implements. Phones without rtcp-mux
      // reach us through the gateway, which muxes towards the browser
      // (rtpengine `rtcp-mux-offer` / `rtcp-mux-demux`).
      rtcpMuxPolicy: 'require',
      iceTransportPolicy: settings.iceTransportPolicy ?? 'all',
      iceServers: settings.iceServers.map((server) => ({ ...server })),
    },
  };
  return (session: Session) =>
    new FastIceSessionDescriptionHandler(
      session.userAgent.getLogger('sip.SessionDescriptionHandler'),
      microphoneStreamFactory,
      configuration,
      policy,
    );
}
