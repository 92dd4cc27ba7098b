/**
 * The device chart's view of its children for the calls policy: which child
 * is a call, and which calls would talk over the one being answered or
 * resumed. Pure reads of the children's snapshots.
 */
import type { AnyActorRef } from 'xstate';
import type { DeviceContext } from './device.types';
import { isOnHold, type CallSnapshot } from './call.connect';
import type { CallActorLike, HoldOthersInput } from './device.actors';

/** The ids of the actors the device invokes; every other child is a call (or a hold-others request). */
const INVOKED_ACTORS: readonly string[] = ['userAgentListener', 'connectActor', 'registerActor', 'unregisterActor', 'destroyActor'];

/** Whether `id` names one of the device's invoked actors (not a call). */
export const isInvokedActorId = (id: string): boolean => INVOKED_ACTORS.includes(id);

/** The device's call actors still running (not ended). */
export function liveCallActors(children: Record<string, AnyActorRef | undefined>): AnyActorRef[] {
  return Object.values(children).filter(
    (child): child is AnyActorRef => child?.src === 'callMachine' && child.getSnapshot().status === 'active',
  );
}

/**
 * An accepted call that is not on hold (ours), or is resuming: it would talk
 * over the call being answered or resumed. (A resuming call told to hold is
 * held again once its resume is done.)
 */
const isTalking = (snapshot: CallSnapshot): boolean =>
  snapshot.matches('accepted') && (!isOnHold(snapshot) || snapshot.matches({ accepted: { hold: 'resuming' } }));

/**
 * What a hold-others request for `callId` needs: that call, and the other
 * accepted calls not on hold. Undefined when `callId` is not a child.
 */
export function holdOthersRequest(
  children: Record<string, AnyActorRef | undefined>,
  callId: string,
): HoldOthersInput | undefined {
  const requester = children[callId];
  if (requester === undefined) return undefined;
  const others: CallActorLike[] = [];
  for (const [id, child] of Object.entries(children)) {
    if (id === callId || child?.src !== 'callMachine') continue;
    const snapshot = child.getSnapshot() as CallSnapshot;
    if (snapshot.status === 'active' && isTalking(snapshot)) others.push(child as CallActorLike);
  }
  return { others, requester: requester as CallActorLike };
}

/** The microphone a call made now opens: the device's choice, left out when it is the browser's default. */
export function microphoneOf(context: DeviceContext): { inputDeviceId?: string } {
  const deviceId = context.call.inputDeviceId;
  return deviceId === undefined || deviceId === 'default' ? {} : { inputDeviceId: deviceId };
}
