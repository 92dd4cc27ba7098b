// The callchart side of the benchmark (the built SDK, /dist/index.js), driven
// by bench/run.ts through window.bench. A caller places calls and times them;
// a callee registers and accepts every incoming call at once. Same API as
// ../sipjs/sipjs.js.
import { Device } from '/dist/index.js';

/** @type {Device | undefined} */
let device;
/** The caller's current call. */
let current;
/** Resolves when the caller's current call has ended. */
let currentEnded = Promise.resolve();
/** Callee: one promise per incoming call, settled when that call has ended. */
const incomingEnded = [];
/** Callee: accept() failures, reported to the driver. */
const answerErrors = [];

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function ended(call) {
  return new Promise((resolve) => call.on('disconnect', (info) => resolve(info.reason)));
}

/** Caller: opens the WebSocket (no REGISTER needed to call out). Callee: registers and auto-answers. */
async function start({ server, user, password, domain, role, deviceOptions = {} }) {
  device = new Device({ server, uri: `sip:${user}@${domain}`, password, ...deviceOptions });
  if (role === 'callee') {
    device.on('incoming', (call) => {
      incomingEnded.push(ended(call));
      call.accept().catch((error) => answerErrors.push(String(error)));
    });
    await device.register();
  } else {
    await device.connectTransport();
  }
}

/** Caller: one call, timed from just before connect() to the `accepted` event. */
async function call(target, timeoutMs) {
  window.benchTimeline.take();
  const t0 = performance.now();
  const placed = await device.connect({ to: target });
  // Listeners go on as soon as connect() resolves: the answer needs a network
  // round trip, so `accepted` cannot have fired yet (checked below).
  const acceptedAt = new Promise((resolve, reject) => {
    placed.on('accepted', () => resolve(performance.now()));
    placed.on('disconnect', (info) => reject(new Error(`the call ended before it was accepted (${info.reason})`)));
  });
  acceptedAt.catch(() => undefined); // a timeout below must not leave an unhandled rejection
  current = placed;
  currentEnded = ended(placed);
  if (placed.getStatus() === 'accepted') throw new Error('accepted before the listener was attached');
  const t1 = await withTimeout(acceptedAt, timeoutMs, "the caller's accepted event");
  return { ms: t1 - t0, marks: window.benchTimeline.take(t0) };
}

/** Caller: hangs up the current call and waits until it has ended. */
async function hangup(timeoutMs) {
  const call = current;
  current = undefined;
  if (!call) return;
  const status = call.getStatus();
  if (status !== 'disconnected' && status !== 'failed') await call.disconnect().catch(() => undefined);
  await withTimeout(currentEnded, timeoutMs, 'the caller side to end');
}

/** Callee: waits until every call it received has ended; throws if an accept() failed. */
async function waitIdle(timeoutMs) {
  await withTimeout(Promise.all(incomingEnded), timeoutMs, 'the callee side to end');
  incomingEnded.length = 0;
  if (answerErrors.length > 0) throw new Error(`accept() failed: ${answerErrors.splice(0).join('; ')}`);
}

/** Callee: ends whatever is still up (after a failed measurement). */
async function endAll() {
  await Promise.all(
    device.calls.map((call) =>
      (call.getStatus() === 'pending' ? call.reject(486) : call.disconnect()).catch(() => undefined),
    ),
  );
}

function takeMarks() {
  return window.benchTimeline.take();
}

/** Quality benchmark: the current call's peer connection and its call actor. */
function currentCall() {
  return current;
}

async function stop() {
  await device?.destroy();
}

window.bench = { start, call, hangup, waitIdle, endAll, takeMarks, currentCall, stop };
window.benchReady = true;
