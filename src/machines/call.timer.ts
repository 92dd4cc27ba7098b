/**
 * The `timer` region of the accepted call: `timer` once a second from the
 * named delay `timerInterval`, until `stopTimer()`. The values come from
 * `timerOf` (./call.timing).
 */
import { callStateConfig } from './call.setup';

/** `timer` once a second while accepted; `stopTimer()` stops the event (not the timer: `getTimer()` goes on). */
export const timerRegion = /* @__PURE__ */ callStateConfig({
  initial: 'running',
  states: {
    running: {
      after: { timerInterval: { target: 'running', reenter: true, actions: 'emitTimer' } },
      on: { STOP_TIMER: 'stopped' },
    },
    // Stopped already: stopTimer() again changes nothing.
    stopped: { on: { STOP_TIMER: { actions: { type: 'emitUnchanged', params: { operation: 'timer' } } } } },
  },
});
