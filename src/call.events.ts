/**
 * What the call actor's emitted events mean for the Call facade: the app's
 * events (`forwardCallEvent`), and the outcome of an operation the facade
 * waits for (`operationOutcome`).
 */
import { VoiceSDKError } from './errors';
import type { Call } from './call';
import type { CallEvents } from './call.api';
import type { CallEmitted, CallOperation } from './machines/call.types';
import type { Outcome } from './settle';

/** The facade's `emit`, for one of its events. */
export type EmitCallEvent = <K extends keyof CallEvents & string>(name: K, ...args: CallEvents[K]) => void;

/** Emits the app's event for `event` (none for the chart's internal ones); `callOf` finds a referred call's facade. */
export function forwardCallEvent(event: CallEmitted, emit: EmitCallEvent, callOf: (callId: string) => Call | undefined): void {
  switch (event.type) {
    case 'ringing':
    case 'accepted':
    case 'confirmed':
    case 'reconnected':
      emit(event.type);
      break;
    case 'disconnect':
      emit('disconnect', {
        reason: event.reason,
        ...(event.detail === undefined ? {} : { detail: event.detail }),
        ...(event.status === undefined ? {} : { status: event.status }),
        ...(event.cause === undefined ? {} : { cause: event.cause }),
        report: event.report,
      });
      break;
    case 'error':
      emit('error', event.error);
      break;
    case 'mute':
      emit('mute', event.muted);
      break;
    case 'hold':
      emit('hold', event.onHold);
      break;
    case 'remote-hold':
      emit('remote-hold', event.onHold);
      break;
    case 'reconnecting':
      emit('reconnecting', { cause: event.cause });
      break;
    case 'transfer':
      emit('transfer', { state: event.state, ...(event.status === undefined ? {} : { status: event.status }) });
      break;
    case 'referred': {
      const call = callOf(event.callId);
      if (call) emit('referred', { target: event.target, call });
      break;
    }
    case 'dtmf':
      emit('dtmf', {
        digit: event.digit,
        method: event.method,
        ...(event.durationMs === undefined ? {} : { durationMs: event.durationMs }),
      });
      break;
    case 'quality':
      emit('quality', event.sample);
      break;
    case 'warning':
      emit('warning', { name: event.name, value: event.value, threshold: event.threshold });
      break;
    case 'warning-cleared':
      emit('warning-cleared', { name: event.name });
      break;
    case 'report':
      emit('report', event.report);
      break;
    case 'info':
      emit('info', { info: event.info, previous: event.previous });
      break;
    case 'timer':
      emit('timer', event.timer);
      break;
    case 'video':
    case 'remote-video':
      emit(event.type, event.on);
      break;
    case 'stream':
      emit('stream', { direction: event.direction, stream: event.stream });
      break;
  }
}

/**
 * How an operation settles on the emitted events: on the one `done` picks; an
 * `error` for this operation rejects, and so does the call ending first (with
 * the call's own error when it failed), unless ending is what `done` waits for.
 */
export function operationOutcome<T>(operation: CallOperation, done: (e: CallEmitted) => Outcome<T>): (e: CallEmitted) => Outcome<T> {
  let failure: VoiceSDKError | undefined;
  return (e) => {
    const outcome = done(e);
    if (outcome !== undefined) return outcome;
    if (e.type === 'error' && e.operation === operation) return { error: e.error };
    // The call itself failed: remember why, `disconnect` follows.
    if (e.type === 'error' && e.operation === undefined) failure = e.error;
    if (e.type !== 'disconnect') return undefined;
    return { error: failure ?? new VoiceSDKError('invalid-state', `The call ended (${e.reason}) before ${operation} completed`) };
  };
}

const DONE = { value: undefined };

/** `accept()` settles once the call is accepted. */
export const whenAccepted = (e: CallEmitted): Outcome<void> => (e.type === 'accepted' ? DONE : undefined);

/** `reject()`, `disconnect()`, `terminate()` settle once the call has ended. */
export const whenEnded = (e: CallEmitted): Outcome<void> => (e.type === 'disconnect' ? DONE : undefined);

/** `hold(onHold)` settles once the hold is `onHold`, or on the chart's `unchanged` for it. */
export const whenHeld =
  (onHold: boolean, operation: CallOperation) =>
  (e: CallEmitted): Outcome<void> =>
    (e.type === 'hold' && e.onHold === onHold) || (e.type === 'unchanged' && e.operation === operation) ? DONE : undefined;

/** `transfer()` settles when the transfer succeeded or failed. */
export function whenTransferred(e: CallEmitted): Outcome<void> {
  if (e.type !== 'transfer') return undefined;
  if (e.state === 'succeeded') return DONE;
  return e.state === 'failed' ? { error: e.error ?? new VoiceSDKError('transfer-failed', 'The transfer did not complete') } : undefined;
}

/** `setVideo(on)` settles once the video is switched `on`, or on the chart's `unchanged` for it. */
export const whenVideoSwitched =
  (on: boolean) =>
  (e: CallEmitted): Outcome<void> =>
    (e.type === 'video.switched' && e.on === on) || (e.type === 'unchanged' && e.operation === 'video') ? DONE : undefined;

/** `stopRecording()` settles with the recording. */
export const whenRecordingStopped = (e: CallEmitted): Outcome<Blob> => (e.type === 'recording.stopped' ? { value: e.blob } : undefined);

/** A request the chart answers with `request.settled` for its id (DTMF, devices). */
export const whenRequestSettled =
  (requestId: string) =>
  (e: CallEmitted): Outcome<void> => {
    if (e.type !== 'request.settled' || e.requestId !== requestId) return undefined;
    return e.error ? { error: e.error } : DONE;
  };
