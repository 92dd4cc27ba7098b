// Two lab pages, alice and bob, in one call through Kamailio: the steps the
// survive-* end-to-end files share (register with a short backoff, alice calls
// bob who answers, wait for an event, hang up and time it at the far end).
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { waitFor } from '../../../e2e/harness/index.js';
import { lab, type RecordedEvent } from './calls-helpers.js';
import { labDriver } from './lab-driver.js';

export const PAIR = ['alice', 'bob'] as const;
export type PairName = (typeof PAIR)[number];
export const OTHER: Record<PairName, PairName> = { alice: 'bob', bob: 'alice' };

export interface CallPairOptions {
  /** Both pages, once opened. */
  pages: () => Record<PairName, Page>;
  /** The ws URL (or URLs) devices register at. */
  server: () => string | string[];
  /** How long to wait for an event. */
  waitMs: number;
}

export function callPair({ pages, server, waitMs }: CallPairOptions) {
  // A short backoff: the tests measure the recovery, not the wait.
  const driver = labDriver<PairName>({
    pages,
    server,
    wait: { timeoutMs: waitMs, intervalMs: 25 },
    defaults: { reconnect: { baseDelayMs: 100, maxDelayMs: 1000 } },
  });
  const { registered } = driver;

  /** The first `type` event of `name`'s call `label` at or after `after` (page time). */
  const callEvent = (name: PairName, label: string, type: string, after = 0): Promise<RecordedEvent> =>
    driver.callEvent(name, label, type, { after });

  /** alice calls bob, bob answers (auto-answer); the labels of both ends. Registers both first unless told not to. */
  const establishCall = async ({ register = true } = {}): Promise<Record<PairName, string>> => {
    if (register) {
      await registered('bob');
      await registered('alice');
    }
    const { incoming } = await driver.callAnswered('alice', 'bob');
    return { alice: 'out', bob: incoming };
  };

  /** `from` hangs up; the other end's call must end `remote-hangup`. How long that took, on the test's clock (page clocks differ). */
  const hangupReaches = async (from: PairName, labels: Record<PairName, string>, timeoutMs = 5000): Promise<number> => {
    const to = OTHER[from];
    const started = Date.now();
    expect(await lab(pages()[from], 'disconnect', labels[from])).toMatchObject({ ok: true });
    const ended = await waitFor(async () => (await lab(pages()[to], 'callEvents', labels[to])).find((e) => e.type === 'disconnect'), {
      timeoutMs,
      intervalMs: 10,
      description: `the hangup reaching ${to}`,
    });
    expect(ended).toMatchObject({ detail: 'remote-hangup' });
    return Date.now() - started;
  };

  return { registered, callEvent, establishCall, hangupReaches };
}
