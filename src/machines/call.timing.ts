/**
 * The call timer: `getTimer()` is derived from the times the chart's states
 * were entered (started, accepted, hold asked for / ended, ended — all from
 * the injected clock, kept in context by entry actions). Pure functions; the
 * `timer` region (./call.timer) emits it once a second.
 */
import type { CallContext } from './call.types';

/** How often `timer` fires while accepted, in ms. */
export const TIMER_INTERVAL_MS = 1000;

/** The call's times (epoch ms from the injected clock) and durations (ms). */
export interface CallTimer {
  /** When the call began (INVITE sent or received), epoch ms (`Date.now()`). */
  startedAt: number;
  /** When it was answered, epoch ms; absent until then. */
  answeredAt?: number;
  /** When it ended, epoch ms; absent until then. */
  endedAt?: number;
  /** From start until answered (or until the end, for a call never answered). */
  ringingMs: number;
  /** Answered and not on hold (by us), until now or the end. */
  talkingMs: number;
  /** On hold by us: from each hold() until its resume was answered. */
  onHoldMs: number;
}

/** What the hold region keeps for the timer: `heldSince` set when a hold is asked for, `heldMs` the spans of holds that ended. */
export type HoldTiming = Pick<CallContext, 'heldSince' | 'heldMs'>;

/** The hold timing after the hold region entered `holding` (`onHold`) or `off`. */
export function holdTimingAt(context: HoldTiming, onHold: boolean, now: number): HoldTiming {
  if (onHold) return context.heldSince === undefined ? { heldSince: now, heldMs: context.heldMs } : context;
  if (context.heldSince === undefined) return context;
  return { heldSince: undefined, heldMs: context.heldMs + Math.max(0, now - context.heldSince) };
}

/** The timer of a call from its context, as of `now` (the end, for an ended call). */
export function timerOf(context: CallContext, now = context.now()): CallTimer {
  const until = context.endedAt ?? now;
  const answeredAt = context.acceptedAt;
  const ringingMs = Math.max(0, (answeredAt ?? until) - context.startedAt);
  const onHoldMs = answeredAt === undefined ? 0 : holdTimingAt(context, false, until).heldMs;
  const talkingMs = answeredAt === undefined ? 0 : Math.max(0, until - answeredAt - onHoldMs);
  return {
    startedAt: context.startedAt,
    ...(answeredAt === undefined ? {} : { answeredAt }),
    ...(context.endedAt === undefined ? {} : { endedAt: context.endedAt }),
    ringingMs,
    talkingMs,
    onHoldMs,
  };
}
