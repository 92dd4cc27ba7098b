/**
 * Model-based test of warningMachine, the raise/clear chart behind every
 * quality warning: paths cover every transition; each runs on a real actor
 * whose emitted events must match an independent reading of the rules.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { warningMachine, type WarningMachineInput } from '../../src/quality/warning.machine';
import { Coverage, describePath, expectFullCoverage, transitionPaths, type ModelStep } from './model';

const coverage = new Coverage('warningMachine', warningMachine);

/** high-jitter style: bad above 30, good again at or below 25; 2 of the last 3 raise, 2 good in a row clear. */
const input: WarningMachineInput = {
  name: 'high-jitter',
  comparison: 'above',
  threshold: 30,
  clearThreshold: 25,
  raise: { samples: 2, window: 3 },
  clear: { samples: 2 },
};

const EVENTS: ModelStep['event'][] = [
  { type: 'SAMPLE', value: 50 }, // bad
  { type: 'SAMPLE', value: 10 }, // good
  { type: 'SAMPLE', value: 28 }, // in the hysteresis band: not bad, not good enough to clear
  { type: 'SAMPLE' }, // not reported
  { type: 'SUPPRESS' },
  { type: 'RESUME' },
];

const paths = transitionPaths(warningMachine, {
  input,
  events: () => EVENTS,
  serializeState: (state) => JSON.stringify([state.value, state.context['recent'], state.context['goodStreak']]),
});

/** The rules, read independently of the chart: what each step must emit. */
function expectedEmits(history: ModelStep['event'][]): string[] {
  let raised = false;
  let suppressed = false;
  let recent: boolean[] = [];
  let good = 0;
  const out: string[] = [];
  for (const event of history) {
    if (event.type === 'SUPPRESS') {
      if (raised) out.push('cleared');
      raised = false;
      suppressed = true;
      continue;
    }
    if (event.type === 'RESUME') {
      if (suppressed) recent = [];
      suppressed = false;
      continue;
    }
    const value = event['value'] as number | undefined;
    if (suppressed || value === undefined) continue;
    if (!raised) {
      recent = [...recent, value > 30].slice(-3);
      if (recent.filter(Boolean).length >= 2) {
        raised = true;
        good = 0;
        out.push(`warning:${value}`);
      }
    } else if (value <= 25) {
      good += 1;
      if (good >= 2) {
        raised = false;
        recent = [];
        out.push('cleared');
      }
    } else {
      good = 0;
    }
  }
  return out;
}

describe('warningMachine paths', () => {
  it.each(paths.map((path) => [describePath(path), path] as const))('%s', (_name, path) => {
    const actor = createActor(warningMachine, { input, inspect: coverage.inspect });
    const emitted: string[] = [];
    actor.on('warning', (e) => emitted.push(`warning:${e.value}`));
    actor.on('warning-cleared', () => emitted.push('cleared'));
    actor.start();
    const sent: ModelStep['event'][] = [];
    for (const step of path.slice(1)) {
      actor.send(step.event as never);
      sent.push(step.event);
      expect(actor.getSnapshot().value).toEqual(step.state.value);
      expect(emitted).toEqual(expectedEmits(sent));
    }
    actor.stop();
  });
});

expectFullCoverage(coverage);
