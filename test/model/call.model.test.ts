/**
 * Model-based test of callMachine: every transition of the chart is the last
 * step of some path; each path runs for real through Device/Call on the fake
 * network, and at every step the facade must agree with the model.
 */
import { describe, expect, it, vi } from 'vitest';
import { callMachine } from '../../src/machines/call.machine';
import type { Call } from '../../src/call';
import type { Device } from '../../src/device';
import type { CallPort } from '../../src/adapters/adapter';
import type { FakeNetwork, RemoteCall, ScriptedRemote } from '../../src/testing';
import { VoiceSDKError } from '../../src/errors';
import { resolveWarningInputs } from '../../src/quality/warnings';
import { chooseDtmfMethod } from '../../src/sip/dtmf';
import type { NegotiatedMedia } from '../../src/adapters/adapter';
import { Coverage, describePath, expectFullCoverage, transitionPaths, type ModelPath, type ModelStep } from './model';
import { describeHoldDuringResume } from './call.hold.scenarios';
import { describeMediaRecovery } from './call.media.scenarios';
import { describeRecovery } from './call.recovery.scenarios';
import { describeTransfers } from './call.transfer.scenarios';
import { answeredCall, destroyAll, drainMicrotasks, flushUntil, incomingCall, newNetwork, recordCallEvents, registered, settled, useFakeTime } from './world';

const coverage = new Coverage('callMachine', callMachine);

type Direction = 'inbound' | 'outbound';

const modelPort = (direction: Direction): CallPort =>
  ({ direction, id: 'model', subscribe: () => () => undefined }) as unknown as CallPort;

const modelInput = (direction: Direction) => ({
  port: modelPort(direction),
  qualityIntervalMs: 1000,
  dtmf: { method: 'rfc2833' as const, durationMs: 100, gapMs: 70 },
  warnings: resolveWarningInputs(),
  gracePeriodMs: 5000,
  reportIntervalMs: 3000,
  recoveryTimeoutMs: 30_000,
  now: () => 0,
});

const REPORT_TICK = 'xstate.after.reportInterval.call.accepted.reporting.active';

const done = (id: string) => ({ type: `xstate.done.actor.${id}` });
const error = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new VoiceSDKError('sip-error', 'model') });

const EVENTS: ModelStep['event'][] = [
  { type: 'ACCEPT', holdOthers: false },
  { type: 'REJECT', statusCode: 486 },
  { type: 'DISCONNECT' },
  { type: 'TERMINATE' },
  { type: 'HOLD' },
  { type: 'UNHOLD', holdOthers: false },
  { type: 'MUTE' },
  { type: 'UNMUTE' },
  { type: 'START_RECORDING' },
  { type: 'PAUSE_RECORDING' },
  { type: 'RESUME_RECORDING' },
  { type: 'STOP_RECORDING' },
  { type: 'SEND_DIGITS', digits: '1#', requestId: 'model' },
  { type: 'SET_INPUT_DEVICE', deviceId: 'fake-mic-2', requestId: 'model' },
  { type: 'SET_OUTPUT_DEVICE', deviceId: 'no-such-speaker', requestId: 'model' },
  { type: 'DEVICE_DESTROYED' },
  // The app chooses a microphone with device.audio (the device tells its calls).
  { type: 'INPUT_DEVICE_CHOSEN', deviceId: 'default' },
  { type: 'OUTPUT_DEVICE_CHOSEN', deviceId: 'default' },
  // Another call of the device was accepted while this one rings (the device tells it): the call-waiting tone.
  { type: 'OTHERS_TALKING', talking: true },
  { type: 'PORT.PROVISIONAL', status: 180 },
  // 183 with SDP: early media, so no ringback tone.
  { type: 'PORT.PROVISIONAL', status: 183, earlyMedia: true },
  { type: 'PORT.ESTABLISHED' },
  { type: 'PORT.FINAL', status: 200 },
  { type: 'PORT.FINAL', status: 486 },
  { type: 'PORT.FINAL', status: 404 },
  { type: 'PORT.BYE' },
  { type: 'PORT.CANCEL' },
  { type: 'PORT.MEDIA', ice: 'failed', connection: 'failed' },
  { type: 'PORT.TERMINATED' },
  { type: 'PORT.REFER', referTo: 'sip:dave@example.com' },
  { type: 'PORT.REFER', referTo: 'javascript:alert(1)' },
  { type: 'QUALITY', sample: { timestamp: 0 } },
  { type: 'RECORDING_STOPPED', blob: new Blob([]) },
  { type: 'RECORDING_FAILED', error: new VoiceSDKError('not-supported', 'model') },
  { type: 'WARNING_RAISED', name: 'high-rtt', value: 600, threshold: 400 },
  { type: 'WARNING_CLEARED', name: 'high-rtt' },
  { type: REPORT_TICK },
  ...['inviteActor', 'acceptActor', 'cancelActor', 'rejectActor', 'byeActor', 'holdReinvite', 'resumeReinvite'].flatMap((id) => [
    done(id),
    error(id),
  ]),
];

/** Requests that wait for the fake network; the model runs one at a time, so time can finish exactly one. */
const WAITING_EVENTS = new Set([
  'HOLD',
  'UNHOLD',
  'STOP_RECORDING',
  'SEND_DIGITS',
  'SET_INPUT_DEVICE',
  'SET_OUTPUT_DEVICE',
  'OUTPUT_DEVICE_CHOSEN',
  'WARNING_RAISED',
  'WARNING_CLEARED',
]);
/**
 * What a far end's re-offer can settle on, beyond the default (Opus with
 * telephone-event/48000, INFO allowed): a PCMU phone that allows INFO, and
 * one that allows neither. The DTMF route they lead to is part of the model
 * state; from such a state only SEND_DIGITS is tried (it is the one
 * transition that reads the route).
 */
const NEGOTIATIONS: ReadonlyArray<ModelStep['event'] & { type: 'PORT.NEGOTIATED' } & NegotiatedMedia> = [
  { type: 'PORT.NEGOTIATED', audioCodec: 'pcmu', clockRate: 8000, telephoneEvent: false, allowsInfo: true },
  { type: 'PORT.NEGOTIATED', audioCodec: 'opus', clockRate: 48000, telephoneEvent: false, allowsInfo: false },
];
/** The far end holds us (sendonly, or inactive as a c=0.0.0.0 offer counts) and resumes; and sends an INFO digit. */
const REMOTE_HOLDS: ModelStep['event'][] = [
  { type: 'PORT.REINVITE', direction: 'sendonly' },
  { type: 'PORT.REINVITE', direction: 'inactive' },
  { type: 'PORT.INFO', contentType: 'application/dtmf-relay', body: 'Signal=5\r\nDuration=160' },
];
const REMOTE_RESUME: ModelStep['event'] = { type: 'PORT.REINVITE', direction: 'sendrecv' };
const TIMER_TICK = 'xstate.after.timerInterval.call.accepted.timer.running';
const ASSERTED = '"Bob B." <sip:+15550001234@example.com>';
/** Caller information and the timer, from a settled accepted call: the app's fields (locked), the far end's new identity, stopTimer, a tick. */
const INFO_AND_TIMER: ModelStep['event'][] = [
  { type: 'SET_INFO', fields: { company: 'Acme', displayName: 'Robert' }, lock: true },
  { type: 'PORT.IDENTITY', displayName: 'Bobby', assertedIdentity: ASSERTED },
  { type: 'STOP_TIMER' },
  { type: TIMER_TICK },
];
const timerStopped = (state: ModelStep['state']): boolean => state.matches({ accepted: { timer: 'stopped' } });
/** Video from a settled accepted call: ours added (then answered or refused), asking for none again, the far end's added. */
const VIDEO: ModelStep['event'][] = [
  { type: 'SET_VIDEO', on: true },
  { type: 'SET_VIDEO', on: false },
  { type: 'PORT.VIDEO', sending: false, receiving: true },
  { type: 'PORT.STREAM', direction: 'remote' },
  // No video is sent: switching the camera is refused.
  { type: 'SET_VIDEO_INPUT_DEVICE', deviceId: 'fake-camera-2', requestId: 'model' },
];
const videoSwitching = (state: ModelStep['state']): boolean => state.matches({ accepted: { video: 'switching' } });
/** Held by the far end: only its resume is tried (the other regions do not read the remote hold). */
const remoteHeld = (state: ModelStep['state']): boolean => state.matches({ accepted: { remoteHold: 'on' } });
const dtmfRoute = (state: ModelStep['state']) =>
  chooseDtmfMethod('rfc2833', state.context.negotiated as NegotiatedMedia | undefined);
const rerouted = (state: ModelStep['state']): boolean => dtmfRoute(state) !== 'rfc2833';
const settledAccepted = (state: ModelStep['state']): boolean =>
  state.matches({ accepted: { hold: 'off', mute: 'off', recording: 'idle' } });

const isWaiting = (state: ModelStep['state']): boolean =>
  state.matches({ accepted: { hold: 'holding' } }) ||
  state.matches({ accepted: { hold: 'resuming' } }) ||
  state.matches({ accepted: { recording: { active: 'stopping' } } });

const finalEvents = (state: ModelStep['state']) => (isWaiting(state) ? EVENTS.filter((e) => !WAITING_EVENTS.has(e.type)) : EVENTS);

const REMOTE_ANSWERS = new Set(['PORT.PROVISIONAL', 'PORT.ESTABLISHED', 'PORT.FINAL', 'PORT.TERMINATED', 'PORT.MEDIA']);
const inviting = (state: ModelStep['state']) => state.matches({ pending: { outgoing: 'inviting' } });

/**
 * While the INVITE is still being prepared the far end has nothing to answer
 * (the shared transitions are covered from `trying`), and cancelling then is
 * a last step only: nothing can cross that CANCEL.
 */
const prefixEvents = (state: ModelStep['state']) =>
  rerouted(state) || timerStopped(state) || videoSwitching(state) ? [] : modelEvents(state).filter((e) => !((e.type === 'DISCONNECT' || e.type === 'TERMINATE') && inviting(state)));

/** Once our CANCEL has reached the (scripted, immediate) far end, its 2xx can no longer cross it. */
const cancelArrived = (state: ModelStep['state'], e: ModelStep['event']) =>
  state.matches({ canceling: 'awaitingFinal' }) && e.type === 'PORT.FINAL' && e['status'] === 200;

const modelEvents = (state: ModelStep['state']): ModelStep['event'][] => {
  if (rerouted(state)) return EVENTS.filter((e) => e.type === 'SEND_DIGITS');
  if (timerStopped(state)) return [{ type: 'STOP_TIMER' }];
  if (videoSwitching(state)) return [done('videoReinvite'), error('videoReinvite')];
  if (remoteHeld(state)) return [REMOTE_RESUME, { type: 'QUALITY', sample: { timestamp: 0 } }];
  // Once accepted, a media failure starts the media region's recovery: call.media.scenarios.ts walks it.
  const events = finalEvents(state).filter(
    (e) =>
      !(inviting(state) && REMOTE_ANSWERS.has(e.type)) && !cancelArrived(state, e) && !(e.type === 'PORT.MEDIA' && state.matches('accepted')),
  );
  return settledAccepted(state) ? [...events, ...NEGOTIATIONS, ...REMOTE_HOLDS, ...INFO_AND_TIMER, ...VIDEO] : events;
};

function pathsFor(direction: Direction): ModelPath[] {
  return transitionPaths(callMachine, {
    input: modelInput(direction),
    events: prefixEvents,
    finalEvents: modelEvents,
    serializeState: (state) => JSON.stringify([state.value, dtmfRoute(state), state.context.hangUpWhenAnswered]),
  });
}

// --- the world ----------------------------------------------------------------

interface World {
  direction: Direction;
  network: FakeNetwork;
  device: Device;
  call: Call;
  remote: ScriptedRemote;
  events: string[];
  pending: Map<string, ReturnType<typeof settled<unknown>>>;
}

function remoteCall(world: World): RemoteCall {
  const call = world.remote.lastCall;
  if (!call) throw new Error('The far end has no call');
  return call;
}

async function setUp(direction: Direction): Promise<World> {
  const network = newNetwork();
  // The model has no device to place a referred call: REFERs are refused (the transfer scenarios follow them).
  const device = await registered(network, 'alice', coverage.inspect, { onTransferRequest: 'refuse' });
  const remote = network.remote(direction === 'outbound' ? 'bob' : 'carol');
  const call =
    direction === 'outbound'
      ? await device.connect({ to: 'bob', params: { ticketId: 'T-1' } })
      : (await incomingCall(device, remote, 'alice', { 'X-Callchart-TicketId': 'T-1' })).call;
  const events: string[] = [];
  recordCallEvents(call, events);
  return { direction, network, device, call, remote, events, pending: new Map() };
}

function keep(world: World, name: string, promise: Promise<unknown>): void {
  world.pending.set(name, settled(promise));
}

/** Performs the real-world counterpart of a model event. */
async function perform(world: World, from: ModelStep['state'], event: ModelStep['event'], next: ModelStep | undefined): Promise<void> {
  const { call, network } = world;
  const inState = (value: unknown) => from.matches(value);
  switch (event.type) {
    case 'ACCEPT':
      // One call: nothing to hold (the hold-others scenarios below cover holdOthers).
      return keep(world, 'accept', call.accept({ holdOthers: false }));
    case 'REJECT':
      return keep(world, 'reject', call.reject(486));
    case 'DISCONNECT':
      return keep(world, 'disconnect', call.disconnect());
    case 'TERMINATE':
      return keep(world, 'terminate', call.terminate());
    case 'HOLD':
      return keep(world, 'hold', call.hold(true));
    case 'UNHOLD':
      return keep(world, 'resume', call.hold(false, { holdOthers: false }));
    case 'MUTE':
      return call.mute(true);
    case 'UNMUTE':
      return call.mute(false);
    case 'START_RECORDING':
      return call.startRecording();
    case 'PAUSE_RECORDING':
      return call.pauseRecording();
    case 'RESUME_RECORDING':
      return call.resumeRecording();
    case 'STOP_RECORDING':
      return keep(world, 'stopRecording', call.stopRecording());
    case 'RECORDING_FAILED':
      if (from.matches({ accepted: { recording: { active: 'stopping' } } })) network.failNextRecordingStop();
      else network.breakRecordings();
      return;
    case 'SEND_DIGITS':
      keep(world, 'digitsBefore', Promise.resolve(remoteCall(world).digits.length));
      return keep(world, 'digits', call.sendDigits('1#'));
    case 'PORT.NEGOTIATED': {
      const { type: _type, ...media } = event as unknown as { type: 'PORT.NEGOTIATED' } & NegotiatedMedia;
      return remoteCall(world).renegotiate(media);
    }
    case 'SET_INPUT_DEVICE':
      return keep(world, 'input', call.setInputDevice('fake-mic-2'));
    case 'SET_OUTPUT_DEVICE':
      return keep(world, 'output', call.setOutputDevice('no-such-speaker'));
    case 'DEVICE_DESTROYED':
      return keep(world, 'destroy', world.device.destroy());
    case 'INPUT_DEVICE_CHOSEN':
      return keep(world, 'input-choice', world.device.audio.setInputDevice('default'));
    case 'OTHERS_TALKING':
      // What the device tells its calls when another one is accepted (the device model runs that part).
      call.actor.send({ type: 'OTHERS_TALKING', talking: true });
      return;
    case 'OUTPUT_DEVICE_CHOSEN':
      return keep(world, 'output-choice', world.device.audio.setOutputDevice('default'));
    case 'PORT.PROVISIONAL':
      return remoteCall(world).ring({ earlyMedia: event['earlyMedia'] === true });
    case 'PORT.ESTABLISHED':
      return remoteCall(world).answer();
    case 'PORT.FINAL': {
      const status = Number(event['status']);
      // After our CANCEL the far end answers 487 by itself.
      if (inState({ canceling: 'awaitingFinal' })) return;
      if (status === 200) return remoteCall(world).answer();
      return remoteCall(world).reject(status === 486 && inState('ringing') ? 603 : status);
    }
    case 'PORT.BYE':
      return remoteCall(world).hangup();
    case 'PORT.CANCEL':
      return remoteCall(world).cancel();
    case 'PORT.MEDIA':
      return remoteCall(world).fail();
    case 'PORT.TERMINATED':
      // Inbound and unanswered: the stack's own no-answer timer (60 s) ends it.
      if (inState({ pending: 'incoming' })) return void (await vi.advanceTimersByTimeAsync(60_000));
      return remoteCall(world).sendUnusable();
    case 'PORT.REFER':
      return remoteCall(world).refer(String(event['referTo']));
    case 'PORT.REINVITE': {
      const direction = event['direction'] as 'sendonly' | 'inactive' | 'sendrecv';
      return remoteCall(world).hold(direction !== 'sendrecv', direction);
    }
    case 'PORT.INFO':
      return remoteCall(world).sendDigits('5', 160);
    case 'SET_INFO':
      return call.setInfo({ company: 'Acme', displayName: 'Robert' }, { lock: true });
    case 'PORT.IDENTITY':
      return remoteCall(world).updateIdentity({ displayName: 'Bobby', assertedIdentity: ASSERTED });
    case 'STOP_TIMER':
      return call.stopTimer();
    case 'SET_VIDEO':
      return keep(world, 'video', call.setVideo(event['on'] === true));
    case 'PORT.VIDEO':
    case 'PORT.STREAM':
      return remoteCall(world).setVideo(true);
    case 'SET_VIDEO_INPUT_DEVICE':
      return keep(world, 'camera', call.setVideoInputDevice('fake-camera-2'));
    case TIMER_TICK:
      await vi.advanceTimersByTimeAsync(1000);
      return;
    case 'QUALITY':
      await vi.advanceTimersByTimeAsync(1000);
      return;
    case REPORT_TICK:
      await vi.advanceTimersByTimeAsync(3000);
      return;
    case 'WARNING_RAISED':
      return raiseHighRtt(world);
    case 'WARNING_CLEARED':
      await raiseHighRtt(world);
      network.setConditions({ rttMs: 40 });
      return advanceUntil(world, 'warning-cleared:high-rtt');
    case 'xstate.error.actor.inviteActor':
      network.failNextMedia();
      return;
    case 'xstate.error.actor.acceptActor':
      network.failNextAccept();
      return;
    case 'xstate.error.actor.holdReinvite':
    case 'xstate.error.actor.resumeReinvite':
    case 'xstate.error.actor.videoReinvite':
      network.failNextReinvite(488);
      return;
    case 'xstate.error.actor.cancelActor':
      network.failNextSend('cancel');
      return;
    case 'xstate.error.actor.rejectActor':
      network.failNextSend('reject');
      return;
    case 'xstate.error.actor.byeActor':
      network.failNextSend('bye');
      return;
    default:
      // done events and RECORDING_STOPPED: the fake finishes the work as time runs.
      return;
  }
}

/** Lets fake seconds pass (one stats sample each) until the call emitted `event`. */
async function advanceUntil(world: World, event: string): Promise<void> {
  for (let i = 0; i < 30 && !world.events.includes(event); i++) await vi.advanceTimersByTimeAsync(1000);
  expect(world.events, `waiting for ${event}`).toContain(event);
}

/** 600 ms round trip: above the 400 ms high-rtt threshold, not bad enough for low-mos. */
async function raiseHighRtt(world: World): Promise<void> {
  world.network.setConditions({ rttMs: 600 });
  await advanceUntil(world, 'warning:high-rtt');
}

// --- what the user must see ------------------------------------------------------

function publicStatus(state: ModelStep['state']): string {
  if (state.matches('pending')) return 'pending';
  if (state.matches('ringing')) return 'ringing';
  if (state.matches('accepted')) return 'accepted';
  if (state.matches('failed')) return 'failed';
  return 'disconnected';
}

function disconnectReason(path: ModelPath, index: number): string {
  const from = path[index - 1]!.state;
  const event = path[index]!.event;
  const type = event.type;
  if (type === 'DEVICE_DESTROYED') return 'device-destroyed';
  if (from.matches('canceling')) return 'canceled';
  if (from.matches('rejecting')) return type === 'PORT.CANCEL' ? 'canceled' : 'rejected';
  if (from.matches('hangingUp')) {
    if (type === 'PORT.BYE') return 'remote-hangup';
    // Hanging up because the far end's 2xx crossed our CANCEL: still a canceled call.
    return path.some((step) => step.event.type === 'PORT.FINAL' && step.event['status'] === 200) ? 'canceled' : 'local-hangup';
  }
  if (type === 'PORT.FINAL') return from.matches('ringing') ? 'declined' : 'busy';
  if (type === 'PORT.CANCEL') return 'canceled';
  if (type === 'PORT.BYE') return 'remote-hangup';
  throw new Error(`No disconnect expected for ${type}`);
}

function failureCode(from: ModelStep['state'], event: ModelStep['event']): string {
  if (event.type === 'xstate.error.actor.inviteActor') return 'media-denied';
  if (event.type === 'xstate.error.actor.acceptActor') return 'media-failed';
  if (event.type === 'PORT.FINAL') return 'not-found';
  if (event.type === 'PORT.TERMINATED' && from.matches({ pending: 'incoming' })) return 'timeout';
  return 'media-failed';
}

function expectedEvents(path: ModelPath, index: number): string[] {
  const from = path[index - 1]!.state;
  const step = path[index]!;
  const type = step.event.type;
  const to = step.state;
  const out: string[] = [];
  if (to.matches('ringing') && !from.matches('ringing')) out.push('ringing');
  if (to.matches('accepted') && !from.matches('accepted')) out.push('accepted');
  // Muting a muted call (or unmuting one that is not) changes nothing and says nothing.
  if (type === 'MUTE' && from.matches({ accepted: { mute: 'off' } })) out.push('mute:true');
  if (type === 'UNMUTE' && from.matches({ accepted: { mute: 'on' } })) out.push('mute:false');
  if (type === 'xstate.done.actor.holdReinvite') out.push('hold:true');
  if (type === 'xstate.done.actor.resumeReinvite') out.push('hold:false');
  if (type === 'xstate.error.actor.holdReinvite' || type === 'xstate.error.actor.resumeReinvite') out.push('error:sip-error');
  if (type === 'RECORDING_FAILED') out.push('error:not-supported');
  // A BYE that could not be sent is reported (operation hangup); the call still ends.
  if (type === 'xstate.error.actor.byeActor') out.push('error:transport-failed');
  if (type === 'PORT.REINVITE') out.push(`remote-hold:${step.event['direction'] !== 'sendrecv'}`);
  if (type === 'PORT.INFO') out.push('dtmf:5:160');
  if (type === 'SET_INFO' || type === 'PORT.IDENTITY') out.push('info');
  if (type === 'xstate.done.actor.videoReinvite') out.push('video:true');
  if (type === 'xstate.error.actor.videoReinvite') out.push('error:sip-error');
  if (type === 'PORT.VIDEO' || type === 'PORT.STREAM') out.push('remote-video:true');
  if (to.matches('disconnected') && !from.matches('disconnected')) out.push(`disconnect:${disconnectReason(path, index)}`);
  if (to.matches('failed')) out.push(`error:${failureCode(from, step.event)}`, 'disconnect:failed');
  if (type === 'WARNING_RAISED') out.push('warning:high-rtt');
  if (type === 'WARNING_CLEARED') out.push('warning:high-rtt', 'warning-cleared:high-rtt');
  return out;
}

async function checkOutcomes(world: World, from: ModelStep['state'], step: ModelStep): Promise<void> {
  await drainMicrotasks();
  const outcome = (name: string) => world.pending.get(name)?.outcome();
  const type = step.event.type;
  const to = step.state;
  if (type === 'xstate.done.actor.holdReinvite') expect(outcome('hold')).toBe('resolved');
  if (type === 'xstate.error.actor.holdReinvite') expect(outcome('hold')).toBe('rejected');
  if (type === 'xstate.done.actor.resumeReinvite') expect(outcome('resume')).toBe('resolved');
  if (type === 'xstate.error.actor.resumeReinvite') expect(outcome('resume')).toBe('rejected');
  // Terminated while answering: the call is hung up as soon as it is up, and accept() rejects when it has ended.
  if (type === 'xstate.done.actor.acceptActor') expect(outcome('accept')).toBe(from.context.hangUpWhenAnswered ? 'pending' : 'resolved');
  if (world.pending.has('terminate') && from.context.hangUpWhenAnswered && to.matches('disconnected')) {
    expect(outcome('accept')).toBe('rejected');
  }
  if (type === 'xstate.error.actor.acceptActor') expect(outcome('accept')).toBe('rejected');
  if (type === 'RECORDING_STOPPED') {
    expect(outcome('stopRecording')).toBe('resolved');
    expect(world.pending.get('stopRecording')?.value).toBeInstanceOf(Blob);
  }
  if (type === 'RECORDING_FAILED' && from.matches({ accepted: { recording: { active: 'stopping' } } })) {
    expect(outcome('stopRecording')).toBe('rejected');
  }
  if (type === 'SEND_DIGITS') {
    await flushUntil(() => outcome('digits') !== 'pending', 'the digits');
    const route = dtmfRoute(from);
    if (route === 'unavailable') {
      expect(outcome('digits')).toBe('rejected');
      expect((world.pending.get('digits')?.error as VoiceSDKError).code).toBe('dtmf-unavailable');
      expect(remoteCall(world).digits.length, 'nothing sent').toBe(world.pending.get('digitsBefore')?.value);
    } else {
      expect(outcome('digits')).toBe('resolved');
      expect(remoteCall(world).digits.at(-1)).toEqual({ digits: '1#', method: route });
    }
  }
  if (type === 'SET_INPUT_DEVICE') {
    await flushUntil(() => outcome('input') !== 'pending', 'the input device');
    expect(outcome('input')).toBe('resolved');
  }
  if (type === 'SET_OUTPUT_DEVICE') {
    await flushUntil(() => outcome('output') !== 'pending', 'the output device');
    expect(outcome('output')).toBe('rejected');
    expect((world.pending.get('output')?.error as VoiceSDKError).code).toBe('device-not-found');
  }
  if (to.matches('disconnected') && (from.matches('hangingUp') || from.matches('canceling')) && type.startsWith('xstate.')) {
    // disconnect() rejects with a BYE that could not be sent; terminate() resolves on any end.
    const byeLost = type === 'xstate.error.actor.byeActor' && world.pending.has('disconnect');
    expect(outcome(world.pending.has('disconnect') ? 'disconnect' : 'terminate')).toBe(byeLost ? 'rejected' : 'resolved');
  }
  if (type === 'PORT.REFER') {
    // Declined (no transfer yet), a network latency later.
    await flushUntil(() => remoteCall(world).referResponses.length > 0, 'the answer to the REFER');
    // A Refer-To no transfer could use (another scheme, CR/LF, over-long) is a bad request.
    expect(remoteCall(world).referResponses).toEqual([String(step.event['referTo']).startsWith('sip:') ? 603 : 400]);
  }
  if (type === 'xstate.done.actor.byeActor') expect(remoteCall(world).endedBy).toBe('remote-bye');
  if (type === 'xstate.done.actor.videoReinvite') {
    expect(outcome('video')).toBe('resolved');
    expect(world.call.hasVideo()).toBe(true);
    expect(world.call.localStream?.getVideoTracks()).toHaveLength(1);
  }
  if (type === 'xstate.error.actor.videoReinvite') {
    expect(outcome('video')).toBe('rejected');
    expect(world.call.hasVideo()).toBe(false);
  }
  if (type === 'SET_VIDEO_INPUT_DEVICE') {
    await flushUntil(() => outcome('camera') !== 'pending', 'the camera switch');
    expect((world.pending.get('camera')?.error as VoiceSDKError).code).toBe('invalid-state');
  }
  if (type === 'SET_VIDEO' && step.event['on'] === false) expect(outcome('video')).toBe('resolved');
  if (type === 'PORT.VIDEO' || type === 'PORT.STREAM') {
    expect(world.call.hasRemoteVideo()).toBe(true);
    expect(world.call.remoteStream?.getVideoTracks()).toHaveLength(1);
  }
  if (type === 'SET_INFO') expect(world.call.info).toMatchObject({ company: 'Acme', displayName: 'Robert' });
  // The asserted identity wins over the From display name, and gives the number.
  if (type === 'PORT.IDENTITY') expect(world.call.info).toMatchObject({ displayName: 'Bob B.', number: '+15550001234' });
  // terminate() resolves once the call has ended, however it ended.
  if (world.pending.has('terminate') && (to.matches('disconnected') || to.matches('failed'))) {
    expect(outcome('terminate')).toBe('resolved');
  }
}

async function runPath(direction: Direction, path: ModelPath): Promise<void> {
  const world = await setUp(direction);
  const actor = world.call.actor;
  expect(actor.getSnapshot().value).toEqual(path[0]!.state.value);
  for (let i = 1; i < path.length; i++) {
    const step = path[i]!;
    const from = path[i - 1]!.state;
    world.events.length = 0;
    await perform(world, from, step.event, path[i + 1]);
    await flushUntil(
      () => JSON.stringify(actor.getSnapshot().value) === JSON.stringify(step.state.value),
      `${step.event.type} to reach ${JSON.stringify(step.state.value)} (is ${JSON.stringify(actor.getSnapshot().value)})`,
    );
    await checkOutcomes(world, from, step);
    const call = world.call;
    expect(call.getStatus(), 'status').toBe(publicStatus(step.state));
    expect(call.isMuted(), 'isMuted').toBe(step.state.matches({ accepted: { mute: 'on' } }));
    // On hold from asking for it until resuming is confirmed.
    expect(call.isOnHold(), 'isOnHold').toBe(step.state.matches('accepted') && !step.state.matches({ accepted: { hold: 'off' } }));
    expect(call.isRemoteOnHold(), 'isRemoteOnHold').toBe(step.state.matches({ accepted: { remoteHold: 'on' } }));
    expect(call.isRecording(), 'isRecording').toBe(step.state.matches({ accepted: { recording: 'active' } }));
    // `confirmed` comes with the ACK (a network latency after an inbound answer): the API tests check it.
    const seen = world.events.filter((e) => e !== 'quality' && e !== 'report' && e !== 'confirmed' && e !== 'timer');
    expect(seen, `events after ${step.event.type}`).toEqual(expectedEvents(path, i));
    if (step.event.type === 'QUALITY') expect(world.events).toContain('quality');
    if (step.event.type === TIMER_TICK) expect(world.events).toContain('timer');
    // Once stopped, a second passes without a `timer`.
    if (step.event.type === 'STOP_TIMER') {
      world.events.length = 0;
      await vi.advanceTimersByTimeAsync(1000);
      expect(world.events).not.toContain('timer');
    }
    if (step.event.type === REPORT_TICK) {
      expect(world.events).toContain('report');
      expect(call.getReport().sampleCount).toBeGreaterThan(0);
    }
  }
  // Nothing may be left behind once the device is gone.
  const destroying = settled(world.device.destroy());
  await flushUntil(() => destroying.outcome() !== 'pending', 'destroy');
  expect(world.device.state).toBe('destroyed');
  expect(world.network.openMediaCount, 'open media').toBe(0);
  expect(world.network.activeRecorders, 'recorders').toBe(0);
  await drainMicrotasks();
  expect(vi.getTimerCount(), 'timers left').toBe(0);
}

describe.each(['outbound', 'inbound'] as const)('callMachine paths, %s call', (direction) => {
  useFakeTime();
  const paths = pathsFor(direction);
  it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
    await runPath(direction, path);
  });
});

/**
 * Several calls on one device: the hold-others states and transitions, run
 * for real with the coverage inspector (the paths above have one call each).
 */
describe('callMachine with several calls: holdOthers', () => {
  useFakeTime();

  /** alice talks to bob (answered outbound) and carol calls in; returns both calls. */
  async function waitingCall() {
    const network = newNetwork();
    const device = await registered(network, 'alice', coverage.inspect);
    const { call: first, far: bob } = await answeredCall(device, network.remote('bob'));
    const { call: second, far: carol } = await incomingCall(device, network.remote('carol'));
    expect(device.incomingCalls).toEqual([second]);
    return { network, device, first, second, bob, carolHeld: () => carol.heldByDevice };
  }

  const finish = (world: { network: FakeNetwork; device: Device }): Promise<void> => destroyAll(world.network, [world.device]);

  it('accept() of a waiting call holds the talking one first, then answers; hold(false) swaps back', async () => {
    const world = await waitingCall();
    const { first, second, bob } = world;
    const accepting = settled(second.accept());
    await flushUntil(() => accepting.outcome() !== 'pending', 'accept()');
    expect(accepting.outcome()).toBe('resolved');
    expect(first.isOnHold()).toBe(true);
    expect(bob.heldByDevice).toBe(true);
    expect(second.getStatus()).toBe('accepted');
    expect(world.device.incomingCalls).toEqual([]);
    // Back to the first: the second goes on hold before the first resumes.
    const resuming = settled(first.hold(false));
    await flushUntil(() => resuming.outcome() !== 'pending', 'resume');
    expect(resuming.outcome()).toBe('resolved');
    expect([first.isOnHold(), second.isOnHold()]).toEqual([false, true]);
    expect(world.carolHeld()).toBe(true);
    await finish(world);
  });

  it('a failed hold of the talking call rejects accept() with its error; the waiting call keeps ringing', async () => {
    const world = await waitingCall();
    const { first, second, network } = world;
    network.failNextReinvite(488);
    const accepting = settled(second.accept());
    await flushUntil(() => accepting.outcome() !== 'pending', 'accept()');
    expect(accepting.outcome()).toBe('rejected');
    expect((accepting.error as VoiceSDKError).status).toBe(488);
    expect([first.isOnHold(), first.getStatus(), second.getStatus()]).toEqual([false, 'accepted', 'pending']);
    // It can still be answered, without holding the other.
    const again = settled(second.accept({ holdOthers: false }));
    await flushUntil(() => again.outcome() !== 'pending', 'accept() again');
    expect(again.outcome()).toBe('resolved');
    expect(first.isOnHold()).toBe(false);
    await finish(world);
  });

  it('a failed hold of the other call rejects hold(false) and leaves this one on hold', async () => {
    const world = await waitingCall();
    const { first, second, network } = world;
    const accepting = settled(second.accept());
    await flushUntil(() => accepting.outcome() !== 'pending', 'accept()');
    network.failNextReinvite(488);
    const resuming = settled(first.hold(false));
    await flushUntil(() => resuming.outcome() !== 'pending', 'resume');
    expect(resuming.outcome()).toBe('rejected');
    expect([first.isOnHold(), second.isOnHold()]).toEqual([true, false]);
    await finish(world);
  });
});

describeRecovery(coverage.inspect);
describeTransfers(coverage.inspect);
describeMediaRecovery(coverage.inspect);
describeHoldDuringResume(coverage.inspect);

expectFullCoverage(coverage);
