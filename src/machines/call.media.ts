/**
 * The media path of an accepted call (issue 10, "ICE restart"). The port
 * reports ICE states (`media` facts) and the stats actor the inbound byte
 * counters (`QUALITY` samples); the device tells the call when the network
 * changed (`NETWORK_CHANGED`, the browser's `online`). This region decides:
 *
 * ```
 * flowing ──ICE failed / network changed──────────────────────────► restarting
 *    └──ICE disconnected──► stalled ──mediaStallWait, no inbound bytes──┘   │
 *                             └──ICE connected──► flowing                  │
 * restarting (at most recoveryTimeout, then failed `media-lost`, BYE):     │
 *   routing ─► awaitingSignalling (socket being recovered) ─SIGNALLING_BACK─► sending
 *          └─► backoff (our hold / resume re-INVITE is out: one at a time)
 *          └─► sending (re-INVITE, ICE restart, current hold state) ─2xx─► awaitingMedia
 *              └──refused (491 glare, 5xx, no socket)──► backoff ─restartBackoff─► routing
 *   awaitingMedia ──ICE failed / iceRestartWait──► backoff
 *   any but sending: ICE connected + inbound bytes moving (or no audio expected: a hold) ──► flowing (`reconnected`)
 * ```
 * A far end's ICE-restart re-INVITE is answered by the stack; it says
 * nothing here unless our own media had stalled (then the media coming back
 * is what ends our recovery).
 */
import { callStateConfig } from './call.setup';

const RESTORED = {
  guard: 'isMediaFlowing',
  target: '#call.accepted.media.flowing',
  actions: { type: 'endRecovery', params: { cause: 'media', restored: true } },
} as const;

/** Our ICE path: flowing, stalled (disconnected, waiting to be sure) or being restarted. */
export const mediaRegion = /* @__PURE__ */ callStateConfig({
  initial: 'flowing',
  states: {
    flowing: {
      on: {
        'PORT.MEDIA': [
          { guard: 'isIceFailed', target: 'restarting' },
          { guard: 'isIceDisconnected', target: 'stalled' },
        ],
        NETWORK_CHANGED: 'restarting',
      },
    },
    // Chromium's `disconnected` often heals by itself: restart only once no audio came in for a while.
    stalled: {
      entry: 'noteStall',
      on: {
        'PORT.MEDIA': [
          { guard: 'isIceFailed', target: 'restarting' },
          { guard: 'isIceUp', target: 'flowing' },
        ],
        NETWORK_CHANGED: 'restarting',
      },
      after: {
        mediaStallWait: [
          // Audio still arrives: keep watching.
          { guard: 'inboundGrewSinceStall', target: 'stalled', reenter: true },
          { target: 'restarting' },
        ],
      },
    },
    restarting: {
      entry: { type: 'startRecovery', params: { cause: 'media' } },
      after: { recoveryTimeout: { target: '#call.failed', actions: { type: 'failMediaLost', params: { farEndHungUp: false } } } },
      initial: 'routing',
      states: {
        routing: {
          always: [
            { guard: 'isSignallingLost', target: 'awaitingSignalling' },
            { guard: 'isReinviteInFlight', target: 'backoff' },
            { target: 'sending' },
          ],
        },
        // The socket is being recovered: its refresh goes first (one re-INVITE at a time in a dialog).
        awaitingSignalling: {
          on: { SIGNALLING_BACK: 'sending', QUALITY: RESTORED },
        },
        sending: {
          entry: 'countRestart',
          invoke: {
            id: 'iceRestartReinvite',
            src: 'reinviteActor',
            input: ({ context }) => ({ port: context.port, hold: context.onHold, iceRestart: true }),
            onDone: 'awaitingMedia',
            onError: 'backoff',
          },
        },
        backoff: {
          after: { restartBackoff: 'routing' },
          on: { QUALITY: RESTORED },
        },
        awaitingMedia: {
          on: { QUALITY: RESTORED, 'PORT.MEDIA': { guard: 'isIceFailed', target: 'backoff' } },
          after: { iceRestartWait: 'backoff' },
        },
      },
    },
  },
});
