// The demo softphone: plain DOM code over the public callchart API.
import { Device } from '/dist/index.js';
import { DEFAULT_CHANNEL, createInspector, mountViewer, openViewerWindow } from '/dist/devtools.js';
import { bindAudioPanel, createRecorder, createSparklines } from '/demo/panels.js';

const $ = (id) => document.getElementById(id);
const config = await (await fetch('/demo-config/config.json')).json();
const PASSWORDS = config.passwords;

let device;
let call;
let incoming;
let digitsSent = '';
let digitsReceived = '';
let listDevices = () => undefined;
/** Each call's quality samples, for its sparklines. */
const samplesOf = new WeakMap();
const sparklines = createSparklines($('sparklines'));
const recorder = createRecorder({ button: $('record'), link: $('recording-link'), log });
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

function renderDevice() {
  const registered = device?.state === 'registered';
  $('device-state').textContent = device?.state ?? 'unregistered';
  $('device-state').className = `badge ${registered ? 'ok' : ''}`;
  $('transport-state').textContent = device?.transportState ?? 'disconnected';
  $('register').disabled = registered;
  $('unregister').disabled = !registered;
  // Calling works only when registered, with no call under way and none waiting for an answer.
  $('call').disabled = !registered || Boolean(call) || Boolean(incoming);
}

function renderCall() {
  show('in-call', Boolean(call));
  if (!call) return;
  $('peer').textContent = call.remoteIdentity;
  $('call-status').textContent = call.getStatus();
  $('mute').setAttribute('aria-pressed', String(call.isMuted()));
  $('mute').textContent = call.isMuted() ? 'Unmute' : 'Mute';
  $('hold').setAttribute('aria-pressed', String(call.isOnHold()));
  $('hold').textContent = call.isOnHold() ? 'Resume' : 'Hold';
  $('remote-hold').hidden = !call.isRemoteOnHold();
}

/** The label of the microphone track the call sends (what the device picker chose). */
function renderMicInUse() {
  const track = call?.getPeerConnection()?.getSenders().find((sender) => sender.track?.kind === 'audio')?.track;
  $('mic-in-use').textContent = track?.label || '–';
}

/** Five bars from the MOS estimate: the signal-strength indicator of the README. */
function renderQuality(sample) {
  const mos = sample.mosEstimate;
  const bars = mos === undefined ? 0 : Math.max(1, Math.min(5, Math.round((mos - 1) * (5 / 3.5))));
  [...$('bars').children].forEach((bar, i) => bar.classList.toggle('on', i < bars));
  const parts = [
    mos !== undefined && `MOS ${mos.toFixed(2)}`,
    sample.rttMs !== undefined && `RTT ${Math.round(sample.rttMs)} ms`,
    sample.jitterMs !== undefined && `jitter ${sample.jitterMs.toFixed(1)} ms`,
    sample.selectedCodec,
  ].filter(Boolean);
  $('quality-text').textContent = parts.join(' · ');
}

/** No bars and no figures: a new call starts without the previous call's quality. */
function resetQuality() {
  [...$('bars').children].forEach((bar) => bar.classList.remove('on'));
  $('quality-text').textContent = 'waiting for the first sample…';
}

function adopt(newCall) {
  call = newCall;
  resetQuality();
  digitsSent = '';
  digitsReceived = '';
  $('digits-sent').textContent = '';
  $('digits-received').textContent = '';
  $('mic-in-use').textContent = '–';
  $('warnings').replaceChildren();
  const samples = [];
  samplesOf.set(call, samples);
  sparklines.show(samples);
  recorder.reset();
  recorder.bind(call);
  call.actor.subscribe(renderCall);
  call.on('ringing', () => log('ringing'));
  call.on('accepted', () => {
    log('accepted');
    renderMicInUse();
    listDevices();
  });
  call.on('remote-hold', (onHold) => log(`remote hold ${onHold}`));
  call.on('dtmf', ({ digit, method }) => {
    digitsReceived += digit;
    $('digits-received').textContent = digitsReceived;
    log(`dtmf received ${digit} (${method})`);
  });
  call.on('mute', (muted) => log(`mute ${muted}`));
  call.on('hold', (onHold) => log(`hold ${onHold}`));
  call.on('error', (error) => log(`error ${error.code}: ${error.message}`));
  call.on('quality', (sample) => {
    renderQuality(sample);
    samples.push(sample);
    sparklines.show(samples);
    // The track changes when the microphone is switched (or falls back).
    renderMicInUse();
  });
  call.on('warning', ({ name, value }) => {
    const item = document.createElement('li');
    item.id = `warning-${name}`;
    item.textContent = `${name} (${value.toFixed(2)})`;
    $('warnings').append(item);
  });
  call.on('warning-cleared', ({ name }) => $(`warning-${name}`)?.remove());
  call.on('disconnect', ({ reason, report }) => {
    log(`disconnect: ${reason} after ${Math.round(report.durationMs / 1000)} s`);
    call = undefined;
    recorder.bind(undefined);
    renderCall();
    renderDevice();
  });
  renderCall();
  renderDevice();
}

$('user').addEventListener('change', () => {
  $('password').value = PASSWORDS[$('user').value] ?? '';
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
    displayName: user,
    dtmf: { method: $('dtmf-method').value },
  });
  listDevices = bindAudioPanel(device, { sounds: $('sounds'), mic: $('mic'), speaker: $('speaker'), ringtone: $('ringtone-device'), log });
  device.actor.subscribe(renderDevice);
  for (const name of ['registering', 'registered', 'unregistered', 'reconnecting', 'disconnected']) {
    device.on(name, () => log(name));
  }
  device.on('error', (error) => log(`device error ${error.code}: ${error.message}`));
  device.on('incoming', (newCall) => {
    incoming = newCall;
    $('incoming-from').textContent = newCall.remoteIdentity;
    $('incoming-headers').textContent = Object.entries(newCall.customHeaders)
      .map(([key, value]) => `${key}: ${value}`)
      .join(' · ');
    show('incoming', true);
    renderDevice();
    log(`incoming from ${newCall.remoteIdentity}`);
    newCall.on('disconnect', ({ reason }) => {
      if (incoming === newCall) {
        incoming = undefined;
        show('incoming', false);
        renderDevice();
      }
      log(`incoming call ended: ${reason}`);
    });
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

$('call').addEventListener('click', async () => {
  const params = {};
  for (const row of $('params').children) {
    const key = row.querySelector('.key').value.trim();
    if (key) params[key] = row.querySelector('.value').value;
  }
  try {
    adopt(await device.connect({ to: $('to').value.trim(), params }));
  } catch (error) {
    log(`call failed: ${error.code}: ${error.message}`);
  }
});

$('accept').addEventListener('click', async () => {
  const accepted = incoming;
  show('incoming', false);
  incoming = undefined;
  adopt(accepted);
  await accepted.accept().catch((error) => log(`accept failed: ${error.message}`));
});
const reject = (status) => incoming?.reject(status).catch((error) => log(`reject failed: ${error.message}`));
$('reject-busy').addEventListener('click', () => reject(486));
$('reject-dnd').addEventListener('click', () => reject(603));
$('hangup').addEventListener('click', () => call?.disconnect().catch((error) => log(error.message)));
$('mute').addEventListener('click', () => call?.mute(!call.isMuted()));
$('hold').addEventListener('click', () => call?.hold(!call.isOnHold()).catch((error) => log(`hold failed: ${error.message}`)));

// The pad dials before a call and sends DTMF during one.
for (const key of $('pad').querySelectorAll('button')) {
  key.addEventListener('click', () => {
    if (call && call.getStatus() === 'accepted') {
      call.sendDigits(key.textContent).then(
        () => {
          digitsSent += key.textContent;
          $('digits-sent').textContent = digitsSent;
        },
        (error) => log(`DTMF failed: ${error.message}`),
      );
    } else {
      $('to').value += key.textContent;
    }
  });
}

$('user').value = new URLSearchParams(location.search).get('user') ?? 'alice';
$('password').value = PASSWORDS[$('user').value];
renderDevice();
// Every handler is attached: the buttons work from now on (tests wait for this).
document.body.dataset.ready = 'true';
