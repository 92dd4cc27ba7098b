/**
 * The call chart's sounds: one actor that plays a sound for as long as it
 * runs. The chart invokes it in the states that sound (the ringtone in
 * `pending.incoming`, the ringback in `ringing.ringback`) and spawns it for a
 * keypad tone (stopped when the next digits start or the call leaves
 * `accepted`), so a sound never outlives its state. What plays and whether it
 * is on is the player's (src/sounds).
 */
import { fromCallback } from 'xstate';
import type { SoundPlayer, SoundRequest } from '../sounds/sounds';

export interface SoundInput {
  sounds: SoundPlayer | undefined;
  request: SoundRequest;
}

/** Plays `input.request` while it runs; stopped, it stops the sound. */
export const soundActor = /* @__PURE__ */ fromCallback<{ type: string }, SoundInput>(({ input }) => {
  const stop = input.sounds?.play(input.request);
  return () => stop?.();
});

/** The id of the spawned keypad tone (one at a time). */
export const KEYPAD_TONE_ID = 'keypadTone';
