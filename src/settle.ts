/**
 * The facades' one way of waiting: send an event to an actor and settle on
 * the first emitted event that answers it. Facades check `snapshot.can()`
 * first; this does the rest.
 */
import type { EventObject } from 'xstate';
import type { VoiceSDKError } from './errors';

/** What an emitted event means for the request: its result, its failure, or nothing (keep waiting). */
export type Outcome<T> = { value: T } | { error: VoiceSDKError } | undefined;

/** An actor that emits `TEmitted` (an XState actor ref). */
export interface Emitting<TEmitted extends EventObject> {
  on(type: '*', handler: (event: TEmitted) => void): { unsubscribe(): void };
}

/** Subscribes, calls `send`, and resolves or rejects on the first emitted event `outcome` decides. */
export function sendAndSettle<TEmitted extends EventObject, T = void>(
  actor: Emitting<TEmitted>,
  send: () => void,
  outcome: (event: TEmitted) => Outcome<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subscription = actor.on('*', (event) => {
      const result = outcome(event);
      if (result === undefined) return;
      subscription.unsubscribe();
      if ('error' in result) reject(result.error);
      else resolve(result.value);
    });
    send();
  });
}
