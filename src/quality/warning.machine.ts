/**
 * One quality warning as a statechart. The call runs one actor of this
 * machine per warning in the catalogue (`warnings.ts`), each with its own
 * metric, threshold and rules as input.
 *
 * ```
 *              SUPPRESS                         SUPPRESS / warning-cleared
 *   ┌────────────┐ ◄──────── ┌──────────┐ ◄───────────────────── ┌────────┐
 *   │ suppressed │           │ watching │ ──k of last n bad────► │ raised │
 *   └────────────┘ ────────► └──────────┘ ◄──m good in a row──── └────────┘
 *                  RESUME                     / warning-cleared
 * ```
 *
 * - `watching` keeps a window of the last n judged samples; k bad ones raise.
 * - `raised` clears after m consecutive samples back within the clear
 *   threshold (hysteresis); one bad sample starts the count again. Entering
 *   `watching` forgets the window, so a cleared warning needs k fresh bad
 *   samples to come back: no flapping around the threshold.
 * - `suppressed` ignores samples: the grace period at call start, or while
 *   hold or mute makes the metric meaningless. Suppressing a raised warning
 *   clears it, since nothing will judge it until RESUME.
 * - A SAMPLE without a value (the browser did not report the metric) is not
 *   judged at all: missing data is neither good nor bad.
 */
import { assign, emit, enqueueActions, setup, type AnyActorRef } from 'xstate';
import type { ClearRule, RaiseRule, WarningComparison, WarningName } from './quality.types';

/** What one warning watches and when it fires. */
export interface WarningMachineInput {
  name: WarningName;
  /** Whether values `above` or `below` the threshold are bad. */
  comparison: WarningComparison;
  /** A sample is bad beyond this, in the metric's unit. */
  threshold: number;
  /** A raised warning counts a sample as good only within this. @default `threshold` */
  clearThreshold?: number;
  raise: RaiseRule;
  clear: ClearRule;
  /** An actor that also gets WARNING_RAISED / WARNING_CLEARED (the call that owns this warning). */
  reportTo?: AnyActorRef;
}

/** What the owner (`reportTo`) is sent. */
export type WarningNotice =
  | { type: 'WARNING_RAISED'; name: WarningName; value: number; threshold: number }
  | { type: 'WARNING_CLEARED'; name: WarningName };

/** Events a warning actor accepts. */
export type WarningEvent =
  /** A new sample of the metric; `value` undefined when the browser did not report it. */
  | { type: 'SAMPLE'; value?: number }
  /** Stop judging (grace period, hold, mute). */
  | { type: 'SUPPRESS' }
  /** Judge again. */
  | { type: 'RESUME' };

/** Events a warning actor emits. */
export type WarningEmitted =
  | { type: 'warning'; name: WarningName; value: number; threshold: number }
  | { type: 'warning-cleared'; name: WarningName };

export interface WarningContext {
  name: WarningName;
  comparison: WarningComparison;
  threshold: number;
  clearThreshold: number;
  raise: RaiseRule;
  clear: ClearRule;
  /** Whether each of the last `raise.window` judged samples was bad, oldest first. */
  recent: boolean[];
  /** Consecutive good samples since the warning was raised. */
  goodStreak: number;
  reportTo: AnyActorRef | undefined;
}

function sampleValue(event: WarningEvent): number | undefined {
  return event.type === 'SAMPLE' && event.value !== undefined && Number.isFinite(event.value)
    ? event.value
    : undefined;
}

function isBad(context: WarningContext, value: number): boolean {
  return context.comparison === 'above' ? value > context.threshold : value < context.threshold;
}

function isBackWithinClearThreshold(context: WarningContext, value: number): boolean {
  return context.comparison === 'above' ? value <= context.clearThreshold : value >= context.clearThreshold;
}

/** The window after judging `value`: newest last, at most `raise.window` long. */
function windowWith(context: WarningContext, value: number): boolean[] {
  return [...context.recent, isBad(context, value)].slice(-context.raise.window);
}

/**
 * One quality warning (`high-rtt`, `low-mos`, …): suppressed / watching /
 * raised, with k-of-n raising and m-good-samples clearing (hysteresis). The
 * call chart runs one per enabled warning.
 */
export const warningMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as WarningContext,
    events: {} as WarningEvent,
    input: {} as WarningMachineInput,
    emitted: {} as WarningEmitted,
  },
  guards: {
    hasNoValue: ({ event }) => sampleValue(event) === undefined,
    completesRaiseRule: ({ context, event }) => {
      const value = sampleValue(event);
      if (value === undefined) return false;
      const bad = windowWith(context, value).filter(Boolean).length;
      return bad >= context.raise.samples;
    },
    isClearSample: ({ context, event }) => {
      const value = sampleValue(event);
      return value !== undefined && isBackWithinClearThreshold(context, value);
    },
    completesClearRule: ({ context, event }) => {
      const value = sampleValue(event);
      return (
        value !== undefined &&
        isBackWithinClearThreshold(context, value) &&
        context.goodStreak + 1 >= context.clear.samples
      );
    },
  },
  actions: {
    recordSample: assign({
      recent: ({ context, event }) => {
        const value = sampleValue(event);
        return value === undefined ? context.recent : windowWith(context, value);
      },
    }),
    forgetHistory: assign({ recent: () => [], goodStreak: 0 }),
    /** Missing data is neither good nor bad: the window and the streak stay as they are. */
    skipUnreportedSample: () => undefined,
    countGoodSample: assign({ goodStreak: ({ context }) => context.goodStreak + 1 }),
    resetGoodStreak: assign({ goodStreak: 0 }),
    emitWarning: emit(({ context, event }) => ({
      type: 'warning' as const,
      name: context.name,
      // The raise guard only passes samples with a value; the fallback is for the type checker.
      value: sampleValue(event) ?? context.threshold,
      threshold: context.threshold,
    })),
    emitCleared: emit(({ context }) => ({ type: 'warning-cleared' as const, name: context.name })),
    notifyRaised: enqueueActions(({ context, event, enqueue }) => {
      if (!context.reportTo) return;
      const notice: WarningNotice = {
        type: 'WARNING_RAISED',
        name: context.name,
        value: sampleValue(event) ?? context.threshold,
        threshold: context.threshold,
      };
      enqueue.sendTo(context.reportTo, notice);
    }),
    notifyCleared: enqueueActions(({ context, enqueue }) => {
      if (!context.reportTo) return;
      const notice: WarningNotice = { type: 'WARNING_CLEARED', name: context.name };
      enqueue.sendTo(context.reportTo, notice);
    }),
  },
}).createMachine({
  id: 'warning',
  context: ({ input }) => ({
    name: input.name,
    comparison: input.comparison,
    threshold: input.threshold,
    clearThreshold: input.clearThreshold ?? input.threshold,
    raise: input.raise,
    clear: input.clear,
    recent: [],
    goodStreak: 0,
    reportTo: input.reportTo,
  }),
  initial: 'watching',
  states: {
    suppressed: {
      on: { RESUME: 'watching' },
    },
    watching: {
      entry: 'forgetHistory',
      on: {
        SAMPLE: [
          { guard: 'hasNoValue', actions: 'skipUnreportedSample' },
          { guard: 'completesRaiseRule', target: 'raised', actions: ['emitWarning', 'notifyRaised'] },
          { actions: 'recordSample' },
        ],
        SUPPRESS: 'suppressed',
      },
    },
    raised: {
      entry: 'resetGoodStreak',
      on: {
        SAMPLE: [
          { guard: 'hasNoValue', actions: 'skipUnreportedSample' },
          { guard: 'completesClearRule', target: 'watching', actions: ['emitCleared', 'notifyCleared'] },
          { guard: 'isClearSample', actions: 'countGoodSample' },
          { actions: 'resetGoodStreak' },
        ],
        SUPPRESS: { target: 'suppressed', actions: ['emitCleared', 'notifyCleared'] },
      },
    },
  },
});
