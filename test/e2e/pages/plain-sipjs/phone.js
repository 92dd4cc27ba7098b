// A bare SIP.js 0.21.2 phone (no callchart code), driven from the e2e test
// via page.evaluate(() => window.phone.*). One UserAgent per page.
import {
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
} from '/node_modules/sip.js/lib/index.js';

const AUDIO_ONLY = { constraints: { audio: true, video: false } };

/** @type {UserAgent | undefined} */
let userAgent;
/** @type {Registerer | undefined} */
let registerer;
/** @type {import('/node_modules/sip.js/lib/index.js').Session | undefined} */
let session;
let domain = '';

function uri(user) {
  const target = UserAgent.makeURI(`sip:${user}@${domain}`);
  if (!target) throw new Error(`bad SIP URI for ${user}`);
  return target;
}

function peerConnection() {
  const pc = session?.sessionDescriptionHandler?.peerConnection;
  if (!pc) throw new Error('no active session');
  return pc;
}

/** Plays the remote audio: Chromium only computes inbound audio levels for played-out tracks. */
function playRemoteAudio(current) {
  const pc = current.sessionDescriptionHandler?.peerConnection;
  if (!pc) return;
  const stream = new MediaStream(pc.getReceivers().map((receiver) => receiver.track));
  const audio = new Audio();
  audio.srcObject = stream;
  void audio.play();
}

function track(current) {
  session = current;
  current.stateChange.addListener((state) => {
    if (state === SessionState.Established) playRemoteAudio(current);
  });
}

async function register({ server, user, password, sipDomain }) {
  domain = sipDomain;
  const started = performance.now();
  userAgent = new UserAgent({
    uri: uri(user),
    transportOptions: { server },
    authorizationUsername: user,
    authorizationPassword: password,
    // Never the SIP.js default public STUN server: media stays on loopback.
    sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
    logLevel: 'warn',
    delegate: {
      onInvite(invitation) {
        track(invitation);
        void invitation.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
      },
    },
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

/** Calls `user`; resolves when Established, or with the final status code if rejected. */
async function call(user) {
  if (!userAgent) throw new Error('register first');
  const inviter = new Inviter(userAgent, uri(user), { sessionDescriptionHandlerOptions: AUDIO_ONLY });
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

function sessionState() {
  return session?.state ?? 'none';
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

/** The selected ICE candidate pair's local and remote addresses. */
async function selectedCandidatePair() {
  const report = await peerConnection().getStats();
  const stats = [...report.values()];
  const pair = stats.find((entry) => entry.type === 'candidate-pair' && entry.nominated && entry.state === 'succeeded');
  if (!pair) return undefined;
  const local = report.get(pair.localCandidateId);
  const remote = report.get(pair.remoteCandidateId);
  return { local: local?.address, remote: remote?.address, protocol: local?.protocol };
}

/** RFC 4733 DTMF through the audio sender; resolves when the last tone has played. */
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

function localSdp() {
  return peerConnection().localDescription?.sdp ?? '';
}

async function hangup() {
  if (!session) return;
  if (session.state === SessionState.Established) await session.bye();
  else if (session.state === SessionState.Establishing && session instanceof Inviter) await session.cancel();
}

async function stop() {
  if (registerer?.state === RegistererState.Registered) await registerer.unregister();
  await userAgent?.stop();
}

window.phone = {
  register,
  call,
  sessionState,
  inboundAudio,
  selectedCandidatePair,
  sendDtmf,
  localSdp,
  hangup,
  stop,
};
