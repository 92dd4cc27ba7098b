// A bare SIP.js 0.21.2 phone (no callchart code), driven from the e2e test
// via page.evaluate(() => window.phone.*). One UserAgent per page; every call
// (incoming, outgoing, transfer target) is kept, the newest is "current".
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  SIPExtension,
  UserAgent,
} from '/node_modules/sip.js/lib/index.js';
import { playReceived } from '../shared/remote-audio.js';

const AUDIO_ONLY = { constraints: { audio: true, video: false } };
/** setVideo(true): calls and answers offer / take video too (the fake camera). */
let withVideo = false;
const media = () => (withVideo ? { constraints: { audio: true, video: true } } : AUDIO_ONLY);

/** @type {UserAgent | undefined} */
let userAgent;
/** @type {Registerer | undefined} */
let registerer;
/** @type {Array<import('/node_modules/sip.js/lib/index.js').Session>} */
const sessions = [];
/** @type {string[]} */
const receivedInfos = [];
let domain = '';
/** 'auto': answer at once; 'ring': send 180 and wait (for CANCEL tests). */
let answerMode = 'auto';

function uri(user) {
  const target = UserAgent.makeURI(`sip:${user}@${domain}`);
  if (!target) throw new Error(`bad SIP URI for ${user}`);
  return target;
}

function current() {
  const session = sessions.at(-1);
  if (!session) throw new Error('no session');
  return session;
}

function peerConnection() {
  const pc = current().sessionDescriptionHandler?.peerConnection;
  if (!pc) throw new Error('no peer connection');
  return pc;
}

function track(session) {
  sessions.push(session);
  session.delegate = {
    onInfo(info) {
      receivedInfos.push(info.request.body);
      void info.accept();
    },
    // Blind transfer: accept the REFER and call the target. SIP.js leaves the
    // original dialog up; the transferor ends it.
    onRefer(referral) {
      void referral.accept().then(() => {
        const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
        track(inviter);
        return inviter.invite();
      });
    },
  };
  session.stateChange.addListener((state) => {
    if (state === SessionState.Established) playReceived(session.sessionDescriptionHandler?.peerConnection);
  });
}

function onInvite(invitation) {
  track(invitation);
  if (answerMode === 'auto') void invitation.accept({ sessionDescriptionHandlerOptions: media() });
  else void invitation.progress();
}

async function register({ server, user, password, sipDomain, displayName }) {
  domain = sipDomain;
  const started = performance.now();
  userAgent = new UserAgent({
    uri: uri(user),
    transportOptions: { server },
    authorizationUsername: user,
    authorizationPassword: password,
    ...(displayName === undefined ? {} : { displayName }),
    // Never the SIP.js default public STUN server: media stays on loopback.
    sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
    logLevel: 'warn',
    // Transfer target of an attended transfer: an INVITE with Replaces is
    // matched to its dialog and, once accepted, SIP.js BYEs the replaced session.
    sipExtensionReplaces: SIPExtension.Supported,
    delegate: { onInvite },
  });
  await userAgent.start();
  registerer = new Registerer(userAgent);
  await new Promise((resolve, reject) => {
    registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) resolve(undefined);
    });
    registerer
      .register({
        requestDelegate: {
          onReject: (response) => reject(new Error(`REGISTER rejected: ${response.message.statusCode}`)),
        },
      })
      .catch(reject);
  });
  return { ms: performance.now() - started };
}

function setAnswerMode(mode) {
  answerMode = mode;
}

/** Calls `user`; resolves when Established, or with the final status code if rejected/cancelled. */
async function call(user) {
  if (!userAgent) throw new Error('register first');
  const inviter = new Inviter(userAgent, uri(user), { sessionDescriptionHandlerOptions: media() });
  track(inviter);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    inviter.stateChange.addListener((state) => {
      if (state === SessionState.Established) resolve({ established: true, ms: performance.now() - started });
    });
    inviter
      .invite({
        requestDelegate: {
          onReject: (response) =>
            resolve({ established: false, statusCode: response.message.statusCode, ms: performance.now() - started }),
        },
      })
      .catch(reject);
  });
}

/** State of the current (newest) session, or of sessions[index]. */
function sessionState(index) {
  const session = index === undefined ? sessions.at(-1) : sessions[index];
  return session?.state ?? 'none';
}

function sessionCount() {
  return sessions.length;
}

async function inboundAudio() {
  const report = await peerConnection().getStats();
  for (const stats of report.values()) {
    if (stats.type === 'inbound-rtp' && stats.kind === 'audio') {
      return {
        packetsReceived: stats.packetsReceived ?? 0,
        bytesReceived: stats.bytesReceived ?? 0,
        totalAudioEnergy: stats.totalAudioEnergy ?? 0,
      };
    }
  }
  return { packetsReceived: 0, bytesReceived: 0, totalAudioEnergy: 0 };
}

/** The inbound video stream's counters (zeros without one). */
async function inboundVideo() {
  const report = await peerConnection().getStats();
  for (const stats of report.values()) {
    if (stats.type === 'inbound-rtp' && stats.kind === 'video') {
      return { framesDecoded: stats.framesDecoded ?? 0, packetsReceived: stats.packetsReceived ?? 0, frameWidth: stats.frameWidth, frameHeight: stats.frameHeight };
    }
  }
  return { framesDecoded: 0, packetsReceived: 0 };
}

/** The selected ICE candidate pair's local and remote addresses. */
async function selectedCandidatePair() {
  const report = await peerConnection().getStats();
  const pair = [...report.values()].find(
    (entry) => entry.type === 'candidate-pair' && entry.nominated && entry.state === 'succeeded',
  );
  if (!pair) return undefined;
  const local = report.get(pair.localCandidateId);
  const remote = report.get(pair.remoteCandidateId);
  return { local: local?.address, remote: remote?.address, protocol: local?.protocol };
}

/** RFC 4733 DTMF through the audio sender; resolves when the last tone has been handed to the sender. */
async function sendDtmf(tones, durationMs = 100, gapMs = 70) {
  const sender = peerConnection()
    .getSenders()
    .find((candidate) => candidate.track?.kind === 'audio');
  if (!sender?.dtmf) throw new Error('no DTMF sender');
  const dtmf = sender.dtmf;
  await new Promise((resolve) => {
    dtmf.ontonechange = (event) => {
      if (event.tone === '') resolve(undefined);
    };
    dtmf.insertDTMF(tones, durationMs, gapMs);
  });
}

/** In-dialog INFO (application/dtmf-relay); resolves with the final status code. */
async function sendInfo(body) {
  return new Promise((resolve, reject) => {
    current()
      .info({
        requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: body } },
        requestDelegate: {
          onAccept: (response) => resolve(response.message.statusCode),
          onReject: (response) => resolve(response.message.statusCode),
        },
      })
      .catch(reject);
  });
}

function infos() {
  return [...receivedInfos];
}

/** Hold/unhold by re-INVITE; resolves with the final status code and duration. */
async function hold(onHold) {
  const session = current();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const done = (response) => resolve({ statusCode: response.message.statusCode, ms: performance.now() - started });
    session
      .invite({
        sessionDescriptionHandlerOptions: { ...AUDIO_ONLY, hold: onHold },
        requestDelegate: { onAccept: done, onReject: done },
      })
      .catch(reject);
  });
}

/** Blind transfer of the current call to `user` (REFER); resolves with the REFER's final status code. */
async function transfer(user) {
  return new Promise((resolve, reject) => {
    current()
      .refer(uri(user), {
        requestDelegate: {
          onAccept: (response) => resolve(response.message.statusCode),
          onReject: (response) => resolve(response.message.statusCode),
        },
      })
      .catch(reject);
  });
}

/** Ends the current session: BYE if established, CANCEL if still ringing out, reject if ringing in. */
async function hangup() {
  const session = sessions.at(-1);
  if (!session) return;
  if (session.state === SessionState.Established) await session.bye();
  else if (session instanceof Inviter && session.state === SessionState.Establishing) await session.cancel();
  else if (session instanceof Invitation && session.state === SessionState.Initial) await session.reject();
}

async function stop() {
  if (registerer?.state === RegistererState.Registered) await registerer.unregister();
  await userAgent?.stop();
}

window.phone = {
  register,
  setAnswerMode,
  call,
  sessionState,
  sessionCount,
  inboundAudio,
  inboundVideo,
  setVideo: (on) => {
    withVideo = on;
  },
  selectedCandidatePair,
  sendDtmf,
  sendInfo,
  infos,
  hold,
  transfer,
  localSdp: () => peerConnection().localDescription?.sdp ?? '',
  hangup,
  stop,
};
