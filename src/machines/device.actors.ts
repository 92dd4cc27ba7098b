/**
 * The device machine's effects, each working on the user agent port passed
 * through `input`. `deviceMachine.provide({ actors })` swaps them.
 */
import { fromCallback, fromPromise } from 'xstate';
import type { UserAgentPort } from '../adapters/adapter';
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
