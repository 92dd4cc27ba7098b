/** Reading a call actor's snapshot: the public status and the booleans the Call facade exposes. */
import type { SnapshotFrom } from 'xstate';
import type { callMachine } from './call.machine';
import type { CallStatus } from './call.types';

/** A snapshot of `callMachine` (`call.actor.getSnapshot()`). */
export type CallSnapshot = SnapshotFrom<typeof callMachine>;

/** Maps the machine's state to the public status. */
export function callStatus(snapshot: CallSnapshot): CallStatus {
  if (snapshot.matches('failed')) return 'failed';
  if (snapshot.matches('ringing')) return 'ringing';
  if (snapshot.matches('accepted')) return 'accepted';
  if (snapshot.matches('pending')) return 'pending';
  // canceling, rejecting, hangingUp: the call is committed to ending.
  return 'disconnected';
}

export const isMuted = (snapshot: CallSnapshot): boolean => snapshot.matches('accepted') && snapshot.context.muted;
/** The one definition of "on hold" (`context.onHold`, kept by the hold region's entry actions). */
export const isOnHold = (snapshot: CallSnapshot): boolean => snapshot.matches('accepted') && snapshot.context.onHold;
/** The far end put us on hold (`context.remoteHeld`, kept by the remoteHold region's entry actions). */
export const isRemoteOnHold = (snapshot: CallSnapshot): boolean => snapshot.matches('accepted') && snapshot.context.remoteHeld;
export const isRecording = (snapshot: CallSnapshot): boolean =>
  snapshot.matches({ accepted: { recording: 'active' } });
/** Restoring a path: the recovery region is `reconnecting` or `refreshing` (signalling), or the media region `restarting` (ICE). */
export const isReconnecting = (snapshot: CallSnapshot): boolean =>
  snapshot.matches({ accepted: { recovery: 'reconnecting' } }) ||
  snapshot.matches({ accepted: { recovery: 'refreshing' } }) ||
  snapshot.matches({ accepted: { media: 'restarting' } });
