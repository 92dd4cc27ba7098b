// Page side of test/e2e/adapter-sipjs.e2e.test.ts: drives the SIP.js adapter
// (the port, no machines) and records what it reports. window.lab.* is called
// from the test through page.evaluate.

// ---- instrumentation, installed before the adapter loads ----------------------

/** Every SIP message this page sent, as text. */
const sent = [];
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function send(data) {
  if (typeof data === 'string') sent.push(data);
  return originalSend.call(this, data);
};
/** While set, received messages matching `pattern` reach SIP.js `ms` late (to make a 200 cross a CANCEL). */
let lateDelivery;
/** Messages being delivered late, to every listener of the socket. */
const lateEvents = new WeakMap();
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  addEventListener(type, listener, options) {
    if (type !== 'message' || typeof listener !== 'function') return super.addEventListener(type, listener, options);
    const delayed = (event) => {
      const rule = lateDelivery;
      if (rule && typeof event.data === 'string' && rule.pattern.test(event.data)) {
        lateDelivery = undefined;
        lateEvents.set(event, rule.ms);
      }
      const ms = lateEvents.get(event);
      if (ms === undefined) listener.call(this, event);
      else setTimeout(() => listener.call(this, event), ms);
    };
    return super.addEventListener(type, delayed, options);
  }
};

/** Every peer connection made in this page. */
const peerConnections = [];
const NativePeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePeerConnection {
  constructor(...args) {
    super(...args);
    peerConnections.push(this);
  }
};

/** Every microphone track handed out in this page. */
const microphoneTracks = [];
const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
/** While true, getUserMedia fails as if the user refused the microphone. */
let denyMicrophone = false;
navigator.mediaDevices.getUserMedia = async (constraints) => {
  if (denyMicrophone) throw new DOMException('Permission denied', 'NotAllowedError');
  const stream = await getUserMedia(constraints);
  microphoneTracks.push(...stream.getTracks());
  return stream;
};

const { createSipJsAdapter } = await import('/bundle/adapter.js');

// ---- state ---------------------------------------------------------------------

let userAgent;
const calls = new Map(); // label → { call, events: [{ at, event }], startedAt }
const transportLost = [];
const registrationLost = [];
let autoAnswer = false;
let incomingCount = 0;

function errorInfo(error) {
  if (error && typeof error === 'object' && 'code' in error) {
    return { name: error.name, code: error.code, status: error.status, message: error.message };
  }
  return { name: 'Error', message: String(error?.message ?? error) };
}

function eventInfo(event) {
  return event.type === 'failed' ? { type: 'failed', error: errorInfo(event.error) } : { ...event };
}

function track(label, call) {
  const entry = { call, events: [], startedAt: undefined };
  call.subscribe((event) => {
    entry.events.push({ at: performance.now(), event: eventInfo(event) });
  });
  calls.set(label, entry);
  return entry;
}

function entry(label) {
  const found = calls.get(label);
  if (!found) throw new Error(`no call "${label}"`);
  return found;
}

/** Runs `action`, returning { ok, value } or { ok: false, error } (errors cross page.evaluate badly). */
async function attempt(action) {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

async function inboundAudio(call) {
  const report = await call.getStats();
  let packetsReceived = 0;
  let totalAudioEnergy = 0;
  report?.forEach((stat) => {
    if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
      packetsReceived += stat.packetsReceived ?? 0;
      totalAudioEnergy += stat.totalAudioEnergy ?? 0;
    }
  });
  return { packetsReceived, totalAudioEnergy };
}

window.lab = {
  async start({ uri, password, server, iceGatheringTimeoutMs = 500, registerExpires = 300 }) {
    userAgent = createSipJsAdapter({
      uri,
      password,
      headerPrefix: 'X-Callchart-',
      iceServers: [],
      iceGatheringTimeoutMs,
      registerExpires,
      userAgentString: 'callchart-e2e',
    });
    userAgent.onTransportLost((error) => transportLost.push(errorInfo(error)));
    userAgent.onRegistrationLost((error) => registrationLost.push(errorInfo(error)));
    userAgent.onIncomingCall((call) => {
      incomingCount += 1;
      const label = `in${incomingCount}`;
      const incoming = track(label, call);
      incoming.remoteIdentity = call.remoteIdentity;
      incoming.customHeaders = call.customHeaders;
      if (autoAnswer) void call.accept();
    });
    return attempt(() => userAgent.connect(server));
  },
  register: () => attempt(() => userAgent.register()),
  disconnect: () => attempt(() => userAgent.disconnect()),
  connect: (server) => attempt(() => userAgent.connect(server)),
  /** The next received message matching `source` (a RegExp source) reaches SIP.js `ms` late. */
  deliverLate(source, ms) {
    lateDelivery = { pattern: new RegExp(source), ms };
  },
  setDenyMicrophone(on) {
    denyMicrophone = on;
  },
  /** Device ids of the microphones, 'default' first when there is one. */
  async audioInputs() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((device) => device.kind === 'audioinput').map((device) => device.deviceId);
  },
  setAutoAnswer(on) {
    autoAnswer = on;
  },
  /** Creates and invites; resolves when invite() settles. */
  async call(label, target, headers = {}) {
    const outgoing = track(label, userAgent.createCall({ target, headers }));
    outgoing.startedAt = performance.now();
    return attempt(() => outgoing.call.invite());
  },
  /** ms from invite() to the 'answered' event, once it came. */
  setupMs(label) {
    const outgoing = entry(label);
    const answered = outgoing.events.find((item) => item.event.type === 'answered');
    return answered && outgoing.startedAt !== undefined ? answered.at - outgoing.startedAt : undefined;
  },
  events: (label) => entry(label).events.map((item) => item.event),
  incoming: (label) => {
    const incoming = entry(label);
    return { remoteIdentity: incoming.remoteIdentity, customHeaders: incoming.customHeaders, direction: incoming.call.direction };
  },
  incomingLabels: () => [...calls.keys()].filter((label) => label.startsWith('in')),
  accept: (label) => attempt(() => entry(label).call.accept()),
  reject: (label, status) => attempt(() => entry(label).call.reject(status)),
  cancel: (label) => attempt(() => entry(label).call.cancel()),
  bye: (label) => attempt(() => entry(label).call.bye()),
  hold: (label, on) => attempt(() => entry(label).call.hold(on)),
  setMuted: (label, muted) => entry(label).call.setMuted(muted),
  sendDigits: (label, digits, options) => attempt(() => entry(label).call.sendDigits(digits, options)),
  setInputDevice: (label, id) => attempt(() => entry(label).call.setInputDevice(id)),
  setOutputDevice: (label, id) => attempt(() => entry(label).call.setOutputDevice(id)),
  async record(label, ms) {
    return attempt(async () => {
      const recorder = entry(label).call.startRecording();
      await new Promise((resolve) => setTimeout(resolve, ms));
      const blob = await recorder.stop();
      return { size: blob.size, type: blob.type };
    });
  },
  inboundAudio: (label) => inboundAudio(entry(label).call),
  senderEnabled(label) {
    const pc = entry(label).call.getPeerConnection();
    return pc?.getSenders().map((sender) => sender.track?.enabled);
  },
  disposeCall: (label) => entry(label).call.dispose(),
  dispose: () => attempt(() => userAgent.dispose()),
  /** First lines of the SIP requests this page sent. */
  requestLines: () => sent.map((message) => message.split('\r\n')[0]),
  /** The SIP requests of `method` this page sent, whole, oldest first. */
  sentMessages: (method) => sent.filter((message) => message.startsWith(`${method} `)),
  transportLost: () => transportLost,
  registrationLost: () => registrationLost,
  /** Peer connections that are not closed, and microphone tracks not ended. */
  leftovers: () => ({
    peerConnections: peerConnections.length,
    openPeerConnections: peerConnections.filter((pc) => pc.signalingState !== 'closed').length,
    microphoneTracks: microphoneTracks.length,
    liveMicrophoneTracks: microphoneTracks.filter((t) => t.readyState !== 'ended').length,
  }),
};
