// A small driver for the built SDK in e2e/pages/sdk/: a "lab" installed
// in each page before any of its scripts run (after page-wrappers.ts, whose
// registry holds every peer connection, microphone track, AudioContext and
// WebSocket the SDK creates), keeping the page's device, calls and their
// events on `window` for the test to poll.
import type { Page } from 'playwright-core';
import { pageApi, waitFor, type E2EBrowser } from '../../../e2e/harness/index.js';
import { openPagesWithLab, type PageRegistry } from './page-wrappers.js';

export interface ErrorInfo {
  name: string;
  code?: string;
  message: string;
  /** `instanceof callchart.VoiceSDKError` in the page. */
  isVoiceSDKError: boolean;
}
export type Outcome<T = undefined> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** One event of a call, as the page saw it. */
export interface CallEventRecord {
  type: string;
  /** Page clock (performance.now()), ms. */
  at: number;
  reason?: string;
  report?: { durationMs: number; setupTimeMs: number | undefined };
  error?: ErrorInfo;
}

export interface Leftovers {
  /** Neither connectionState nor signalingState is 'closed'. */
  openPeerConnections: number;
  liveMicrophoneTracks: number;
  /** readyState other than CLOSED (3). */
  openWebSockets: number;
  /** AudioContexts not closed (the SDK's sounds run in them). */
  openAudioContexts: number;
}

/** A span of a recording: recording or paused, for `ms` of page time. */
export interface RecordingStep {
  state: 'recording' | 'paused';
  ms: number;
}

export interface RecordingResult {
  type: string;
  size: number;
  /** Page time spent recording / paused, measured with performance.now(). */
  recordedMs: number;
  pausedMs: number;
  /** Duration of the decoded audio. */
  decodedMs: number;
  /** RMS of all decoded samples (all channels), full scale 1. */
  rms: number;
  /** RMS of each 500 ms window of the decoded audio. */
  windowRms: number[];
}

export interface SenderTrack {
  id: string;
  readyState: MediaStreamTrackState;
  deviceId: string | undefined;
}

/** window.lab: what the tests call through {@link lab}. */
export interface LabApi {
  start(options: { uri: string; password: string; server: string }): Promise<Outcome>;
  deviceState(): string | undefined;
  destroy(): Promise<Outcome>;
  call(label: string, to: string, params?: Record<string, string>): Promise<Outcome>;
  incomingLabels(): string[];
  incoming(label: string): { remoteIdentity: string; customHeaders: Record<string, string>; direction: string };
  accept(label: string): Promise<Outcome>;
  reject(label: string, statusCode: number): Promise<Outcome>;
  hangup(label: string): Promise<Outcome>;
  status(label: string): string;
  events(label: string): CallEventRecord[];
  openCalls(): number;
  audioInputs(): Promise<string[]>;
  setInputDevice(label: string, deviceId: string): Promise<Outcome>;
  /** `device.audio.setInputDevice(deviceId)`: the microphone of the calls made from now on. */
  chooseInputDevice(deviceId: string): Promise<Outcome>;
  /** How many microphone tracks getUserMedia has handed out so far. */
  microphonesOpened(): number;
  /** `device.audio.setOutputDevice(deviceId)`: where the calls made from now on play. */
  chooseOutputDevice(deviceId: string): Promise<Outcome>;
  /** Device ids of the audio outputs the browser lists. */
  audioOutputs(): Promise<string[]>;
  /** The `sinkId` of every <audio> element the page made, oldest first ('' is the default output). */
  audioElementSinks(): string[];
  /** The `sinkId` of every AudioContext still open (the SDK's sounds), '' for the default output. */
  soundSinks(): string[];
  setOutputDevice(label: string, deviceId: string): Promise<Outcome>;
  senderTrack(label: string): SenderTrack | undefined;
  inboundAudio(label: string): Promise<{ packetsReceived: number; totalAudioEnergy: number }>;
  record(label: string, steps: RecordingStep[]): Promise<Outcome<RecordingResult>>;
  leftovers(): Leftovers;
}

/** Calls `window.lab[method](...args)` in `page`. */
export const lab = pageApi<LabApi>('lab');

const SDK_PAGE = '/e2e/pages/sdk/index.html';

/** Opens one isolated page per name on the SDK page with the wrappers and the lab installed before the SDK loads. */
export function openLabPages<N extends string>(browser: E2EBrowser, names: readonly N[], serverUrl: string): Promise<Record<N, Page>> {
  return openPagesWithLab(browser, names, `${serverUrl}${SDK_PAGE}`, installLab, 'lab');
}

export const WAIT = { timeoutMs: 15_000, intervalMs: 25 };

/** Waits for the first `type` event of call `label` and returns it. */
export function waitForCallEvent(page: Page, label: string, type: string): Promise<CallEventRecord> {
  return waitFor(async () => (await lab(page, 'events', label)).find((event) => event.type === type), {
    ...WAIT,
    description: `a '${type}' event on call ${label}`,
  });
}

/** Waits for the next incoming call on `page` (after `known` of them) and returns its label. */
export async function waitForIncoming(page: Page, known: number): Promise<string> {
  const labels = await waitFor(
    async () => {
      const all = await lab(page, 'incomingLabels');
      return all.length > known ? all : undefined;
    },
    { ...WAIT, description: `incoming call #${known + 1}` },
  );
  return labels[known]!;
}

/** Inbound audio of call `label` keeps arriving (packets) and carries sound (energy). */
export async function expectInboundAudioGrowing(page: Page, label: string): Promise<void> {
  const before = await lab(page, 'inboundAudio', label);
  await waitFor(
    async () => {
      const now = await lab(page, 'inboundAudio', label);
      return now.packetsReceived >= before.packetsReceived + 25 && now.totalAudioEnergy > before.totalAudioEnergy;
    },
    { timeoutMs: 10_000, intervalMs: 50, description: `inbound audio on call ${label} to grow` },
  );
}

/**
 * Runs in the page before its scripts (page.addInitScript). Self-contained:
 * Playwright serialises it as source text, so it may not use anything from
 * this module's scope.
 */
export function installLab(): void {
  type Sdk = typeof import('../../../src/index.js');
  type Device = InstanceType<Sdk['Device']>;
  type Call = Awaited<ReturnType<Device['connect']>>;
  const sdk = (): Sdk => (window as unknown as { callchart: Sdk }).callchart;

  // --- probes (page-wrappers.ts): every peer connection, getUserMedia track, AudioContext and WebSocket ---
  const { peerConnections, tracks, audioContexts, sockets: webSockets } = (window as unknown as { __callchartLab: PageRegistry })
    .__callchartLab;
  const microphoneTracks = (): MediaStreamTrack[] => tracks.filter((t) => t.kind === 'audio');
  // Every <audio> element (a call plays the far end in one it makes).
  const audioElements: HTMLAudioElement[] = [];
  const nativeCreateElement = document.createElement.bind(document);
  document.createElement = ((tagName: string, options?: ElementCreationOptions) => {
    const element = nativeCreateElement(tagName, options);
    if (tagName.toLowerCase() === 'audio') audioElements.push(element as HTMLAudioElement);
    return element;
  }) as typeof document.createElement;

  // --- the device and its calls ---
  let device: Device | undefined;
  const calls = new Map<string, Call>();
  const events = new Map<string, Array<Record<string, unknown>>>();
  const incomingLabels: string[] = [];

  const errorInfo = (error: unknown) => {
    const value = error as { name?: unknown; code?: unknown; message?: unknown };
    return {
      name: String(value?.name ?? 'Error'),
      ...(typeof value?.code === 'string' ? { code: value.code } : {}),
      message: String(value?.message ?? error),
      isVoiceSDKError: error instanceof sdk().VoiceSDKError,
    };
  };
  const outcome = async <T>(run: () => Promise<T> | T) => {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      return { ok: false, error: errorInfo(error) };
    }
  };
  const callOf = (label: string): Call => {
    const call = calls.get(label);
    if (!call) throw new Error(`no call ${label}`);
    return call;
  };
  const track = (label: string, call: Call): void => {
    calls.set(label, call);
    const log: Array<Record<string, unknown>> = [];
    events.set(label, log);
    const push = (type: string, extra: Record<string, unknown> = {}) => log.push({ type, at: performance.now(), ...extra });
    call.on('ringing', () => push('ringing'));
    call.on('accepted', () => push('accepted'));
    call.on('error', (error) => push('error', { error: errorInfo(error) }));
    call.on('disconnect', ({ reason, report }) =>
      push('disconnect', { reason, report: { durationMs: report.durationMs, setupTimeMs: report.setupTimeMs } }),
    );
  };
  const inboundRtp = async (call: Call) => {
    const pc = call.getPeerConnection();
    if (!pc) throw new Error('no peer connection');
    const stats = await pc.getStats();
    for (const report of stats.values()) {
      if (report.type === 'inbound-rtp' && report.kind === 'audio') {
        return { packetsReceived: report.packetsReceived ?? 0, totalAudioEnergy: report.totalAudioEnergy ?? 0 };
      }
    }
    // Nothing received yet (the answer is only just in).
    return { packetsReceived: 0, totalAudioEnergy: 0 };
  };
  const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

  const api = {
    start: ({ uri, password, server }: { uri: string; password: string; server: string }) =>
      outcome(async () => {
        if (device) throw new Error('a device is already running');
        const created = new (sdk().Device)({ server, uri, password });
        device = created;
        created.on('incoming', (call) => {
          const label = `in${incomingLabels.length + 1}`;
          incomingLabels.push(label);
          track(label, call);
        });
        await created.register();
        return undefined;
      }),
    deviceState: () => device?.state,
    destroy: () =>
      outcome(async () => {
        const current = device;
        device = undefined;
        await current?.destroy();
        return undefined;
      }),
    call: (label: string, to: string, params?: Record<string, string>) =>
      outcome(async () => {
        if (!device) throw new Error('no device');
        track(label, await device.connect({ to, ...(params ? { params } : {}) }));
        return undefined;
      }),
    incomingLabels: () => [...incomingLabels],
    incoming: (label: string) => {
      const call = callOf(label);
      return { remoteIdentity: call.remoteIdentity, customHeaders: { ...call.customHeaders }, direction: call.direction };
    },
    accept: (label: string) => outcome(() => callOf(label).accept().then(() => undefined)),
    reject: (label: string, statusCode: number) => outcome(() => callOf(label).reject(statusCode).then(() => undefined)),
    hangup: (label: string) => outcome(() => callOf(label).disconnect().then(() => undefined)),
    status: (label: string) => callOf(label).getStatus(),
    events: (label: string) => events.get(label) ?? [],
    openCalls: () => device?.calls.length ?? 0,
    audioInputs: async () =>
      (await navigator.mediaDevices.enumerateDevices())
        .filter((info) => info.kind === 'audioinput')
        .map((info) => info.deviceId),
    chooseInputDevice: (deviceId: string) =>
      outcome(async () => {
        if (!device) throw new Error('no device');
        await device.audio.setInputDevice(deviceId);
        return undefined;
      }),
    microphonesOpened: () => microphoneTracks().length,
    chooseOutputDevice: (deviceId: string) =>
      outcome(async () => {
        if (!device) throw new Error('no device');
        await device.audio.setOutputDevice(deviceId);
        return undefined;
      }),
    audioOutputs: async () =>
      (await navigator.mediaDevices.enumerateDevices()).filter((info) => info.kind === 'audiooutput').map((info) => info.deviceId),
    audioElementSinks: () => audioElements.map((element) => element.sinkId),
    soundSinks: () =>
      audioContexts.filter((context) => context.state !== 'closed').map((context) => String((context as AudioContext & { sinkId?: unknown }).sinkId ?? '')),
    setInputDevice: (label: string, deviceId: string) =>
      outcome(() => callOf(label).setInputDevice(deviceId).then(() => undefined)),
    setOutputDevice: (label: string, deviceId: string) =>
      outcome(() => callOf(label).setOutputDevice(deviceId).then(() => undefined)),
    senderTrack: (label: string) => {
      const sender = callOf(label)
        .getPeerConnection()
        ?.getSenders()
        .find((candidate) => candidate.track?.kind === 'audio');
      const current = sender?.track;
      if (!current) return undefined;
      return { id: current.id, readyState: current.readyState, deviceId: current.getSettings().deviceId };
    },
    inboundAudio: (label: string) => inboundRtp(callOf(label)),
    record: (label: string, steps: Array<{ state: 'recording' | 'paused'; ms: number }>) =>
      outcome(async () => {
        const call = callOf(label);
        if (steps[0]?.state !== 'recording') throw new Error('a recording starts by recording');
        let recordedMs = 0;
        let pausedMs = 0;
        call.startRecording();
        let spanStart = performance.now();
        for (const [index, step] of steps.entries()) {
          // Waiting by duration on purpose: the length of the spans is what the test measures.
          await sleep(step.ms);
          const now = performance.now();
          if (step.state === 'recording') recordedMs += now - spanStart;
          else pausedMs += now - spanStart;
          spanStart = now;
          const next = steps[index + 1];
          if (next?.state === 'paused' && step.state === 'recording') call.pauseRecording();
          if (next?.state === 'recording' && step.state === 'paused') call.resumeRecording();
        }
        const blob = await call.stopRecording();
        const context = new AudioContext();
        try {
          const buffer = await context.decodeAudioData(await blob.arrayBuffer());
          let sum = 0;
          const windowSize = Math.round(buffer.sampleRate / 2);
          const windowSums = new Array<number>(Math.ceil(buffer.length / windowSize)).fill(0);
          for (let channel = 0; channel < buffer.numberOfChannels; channel += 1) {
            const samples = buffer.getChannelData(channel);
            for (let i = 0; i < samples.length; i += 1) {
              const square = samples[i]! * samples[i]!;
              sum += square;
              windowSums[Math.floor(i / windowSize)]! += square;
            }
          }
          const rmsOf = (total: number, count: number) => Math.sqrt(total / Math.max(1, count * buffer.numberOfChannels));
          return {
            type: blob.type,
            size: blob.size,
            recordedMs,
            pausedMs,
            decodedMs: buffer.duration * 1000,
            rms: rmsOf(sum, buffer.length),
            windowRms: windowSums.map((total, index) =>
              rmsOf(total, Math.min(windowSize, buffer.length - index * windowSize)),
            ),
          };
        } finally {
          await context.close();
        }
      }),
    leftovers: () => ({
      openPeerConnections: peerConnections.filter(
        (pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed',
      ).length,
      liveMicrophoneTracks: microphoneTracks().filter((t) => t.readyState !== 'ended').length,
      openWebSockets: webSockets.filter((socket) => socket.readyState !== WebSocket.CLOSED).length,
      openAudioContexts: audioContexts.filter((context) => context.state !== 'closed').length,
    }),
  };
  (window as unknown as { lab: typeof api }).lab = api;
}
