/**
 * Misuse of the BUILT package that must not compile. Each misuse is preceded
 * by `// @ts-expect-error`; check-types.mjs fails when one of them compiles
 * after all ("Unused '@ts-expect-error' directive").
 */
import { Call, Device, VoiceSDKError, type DeviceOptions } from 'callchart';
import { createFakeNetwork, RemoteCall, ScriptedRemote } from 'callchart/testing';
// @ts-expect-error: machine internals are not public API
import type { CallContext } from 'callchart';
// @ts-expect-error: port types live in `callchart/adapter`, not the app entry
import type { UserAgentPort } from 'callchart';
// @ts-expect-error: the SIP.js adapter factory moved to `callchart/adapter`
import { createSipJsAdapter } from 'callchart';

const network = createFakeNetwork();
const device = new Device({ server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', adapter: network.adapter });
declare const call: Call;

// --- events -------------------------------------------------------------------

// @ts-expect-error: no such device event
device.on('ringing', () => undefined);
// @ts-expect-error: no such device event (typo)
device.on('registred', () => undefined);
// @ts-expect-error: no such call event
call.on('registered', () => undefined);
// @ts-expect-error: no such call event (typo)
call.on('disconnected', () => undefined);
// @ts-expect-error: `off` knows the event names too
device.off('incomming', () => undefined);
// @ts-expect-error: `once` knows the event names too
call.once('muted', () => undefined);

// @ts-expect-error: `mute` hands a boolean, not a string
call.on('mute', (muted: string) => void muted);
// @ts-expect-error: `hold` hands a boolean
call.on('hold', (onHold: number) => void onHold);
// @ts-expect-error: `incoming` hands a Call, not a string
device.on('incoming', (incoming: string) => void incoming);
// @ts-expect-error: `registered` hands nothing
device.on('registered', (info: { server: string }) => void info);
// @ts-expect-error: `error` hands a VoiceSDKError, not a string
device.on('error', (message: string) => void message);
// @ts-expect-error: `disconnect` info has no `code`
call.on('disconnect', (info) => void info.code);
// @ts-expect-error: `reconnecting` info has `delayMs`, not `delay`
device.on('reconnecting', (info) => void info.delay.toFixed());
// @ts-expect-error: `quality` samples have `rttMs`, not `rtt`
call.on('quality', (sample) => void sample.rtt);
// @ts-expect-error: `warning` names are a closed set
call.on('warning', (warning) => warning.name === 'high-latency');

// --- methods ------------------------------------------------------------------

// @ts-expect-error: connect() needs `to`
void device.connect({});
// @ts-expect-error: connect() needs options
void device.connect();
// @ts-expect-error: `to` is a string
void device.connect({ to: 15551234567 });
// @ts-expect-error: params values are strings, numbers or booleans
void device.connect({ to: 'bob', params: { ticket: { id: 1 } } });
// @ts-expect-error: unknown connect option
void device.connect({ to: 'bob', headers: { 'X-Evil': '1' } });
// @ts-expect-error: reject() takes a number
void call.reject('486');
// @ts-expect-error: mute() takes a boolean
call.mute('yes');
// @ts-expect-error: hold() takes a boolean
void call.hold(1);
// @ts-expect-error: sendDigits() takes a string
void call.sendDigits(123);
// @ts-expect-error: stopRecording() resolves with a Blob, not a string
const recording: Promise<string> = call.stopRecording();
void recording;
// @ts-expect-error: state is read-only
device.state = 'registered';
// @ts-expect-error: calls is read-only
device.calls = [];
// @ts-expect-error: transfer() takes a target string or a Call
void call.transfer({ to: 'bob' });
// @ts-expect-error: the status is a closed set
const status: 'connected' = call.getStatus();
void status;
// @ts-expect-error: emit is for the SDK only
device.emit('registered');

// --- options ------------------------------------------------------------------

// @ts-expect-error: `server` is required
const noServer: DeviceOptions = { uri: 'sip:alice@example.com' };
// @ts-expect-error: `uri` is required
const noUri: DeviceOptions = { server: 'wss://pbx.example.com/ws' };
// @ts-expect-error: qualityIntervalMs is a number of ms
const badInterval: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:a@b.c', qualityIntervalMs: '1000' };
// @ts-expect-error: iceServers is an array
const badIce: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:a@b.c', iceServers: { urls: 'stun:x' } };
// @ts-expect-error: the DTMF method is 'rfc2833' or 'info'
const badDtmf: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:a@b.c', dtmf: { method: 'inband' } };
// @ts-expect-error: reconnect.maxAttempts is a number
const badReconnect: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:a@b.c', reconnect: { maxAttempts: 'five' } };
// @ts-expect-error: unknown option (typo of headerPrefix)
const typo: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:a@b.c', headersPrefix: 'X-2Chat-' };
// @ts-expect-error: unknown warning name in the thresholds
const badWarning: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:a@b.c', qualityWarnings: { thresholds: { 'hi-rtt': false } } };
// @ts-expect-error: onTransferRequest is 'follow', 'refuse' or a function
const badTransfer: DeviceOptions = { server: 'wss://pbx.example.com/ws', uri: 'sip:a@b.c', onTransferRequest: 'ask' };
void [noServer, noUri, badInterval, badIce, badDtmf, badReconnect, typo, badWarning, badTransfer];

// --- errors ---------------------------------------------------------------------

// @ts-expect-error: error codes are a closed set
new VoiceSDKError('oops', 'message');
// @ts-expect-error: `code` is read-only
new VoiceSDKError('busy', 'message').code = 'declined';

// --- construction -----------------------------------------------------------------

// @ts-expect-error: a Call comes from the Device; it has no argument-less constructor
new Call();

// @ts-expect-error: setVideo takes a boolean
void call.setVideo('on');
// @ts-expect-error: call.info is read-only
call.info.displayName = 'Mallory';
// @ts-expect-error: setInfo takes string fields
call.setInfo({ company: 42 });
// @ts-expect-error: `uri` is the far end's: setInfo throws invalid-argument for it
call.setInfo({ uri: 'sip:mallory@example.com' });
// @ts-expect-error: the keypad tones are generated, never a file (setSound throws "sounds.dtmf must be a boolean")
device.audio.setSound('dtmf', 'https://cdn.example.com/dtmf.mp3');
declare const someSound: import('callchart').SoundName;
// @ts-expect-error: a URL needs a sound that takes one (UrlSoundName)
device.audio.setSound(someSound, 'https://cdn.example.com/beep.mp3');
// @ts-expect-error: no sound of that name
device.audio.setSound('beep', true);
// @ts-expect-error: the remote-video event carries a boolean
call.on('remote-video', (on: string) => void on);

// --- callchart/testing: what tests read is read-only; the fake's plumbing is not public ---

declare const remoteCall: RemoteCall;
// @ts-expect-error: heldByDevice is what the device did, read-only
remoteCall.heldByDevice = true;
// @ts-expect-error: iceRestarts is counted by the fake, read-only
remoteCall.iceRestarts = 0;
// @ts-expect-error: endedBy is read-only
remoteCall.endedBy = 'bye';
// @ts-expect-error: the wire's entry point is internal
remoteCall.receive({ type: 'ack' });
// @ts-expect-error: a RemoteCall comes from a ScriptedRemote; it has no argument-less constructor
new RemoteCall();
// @ts-expect-error: a ScriptedRemote comes from network.remote(user); it needs its network
new ScriptedRemote();
// @ts-expect-error: conditions change through setConditions()
network.conditions = network.conditions;
// @ts-expect-error: nor field by field
network.conditions.rttMs = 10;
// @ts-expect-error: activeRecorders is counted by the fake, read-only
network.activeRecorders = 0;
// @ts-expect-error: the user agents of the fake are internal
void network.userAgents;
