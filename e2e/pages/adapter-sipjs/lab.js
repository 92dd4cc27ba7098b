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
/** Every SIP message this page received, as text. */
const received = [];
/** While set, received messages matching `pattern` reach SIP.js `ms` late (to make a 200 cross a CANCEL). */
let lateDelivery;
/** While set, the next received request matching `pattern` never reaches SIP.js: the page answers it `status`. */
let refusal;

/** A final response to `request` (the raw text of a received request), as a UAS would send it. */
function responseTo(request, status, phrase) {
  const lines = request.split('\r\n');
  const keep = lines.filter((line) => /^(Via|v|From|f|To|t|Call-ID|i|CSeq):/i.test(line));
  const to = keep.findIndex((line) => /^(To|t):/i.test(line));
  if (to >= 0 && !/;\s*tag=/i.test(keep[to])) keep[to] += ';tag=refused';
  return [`SIP/2.0 ${status} ${phrase}`, ...keep, 'Content-Length: 0', '', ''].join('\r\n');
}
/** Messages being delivered late, to every listener of the socket. */
const lateEvents = new WeakMap();
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  addEventListener(type, listener, options) {
    if (type !== 'message' || typeof listener !== 'function') return super.addEventListener(type, listener, options);
    const delayed = (event) => {
      if (typeof event.data === 'string') received.push(event.data);
      const refuse = refusal;
      if (refuse && typeof event.data === 'string' && refuse.pattern.test(event.data)) {
        refusal = undefined;
        this.send(responseTo(event.data, refuse.status, refuse.phrase));
        return;
      }
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

function track(label, call) {
  const entry = { call, events: [], startedAt: undefined };
  call.subscribe((fact) => {
    entry.events.push({ at: performance.now(), event: { ...fact } });
  });
  calls.set(label, entry);
  return entry;
}

/** A media fact counts only when something failed or dropped; the rest is ICE/DTLS progress. */
function isTold(fact) {
  // Streams are objects, compared by their kinds (streamKinds) instead.
  if (fact.type === 'stream') return false;
  return fact.type !== 'media' || ['failed', 'disconnected', 'closed'].some((state) => fact.ice === state || fact.connection === state);
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
  async start({ uri, password, server, displayName, iceGatheringTimeoutMs = 500, registerExpires = 300 }) {
    userAgent = createSipJsAdapter({
      uri,
      password,
      ...(displayName === undefined ? {} : { displayName }),
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
      if (autoAnswer) void call.answer();
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
  /** The next received request matching `source` is answered `status` by the page itself (SIP.js never sees it). */
  refuseNext(source, status, phrase) {
    refusal = { pattern: new RegExp(source), status, phrase };
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
  async call(label, target, headers = {}, fromUser) {
    const outgoing = track(label, userAgent.createCall({ target, headers, ...(fromUser ? { fromUser } : {}) }));
    outgoing.startedAt = performance.now();
    return attempt(() => outgoing.call.invite());
  },
  /** ms from invite() to the 'established' fact, once it came. */
  setupMs(label) {
    const outgoing = entry(label);
    const answered = outgoing.events.find((item) => item.event.type === 'established');
    return answered && outgoing.startedAt !== undefined ? answered.at - outgoing.startedAt : undefined;
  },
  /** The facts of `label`, without the healthy media progress (new / checking / connected: timing, not outcome). */
  events: (label) => entry(label).events.map((item) => item.event).filter(isTold),
  /** Every fact of `label`, media progress included. */
  allEvents: (label) => entry(label).events.map((item) => item.event),
  remoteIdentity: (label) => entry(label).call.remoteIdentity,
  customHeaders: (label) => entry(label).call.customHeaders,
  remoteParty: (label) => ({ ...entry(label).call.remoteParty }),
  /** The track kinds of the last local and remote `stream` facts (live tracks only). */
  streamKinds(label) {
    const kinds = (direction) => {
      const last = entry(label).events.filter(({ event }) => event.type === 'stream' && event.direction === direction).at(-1);
      return last ? last.event.stream.getTracks().filter((t) => t.readyState === 'live').map((t) => t.kind).sort() : [];
    };
    return { local: kinds('local'), remote: kinds('remote') };
  },
  incoming: (label) => {
    const incoming = entry(label);
    return { remoteIdentity: incoming.remoteIdentity, customHeaders: incoming.customHeaders, direction: incoming.call.direction };
  },
  incomingLabels: () => [...calls.keys()].filter((label) => label.startsWith('in')),
  answer: (label) => attempt(() => entry(label).call.answer()),
  answerWithVideo: (label) => attempt(() => entry(label).call.answer({ video: true })),
  async callWithVideo(label, target) {
    const outgoing = track(label, userAgent.createCall({ target, headers: {}, video: true }));
    return attempt(() => outgoing.call.invite());
  },
  setVideo: (label, on) => attempt(() => entry(label).call.reinvite({ hold: false, video: on })),
  reject: (label, status) => attempt(() => entry(label).call.reject(status)),
  cancel: (label) => attempt(() => entry(label).call.cancel()),
  bye: (label) => attempt(() => entry(label).call.bye()),
  reinvite: (label, hold, iceRestart = false) =>
    attempt(() => entry(label).call.reinvite(iceRestart ? { hold, iceRestart: true } : { hold })),
  setSending: (label, enabled) => entry(label).call.setSending(enabled),
  sendDtmf: (label, digits, options) => attempt(() => entry(label).call.sendDtmf(digits, options)),
  respondToRefer: (label, status) => entry(label).call.respondToRefer(status),
  /** REFER on `label`: to a URI, or `{ call: otherLabel }` for an attended transfer to that call's far end. */
  refer: (label, target) => attempt(() => entry(label).call.refer(typeof target === 'string' ? target : entry(target.call).call)),
  /** Places (and invites) the call that follows the REFER `label` accepted. */
  async followRefer(label, newLabel) {
    return attempt(() => track(newLabel, userAgent.createReferredCall(entry(label).call)).call.invite());
  },
  /** The label of the call that the INVITE of `label` replaces, if any. */
  replacesOf(label) {
    const id = entry(label).call.replaces;
    return [...calls.entries()].find(([, other]) => id !== undefined && other.call.id === id)?.[0];
  },
  setInputDevice: (label, id) => attempt(() => entry(label).call.setInputDevice(id)),
  async callWithMicrophone(label, target, inputDeviceId) {
    const outgoing = track(label, userAgent.createCall({ target, headers: {}, inputDeviceId }));
    return attempt(() => outgoing.call.invite());
  },
  answerWithMicrophone: (label, inputDeviceId) => attempt(() => entry(label).call.answer({ inputDeviceId })),
  /** The device id of the microphone track the call sends, if it has one. */
  microphone(label) {
    const sender = entry(label).call.getPeerConnection()?.getSenders().find((candidate) => candidate.track?.kind === 'audio');
    return sender?.track?.getSettings().deviceId;
  },
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
  /** The SIP messages this page received whose first line starts with `start`, whole, oldest first. */
  receivedMessages: (start) => received.filter((message) => message.startsWith(start)),
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
