/**
 * The device machine's effects, each working on the user agent port passed
 * through `input`. `deviceMachine.provide({ actors })` swaps them.
 */
import { fromCallback, fromPromise } from 'xstate';
import type { UserAgentPort } from '../adapters/adapter';
import { toVoiceSDKError } from '../errors';
import type { CallEmitted, CallEvent } from './call.types';
import type { DeviceEvent } from './device.types';

export interface UserAgentInput {
  ua: UserAgentPort;
}

/** Listens to the user agent while the device lives: transport loss, incoming calls, lost registrations, pongs, the network back. */
export const userAgentListener = /* @__PURE__ */ fromCallback<DeviceEvent, UserAgentInput>(({ sendBack, input }) => {
  const unsubscribers = [
    input.ua.onTransportLost((error) => sendBack({ type: 'TRANSPORT_LOST', error })),
    input.ua.onIncomingCall((port) => sendBack({ type: 'INCOMING_CALL', port })),
    input.ua.onRegistrationLost((error) => sendBack({ type: 'REGISTRATION_LOST', error })),
    input.ua.onPong(() => sendBack({ type: 'PONG' })),
    input.ua.onNetworkOnline(() => sendBack({ type: 'NETWORK_ONLINE' })),
  ];
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
});

export const connectActor = /* @__PURE__ */ fromPromise<void, UserAgentInput & { server: string }>(({ input }) =>
  input.ua.connect(input.server),
);
export const registerActor = /* @__PURE__ */ fromPromise<void, UserAgentInput>(({ input }) => input.ua.register());
export const unregisterActor = /* @__PURE__ */ fromPromise<void, UserAgentInput>(({ input }) => input.ua.unregister());
export const destroyActor = /* @__PURE__ */ fromPromise<void, UserAgentInput>(({ input }) => input.ua.dispose());

/** What a hold-others request needs: the calls to hold (the device chart chose them) and the call that asked. */
export interface HoldOthersInput {
  /** The accepted calls not on hold, other than the requester. */
  others: ReadonlyArray<CallActorLike>;
  requester: CallActorLike;
}

/** The part of a call actor that the hold-others actor uses. */
export interface CallActorLike {
  send(event: CallEvent): void;
  on(type: '*', handler: (event: CallEmitted) => void): { unsubscribe(): void };
}

/** Holds one call: settles on its `hold` (or `unchanged`), or its end; rejects with its hold error. */
function holdCall(call: CallActorLike): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const subscription = call.on('*', (event) => {
      const settled =
        (event.type === 'hold' && event.onHold) ||
        (event.type === 'unchanged' && event.operation === 'hold') ||
        event.type === 'disconnect';
      const failed = event.type === 'error' && event.operation === 'hold';
      if (!settled && !failed) return;
      subscription.unsubscribe();
      if (failed) reject(event.error);
      else resolve();
    });
    call.send({ type: 'HOLD' });
  });
}

/**
 * Puts the other calls on hold, then tells the requester `OTHERS_HELD`, or
 * `OTHERS_HOLD_FAILED` with the first hold error (the calls that were held
 * stay held: nothing talks twice).
 */
export const holdOthersActor = /* @__PURE__ */ fromPromise<void, HoldOthersInput>(async ({ input }) => {
  try {
    await Promise.all(input.others.map(holdCall));
  } catch (error) {
    input.requester.send({ type: 'OTHERS_HOLD_FAILED', error: toVoiceSDKError(error) });
    return;
  }
  input.requester.send({ type: 'OTHERS_HELD' });
});
