/**
 * The call machine's effects. Each one takes the call's port through `input`
 * and does one piece of I/O; `callMachine.provide({ actors })` swaps them.
 */
import { fromCallback, fromPromise } from 'xstate';
import type { CallPort, CallPortEvent, DtmfOptions, RecorderPort } from '../adapters/adapter';
import { toVoiceSDKError } from '../errors';
import type { CallEvent } from './call.types';

export interface PortInput {
  port: CallPort;
}

function toCallEvent(event: CallPortEvent): CallEvent {
  switch (event.type) {
    case 'ringing':
      return { type: 'REMOTE_RINGING' };
    case 'answered':
      return { type: 'REMOTE_ANSWERED' };
    case 'declined':
      return { type: 'REMOTE_DECLINED', reason: event.reason, status: event.status };
    case 'ended':
      return { type: 'REMOTE_ENDED', reason: event.reason };
    case 'failed':
      return { type: 'SESSION_FAILED', error: event.error };
    case 'negotiated': {
      const { type: _type, ...facts } = event;
      return { type: 'NEGOTIATED', ...facts };
    }
  }
}

/** Turns what the wire says about this call into machine events, for the call's whole life. */
export const sessionListener = /* @__PURE__ */ fromCallback<CallEvent, PortInput>(({ sendBack, input }) =>
  input.port.subscribe((event) => sendBack(toCallEvent(event))),
);

export const inviteActor = /* @__PURE__ */ fromPromise<void, PortInput>(({ input }) => input.port.invite());
export const acceptActor = /* @__PURE__ */ fromPromise<void, PortInput>(({ input }) => input.port.accept());
export const cancelActor = /* @__PURE__ */ fromPromise<void, PortInput>(({ input }) => input.port.cancel());
export const byeActor = /* @__PURE__ */ fromPromise<void, PortInput>(({ input }) => input.port.bye());
export const rejectActor = /* @__PURE__ */ fromPromise<void, PortInput & { statusCode: number }>(({ input }) =>
  input.port.reject(input.statusCode),
);
/** One re-INVITE: a=sendonly to hold, a=sendrecv to resume. */
export const reinviteActor = /* @__PURE__ */ fromPromise<void, PortInput & { onHold: boolean }>(({ input }) =>
  input.port.hold(input.onHold),
);

/** Commands the recording region sends to the recorder while it runs. */
export type RecorderCommand = { type: 'PAUSE' } | { type: 'RESUME' } | { type: 'STOP' };

/**
 * Runs a MediaRecorder (through the port) while the recording region is
 * active. Every failure — at start, while recording, at stop — comes back as
 * RECORDING_FAILED.
 */
export const recorderActor = /* @__PURE__ */ fromCallback<RecorderCommand, PortInput>(({ sendBack, receive, input }) => {
  let recorder: RecorderPort;
  try {
    recorder = input.port.startRecording();
  } catch (error) {
    sendBack({ type: 'RECORDING_FAILED', error: toVoiceSDKError(error) } satisfies CallEvent);
    return () => undefined;
  }
  const unsubscribe = recorder.onError((error) => sendBack({ type: 'RECORDING_FAILED', error } satisfies CallEvent));
  receive((command) => {
    if (command.type === 'PAUSE') recorder.pause();
    else if (command.type === 'RESUME') recorder.resume();
    else
      recorder.stop().then(
        (blob) => sendBack({ type: 'RECORDING_STOPPED', blob } satisfies CallEvent),
        (error: unknown) =>
          sendBack({ type: 'RECORDING_FAILED', error: toVoiceSDKError(error) } satisfies CallEvent),
      );
  });
  return () => {
    unsubscribe();
    recorder.dispose();
  };
});

/** A one-off request that changes no call state: DTMF, input or output device. */
export type CallRequest =
  | { kind: 'digits'; digits: string; options: DtmfOptions }
  | { kind: 'input-device'; deviceId: string }
  | { kind: 'output-device'; deviceId: string };

function perform(port: CallPort, request: CallRequest): Promise<void> {
  switch (request.kind) {
    case 'digits':
      return port.sendDigits(request.digits, request.options);
    case 'input-device':
      return port.setInputDevice(request.deviceId);
    case 'output-device':
      return port.setOutputDevice(request.deviceId);
  }
}

/** Spawned per request; reports back by id so the facade's promise can settle. */
export const requestActor = /* @__PURE__ */ fromCallback<CallEvent, PortInput & { requestId: string; request: CallRequest }>(
  ({ sendBack, input }) => {
    let live = true;
    perform(input.port, input.request).then(
      () => live && sendBack({ type: 'REQUEST_DONE', requestId: input.requestId }),
      (error: unknown) =>
        live && sendBack({ type: 'REQUEST_FAILED', requestId: input.requestId, error: toVoiceSDKError(error) }),
    );
    return () => {
      live = false;
    };
  },
);
