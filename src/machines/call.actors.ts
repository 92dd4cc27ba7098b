/**
 * The call machine's effects. Each one takes the call's port through `input`
 * and does one piece of I/O; `callMachine.provide({ actors })` swaps them.
 */
import { fromCallback, fromPromise } from 'xstate';
import type { CallFact, CallPort, DtmfOptions, RecorderPort } from '../adapters/adapter';
import { toVoiceSDKError } from '../errors';
import type { CallEvent, PortEvent } from './call.types';

export interface PortInput {
  port: CallPort;
}

/** A port fact as the machine's event: the same fields, `type` prefixed `PORT.` and upper-cased. */
export function toPortEvent(fact: CallFact): PortEvent {
  switch (fact.type) {
    case 'provisional':
      return { ...fact, type: 'PORT.PROVISIONAL' };
    case 'final':
      return { ...fact, type: 'PORT.FINAL' };
    case 'established':
      return { type: 'PORT.ESTABLISHED' };
    case 'confirmed':
      return { type: 'PORT.CONFIRMED' };
    case 'bye':
      return { ...fact, type: 'PORT.BYE' };
    case 'cancel':
      return { ...fact, type: 'PORT.CANCEL' };
    case 'reinvite':
      return { ...fact, type: 'PORT.REINVITE' };
    case 'refer':
      return { ...fact, type: 'PORT.REFER' };
    case 'notify':
      return { ...fact, type: 'PORT.NOTIFY' };
    case 'info':
      return { ...fact, type: 'PORT.INFO' };
    case 'media':
      return { ...fact, type: 'PORT.MEDIA' };
    case 'negotiated':
      return { ...fact, type: 'PORT.NEGOTIATED' };
    case 'identity':
      return { ...fact, type: 'PORT.IDENTITY' };
    case 'video':
      return { ...fact, type: 'PORT.VIDEO' };
    case 'stream':
      return { ...fact, type: 'PORT.STREAM' };
    case 'terminated':
      return { type: 'PORT.TERMINATED' };
  }
}

/** Turns the port's facts about this call into machine events, for the call's whole life. */
export const sessionListener = /* @__PURE__ */ fromCallback<CallEvent, PortInput>(({ sendBack, input }) =>
  input.port.subscribe((fact) => sendBack(toPortEvent(fact))),
);

export const inviteActor = /* @__PURE__ */ fromPromise<void, PortInput>(({ input }) => input.port.invite());
export const acceptActor = /* @__PURE__ */ fromPromise<void, PortInput & { video: boolean; inputDeviceId: string }>(({ input }) =>
  input.port.answer({ ...(input.video ? { video: true } : {}), ...(input.inputDeviceId === 'default' ? {} : { inputDeviceId: input.inputDeviceId }) }),
);
export const cancelActor = /* @__PURE__ */ fromPromise<void, PortInput>(({ input }) => input.port.cancel());
export const byeActor = /* @__PURE__ */ fromPromise<void, PortInput>(({ input }) => input.port.bye());
export const rejectActor = /* @__PURE__ */ fromPromise<void, PortInput & { statusCode: number }>(({ input }) =>
  input.port.reject(input.statusCode),
);
/** One re-INVITE: a=sendonly to hold, a=sendrecv to resume; `iceRestart`: with new ICE credentials; with `video`, our camera added or removed. */
export const reinviteActor = /* @__PURE__ */ fromPromise<void, PortInput & { hold: boolean; iceRestart?: boolean; video?: boolean }>(({ input }) =>
  input.port.reinvite({
    hold: input.hold,
    ...(input.iceRestart ? { iceRestart: true } : {}),
    ...(input.video === undefined ? {} : { video: input.video }),
  }),
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
  | { kind: 'output-device'; deviceId: string }
  | { kind: 'video-input-device'; deviceId: string };

function perform(port: CallPort, request: CallRequest): Promise<void> {
  switch (request.kind) {
    case 'digits':
      return port.sendDtmf(request.digits, request.options);
    case 'input-device':
      return port.setInputDevice(request.deviceId);
    case 'output-device':
      return port.setOutputDevice(request.deviceId);
    case 'video-input-device':
      return port.setVideoInputDevice(request.deviceId);
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
