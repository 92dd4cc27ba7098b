// The demo softphone: plain DOM code over the public callchart API.
import { Device } from '/dist/index.js';
import { DEFAULT_CHANNEL, createInspector, mountViewer, openViewerWindow } from '/dist/devtools.js';
import { peerDetail, peerName, renderCallList, showTimer, updateRowTimer } from '/demo/calls.js';
import { bindAudioPanel, bindPad, createQualityLine, createRecorder, createSparklines, warningItem } from '/demo/panels.js';
import { createVideoPanel } from '/demo/video.js';

const $ = (id) => document.getElementById(id);
const config = await (await fetch('/demo-config/config.json')).json();
const PASSWORDS = config.passwords;

let device;
/** The current call: the in-call card's controls apply to it. */
let call;
let listDevices = () => undefined;
/** Each call's own part of the page: quality samples, digits, warnings, transfer progress, notes. */
const stateOf = new WeakMap();
/** An attended transfer under way: `first` is held while we consult `second`. */
let consult;
const sparklines = createSparklines($('sparklines'));
const recorder = createRecorder({ button: $('record'), link: $('recording-link'), log });
const quality = createQualityLine({ bars: $('bars'), text: $('quality-text'), video: $('quality-video') });
const video = createVideoPanel({ box: $('video-box'), remote: $('remote-video'), local: $('local-video'), toggle: $('video-toggle'), camera: $('camera'), log });
// The live statechart viewer, in the page; and on the BroadcastChannel, for
// viewers in other windows (one opened late is sent the live charts).
const viewer = mountViewer($('viewer'));
const broadcast = createInspector({ channel: DEFAULT_CHANNEL });
const inspect = (event) => {
  viewer.inspect(event);
  broadcast(event);
};

function log(text) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  // Oldest first, like the viewer's timeline; keep the newest in sight.
  $('log').append(item);
  $('log').scrollTop = $('log').scrollHeight;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

/** Calls still ringing: an inbound one waiting for an answer, or ours not yet answered. */
const ringing = (c) => ['pending', 'ringing'].includes(c.getStatus());
const waiting = () => device?.incomingCalls.filter((c) => !c.replaces) ?? [];

function renderDevice() {
  const registered = device?.state === 'registered';
  $('device-state').textContent = device?.state ?? 'unregistered';
  $('device-state').className = `badge ${registered ? 'ok' : ''}`;
  $('transport-state').textContent = device?.transportState ?? 'disconnected';
  $('register').disabled = registered;
  $('unregister').disabled = !registered;
  // Calling works when registered, with no call waiting for an answer (ours or theirs);
  // during a call too: a second outbound call holds the first.
  $('call').disabled = !registered || Boolean(device?.calls.some(ringing));
  $('video').disabled = $('call').disabled;
}

function renderCall() {
  renderList();
  renderIncoming();
  show('in-call', Boolean(call));
  if (!call) return;
  renderPeer();
  showTimer($('timer'), call.getTimer());
  $('call-status').textContent = call.getStatus();
  $('mute').setAttribute('aria-pressed', String(call.isMuted()));
  $('mute').textContent = call.isMuted() ? 'Unmute' : 'Mute';
  $('hold').setAttribute('aria-pressed', String(call.isOnHold()));
  $('hold').textContent = call.isOnHold() ? 'Resume' : 'Hold';
  $('remote-hold').hidden = !call.isRemoteOnHold();
  $('reconnecting').hidden = !call.isReconnecting();
  const accepted = call.getStatus() === 'accepted';
  for (const id of ['mute', 'hold']) $(id).disabled = !accepted;
  renderTransfer(accepted);
  video.render();
}

/** Who the current call is with: name (display name, else number, else URI), number, URI. */
function renderPeer() {
  $('peer-name').textContent = peerName(call);
  $('peer-number').textContent = call.info.displayName ? (call.info.number ?? '') : '';
  $('peer').textContent = call.remoteIdentity;
  $('peer').hidden = peerName(call) === call.remoteIdentity;
}

/** The transfer controls of the current call: enabled only when they can work. */
function renderTransfer(accepted) {
  const state = stateOf.get(call);
  const busy = Boolean(state?.transfer) && !['failed', 'succeeded'].includes(state.transfer);
  const target = $('transfer-to').value.trim() !== '';
  $('transfer').disabled = !accepted || busy || !target;
  $('consult').disabled = !accepted || busy || !target || Boolean(consult);
  const ready = consult && consult.first.getStatus() === 'accepted' && consult.second.getStatus() === 'accepted';
  $('complete-transfer').disabled = !ready || busy;
  $('complete-transfer').title = consult ? `${consult.first.remoteIdentity} → ${consult.second.remoteIdentity}` : 'Consult first';
  $('transfer-status').textContent = state?.transferText ?? '';
}

function renderList() {
  const calls = device?.calls ?? [];
  show('calls', calls.length > 0);
  renderCallList($('call-list'), calls, {
    current: call,
    info: (c) => ({ transfer: stateOf.get(c)?.transfer, notes: stateOf.get(c)?.notes }),
    onAnswer: answer,
    onDecline: (c) => c.reject(603).catch((error) => log(`decline failed: ${error.message}`)),
    onSwitch: switchTo,
  });
}

/** The banner of the oldest call waiting for an answer; a call-waiting sign while talking. */
function renderIncoming() {
  const [next] = waiting();
  show('incoming', Boolean(next));
  if (!next) return;
  const talking = device.calls.some((c) => c.getStatus() === 'accepted');
  $('incoming-title').textContent = talking ? 'Call waiting' : 'Incoming call';
  $('incoming').classList.toggle('waiting', talking);
  $('incoming-name').textContent = peerName(next);
  $('incoming-number').textContent = next.info.displayName ? (next.info.number ?? '') : '';
  $('incoming-from').textContent = next.remoteIdentity;
  $('incoming-from').hidden = peerName(next) === next.remoteIdentity;
  $('incoming-headers').textContent = Object.entries(next.customHeaders)
    .map(([key, value]) => `${key}: ${value}`)
    .join(' · ');
}

/** The label of the microphone track the call sends (what the device picker chose). */
function renderMicInUse() {
  const track = call?.getPeerConnection()?.getSenders().find((sender) => sender.track?.kind === 'audio')?.track;
  $('mic-in-use').textContent = track?.label || '–';
}

/** Makes `next` (a call of the device, or none) the current call: the card shows its own quality, digits, warnings. */
function select(next) {
  call = next;
  const state = next && stateOf.get(next);
  quality.reset();
  $('digits-sent').textContent = state?.sent ?? '';
  $('digits-received').textContent = state?.received ?? '';
  $('mic-in-use').textContent = '–';
  $('warnings').replaceChildren(...[...(state?.warnings ?? new Map())].map(([name, value]) => warningItem(name, value)));
  const last = state?.samples.at(-1);
  if (last) quality.show(last);
  sparklines.show(state?.samples ?? []);
  recorder.reset();
  recorder.bind(next);
  renderMicInUse();
  renderCall();
  video.bind(next);
  renderDevice();
}

/** The call next in line once the current one ends: an accepted one, else any. */
const nextCall = () => device?.calls.find((c) => c.getStatus() === 'accepted') ?? device?.calls[0];

/** Follows a call of the device (once): its events go to the log, its own state, and the card while it is current. */
function track(newCall, note) {
  if (stateOf.has(newCall)) return;
  const state = { samples: [], sent: '', received: '', warnings: new Map(), notes: note ? [note] : [] };
  stateOf.set(newCall, state);
  const who = newCall.remoteIdentity;
  const mine = () => newCall === call;
  newCall.actor.subscribe(() => {
    renderCall();
    renderDevice();
  });
  newCall.on('ringing', () => log(`${who}: ringing`));
  newCall.on('accepted', () => {
    log(`${who}: accepted`);
    if (mine()) renderMicInUse();
    listDevices();
  });
  newCall.on('remote-hold', (onHold) => log(`${who}: remote hold ${onHold}`));
  newCall.on('info', ({ info }) => {
    log(`${who}: caller info ${[info.displayName, info.number].filter(Boolean).join(' ') || info.uri}`);
    renderCall();
  });
  newCall.on('timer', (timer) => {
    updateRowTimer($('call-list'), newCall, timer);
    if (mine()) showTimer($('timer'), timer);
  });
  newCall.on('video', (on) => log(`${who}: video ${on ? 'sent' : 'stopped'}`));
  newCall.on('remote-video', (on) => log(`${who}: remote video ${on ? 'in' : 'stopped'}`));
  newCall.on('stream', ({ direction }) => mine() && video.streamed(direction));
  newCall.on('dtmf', ({ digit, method }) => {
    state.received += digit;
    if (mine()) $('digits-received').textContent = state.received;
    log(`${who}: dtmf received ${digit} (${method})`);
  });
  newCall.on('mute', (muted) => log(`${who}: mute ${muted}`));
  newCall.on('hold', (onHold) => log(`${who}: hold ${onHold}`));
  newCall.on('reconnecting', ({ cause }) => log(`${who}: reconnecting (${cause})`));
  newCall.on('reconnected', () => log(`${who}: reconnected`));
  newCall.on('error', (error) => log(`${who}: error ${error.code}: ${error.message}`));
  newCall.on('transfer', ({ state: step, status }) => {
    state.transfer = step;
    state.transferText = `transfer ${step}${status ? ` (${status})` : ''}`;
    log(`${who}: ${state.transferText}`);
    renderCall();
  });
  newCall.on('referred', ({ target, call: next }) => {
    // The far end transferred us: the device calls `target`; that call takes this one's place.
    state.notes.push(`referred to ${target}`);
    log(`${who}: referred to ${target}`);
    track(next, `transferred here from ${who}`);
    if (mine()) select(next);
    renderCall();
  });
  newCall.on('quality', (sample) => {
    state.samples.push(sample);
    if (!mine()) return;
    quality.show(sample);
    sparklines.show(state.samples);
    // The track changes when the microphone is switched (or falls back).
    renderMicInUse();
  });
  newCall.on('warning', ({ name, value }) => {
    state.warnings.set(name, value);
    if (mine()) $('warnings').append(warningItem(name, value));
  });
  newCall.on('warning-cleared', ({ name }) => {
    state.warnings.delete(name);
    if (mine()) $(`warning-${name}`)?.remove();
  });
  newCall.on('disconnect', ({ reason, status, report }) => {
    log(`${who}: disconnect: ${reason}${status ? ` (${status})` : ''} after ${Math.round(report.durationMs / 1000)} s`);
    if (consult && (consult.first === newCall || consult.second === newCall)) consult = undefined;
    if (mine()) select(nextCall());
    else {
      renderCall();
      renderDevice();
    }
  });
  renderCall();
  renderDevice();
}

/** Answers `waitingCall`, holding the others first (two calls never talk at once), and makes it current. */
async function answer(waitingCall) {
  try {
    await waitingCall.accept({ holdOthers: true, video: $('answer-video').checked });
    select(waitingCall);
  } catch (error) {
    log(`accept failed: ${error.message}`);
  }
}

/** Makes an accepted call current and resumes it, holding the others. */
async function switchTo(other) {
  select(other);
  if (other.isOnHold()) await other.hold(false, { holdOthers: true }).catch((error) => log(`resume failed: ${error.message}`));
}

/** Holds every accepted call that talks, before a new outbound call. */
const holdAll = () =>
  Promise.all(
    (device?.calls ?? []).filter((c) => c.getStatus() === 'accepted' && !c.isOnHold()).map((c) => c.hold(true)),
  );

$('user').addEventListener('change', () => {
  $('password').value = PASSWORDS[$('user').value] ?? '';
  $('display-name').value = $('user').value;
});

$('register').addEventListener('click', async () => {
  if (device) await device.destroy();
  viewer.clear();
  const user = $('user').value;
  device = new Device({
    inspect,
    server: config.wsUrl,
    uri: `sip:${user}@${config.domain}`,
    password: $('password').value,
    displayName: $('display-name').value.trim() || user,
    dtmf: { method: $('dtmf-method').value },
  });
  listDevices = bindAudioPanel(device, { sounds: $('sounds'), mic: $('mic'), speaker: $('speaker'), ringtone: $('ringtone-device'), log });
  device.actor.subscribe(renderDevice);
  for (const name of ['registering', 'registered', 'unregistered', 'reconnecting', 'disconnected']) {
    device.on(name, () => log(name));
  }
  device.on('error', (error) => log(`device error ${error.code}: ${error.message}`));
  device.on('incoming', (newCall) => {
    if (newCall.replaces) {
      // An attended transfer: this call takes the place of one of ours, answered by the device.
      const old = newCall.replaces;
      log(`${newCall.remoteIdentity} replaces ${old.remoteIdentity}`);
      stateOf.get(old)?.notes.push(`replaced by ${newCall.remoteIdentity}`);
      track(newCall, `replaces ${old.remoteIdentity}`);
      if (!call || call === old) select(newCall);
      return;
    }
    log(`incoming from ${newCall.remoteIdentity}${call ? ' (call waiting)' : ''}`);
    // It waits in the list (and the banner) until answered.
    track(newCall);
  });
  try {
    await device.register();
  } catch (error) {
    log(`register failed: ${error.code}`);
  }
  renderDevice();
});

$('open-viewer').addEventListener('click', () => {
  if (!openViewerWindow({ channel: DEFAULT_CHANNEL })) log('the viewer window was blocked by the browser');
});

$('unregister').addEventListener('click', () => device?.unregister().catch((error) => log(error.message)));

/** Places a call to `to` (holding the calls that talk); returns it, or undefined when it failed. */
async function place(to, params = {}, withVideo = false) {
  try {
    await holdAll();
    const placed = await device.connect({ to, params, video: withVideo });
    track(placed);
    select(placed);
    return placed;
  } catch (error) {
    log(`call failed: ${error.code}: ${error.message}`);
    return undefined;
  }
}

$('call').addEventListener('click', () => {
  const params = {};
  for (const row of $('params').children) {
    const key = row.querySelector('.key').value.trim();
    if (key) params[key] = row.querySelector('.value').value;
  }
  return place($('to').value.trim(), params, $('video').checked);
});

$('accept').addEventListener('click', () => waiting()[0] && answer(waiting()[0]));
const reject = (status) => waiting()[0]?.reject(status).catch((error) => log(`reject failed: ${error.message}`));
$('reject-busy').addEventListener('click', () => reject(486));
$('reject-dnd').addEventListener('click', () => reject(603));
$('hangup').addEventListener('click', () => call?.disconnect().catch((error) => log(error.message)));
$('mute').addEventListener('click', () => call?.mute(!call.isMuted()));
$('hold').addEventListener('click', () => call?.hold(!call.isOnHold()).catch((error) => log(`hold failed: ${error.message}`)));

/** Transfers `from` to `to` (a target string: blind; a Call: attended), showing a refusal with its status. */
async function transfer(from, to) {
  try {
    await from.transfer(to);
  } catch (error) {
    const text = `transfer failed: ${error.code}${error.status ? ` (${error.status})` : ''}`;
    const state = stateOf.get(from);
    if (state) state.transferText = text;
    log(`${from.remoteIdentity}: ${text}`);
    renderCall();
  }
}
$('transfer-to').addEventListener('input', () => renderCall());
$('transfer').addEventListener('click', () => call && transfer(call, $('transfer-to').value.trim()));
$('consult').addEventListener('click', async () => {
  const first = call;
  if (!first) return;
  // place() holds the first call before it dials the consultation.
  const second = await place($('transfer-to').value.trim());
  if (second) {
    consult = { first, second };
    stateOf.get(second)?.notes.push(`consulting for ${first.remoteIdentity}`);
    renderCall();
  }
});
$('complete-transfer').addEventListener('click', () => {
  if (!consult) return;
  const { first, second } = consult;
  log(`completing the transfer of ${first.remoteIdentity} to ${second.remoteIdentity}`);
  return transfer(first, second);
});

// The pad dials before a call and sends DTMF during one.
bindPad($('pad'), {
  target: $('to'),
  call: () => (call?.getStatus() === 'accepted' ? call : undefined),
  sent: (to, digit) => {
    const state = stateOf.get(to);
    state.sent += digit;
    if (to === call) $('digits-sent').textContent = state.sent;
  },
  log,
});

$('user').value = new URLSearchParams(location.search).get('user') ?? 'alice';
$('password').value = PASSWORDS[$('user').value];
$('display-name').value = $('user').value;
renderDevice();
// For the console (and the tests): the device and the current call.
window.callchartDemo = { get device() { return device; }, get call() { return call; } };
// Every handler is attached: the buttons work from now on (tests wait for this).
document.body.dataset.ready = 'true';
