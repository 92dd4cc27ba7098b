/**
 * The `video` region of the accepted call: `setVideo(on)` adds or removes our
 * camera by re-INVITE (merged with the hold state: the port offers our video
 * sendonly while we hold); a failure (camera refused, re-INVITE refused)
 * rolls `videoWanted` back and the call stays as it was. What flows is told
 * by the port's `video` facts (`storeVideo` at the chart's root).
 */
import { callStateConfig } from './call.setup';

export const videoRegion = /* @__PURE__ */ callStateConfig({
  initial: 'idle',
  states: {
    idle: {
      on: {
        SET_VIDEO: [
          { guard: 'isVideoAsked', actions: { type: 'emitUnchanged', params: { operation: 'video' } } },
          { target: 'switching', actions: { type: 'setVideoWanted', params: ({ event }) => ({ on: event.on }) } },
        ],
      },
    },
    switching: {
      invoke: {
        id: 'videoReinvite',
        src: 'reinviteActor',
        input: ({ context }) => ({ port: context.port, hold: context.onHold, video: context.videoWanted }),
        onDone: { target: 'idle', actions: 'emitVideoSwitched' },
        onError: {
          target: 'idle',
          actions: [
            { type: 'setVideoWanted', params: ({ context }) => ({ on: !context.videoWanted }) },
            { type: 'emitOperationError', params: ({ event }) => ({ operation: 'video', error: event.error }) },
          ],
        },
      },
    },
  },
});
