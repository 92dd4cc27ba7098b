/**
 * The call report and the quality warnings of a call, as the chart keeps
 * them (the `reporting` region in `./call.accepted`, the warning actors it
 * spawns): pure functions of the machine's context.
 */
import { buildReport, type CallReport } from '../quality/report';
import type { CallContext } from './call.types';

/** The id of the warning actor for `name`. */
export const warningActorId = (name: string): string => `warning.${name}`;

/** The call report from the machine's context, as of `now` for a call still up. */
export function reportOf(context: CallContext, now = context.now()): CallReport {
  return buildReport(context.report, {
    startedAt: context.startedAt,
    ...(context.acceptedAt === undefined ? {} : { acceptedAt: context.acceptedAt }),
    endedAt: context.endedAt ?? now,
  });
}
