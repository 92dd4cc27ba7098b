// Drives the built SDK in e2e/pages/sdk/ for sdk-calls.e2e.test.ts.
//
// `installCallsLab` runs in the page before the SDK loads (an init script,
// after page-wrappers.ts's, whose registry of sockets, frames, peer
// connections and tracks it reads to see what the SDK sends and what it
// leaves open), and puts `window.callsLab` on the page: one Device per page,
// its calls under labels, every event recorded with its time.
// `lab(page, method, ...args)` calls it from the test with types.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Call, ConnectOptions, Device, DeviceOptions } from '../../../src/index.js';
import { TSHARK_BIN, pageApi, waitFor, type E2EBrowser } from '../../../e2e/harness/index.js';
import { openPagesWithLab, type Outcome, type PageRegistry } from './page-wrappers.js';

export type { ErrorInfo, Outcome } from './page-wrappers.js';

const execFileAsync = promisify(execFile);

/** A device or call event as the page saw it; `at` is the page's performance.now(). */
export interface RecordedEvent {
  type: string;
  at: number;
  /** device.state, or call.getStatus(), when the event fired. */
  state: string;
  /** Error code (error events), reason (disconnect), the flag (mute, hold, remote-hold), the digit (dtmf) or the warning's name. */
  detail?: string | boolean;
  /** disconnect: the final SIP status and the Reason header, when the end came with them. */
  status?: number;
  cause?: string;
  /** dtmf: the tone's duration, when the INFO said it. */
  durationMs?: number;
}

export interface CallInfo {
  direction: string;
  status: string;
  remoteIdentity: string;
  customHeaders: Record<string, string>;
  muted: boolean;
  onHold: boolean;
  remoteOnHold: boolean;
  /** The label of the call this one replaces (an attended transfer's INVITE with Replaces). */
  replaces?: string;
  /** `call.info`: who the far end is (display name, number, …). */
  info: Record<string, string | undefined>;
}

export interface InboundAudio {
  packetsReceived: number;
  totalAudioEnergy: number;
}

export interface Leftovers {
  /** `connectionState/signalingState` of every RTCPeerConnection the page created. */
  peerConnections: string[];
  /** `readyState` of every getUserMedia track the page got. */
  microphoneTracks: string[];
  /** `readyState` of every WebSocket the page opened (3 is CLOSED). */
  sockets: number[];
}

/** Device options the page can take (no functions cross into the page). */
export type LabDeviceOptions = Omit<DeviceOptions, 'adapter' | 'inspect'>;

/** window.callsLab */
export interface CallsLab {
  createDevice(options: LabDeviceOptions): void;
  register(): Promise<Outcome>;
  unregister(): Promise<Outcome>;
  device(): { state: string; transportState: string; calls: number };
  deviceEvents(): RecordedEvent[];
  /** Places a call under `label`; resolves when connect() did (INVITE under way). */
  connect(label: string, options: ConnectOptions): Promise<Outcome>;
  /** Labels of incoming calls so far: 'in1', 'in2', … */
  incomingLabels(): string[];
  callInfo(label: string): CallInfo;
  /** How many oscillators the page's sounds made so far, and the frequencies (Hz) of those made after `since`. */
  tones(since?: number): { count: number; hz: number[] };
  /** hasVideo() and hasRemoteVideo(). */
  videoFlags(label: string): { video: boolean; remoteVideo: boolean };
  callEvents(label: string): RecordedEvent[];
  /** When connect() was called for `label` (performance.now()). */
  connectStartedAt(label: string): number;
  accept(label: string): Promise<Outcome>;
  /** Answer every incoming call as soon as it arrives (for setup-time figures). */
  setAutoAnswer(on: boolean): void;
  disconnect(label: string): Promise<Outcome>;
  terminate(label: string): Promise<Outcome>;
  /** The far end's part played on the raw SIP.js session (`call.session`): a final failure with a Reason header. */
  sessionReject(label: string, statusCode: number, reason: string): Promise<Outcome>;
  /** The same: a BYE with a Reason header. */
  sessionBye(label: string, reason: string): Promise<Outcome>;
  mute(label: string, muted: boolean): Outcome;
  hold(label: string, onHold: boolean): Promise<Outcome>;
  /** call.transfer(): to a target string, or `{ call: label }` (attended). */
  transfer(label: string, target: string | { call: string }): Promise<Outcome>;
  sendDigits(label: string, digits: string): Promise<Outcome>;
  inboundAudio(label: string): Promise<InboundAudio>;
  sdp(label: string): { local: string; remote: string };
  /** Text frames the page sent on its WebSockets, oldest first. */
  sentFrames(): string[];
  /** Text frames the page received on its WebSockets, oldest first. */
  receivedFrames(): string[];
  /**
   * Hangs up every answered call, waits until every BYE the device sent has
   * its final response, then destroys the device. Fails if a BYE stays
   * unanswered for 10 s.
   */
  endAll(): Promise<Outcome>;
  leftovers(): Leftovers;
  /** Closes the page's open WebSockets (code 1000), as a dropped connection: the device reconnects. */
  closeSockets(): number;
}

/**
 * The page side. Serialised by Playwright: it may use nothing from this
 * module but types.
 */
export function installCallsLab(): void {
  type SDK = { Device: new (options: LabDeviceOptions) => Device };
  const page = window as unknown as { callchart?: SDK; callsLab?: CallsLab };

  const { sent, received, sockets, peerConnections, tracks, oscillators, timed, timedSync, need } = (window as unknown as { __callchartLab: PageRegistry })
    .__callchartLab;

  let device: Device | undefined;
  /** Index into `sent` where the current device's frames start. */
  let deviceSentFrom = 0;
  let deviceEvents: RecordedEvent[] = [];
  const calls = new Map<string, Call>();
  const callEvents = new Map<string, RecordedEvent[]>();
  const connectStarted = new Map<string, number>();
  let incomingCount = 0;
  let referredCount = 0;
  let autoAnswer = false;

  const currentDevice = (): Device => need(device, 'device (createDevice first)');
  const callOf = (label: string): Call => need(calls.get(label), `call ${label}`);

  const track = (label: string, call: Call): void => {
    calls.set(label, call);
    const events: RecordedEvent[] = [];
    callEvents.set(label, events);
    const record = (type: string, detail?: string | boolean): void => {
      events.push({ type, at: performance.now(), state: call.getStatus(), ...(detail === undefined ? {} : { detail }) });
    };
    call.on('ringing', () => record('ringing'));
    call.on('accepted', () => record('accepted'));
    call.on('mute', (muted) => record('mute', muted));
    call.on('hold', (onHold) => record('hold', onHold));
    call.on('remote-hold', (onHold) => record('remote-hold', onHold));
    call.on('dtmf', ({ digit, durationMs }) => {
      record('dtmf', digit);
      if (durationMs !== undefined) events[events.length - 1]!.durationMs = durationMs;
    });
    call.on('warning', ({ name }) => record('warning', name));
    call.on('error', (error) => record('error', error.code));
    call.on('confirmed', () => record('confirmed'));
    call.on('reconnecting', ({ cause }) => record('reconnecting', cause));
    call.on('reconnected', () => record('reconnected'));
    call.on('transfer', ({ state, status }) => {
      record('transfer', state);
      if (status !== undefined) events[events.length - 1]!.status = status;
    });
    // We followed a REFER: the new call is tracked as `referred<n>`.
    call.on('referred', ({ target, call: next }) => {
      referredCount += 1;
      track(`referred${referredCount}`, next);
      record('referred', target);
    });
    call.on('disconnect', ({ reason, status, cause }) => {
      record('disconnect', reason);
      const last = events[events.length - 1]!;
      if (status !== undefined) last.status = status;
      if (cause !== undefined) last.cause = cause;
    });
  };

  /** "Call-ID CSeq" of a BYE or of a response to one. */
  const byeKey = (frame: string): string | undefined => {
    const callId = /^Call-ID:\s*(\S+)/im.exec(frame)?.[1];
    const cseq = /^CSeq:\s*(\d+)\s+BYE\s*$/im.exec(frame)?.[1];
    return callId === undefined || cseq === undefined ? undefined : `${callId} ${cseq}`;
  };
  /** BYEs the current device sent that have no final response yet. */
  const unansweredByes = (): string[] => {
    const answered = new Set(received.filter((frame) => /^SIP\/2\.0 [2-6]\d\d /.test(frame)).map(byeKey));
    return sent
      .slice(deviceSentFrom)
      .filter((frame) => frame.startsWith('BYE '))
      .map(byeKey)
      .filter((key): key is string => key !== undefined && !answered.has(key));
  };

  const lab: CallsLab = {
    createDevice(options) {
      if (device !== undefined && device.state !== 'destroyed') throw new Error('destroy the previous device first');
      const sdk = need(page.callchart, 'window.callchart (SDK not loaded)');
      const created = new sdk.Device(options);
      device = created;
      deviceEvents = [];
      deviceSentFrom = sent.length;
      referredCount = 0;
      const events = deviceEvents;
      const record = (type: string, detail?: string): void => {
        events.push({ type, at: performance.now(), state: created.state, ...(detail === undefined ? {} : { detail }) });
      };
      for (const type of ['registering', 'registered', 'unregistered', 'disconnected', 'destroyed'] as const) {
        created.on(type, () => record(type));
      }
      created.on('connected', () => record('connected'));
      created.on('reconnecting', () => record('reconnecting'));
      created.on('error', (error) => record('error', error.code));
      created.on('incoming', (call) => {
        incomingCount += 1;
        track(`in${incomingCount}`, call);
        // A failure shows as the call's `error` event.
        if (autoAnswer) call.accept().catch(() => undefined);
      });
    },
    register: () => timed(() => currentDevice().register()),
    unregister: () => timed(() => currentDevice().unregister()),
    device() {
      const current = currentDevice();
      return { state: current.state, transportState: current.transportState, calls: current.calls.length };
    },
    deviceEvents: () => [...deviceEvents],
    connect(label, options) {
      connectStarted.set(label, performance.now());
      return timed(async () => track(label, await currentDevice().connect(options)));
    },
    incomingLabels: () => [...calls.keys()].filter((label) => /^in\d+$/.test(label)),
    tones: (since = 0) => ({ count: oscillators.length, hz: oscillators.slice(since).map((node) => node.frequency.value) }),
    callInfo(label) {
      const call = callOf(label);
      return {
        direction: call.direction,
        status: call.getStatus(),
        remoteIdentity: call.remoteIdentity,
        customHeaders: { ...call.customHeaders },
        muted: call.isMuted(),
        onHold: call.isOnHold(),
        remoteOnHold: call.isRemoteOnHold(),
        info: { ...call.info },
        ...(call.replaces === undefined ? {} : { replaces: [...calls.entries()].find(([, other]) => other === call.replaces)?.[0] ?? '?' }),
      };
    },
    videoFlags: (label) => ({ video: callOf(label).hasVideo(), remoteVideo: callOf(label).hasRemoteVideo() }),
    callEvents: (label) => [...need(callEvents.get(label), `events of ${label}`)],
    connectStartedAt: (label) => need(connectStarted.get(label), `connect() of ${label}`),
    accept: (label) => timed(() => callOf(label).accept()),
    setAutoAnswer(on) {
      autoAnswer = on;
    },
    disconnect: (label) => timed(() => callOf(label).disconnect()),
    terminate: (label) => timed(() => callOf(label).terminate()),
    sessionReject: (label, statusCode, reason) =>
      timed(async () => {
        const session = callOf(label).session as unknown as { reject(options: unknown): Promise<void> };
        await session.reject({ statusCode, extraHeaders: [`Reason: ${reason}`] });
      }),
    sessionBye: (label, reason) =>
      timed(async () => {
        const session = callOf(label).session as unknown as { bye(options: unknown): Promise<unknown> };
        await session.bye({ requestOptions: { extraHeaders: [`Reason: ${reason}`] } });
      }),
    mute: (label, muted) => timedSync(() => callOf(label).mute(muted)),
    hold: (label, onHold) => timed(() => callOf(label).hold(onHold)),
    transfer: (label, target) => timed(() => callOf(label).transfer(typeof target === 'string' ? target : callOf(target.call))),
    sendDigits: (label, digits) => timed(() => callOf(label).sendDigits(digits)),
    async inboundAudio(label) {
      const peerConnection = need(callOf(label).getPeerConnection(), `peer connection of ${label}`);
      const stats = await peerConnection.getStats();
      for (const report of stats.values()) {
        if (report.type === 'inbound-rtp' && report.kind === 'audio') {
          return { packetsReceived: report.packetsReceived ?? 0, totalAudioEnergy: report.totalAudioEnergy ?? 0 };
        }
      }
      return { packetsReceived: 0, totalAudioEnergy: 0 };
    },
    sdp(label) {
      const peerConnection = need(callOf(label).getPeerConnection(), `peer connection of ${label}`);
      return { local: peerConnection.localDescription?.sdp ?? '', remote: peerConnection.remoteDescription?.sdp ?? '' };
    },
    sentFrames: () => [...sent],
    receivedFrames: () => [...received],
    endAll: () =>
      timed(async () => {
        const live = [...calls.values()].filter((call) => call.getStatus() === 'accepted');
        // Unanswered calls need nothing here: destroy() cancels them or answers 480.
        await Promise.allSettled(live.map((call) => call.disconnect()));
        // disconnect() resolves once the BYE is sent. Closing the socket before
        // the 200 comes back makes Kamailio fail to relay it (it logs an error).
        const started = performance.now();
        while (unansweredByes().length > 0 && performance.now() - started < 10_000) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const unanswered = unansweredByes();
        await device?.destroy();
        calls.clear();
        callEvents.clear();
        if (unanswered.length > 0) throw new Error(`BYE without a final response after 10 s: ${unanswered.join(', ')}`);
      }),
    closeSockets: () => {
      const open = sockets.filter((socket) => socket.readyState === WebSocket.OPEN);
      for (const socket of open) socket.close(1000, 'closed by the test');
      return open.length;
    },
    leftovers: () => ({
      peerConnections: peerConnections.map((pc) => `${pc.connectionState}/${pc.signalingState}`),
      microphoneTracks: tracks.map((t) => t.readyState),
      sockets: sockets.map((socket) => socket.readyState),
    }),
  };
  page.callsLab = lab;
}

/** Calls `window.callsLab[method](...args)` in the page. */
export const lab = pageApi<CallsLab>('callsLab');

/** Opens one page per name with the wrappers and the calls lab installed before the SDK loads. */
export function openLabPages<N extends string>(browser: E2EBrowser, names: readonly N[], url: string): Promise<Record<N, Page>> {
  return openPagesWithLab(browser, names, url, installCallsLab, 'callsLab');
}

/** A SIP message that tshark decoded out of a WebSocket frame. */
export interface CapturedSip {
  /** Seconds since the epoch. */
  time: number;
  srcPort: number;
  dstPort: number;
  /** Request method, or '' for a response. */
  method: string;
  /** Response status, or 0 for a request. */
  status: number;
  cseq: number;
  cseqMethod: string;
  /**
   * The message body, for messages Kamailio sent (tshark shows body lines but
   * has no field for them, so it is read from the TCP payload, which only
   * the server sends unmasked); '' for messages clients sent.
   */
  body: string;
}

const SIP_FIELDS = [
  'frame.time_epoch',
  'tcp.srcport',
  'tcp.dstport',
  'sip.Method',
  'sip.Status-Code',
  'sip.CSeq.seq',
  'sip.CSeq.method',
  'tcp.payload',
] as const;

/**
 * SIP messages in a capture of Kamailio's ws port that match `displayFilter`.
 * The capture must have seen the WebSocket handshake: tshark follows HTTP →
 * WebSocket → SIP (the "sip" subprotocol) from there; `-d` tells it the port
 * speaks HTTP. Works on a file still being written.
 */
export async function readSipOverWebSocket(file: string, wsPort: number, displayFilter: string): Promise<CapturedSip[]> {
  const args = [
    '-r', file,
    '-d', `tcp.port==${wsPort},http`,
    '-Y', displayFilter,
    '-T', 'fields',
    '-E', 'separator=|',
    '-E', 'occurrence=f',
    ...SIP_FIELDS.flatMap((field) => ['-e', field]),
  ];
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(TSHARK_BIN, args, { maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    // A live file may end in a partial packet: tshark exits 2 after printing the complete ones.
    const failure = error as { stdout?: string; stderr?: string; message: string };
    if (failure.stdout === undefined || !/cut short/i.test(failure.stderr ?? '')) {
      throw new Error(`tshark failed: ${failure.stderr || failure.message}`);
    }
    stdout = failure.stdout;
  }
  return stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [time, srcPort, dstPort, method, status, cseq, cseqMethod, payload] = line.split('|');
      const fromServer = Number(srcPort) === wsPort;
      const text = fromServer ? Buffer.from((payload ?? '').replace(/:/g, ''), 'hex').toString('utf8') : '';
      const bodyStart = text.indexOf('\r\n\r\n');
      // Content-Length bounds the body should the segment carry another frame after it.
      const length = Number(/^Content-Length:\s*(\d+)/im.exec(text)?.[1] ?? 0);
      return {
        time: Number(time),
        srcPort: Number(srcPort),
        dstPort: Number(dstPort),
        method: method ?? '',
        status: Number(status || 0),
        cseq: Number(cseq),
        cseqMethod: cseqMethod ?? '',
        body: bodyStart < 0 ? '' : text.slice(bodyStart + 4, bodyStart + 4 + length),
      };
    });
}

/** The frames that are SIP requests of `method` ('REGISTER', 'INVITE', …). */
export function requestsOf(frames: readonly string[], method: string): string[] {
  return frames.filter((frame) => frame.startsWith(`${method} `));
}

/**
 * The teardown of lab pages: every page's calls hung up and device destroyed
 * (endAll), then what each left open. Collected across all pages, even when
 * one fails, for the test to assert once.
 */
export async function tearDownLabPages<N extends string>(
  pages: Record<N, Page>,
  names: readonly N[],
): Promise<{ failures: unknown[]; leftovers: unknown[] }> {
  const failures: unknown[] = [];
  for (const name of names) {
    try {
      await lab(pages[name], 'setAutoAnswer', false);
      const outcome = await lab(pages[name], 'endAll');
      if (outcome.ok !== true) failures.push({ page: name, endAll: outcome });
    } catch (error) {
      failures.push({ page: name, tearDown: error instanceof Error ? error.message : String(error) });
    }
  }
  const leftovers: unknown[] = [];
  for (const name of names) {
    try {
      const { peerConnections, microphoneTracks, sockets } = await lab(pages[name], 'leftovers');
      const open = {
        openPeerConnections: peerConnections.filter((state) => state !== 'closed/closed'),
        liveMicrophoneTracks: microphoneTracks.filter((state) => state !== 'ended'),
        openWebSockets: sockets.filter((state) => state !== WEBSOCKET_CLOSED_STATE),
      };
      if (Object.values(open).some((list) => list.length > 0)) leftovers.push({ page: name, ...open });
    } catch (error) {
      leftovers.push({ page: name, leftovers: error instanceof Error ? error.message : String(error) });
    }
  }
  return { failures, leftovers };
}

/**
 * `caller` calls `callee` (which answers every call itself: `setAutoAnswer`)
 * under `label`; returns the callee's label of the call once it came in.
 */
export async function placeAnsweredCall(caller: Page, callee: Page, to: string, label = 'out', timeoutMs = 15_000): Promise<string> {
  await lab(callee, 'setAutoAnswer', true);
  const before = await lab(callee, 'incomingLabels');
  expect(await lab(caller, 'connect', label, { to })).toMatchObject({ ok: true });
  return waitFor(async () => (await lab(callee, 'incomingLabels')).find((incoming) => !before.includes(incoming)), {
    timeoutMs,
    intervalMs: 25,
    description: `the incoming call on ${to}`,
  });
}

/** `tearDownLabPages`, asserted: no page failed to end its calls, none left anything open. */
export async function expectLabPagesTornDown<N extends string>(pages: Record<N, Page>, names: readonly N[]): Promise<void> {
  const { failures, leftovers } = await tearDownLabPages(pages, names);
  expect(failures, 'tearing down the pages').toEqual([]);
  expect(leftovers, 'left open in the pages').toEqual([]);
}

/** WebSocket.CLOSED (Node 20 has no WebSocket global). */
const WEBSOCKET_CLOSED_STATE = 3;

