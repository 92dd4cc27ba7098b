// Two lab pages, alice and bob, in one call through Kamailio: the steps the
// survive-* end-to-end files share (register with a short backoff, alice calls
// bob who answers, wait for an event, hang up and time it at the far end).
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { USERS, sipUri, waitFor } from '../../../e2e/harness/index.js';
import { lab, type RecordedEvent } from './calls-helpers.js';

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
  const wait = { timeoutMs: waitMs, intervalMs: 25 };

  /** A device for `name`, registered; a short backoff: the tests measure the recovery, not the wait. */
  const registered = async (name: PairName): Promise<void> => {
    await lab(pages()[name], 'createDevice', {
      server: server(),
      uri: sipUri(name),
      password: USERS[name].password,
      reconnect: { baseDelayMs: 100, maxDelayMs: 1000 },
    });
    expect(await lab(pages()[name], 'register')).toMatchObject({ ok: true });
  };

  /** The first `type` event of `name`'s call `label` at or after `after` (page time). */
  const callEvent = (name: PairName, label: string, type: string, after = 0): Promise<RecordedEvent> =>
    waitFor(
      async () => (await lab(pages()[name], 'callEvents', label)).find((event) => event.type === type && event.at >= after),
      { ...wait, description: `'${type}' on ${name}'s call ${label}` },
    );

  /** alice calls bob, bob answers (auto-answer); the labels of both ends. Registers both first unless told not to. */
  const establishCall = async ({ register = true } = {}): Promise<Record<PairName, string>> => {
    if (register) {
      await registered('bob');
      await registered('alice');
    }
    await lab(pages().bob, 'setAutoAnswer', true);
    const before = await lab(pages().bob, 'incomingLabels');
    expect(await lab(pages().alice, 'connect', 'out', { to: 'bob' })).toMatchObject({ ok: true });
    const incoming = await waitFor(async () => (await lab(pages().bob, 'incomingLabels')).find((label) => !before.includes(label)), {
      ...wait,
      description: 'the incoming call on bob',
    });
    await callEvent('alice', 'out', 'accepted');
    await callEvent('bob', incoming, 'accepted');
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
