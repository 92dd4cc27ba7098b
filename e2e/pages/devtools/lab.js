// Two devices of the built SDK in one page; alice is inspected by a viewer
// panel in this page and, through createInspector(), by the viewer in the iframe.
import { Device } from '/dist/index.js';
import { activePaths, createInspector, mountViewer, openViewerWindow } from '/dist/devtools.js';

const panel = mountViewer(document.getElementById('panel'));
const remote = createInspector();
// A third viewer: a blank popup drawn from this page (no URL loaded).
const popup = openViewerWindow();
const devices = {};
const calls = {};
let incoming;

const audioOf = (call) => {
  const pc = call.getPeerConnection();
  const track = pc?.getReceivers().find((r) => r.track?.kind === 'audio')?.track;
  if (track) new Audio().srcObject = new MediaStream([track]);
};

/** Paths highlighted in `root` for the chart of `actor`, and what its snapshot says, read in one turn. */
function highlight(root, actor) {
  const chart = root.querySelector(`[data-session-id="${actor.sessionId}"]`);
  if (!chart) return { drawn: false, shown: [], expected: [] };
  const nodes = [...chart.querySelectorAll('.cc-node')];
  const active = activePaths(actor.getSnapshot().value);
  return {
    drawn: true,
    status: chart.dataset.status,
    shown: nodes.filter((n) => n.classList.contains('is-active')).map((n) => n.dataset.statePath),
    expected: nodes.map((n) => n.dataset.statePath).filter((p) => active.has(p)),
  };
}

const remoteRoot = () => document.getElementById('remote').contentDocument?.body;

window.lab = {
  async create(name, options) {
    const inspected = name === 'alice';
    devices[name] = new Device({
      ...options,
      ...(inspected ? { inspect: (event) => { panel.inspect(event); remote(event); popup?.inspect(event); } } : {}),
    });
    devices[name].on('incoming', (call) => {
      incoming = call;
    });
    await devices[name].register();
    return devices[name].state;
  },
  async call(from, to) {
    calls[from] = await devices[from].connect({ to });
    return calls[from].id;
  },
  hasIncoming: () => incoming !== undefined,
  async accept(name) {
    calls[name] = incoming;
    await incoming.accept();
    audioOf(incoming);
    return incoming.getStatus();
  },
  status: (name) => calls[name]?.getStatus(),
  hold: (name, on) => calls[name].hold(on),
  hangup: (name) => calls[name].disconnect(),
  /** What the panel and the iframe's viewer highlight for alice's device and her call. */
  highlights(which) {
    const actor = which === 'device' ? devices.alice.actor : calls.alice.actor;
    const root = remoteRoot();
    return {
      panel: highlight(document.getElementById('panel'), actor),
      remote: root ? highlight(root, actor) : undefined,
      popup: popup ? highlight(popup.element, actor) : undefined,
    };
  },
  /** The panel's timeline: [seq, target, type, time text] in DOM order. */
  timeline: (root = 'panel') =>
    [...(root === 'panel' ? document.getElementById('panel') : remoteRoot()).querySelectorAll('.cc-entry')].map((e) => [
      Number(e.dataset.seq),
      e.dataset.target,
      e.dataset.eventType,
      e.querySelector('time').textContent,
    ]),
  ids: () => ({ device: devices.alice.actor.sessionId, call: calls.alice?.actor.sessionId, callId: calls.alice?.id }),
  /** Everything in both viewers' DOM, for the credential check. */
  html: () => document.documentElement.outerHTML + (remoteRoot()?.parentElement.outerHTML ?? '') + (popup?.element.ownerDocument.documentElement.outerHTML ?? ''),
  async destroy() {
    await Promise.all(Object.values(devices).map((d) => d.destroy()));
  },
};
window.labReady = true;
