// What the SDK e2e files do with calls-lab pages (calls-helpers.ts), bound
// to the file's pages, server and patience: a registered device per test
// user, the next incoming call, the first call event of a kind, a call placed
// and answered, inbound audio growing. Each file passes its own wait; none is
// chosen here.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { userAccount, waitFor, type UserName } from '../../../e2e/harness/index.js';
import { lab, placeAnsweredCall, type InboundAudio, type LabDeviceOptions, type RecordedEvent } from './calls-helpers.js';

/** How long to wait for something, and how often to look. */
export interface Wait {
  timeoutMs: number;
  intervalMs: number;
}

export interface LabDriverOptions<N extends UserName> {
  /** The file's lab pages, once opened. */
  pages: () => Record<N, Page>;
  /** The ws URL (or URLs) devices register at. */
  server: () => string | string[];
  wait: Wait;
  /** Options every device of the file gets (a test's own `extra` goes on top). */
  defaults?: Partial<LabDeviceOptions>;
}

export interface CallEventMatch {
  /** Only events at or after this page time (performance.now()). */
  after?: number;
  /** Only events with this detail. */
  detail?: string | boolean;
  /** Instead of the driver's wait. */
  wait?: Wait;
}

export function labDriver<N extends UserName>({ pages, server, wait, defaults = {} }: LabDriverOptions<N>) {
  const deviceOptions = (name: N, extra: Partial<LabDeviceOptions> = {}): LabDeviceOptions => ({
    ...userAccount(name, server()),
    ...defaults,
    ...extra,
  });

  /** A device for `name` (createDevice), registered. */
  const registered = async (name: N, extra: Partial<LabDeviceOptions> = {}): Promise<void> => {
    await lab(pages()[name], 'createDevice', deviceOptions(name, extra));
    expect(await lab(pages()[name], 'register')).toMatchObject({ ok: true });
  };

  /** The label of the first incoming call on `name`'s page that is not in `before`, once it is there. */
  const nextIncoming = (name: N, before: readonly string[]): Promise<string> =>
    waitFor(async () => (await lab(pages()[name], 'incomingLabels')).find((label) => !before.includes(label)), {
      ...wait,
      description: `an incoming call on ${name}`,
    });

  /** The first `type` event of `name`'s call `label` that matches. */
  const callEvent = (name: N, label: string, type: string, match: CallEventMatch = {}): Promise<RecordedEvent> => {
    const { after = 0, detail } = match;
    return waitFor(
      async () =>
        (await lab(pages()[name], 'callEvents', label)).find(
          (event) => event.type === type && event.at >= after && (detail === undefined || event.detail === detail),
        ),
      { ...(match.wait ?? wait), description: `'${type}${detail === undefined ? '' : `:${String(detail)}`}' on ${name}'s call ${label}` },
    );
  };

  /**
   * `caller` calls `callee`, who answers at once (auto-answer), under
   * `label`; resolves when both calls are accepted, with the callee's label
   * and the caller's `accepted` event.
   */
  const callAnswered = async (caller: N, callee: N, label = 'out'): Promise<{ incoming: string; accepted: RecordedEvent }> => {
    const incoming = await placeAnsweredCall(pages()[caller], pages()[callee], callee, label, wait.timeoutMs);
    const accepted = await callEvent(caller, label, 'accepted');
    await callEvent(callee, incoming, 'accepted');
    return { incoming, accepted };
  };

  const inbound = (name: N, label: string): Promise<InboundAudio> => lab(pages()[name], 'inboundAudio', label);

  /** {@link untilAudioGrows} on `name`'s call `label`, looking every 50 ms unless told. */
  const audioGrows = (name: N, label: string, options: AudioGrowth & { wait?: Wait } = {}): Promise<number> =>
    untilAudioGrows(() => inbound(name, label), `inbound audio on ${name}'s call ${label}`, options.wait ?? { ...wait, intervalMs: 50 }, options);

  /** {@link growthOf} on `name`'s call `label`. */
  const growthOver = (name: N, label: string, ms: number): Promise<InboundAudio> => growthOf(() => inbound(name, label), ms);

  return { deviceOptions, registered, nextIncoming, callEvent, callAnswered, inbound, audioGrows, growthOver };
}

export interface AudioGrowth {
  /** How many more packets; default 25. */
  packets?: number;
  /** Whether the audio energy must grow too (sound, not silence); default true. */
  energy?: boolean;
}

/**
 * Polls `read` until `packets` more packets came in (and, unless `energy` is
 * false, some audio energy: sound, not silence). Resolves when, on the test's
 * clock (Date.now()).
 */
export async function untilAudioGrows(
  read: () => Promise<{ packetsReceived: number; totalAudioEnergy?: number }>,
  what: string,
  wait: Wait,
  { packets = 25, energy = true }: AudioGrowth = {},
): Promise<number> {
  const start = await read();
  await waitFor(
    async () => {
      const now = await read();
      return now.packetsReceived >= start.packetsReceived + packets && (!energy || (now.totalAudioEnergy ?? 0) > (start.totalAudioEnergy ?? 0));
    },
    { ...wait, description: `${what} to grow by ${packets} packets${energy ? ' and some energy' : ''}` },
  );
  return Date.now();
}

/** What `read` shows arriving during `ms` (media is let flow for a measured interval). */
export async function growthOf(read: () => Promise<InboundAudio>, ms: number): Promise<InboundAudio> {
  const start = await read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const end = await read();
  return {
    packetsReceived: end.packetsReceived - start.packetsReceived,
    totalAudioEnergy: end.totalAudioEnergy - start.totalAudioEnergy,
  };
}
