// A phone for the call-quality e2e test: one SDK Device that answers every
// incoming call, and a log per call of what the SDK itself reported (quality
// samples, warnings, reports). The test reads the logs with page.evaluate.
import * as callchart from '/dist/index.js';

/** @type {import('../../../../dist/index.js').Device | undefined} */
let device;
/** Every call of this page, oldest first: { call, log }. */
const calls = [];

function errorInfo(error) {
  return { name: error?.name ?? 'Error', code: error?.code, message: String(error?.message ?? error) };
}

async function outcome(run) {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

function track(call) {
  const log = {
    direction: call.direction,
    accepted: false,
    acceptedAt: undefined,
    samples: [],
    warnings: [],
    cleared: [],
    reports: [],
    errors: [],
    disconnect: undefined,
  };
  call.on('accepted', () => {
    log.accepted = true;
    log.acceptedAt = Date.now();
  });
  call.on('quality', (sample) => log.samples.push(sample));
  // `samples`: how many samples had arrived; the SDK judges a sample right
  // after emitting it, so the last of them is the one that raised or cleared.
  call.on('warning', (warning) => log.warnings.push({ ...warning, at: Date.now(), samples: log.samples.length }));
  call.on('warning-cleared', ({ name }) => log.cleared.push({ name, at: Date.now(), samples: log.samples.length }));
  call.on('report', (report) => log.reports.push({ at: Date.now(), report }));
  call.on('error', (error) => log.errors.push(errorInfo(error)));
  call.on('disconnect', (info) => (log.disconnect = { reason: info.reason, report: info.report, at: Date.now() }));
  calls.push({ call, log });
  return calls.length - 1;
}

function current() {
  const entry = calls.at(-1);
  if (!entry) throw new Error('no call yet');
  return entry;
}

function audioSender() {
  const pc = current().call.getPeerConnection();
  const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio');
  if (!sender) throw new Error('no audio sender');
  return { pc, sender };
}

window.quality = {
  /** Replaces the device (destroying any previous one) and registers it. */
  start: (options) =>
    outcome(async () => {
      await device?.destroy();
      device = new callchart.Device(options);
      device.on('incoming', (call) => {
        track(call);
        void call.accept().catch(() => undefined);
      });
      await device.register();
    }),
  /** Calls `to`; resolves with the call's index once the INVITE is under way. */
  call: (to) => outcome(async () => track(await device.connect({ to }))),
  callCount: () => calls.length,
  /** The log of the latest call: plain data. */
  log: () => JSON.parse(JSON.stringify(calls.at(-1)?.log ?? null)),
  report: () => JSON.parse(JSON.stringify(current().call.getReport())),
  hangup: () => outcome(() => current().call.disconnect()),
  mute: (muted) => current().call.mute(muted),
  /**
   * Sends digital silence instead of the microphone, unmuted: a Web Audio
   * destination with nothing connected, as a dead or unplugged mic would.
   */
  silenceMicrophone: () =>
    outcome(async () => {
      const context = new AudioContext();
      await context.resume();
      const silent = context.createMediaStreamDestination().stream.getAudioTracks()[0];
      await audioSender().sender.replaceTrack(silent);
      return context.state;
    }),
  /** `count` consecutive getStats() reports, `intervalMs` apart, as arrays of stats objects. */
  recordStats: async (count, intervalMs) => {
    const { pc } = audioSender();
    const reports = [];
    for (let i = 0; i < count; i += 1) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      reports.push([...(await pc.getStats()).values()]);
    }
    return JSON.parse(JSON.stringify(reports));
  },
};
window.qualityReady = true;
