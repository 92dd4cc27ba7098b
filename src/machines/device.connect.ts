/** Reading a device actor's snapshot: the public `state` and `transportState`. */
import type { SnapshotFrom } from 'xstate';
import type { deviceMachine } from './device.machine';

/** A snapshot of `deviceMachine` (`device.actor.getSnapshot()`). */
export type DeviceSnapshot = SnapshotFrom<typeof deviceMachine>;

/** The public `device.state`. */
export type DeviceState = 'unregistered' | 'registering' | 'registered' | 'unregistering' | 'destroyed';

/** The public `device.state`: the registration region, or destroyed. */
export function deviceState(snapshot: DeviceSnapshot): DeviceState {
  if (snapshot.matches('destroying') || snapshot.matches('destroyed')) return 'destroyed';
  if (snapshot.matches({ active: { registration: 'registered' } })) return 'registered';
  if (snapshot.matches({ active: { registration: 'registering' } })) return 'registering';
  if (snapshot.matches({ active: { registration: 'unregistering' } })) return 'unregistering';
  return 'unregistered';
}

/** The public `device.transportState`: the WebSocket's state. */
export type TransportState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** The public `device.transportState`, read from a device snapshot. */
export function transportState(snapshot: DeviceSnapshot): TransportState {
  for (const state of ['connected', 'connecting', 'reconnecting'] as const) {
    if (snapshot.matches({ active: { transport: state } })) return state;
  }
  return 'disconnected';
}
