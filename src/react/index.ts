/**
 * `callchart/react`: hooks over the statechart actors the facades expose as
 * `.actor`, on `@xstate/react`'s `useSelector` (components re-render only
 * when what they select changes). React and `@xstate/react` are optional
 * peer dependencies: the core package does not need them.
 *
 * @packageDocumentation
 */
import { useSelector } from '@xstate/react';
import { createContext, createElement, useContext, type ReactElement, type ReactNode } from 'react';
import type { Call } from '../call';
import type { Device } from '../device';
import { VoiceSDKError } from '../errors';
import type { CallSnapshot } from '../machines/call.connect';
import type { CallStatus } from '../machines/call.types';
import type { DeviceSnapshot, DeviceState, TransportState } from '../machines/device.machine';

const DeviceContext = createContext<Device | undefined>(undefined);
DeviceContext.displayName = 'callchart.Device';

/** Props of {@link DeviceProvider}. */
export interface DeviceProviderProps {
  /** A Device you created (once, outside render); the provider neither starts nor destroys it. */
  device: Device;
  /** The components that use the hooks. */
  children?: ReactNode;
}

/** Makes `device` available to `useDevice()` and the other hooks below it. */
export function DeviceProvider({ device, children }: DeviceProviderProps): ReactElement {
  return createElement(DeviceContext.Provider, { value: device }, children);
}

/** The Device of the nearest `DeviceProvider`; `invalid-state` outside one. */
export function useDevice(): Device {
  const device = useContext(DeviceContext);
  if (!device) throw new VoiceSDKError('invalid-state', 'useDevice() needs a <DeviceProvider device={…}> above it');
  return device;
}

/** Re-renders when `selector` of the device's snapshot changes (by `compare`, default `Object.is`). */
export function useDeviceSelector<T>(selector: (snapshot: DeviceSnapshot) => T, compare?: (a: T, b: T) => boolean): T {
  return useSelector(useDevice().actor, selector, compare);
}

/** `'unregistered' | 'registering' | 'registered' | 'unregistering' | 'destroyed'`, live. */
export function useDeviceState(): DeviceState {
  const device = useDevice();
  return useSelector(device.actor, () => device.state);
}

/** `'disconnected' | 'connecting' | 'connected' | 'reconnecting'`, live. */
export function useTransportState(): TransportState {
  const device = useDevice();
  return useSelector(device.actor, () => device.transportState);
}

const sameCalls = (a: readonly Call[], b: readonly Call[]): boolean => a.length === b.length && a.every((call, i) => call === b[i]);

/** The calls that have not ended (`device.calls`), oldest first; the same Call objects every render. */
export function useCalls(): Call[] {
  const device = useDevice();
  return useSelector(device.actor, () => device.calls, sameCalls);
}

/**
 * One call of the device: the one with `id` (a `call.id`), or without an id
 * the newest call that has not ended (inbound or outbound); undefined when
 * there is none.
 */
export function useCall(id?: string): Call | undefined {
  const calls = useCalls();
  return id === undefined ? calls.at(-1) : calls.find((call) => call.id === id);
}

/** Re-renders when `selector` of the call's snapshot changes; undefined without a call. */
export function useCallSelector<T>(
  call: Call | undefined,
  selector: (snapshot: CallSnapshot) => T,
  compare?: (a: T | undefined, b: T | undefined) => boolean,
): T | undefined {
  return useSelector(call?.actor, (snapshot) => (snapshot === undefined ? undefined : selector(snapshot)), compare);
}

/** `'pending' | 'ringing' | 'accepted' | 'disconnected' | 'failed'`, live; undefined without a call. */
export function useCallStatus(call: Call | undefined): CallStatus | undefined {
  return useCallSelector(call, () => call?.getStatus());
}

/** Muted and on-hold flags of a call, live; both false without a call. */
export function useCallFlags(call: Call | undefined): { muted: boolean; onHold: boolean } {
  const muted = useCallSelector(call, () => call?.isMuted() ?? false) ?? false;
  const onHold = useCallSelector(call, () => call?.isOnHold() ?? false) ?? false;
  return { muted, onHold };
}
