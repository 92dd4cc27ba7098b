// The plain SIP.js 0.21.2 side of the benchmark (no callchart code), driven by
// bench/run.ts through window.bench; same API as ../callchart/callchart.js.
// SIP.js defaults throughout (its own session description handler, which
// waits for ICE gathering to complete; audio-only constraints), except:
// - iceServers: [] instead of SIP.js's public STUN server (loopback only);
// - logLevel 'warn': callchart logs errors only, and console output costs
//   page time that has nothing to do with call setup.
import { Inviter, Registerer, RegistererState, SessionState, UserAgent } from '/node_modules/sip.js/lib/index.js';

/** @type {UserAgent | undefined} */
let userAgent;
/** @type {Registerer | undefined} */
let registerer;
let domain = '';
/** The caller's current session. */
let current;
/** Callee: every incoming session. */
const incoming = [];
/** Callee: accept() failures, reported to the driver. */
const answerErrors = [];

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when the session reaches `state` (at once if it is there). */
function reaches(session, state) {
  return new Promise((resolve) => {
    if (session.state === state) {
      resolve(performance.now());
      return;
    }
    const listener = (next) => {
      if (next !== state) return;
      session.stateChange.removeListener(listener);
      resolve(performance.now());
    };
    session.stateChange.addListener(listener);
  });
}

function target(user) {
  const uri = UserAgent.makeURI(`sip:${user}@${domain}`);
  if (!uri) throw new Error(`bad SIP URI for ${user}`);
  return uri;
}

/** Caller: starts the user agent (WebSocket open; no REGISTER needed to call out). Callee: also registers and auto-answers. */
async function start({ server, user, password, domain: sipDomain, role }) {
  domain = sipDomain;
  userAgent = new UserAgent({
    uri: target(user),
    transportOptions: { server },
    authorizationUsername: user,
    authorizationPassword: password,
    sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
    logLevel: 'warn',
    delegate:
      role === 'callee'
        ? {
            onInvite(invitation) {
              incoming.push(invitation);
              invitation.accept().catch((error) => answerErrors.push(String(error)));
            },
          }
        : {},
  });
  await userAgent.start();
  if (role !== 'callee') return;
  registerer = new Registerer(userAgent);
  await new Promise((resolve, reject) => {
    registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) resolve(undefined);
    });
    registerer
      .register({ requestDelegate: { onReject: (response) => reject(new Error(`REGISTER rejected: ${response.message.statusCode}`)) } })
      .catch(reject);
  });
}

/** Caller: one call, timed from just before inviter.invite() to the session state Established. */
async function call(user, timeoutMs) {
  window.benchTimeline.take();
  const inviter = new Inviter(userAgent, target(user));
  current = inviter;
  let rejected;
  const failed = new Promise((_, reject) => {
    rejected = reject;
  });
  failed.catch(() => undefined); // only raced below
  inviter.stateChange.addListener((state) => {
    if (state === SessionState.Terminated) rejected(new Error('the call ended before it was established'));
  });
  const established = reaches(inviter, SessionState.Established);
  const t0 = performance.now();
  inviter
    .invite({
      requestDelegate: {
        onReject: (response) => rejected(new Error(`INVITE rejected: ${response.message.statusCode}`)),
      },
    })
    .catch((error) => rejected(error));
  const t1 = await withTimeout(Promise.race([established, failed]), timeoutMs, 'the session to be Established');
  return { ms: t1 - t0, marks: window.benchTimeline.take(t0) };
}

/** Ends a session the way its state allows; resolves once it is Terminated. */
async function end(session, timeoutMs) {
  const terminated = reaches(session, SessionState.Terminated);
  try {
    if (session.state === SessionState.Established) await session.bye();
    else if (session.state === SessionState.Initial || session.state === SessionState.Establishing) {
      await (session instanceof Inviter ? session.cancel() : session.reject());
    }
  } catch {
    // Lost a race with the far end: waiting for Terminated below settles it.
  }
  await withTimeout(terminated, timeoutMs, 'the session to terminate');
}

/** Caller: hangs up the current call and waits until it has ended. */
async function hangup(timeoutMs) {
  const session = current;
  current = undefined;
  if (session) await end(session, timeoutMs);
}

/** Callee: waits until every call it received has ended; throws if an accept() failed. */
async function waitIdle(timeoutMs) {
  await withTimeout(
    Promise.all(incoming.map((session) => reaches(session, SessionState.Terminated))),
    timeoutMs,
    'the callee side to end',
  );
  incoming.length = 0;
  if (answerErrors.length > 0) throw new Error(`accept() failed: ${answerErrors.splice(0).join('; ')}`);
}

/** Callee: ends whatever is still up (after a failed measurement). */
async function endAll() {
  await Promise.all(incoming.map((session) => end(session, 5000).catch(() => undefined)));
}

function takeMarks() {
  return window.benchTimeline.take();
}

async function stop() {
  if (registerer?.state === RegistererState.Registered) await registerer.unregister().catch(() => undefined);
  await userAgent?.stop();
}

window.bench = { start, call, hangup, waitIdle, endAll, takeMarks, stop };
window.benchReady = true;
