/**
 * The stats actor: invoked while a call is accepted, it polls the call's
 * `getStats()` every `intervalMs` and sends a QualitySample back to the call.
 * Leaving `accepted` stops it, which clears the timer.
 */
import { fromCallback } from 'xstate';
import type { CallPort } from '../adapters/adapter';
import { parseStats, type StatsSnapshot } from '../quality/stats';
import { parseVideoStats, type VideoSnapshot } from '../quality/video-stats';
import type { CallEvent } from './call.types';

export interface StatsActorInput {
  port: CallPort;
  /** Sampling interval in ms. */
  intervalMs: number;
}

export const statsActor = /* @__PURE__ */ fromCallback<CallEvent, StatsActorInput>(({ sendBack, input }) => {
  let previous: StatsSnapshot | undefined;
  let previousVideo: VideoSnapshot | undefined;
  let inFlight = false;
  let stopped = false;

  const sample = async (): Promise<void> => {
    // A slow getStats() must not pile up requests.
    if (inFlight) return;
    inFlight = true;
    try {
      const report = await input.port.getStats();
      if (stopped || report === undefined) return;
      const parsed = parseStats(report, previous);
      previous = parsed.snapshot;
      const { video, snapshot } = parseVideoStats(report, previousVideo);
      previousVideo = snapshot;
      sendBack({ type: 'QUALITY', sample: video === undefined ? parsed.sample : { ...parsed.sample, video } });
    } catch {
      // A failed getStats() (peer connection closing) skips one sample.
    } finally {
      inFlight = false;
    }
  };

  const timer = setInterval(() => void sample(), input.intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
});
