// A bare JsSIP 3.13 phone (no callchart code), driven from the e2e test via
// page.evaluate(() => window.jssipPhone.*). One UA per page; the newest
// session is "current". It answers incoming calls at once, can transfer
// the current call (REFER) and report what the NOTIFYs said, hold / resume it
// and send INFO.
import { playReceived } from '../shared/remote-audio.js';

const { JsSIP } = window;

const MEDIA = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } };

let ua;
const sessions = [];
/** What the REFERs of this page heard: 'requestSucceeded', 'trying', 'progress', 'accepted', 'failed', 'requestFailed'. */
const referEvents = [];

function current() {
  const session = sessions.at(-1);
  if (!session) throw new Error('no session');
  return session;
}

function track(session) {
  sessions.push(session);
  session.on('confirmed', () => playReceived(session.connection));
}

async function register({ server, user, password, sipDomain, displayName }) {
  const socket = new JsSIP.WebSocketInterface(server);
  ua = new JsSIP.UA({
    sockets: [socket],
    uri: `sip:${user}@${sipDomain}`,
    authorization_user: user,
    password,
    register: true,
    session_timers: false,
    ...(displayName === undefined ? {} : { display_name: displayName }),
  });
  ua.on('newRTCSession', ({ session, originator }) => {
    track(session);
    if (originator === 'remote') session.answer(MEDIA);
  });
  await new Promise((resolve, reject) => {
    ua.on('registered', () => resolve(undefined));
    ua.on('registrationFailed', (event) => reject(new Error(`REGISTER failed: ${event.cause}`)));
    ua.start();
  });
}

/** Calls `target` (a SIP URI); resolves once confirmed, or with the failure cause. */
function call(target) {
  return new Promise((resolve) => {
    const session = ua.call(target, MEDIA);
    session.on('confirmed', () => resolve({ established: true }));
    session.on('failed', (event) => resolve({ established: false, cause: event.cause }));
  });
}

/** Blind transfer of the current call (REFER); resolves with the REFER's outcome. Progress lands in referEvents. */
function transfer(target) {
  return new Promise((resolve) => {
    const note = (name, settle) => (event) => {
      referEvents.push({ name, status: event?.status_line?.status_code ?? event?.response?.status_code, at: performance.now() });
      if (settle) resolve(name);
    };
    current().refer(target, {
      eventHandlers: {
        requestSucceeded: note('requestSucceeded', true),
        requestFailed: note('requestFailed', true),
        trying: note('trying'),
        progress: note('progress'),
        accepted: note('accepted'),
        failed: note('failed'),
      },
    });
  });
}

/** Holds or resumes the current call (re-INVITE); resolves once JsSIP says it is done, false when it refused. */
function hold(onHold) {
  return new Promise((resolve) => {
    const started = performance.now();
    const done = () => resolve({ ok: true, ms: performance.now() - started });
    const accepted = onHold ? current().hold({}, done) : current().unhold({}, done);
    if (!accepted) resolve({ ok: false, ms: performance.now() - started });
  });
}

/** In-dialog INFO with `contentType`; resolves with the final status code (JsSIP reports it on the Info object its `newInfo` event names). */
function sendInfo(contentType, body) {
  return new Promise((resolve) => {
    const session = current();
    const onNewInfo = ({ originator, info }) => {
      if (originator !== 'local') return;
      session.removeListener('newInfo', onNewInfo);
      info.on('succeeded', (event) => resolve(event.response.status_code));
      info.on('failed', (event) => resolve(event.response?.status_code ?? 0));
    };
    session.on('newInfo', onNewInfo);
    session.sendInfo(contentType, body);
  });
}

async function inboundAudio() {
  const pc = current().connection;
  if (!pc) throw new Error('no peer connection');
  const report = await pc.getStats();
  for (const stats of report.values()) {
    if (stats.type === 'inbound-rtp' && stats.kind === 'audio') {
      return { packetsReceived: stats.packetsReceived ?? 0, totalAudioEnergy: stats.totalAudioEnergy ?? 0 };
    }
  }
  return { packetsReceived: 0, totalAudioEnergy: 0 };
}

function hangup() {
  const session = sessions.at(-1);
  if (session && !session.isEnded()) session.terminate();
}

/** Whether the current session has ended. */
const ended = () => sessions.at(-1)?.isEnded() ?? true;

async function stop() {
  for (const session of sessions) if (!session.isEnded()) session.terminate();
  if (!ua) return;
  await new Promise((resolve) => {
    ua.on('disconnected', () => resolve(undefined));
    ua.stop();
    setTimeout(resolve, 3000);
  });
}

window.jssipPhone = { register, call, transfer, referEvents: () => [...referEvents], hold, sendInfo, inboundAudio, hangup, ended, stop };
