// Drives the built SDK in e2e/pages/sdk/ for video.e2e.test.ts: one Device
// per page, its calls under labels, the video / stream / info / timer events
// recorded, and the media read from the call's peer connection (inbound
// video frames, an inbound-audio packet sampler for gaps). The peer
// connections and tracks come from page-wrappers.ts's registry.
import type { Page } from 'playwright-core';
import type { Call, ConnectOptions, Device, DeviceOptions } from '../../../src/index.js';
import { pageApi, type E2EBrowser } from '../../../e2e/harness/index.js';
import { openPagesWithLab, type Outcome, type PageRegistry } from './page-wrappers.js';

export type { Outcome } from './page-wrappers.js';

export interface VideoCallView {
  status: string;
  hasVideo: boolean;
  hasRemoteVideo: boolean;
  info: Record<string, string | undefined>;
  timer: { startedAt: number; answeredAt?: number; endedAt?: number; ringingMs: number; talkingMs: number; onHoldMs: number };
  /** Live tracks of localStream / remoteStream, by kind. */
  local: string[];
  remote: string[];
  /** The remote video track's readyState and muted, when there is one. */
  remoteVideoTrack?: { readyState: string; muted: boolean };
}

export interface VideoStats {
  framesDecoded: number;
  framesPerSecond?: number;
  frameWidth?: number;
  frameHeight?: number;
  packetsReceived: number;
}

export interface LabEvent {
  type: string;
  at: number;
  detail?: unknown;
}

/** window.videoLab */
export interface VideoLab {
  createDevice(options: Omit<DeviceOptions, 'adapter' | 'inspect'>): Promise<Outcome>;
  connect(label: string, options: ConnectOptions): Promise<Outcome>;
  incomingLabels(): string[];
  accept(label: string, video: boolean): Promise<Outcome>;
  setVideo(label: string, on: boolean): Promise<Outcome>;
  hold(label: string, on: boolean): Promise<Outcome>;
  setVideoInputDevice(label: string, id: string): Promise<Outcome>;
  setInfo(label: string, fields: Record<string, string>, lock: boolean): Outcome;
  view(label: string): VideoCallView;
  events(label: string): LabEvent[];
  inboundVideo(label: string): Promise<VideoStats>;
  /** Starts sampling the inbound audio's packetsReceived every 10 ms. */
  startAudioSampler(label: string): void;
  /** Stops it; the longest time (ms) packetsReceived did not grow, and the samples taken. */
  stopAudioSampler(label: string): { maxGapMs: number; samples: number; packets: number };
  cameras(): Promise<string[]>;
  endAll(): Promise<Outcome>;
  leftovers(): { peerConnections: string[]; tracks: string[] };
}

export function installVideoLab(): void {
  type SDK = { Device: new (options: DeviceOptions) => Device };
  const page = window as unknown as { callchart?: SDK; videoLab?: VideoLab };
  const { peerConnections, tracks, timed, timedSync, need } = (window as unknown as { __callchartLab: PageRegistry }).__callchartLab;
  let device: Device | undefined;
  let incoming = 0;
  const calls = new Map<string, Call>();
  const events = new Map<string, LabEvent[]>();
  const samplers = new Map<string, { timer: ReturnType<typeof setInterval>; last: number; lastAt: number; maxGapMs: number; samples: number }>();
  const callOf = (label: string): Call => need(calls.get(label), `call ${label}`);
  const track = (label: string, call: Call): void => {
    calls.set(label, call);
    const list: LabEvent[] = [];
    events.set(label, list);
    const record = (type: string, detail?: unknown): void => {
      list.push({ type, at: performance.now(), ...(detail === undefined ? {} : { detail }) });
    };
    call.on('accepted', () => record('accepted'));
    call.on('video', (on) => record('video', on));
    call.on('remote-video', (on) => record('remote-video', on));
    call.on('stream', ({ direction, stream }) => record('stream', { direction, kinds: stream.getTracks().map((t) => t.kind) }));
    call.on('info', ({ info }) => record('info', { ...info }));
    call.on('timer', (timer) => record('timer', { ...timer }));
    call.on('hold', (on) => record('hold', on));
    call.on('error', (error) => record('error', error.code));
    call.on('quality', (sample) => sample.video && record('quality-video', { ...sample.video }));
    call.on('disconnect', ({ reason }) => record('disconnect', reason));
  };
  const pcOf = (label: string): RTCPeerConnection => need(callOf(label).getPeerConnection(), `peer connection of ${label}`);
  const inboundAudioPackets = async (label: string): Promise<number> => {
    const report = await pcOf(label).getStats();
    let packets = 0;
    report.forEach((stat) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'audio') packets += stat.packetsReceived ?? 0;
    });
    return packets;
  };
  const live = (stream: MediaStream | undefined): string[] =>
    (stream?.getTracks() ?? []).filter((t) => t.readyState === 'live').map((t) => t.kind).sort();

  page.videoLab = {
    createDevice: (options) =>
      timed(async () => {
        const sdk = need(page.callchart, 'window.callchart');
        device = new sdk.Device(options);
        device.on('incoming', (call) => track(`in${++incoming}`, call));
        await device.register();
      }),
    connect: (label, options) => timed(async () => track(label, await need(device, 'device').connect(options))),
    incomingLabels: () => [...calls.keys()].filter((label) => /^in\d+$/.test(label)),
    accept: (label, video) => timed(() => callOf(label).accept({ video })),
    setVideo: (label, on) => timed(() => callOf(label).setVideo(on)),
    hold: (label, on) => timed(() => callOf(label).hold(on)),
    setVideoInputDevice: (label, id) => timed(() => callOf(label).setVideoInputDevice(id)),
    setInfo: (label, fields, lock) => timedSync(() => callOf(label).setInfo(fields, { lock })),
    view(label) {
      const call = callOf(label);
      const remoteVideo = call.remoteStream?.getVideoTracks()[0];
      return {
        status: call.getStatus(),
        hasVideo: call.hasVideo(),
        hasRemoteVideo: call.hasRemoteVideo(),
        info: { ...call.info },
        timer: call.getTimer(),
        local: live(call.localStream),
        remote: live(call.remoteStream),
        ...(remoteVideo === undefined ? {} : { remoteVideoTrack: { readyState: remoteVideo.readyState, muted: remoteVideo.muted } }),
      };
    },
    events: (label) => [...need(events.get(label), `events of ${label}`)],
    async inboundVideo(label) {
      const report = await pcOf(label).getStats();
      let found: VideoStats = { framesDecoded: 0, packetsReceived: 0 };
      report.forEach((stat) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video' && (stat.framesDecoded ?? 0) >= found.framesDecoded) {
          found = {
            framesDecoded: stat.framesDecoded ?? 0,
            packetsReceived: stat.packetsReceived ?? 0,
            ...(stat.framesPerSecond === undefined ? {} : { framesPerSecond: stat.framesPerSecond }),
            ...(stat.frameWidth === undefined ? {} : { frameWidth: stat.frameWidth, frameHeight: stat.frameHeight }),
          };
        }
      });
      return found;
    },
    startAudioSampler(label) {
      const state = { timer: setInterval(() => undefined, 1000), last: -1, lastAt: performance.now(), maxGapMs: 0, samples: 0 };
      clearInterval(state.timer);
      let busy = false;
      state.timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void inboundAudioPackets(label)
          .then((packets) => {
            const now = performance.now();
            state.samples += 1;
            if (packets > state.last) {
              if (state.last >= 0) state.maxGapMs = Math.max(state.maxGapMs, now - state.lastAt);
              state.last = packets;
              state.lastAt = now;
            }
          })
          .finally(() => {
            busy = false;
          });
      }, 10);
      samplers.set(label, state);
    },
    stopAudioSampler(label) {
      const state = need(samplers.get(label), `sampler of ${label}`);
      clearInterval(state.timer);
      samplers.delete(label);
      // A gap still open at the end counts too.
      const open = performance.now() - state.lastAt;
      return { maxGapMs: Math.max(state.maxGapMs, open), samples: state.samples, packets: state.last };
    },
    async cameras() {
      const devices = await navigator.mediaDevices.enumerateDevices();
      return devices.filter((d) => d.kind === 'videoinput').map((d) => d.deviceId);
    },
    endAll: () =>
      timed(async () => {
        for (const state of samplers.values()) clearInterval(state.timer);
        samplers.clear();
        await Promise.allSettled([...calls.values()].filter((c) => c.getStatus() === 'accepted').map((c) => c.disconnect()));
        await device?.destroy();
        calls.clear();
        events.clear();
      }),
    leftovers: () => ({
      peerConnections: peerConnections.map((pc) => `${pc.connectionState}/${pc.signalingState}`),
      tracks: tracks.map((t) => `${t.kind}:${t.readyState}`),
    }),
  };
}

export const videoLab = pageApi<VideoLab>('videoLab');

/** Opens one page per name with the wrappers and the video lab installed before the SDK loads. */
export function openVideoPages<N extends string>(browser: E2EBrowser, names: readonly N[], url: string): Promise<Record<N, Page>> {
  return openPagesWithLab(browser, names, url, installVideoLab, 'videoLab');
}
