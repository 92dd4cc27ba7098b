/**
 * A consumer of the BUILT package, type-checked by check-types.mjs against
 * `dist/` through package.json `exports` (never run). It uses every public
 * member of Device and Call and every event with a correctly typed handler;
 * the exhaustiveness checks at the bottom fail to compile when a public
 * member or event is added without being used here.
 */
import {
  Call,
  Device,
  VoiceSDKError,
  callMachine,
  callStatus,
  deviceMachine,
  deviceState,
  isVoiceSDKError,
  transportState,
} from 'callchart';
import type {
  CallDirection,
  CallInfo,
  CallInfoUpdate,
  CallTimer,
  InfoChange,
  CallEvents,
  CallReport,
  CallStatus,
  ConnectOptions,
  DeviceEvents,
  DeviceOptions,
  DeviceState,
  DisconnectInfo,
  DisconnectReason,
  QualitySample,
  QualityWarning,
  ReceivedDtmf,
  ReconnectCause,
  ReconnectingInfo,
  SipJsSession,
  TransferProgress,
  TransferRequest,
  TransferRequestPolicy,
  TransferState,
  TransportState,
  VoiceSDKErrorCode,
  WarningName,
  SoundName,
  UrlSoundName,
} from 'callchart';
import { createFakeNetwork, fakeSessionOf, type FakeNetwork, type FakeSession, type RemoteCall } from 'callchart/testing';
import { createSipJsAdapter, type AdapterFactory, type CallPort, type UserAgentConfig, type UserAgentPort } from 'callchart/adapter';

// --- options ------------------------------------------------------------------

const network: FakeNetwork = createFakeNetwork({ domain: 'example.com', latencyMs: 0, users: { alice: 'pw' } });

const options: DeviceOptions = {
  server: ['wss://a.example.com/ws', 'wss://b.example.com/ws'],
  uri: 'sip:alice@example.com',
  password: 'pw',
  authorizationUsername: 'alice',
  displayName: 'Alice',
  headerPrefix: 'X-2Chat-',
  iceServers: [{ urls: 'stun:stun.example.com:3478' }],
  inspect: (event) => void event.type,
  adapter: network.adapter,
  reconnect: { baseDelayMs: 500, maxDelayMs: 30_000, maxAttempts: 5 },
  qualityIntervalMs: 1000,
  qualityWarnings: { gracePeriodMs: 5000, thresholds: { 'high-rtt': { threshold: 300 }, 'low-mos': false } },
  reportIntervalMs: 3000,
  dtmf: { method: 'info', durationMs: 100, gapMs: 70 },
  iceGatheringTimeoutMs: 500,
  registerExpires: 600,
  userAgentString: 'my-app',
  callWaiting: true,
  maxCalls: 4,
};

const sipJsOptions: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', adapter: createSipJsAdapter };
void sipJsOptions;

// An adapter author's wrapper around the SIP.js adapter (`callchart/adapter`).
const loggingAdapter: AdapterFactory = (config: UserAgentConfig): UserAgentPort => {
  const inner = createSipJsAdapter(config);
  return {
    ...inner,
    createCall: (request) => {
      const call: CallPort = inner.createCall(request);
      void call.id;
      return call;
    },
  };
};
const inspectorObserver: DeviceOptions = {
  server: 'wss://pbx.example.com/ws',
  uri: 'sip:alice@example.com',
  adapter: loggingAdapter,
  inspect: { next: (event) => void event.type },
};
void inspectorObserver;
// Media recovery: how long ICE restarts may take before `media-lost`.
const recoveringOptions: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', recovery: { timeoutMs: 8000 } };
const mediaLost: VoiceSDKError['code'] = 'media-lost';
void [recoveringOptions, mediaLost];

// --- Device -------------------------------------------------------------------

export async function useDevice(): Promise<void> {
  const device = new Device(options);

  const state: DeviceState = device.state;
  const transport: TransportState = device.transportState;
  const calls: Call[] = device.calls;
  const ringing: Call[] = device.incomingCalls;
  void ringing;
  // device.audio: devices, the chosen ones, sounds.
  const audio = device.audio;
  const mics: string[] = audio.inputs.map((d) => `${d.kind}:${d.deviceId}:${d.groupId}:${d.label}`);
  const speakers: number = audio.outputs.length;
  const chosen: string = audio.inputDevice + audio.outputDevice + audio.ringtoneDevice;
  const lists: { inputs: unknown[]; outputs: unknown[] } = await audio.refresh();
  await audio.setInputDevice('default');
  await audio.setOutputDevice('default');
  await audio.setRingtoneDevice('default');
  const ringtone: boolean | string = audio.sound('ringtone');
  audio.setSound('dtmf', false);
  // A URL for every sound but the keypad tones (whose `sound()` is a boolean).
  const withUrl: Exact<UrlSoundName, Exclude<SoundName, 'dtmf'>> = true;
  for (const sound of ['ringtone', 'callWaiting', 'ringback', 'disconnect'] as const) audio.setSound(sound, `/${sound}.ogg`);
  const anySound: SoundName = 'dtmf';
  audio.setSound(anySound, true);
  const keypad: boolean = audio.sound('dtmf');
  void [withUrl, keypad];
  audio.on('devicechange', ({ inputs, outputs }) => void [inputs[0]?.deviceId, outputs.length]);
  audio.on('device-lost', (lost) => void `${lost.kind}:${lost.deviceId}`);
  void [mics, speakers, chosen, lists, ringtone];
  new Device({ ...options, sounds: false });
  new Device({ ...options, sounds: { ringtone: '/ring.ogg', ringback: true, disconnect: false, dtmf: true, ringtoneDevice: 'default', player: { play: () => () => undefined } } });
  const sameState: DeviceState = deviceState(device.actor.getSnapshot());
  const sameTransport: TransportState = transportState(device.actor.getSnapshot());
  void [state, transport, calls, sameState, sameTransport];

  const offRegistering: () => void = device.on('registering', () => undefined);
  device.on('registered', () => undefined);
  device.on('unregistered', () => undefined);
  device.on('connected', (info: { server: string }) => void info.server.toUpperCase());
  device.on('reconnecting', (info: ReconnectingInfo) => void (info.attempt + info.delayMs + info.server.length));
  device.on('disconnected', () => undefined);
  device.on('error', (error: VoiceSDKError) => {
    const code: VoiceSDKErrorCode = error.code;
    const status: number | undefined = error.status;
    void [code, status, error.message, error.cause];
  });
  device.on('incoming', (call: Call) => void useIncomingCall(call));
  device.on('destroyed', () => undefined);
  const onceRegistered = (): void => undefined;
  device.once('registered', onceRegistered);
  device.off('registered', onceRegistered);
  offRegistering();

  await device.connectTransport();
  await device.register();
  const call: Call = await device.connect({ to: '+15551234567', from: '+15550001111', params: { ticketId: 'T-1', priority: 2, vip: true }, video: false });
  const minimal: ConnectOptions = { to: 'bob' };
  await device.connect(minimal);
  await useOutboundCall(call);
  await device.unregister();
  await device.destroy();
  device.removeAllListeners();
}

// --- Call ---------------------------------------------------------------------

async function useIncomingCall(call: Call): Promise<void> {
  const headers: Readonly<Record<string, string>> = call.customHeaders;
  void headers['ticketId'];
  if (call.direction === 'inbound') await call.accept({ video: true, holdOthers: false });
  else await call.reject(603);
  await call.reject();
}

export async function useOutboundCall(call: Call): Promise<void> {
  const id: string = call.id;
  const direction: CallDirection = call.direction;
  const remote: string = call.remoteIdentity;
  const session: SipJsSession = call.session;
  const sessionState: string = call.session.state;
  void sessionState;
  const status: CallStatus = call.getStatus();
  const sameStatus: CallStatus = callStatus(call.actor.getSnapshot());
  const muted: boolean = call.isMuted();
  const onHold: boolean = call.isOnHold();
  const remoteHeld: boolean = call.isRemoteOnHold();
  void remoteHeld;
  const reconnecting: boolean = call.isReconnecting();
  void reconnecting;
  const recording: boolean = call.isRecording();
  const sample: QualitySample | undefined = call.getLastQualitySample();
  const report: CallReport = call.getReport();
  const pc: RTCPeerConnection | undefined = call.getPeerConnection();
  void [id, direction, remote, session, status, sameStatus, muted, onHold, recording, sample?.mosEstimate, report.durationMs, pc];

  call.on('ringing', () => undefined);
  call.on('accepted', () => undefined);
  call.on('confirmed', () => undefined);
  call.on('disconnect', (info: DisconnectInfo) => {
    const reason: DisconnectReason = info.reason;
    const final: CallReport = info.report;
    const status: number | undefined = info.status;
    const cause: string | undefined = info.cause;
    void [reason, final.sampleCount, status, cause];
  });
  call.on('remote-hold', (held: boolean) => void held);
  call.on('transfer', (progress: TransferProgress) => {
    const state: TransferState = progress.state;
    const status: number | undefined = progress.status;
    void [state, status];
  });
  call.on('referred', ({ target, call: next }: { target: string; call: Call }) => void [target, next.id]);
  const replaced: Call | undefined = call.replaces;
  void replaced;
  call.on('reconnecting', (info: { cause: ReconnectCause }) => void info.cause);
  call.on('reconnected', () => undefined);
  call.on('dtmf', (dtmf: ReceivedDtmf) => {
    const digit: string = dtmf.digit;
    const method: 'info' = dtmf.method;
    const ms: number | undefined = dtmf.durationMs;
    void [digit, method, ms];
  });
  call.on('error', (error: VoiceSDKError) => void error.code);
  call.on('mute', (isMuted: boolean) => void isMuted);
  call.on('hold', (isHeld: boolean) => void isHeld);
  call.on('quality', (q: QualitySample) => void (q.timestamp + (q.rttMs ?? 0)));
  call.on('warning', (warning: QualityWarning) => {
    const name: WarningName = warning.name;
    void [name, warning.value, warning.threshold];
  });
  call.on('warning-cleared', (info: { name: WarningName }) => void info.name);
  call.on('report', (r: CallReport) => void r.warnings.length);
  // Caller information, timers, video and streams.
  const info: Readonly<CallInfo> = call.info;
  const name: string | undefined = info.displayName ?? info.number ?? info['company'];
  call.setInfo({ avatar: 'https://example.com/a.png', company: 'Acme' }, { lock: true });
  const update: CallInfoUpdate = { displayName: 'Bob (CRM)', number: '1002', crmId: 'c-42', avatar: undefined };
  call.setInfo(update);
  // What `info` holds, without its `uri`, can be set back.
  const { uri, ...rest } = call.info;
  call.setInfo(rest);
  void uri;
  const timer: CallTimer = call.getTimer();
  call.stopTimer();
  await call.setVideo(true);
  const video: boolean = call.hasVideo() && call.hasRemoteVideo();
  const streams: Array<MediaStream | undefined> = [call.localStream, call.remoteStream];
  await call.setVideoInputDevice('camera-2');
  void [name, timer.talkingMs + timer.onHoldMs + timer.ringingMs, video, streams];
  call.on('info', (change: InfoChange) => void [change.info.uri, change.previous.uri]);
  call.on('timer', (t: CallTimer) => void t.startedAt);
  call.on('video', (on: boolean) => void on);
  call.on('remote-video', (on: boolean) => void on);
  call.on('stream', (s: { direction: 'local' | 'remote'; stream: MediaStream }) => void s.stream.getTracks());
  call.on('quality', (q: QualitySample) => void (q.video?.framesDecoded ?? 0));
  const offMute = call.once('mute', () => undefined);
  offMute();
  const onHoldChange = (held: boolean): void => void held;
  call.on('hold', onHoldChange);
  call.off('hold', onHoldChange);

  call.mute();
  call.mute(false);
  await call.hold();
  await call.hold(false);
  await call.hold(false, { holdOthers: false });
  await call.accept({ holdOthers: true });
  await call.terminate();
  await call.transfer('+15551234567');
  await call.transfer(call);
  await call.sendDigits('123#');
  await call.setInputDevice('default');
  await call.setOutputDevice('default');
  call.startRecording();
  call.pauseRecording();
  call.resumeRecording();
  const blob: Blob = await call.stopRecording();
  void blob.size;
  await call.disconnect();
  call.removeAllListeners();
}

// --- errors, machines, testing ---------------------------------------------------

export function useErrors(value: unknown): string {
  const error = new VoiceSDKError('busy', 'The callee is busy', { status: 486, cause: new Error('486') });
  if (error instanceof Error && isVoiceSDKError(value)) return value.code;
  return error.name;
}

export function useMachines(): void {
  const callNode = callMachine.id;
  const deviceNode = deviceMachine.id;
  void [callNode, deviceNode];
}

export function useTesting(): void {
  const remote = network.remote('bob');
  remote.nextCall().then((call: RemoteCall) => {
    const headers: Readonly<Record<string, string>> = call.headers;
    const fromUser: string | undefined = call.fromUser;
    void [headers, fromUser];
    call.ring();
    call.answer();
    call.hangup();
  });
  network.failNextInvite(486).failNextReinvite('timeout').setConditions({ rttMs: 300 });
  const count: number = network.registerCount('sip:alice@example.com');
  const open: number = network.openMediaCount;
  const flushed: Promise<void> = network.flush();
  void [count, open, flushed];
}

export function readFakeSession(call: Call): void {
  const fakeSession: FakeSession = fakeSessionOf(call);
  const target: string | undefined = fakeSession.target;
  void [target, fakeSession.receivedDigits, fakeSession.remoteHold];
}

// --- exhaustiveness -------------------------------------------------------------

type Exact<Used extends string, All extends PropertyKey> = [Exclude<All, Used>, Exclude<Used, All>] extends [never, never] ? true : never;

/** Every public member of Device is used above; a new one must be added there (and here). */
const deviceMembers: Exact<
  | 'state'
  | 'transportState'
  | 'calls'
  | 'incomingCalls'
  | 'audio'
  | 'actor'
  | 'register'
  | 'unregister'
  | 'connectTransport'
  | 'connect'
  | 'destroy'
  | 'on'
  | 'once'
  | 'off'
  | 'removeAllListeners',
  keyof Device
> = true;

/** Every public member of Call is used above. */
const callMembers: Exact<
  | 'id'
  | 'direction'
  | 'remoteIdentity'
  | 'customHeaders'
  | 'session'
  | 'actor'
  | 'getStatus'
  | 'isMuted'
  | 'isOnHold'
  | 'isRemoteOnHold'
  | 'isReconnecting'
  | 'isRecording'
  | 'getLastQualitySample'
  | 'getReport'
  | 'getPeerConnection'
  | 'info'
  | 'setInfo'
  | 'getTimer'
  | 'stopTimer'
  | 'setVideo'
  | 'hasVideo'
  | 'hasRemoteVideo'
  | 'localStream'
  | 'remoteStream'
  | 'setVideoInputDevice'
  | 'accept'
  | 'reject'
  | 'disconnect'
  | 'terminate'
  | 'transfer'
  | 'replaces'
  | 'mute'
  | 'hold'
  | 'sendDigits'
  | 'setInputDevice'
  | 'setOutputDevice'
  | 'startRecording'
  | 'pauseRecording'
  | 'resumeRecording'
  | 'stopRecording'
  | 'on'
  | 'once'
  | 'off'
  | 'removeAllListeners',
  keyof Call
> = true;

/** Every device event has a handler above. */
const deviceEventNames: Exact<
  'registering' | 'registered' | 'unregistered' | 'connected' | 'reconnecting' | 'disconnected' | 'error' | 'incoming' | 'destroyed',
  keyof DeviceEvents
> = true;

/** Every call event has a handler above. */
const callEventNames: Exact<
  | 'ringing'
  | 'accepted'
  | 'confirmed'
  | 'disconnect'
  | 'error'
  | 'mute'
  | 'hold'
  | 'remote-hold'
  | 'transfer'
  | 'referred'
  | 'reconnecting'
  | 'reconnected'
  | 'dtmf'
  | 'quality'
  | 'warning'
  | 'warning-cleared'
  | 'report'
  | 'info'
  | 'timer'
  | 'video'
  | 'remote-video'
  | 'stream',
  keyof CallEvents
> = true;

void [deviceMembers, callMembers, deviceEventNames, callEventNames];

// ---- callchart/devtools and callchart/react resolve, with their types ----
import { createInspector, mountViewer, scrub, type InspectorMessage, type Viewer } from 'callchart/devtools';
import { DeviceProvider, useCall, useCallSelector, useCallStatus, useDevice as useProvidedDevice } from 'callchart/react';

export function devtoolsConsumer(element: HTMLElement): Viewer {
  const inspect = createInspector({ channel: 'my-app' });
  const device = new Device({ server: 'wss://x/ws', uri: 'sip:a@example.com', password: 'pw', inspect });
  const viewer = mountViewer(element, { depth: 2, keepEnded: 1 });
  const message: InspectorMessage | undefined = undefined;
  viewer.receive(message);
  void device;
  inspect.close();
  return viewer;
}

export function ReactConsumer(): ReturnType<typeof DeviceProvider> {
  const device: Device = useProvidedDevice();
  const call: Call | undefined = useCall();
  const status: CallStatus | undefined = useCallStatus(call);
  const accepted: boolean | undefined = useCallSelector(call, (snapshot) => snapshot.matches('accepted'));
  return DeviceProvider({ device, children: `${status} ${accepted} ${JSON.stringify(scrub({ password: 'x' }))}` });
}

export function transferPolicies(): DeviceOptions[] {
  const ask: TransferRequestPolicy = async (request: TransferRequest) => request.target.startsWith('sip:') && !request.replaces && request.call.getStatus() === 'accepted';
  const code: VoiceSDKErrorCode = 'transfer-failed';
  const reason: DisconnectReason = 'replaced';
  void [code, reason];
  return [
    { server: 'wss://x/ws', uri: 'sip:a@example.com', onTransferRequest: 'refuse' },
    { server: 'wss://x/ws', uri: 'sip:a@example.com', onTransferRequest: ask },
  ];
}
