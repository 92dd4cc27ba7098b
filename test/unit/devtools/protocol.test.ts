// The viewer's side of the wire: our inspector's messages and what
// @statelyai/inspect sends, both turned into charts and a timeline by the
// store (no DOM), compared with the actors' own snapshots.
import { createInspector as createStatelyInspector } from '@statelyai/inspect';
import { describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { InspectionStore, activePaths, parseMessage, toMessage, type InspectorMessage } from '../../../src/devtools';
import { PASSWORDS, answeredCall, newNetwork, registeredDevice, settle, useFakeTime } from '../api/harness';

useFakeTime();

/** JSON the way @statelyai/inspect's browser inspector makes it (safe-stable-stringify: cycles cut, depth bounded). */
const statelyJson = (value: unknown): string => {
  const ancestors: object[] = [];
  return JSON.stringify(value, function (this: unknown, _key, item: unknown) {
    if (typeof item === 'function') return { type: item.name };
    if (typeof item !== 'object' || item === null) return typeof item === 'bigint' ? String(item) : item;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(item) || ancestors.length > 10) return '[Circular]';
    ancestors.push(item);
    return item;
  });
};

/** What postMessage / BroadcastChannel would deliver: a structured clone. */
const overTheWire = (message: unknown): unknown => structuredClone(message);

async function runCall(inspect: (event: InspectionEvent) => void, flush: () => Promise<void> = async () => {}) {
  const network = newNetwork();
  const device = await registeredDevice(network, 'alice', { inspect });
  const { call } = await answeredCall(device, network.remote('bob'));
  await settle(call.hold(true), 'hold');
  await flush();
  return { device, call, network };
}

describe('toMessage', () => {
  it('turns every kind of inspection event the SDK emits into a cloneable message, or nothing', async () => {
    const kinds = new Map<string, number>();
    const messages: InspectorMessage[] = [];
    const { device } = await runCall((event) => {
      kinds.set(event.type, (kinds.get(event.type) ?? 0) + 1);
      const message = toMessage(event);
      if (message) messages.push(overTheWire(message) as InspectorMessage);
    });
    expect([...kinds.keys()]).toEqual(expect.arrayContaining(['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.microstep']));
    expect(messages.length).toBeGreaterThan(kinds.get('@xstate.actor')!);
    expect(messages.some((m) => m.type === '@xstate.snapshot' && m.microstep === true)).toBe(true);
    expect(JSON.stringify(messages)).not.toContain(PASSWORDS.alice);
    await settle(device.destroy(), 'destroy');
  });

  it('round-trips through parseMessage unchanged; parseMessage refuses what is not a message', async () => {
    const messages: InspectorMessage[] = [];
    const { device } = await runCall((event) => {
      const message = toMessage(event);
      if (message) messages.push(message);
    });
    for (const message of messages) expect(parseMessage(overTheWire(message))).toEqual(message);
    for (const junk of [null, 1, 'x', {}, { type: '@xstate.event' }, { type: 'other', sessionId: 'x' }, { type: '@statelyai.connected' }]) {
      expect(parseMessage(junk)).toBeUndefined();
    }
    await settle(device.destroy(), 'destroy');
  });
});

describe('InspectionStore', () => {
  const check = (store: InspectionStore, actors: { sessionId: string; getSnapshot(): { value: unknown } }[]) => {
    for (const actor of actors) {
      const known = store.actors.get(actor.sessionId);
      expect(store.shows(known)).toBe(true);
      expect([...activePaths(known!.value)].sort()).toEqual([...activePaths(actor.getSnapshot().value)].sort());
    }
  };

  it('follows the device and the call from our inspector’s messages', async () => {
    const store = new InspectionStore();
    const { device, call } = await runCall((event) => {
      const message = toMessage(event);
      if (message) store.receive(parseMessage(overTheWire(message))!);
    });
    check(store, [device.actor, call.actor]);
    // Only the device and its calls are kept (not the warning, stats or request actors).
    expect([...store.actors.values()].every((actor) => actor.depth <= 1)).toBe(true);
    const types = store.timeline.filter((entry) => entry.sessionId === call.actor.sessionId).map((entry) => entry.type);
    expect(types).toContain('HOLD');
    await settle(device.destroy(), 'destroy');
  });

  it('follows them from what @statelyai/inspect sends, and keeps no credential of it', async () => {
    const store = new InspectionStore();
    const raw: unknown[] = [];
    const stately = createStatelyInspector(
      {
        send(event: unknown) {
          raw.push(overTheWire(event));
        },
        start() {},
        stop() {},
      },
      // As its browser inspector does before postMessage: JSON, functions as { type: name }, cycles cut.
      { serialize: (event: unknown) => JSON.parse(statelyJson(event)) },
    );
    const { device, call } = await runCall(
      (event) => stately.inspect.next?.(event),
      // @statelyai/inspect converts events in an idle callback (setTimeout outside a window).
      async () => {
        await vi.advanceTimersByTimeAsync(1);
      },
    );
    for (const message of raw) {
      const parsed = parseMessage(message);
      if (parsed) store.receive(parsed);
    }
    expect(raw.some((message) => (message as { _version?: unknown })._version !== undefined)).toBe(true);
    check(store, [device.actor, call.actor]);
    expect(store.timeline.some((entry) => entry.type === 'HOLD')).toBe(true);
    expect(JSON.stringify([...store.actors.values(), ...store.timeline])).not.toContain(PASSWORDS.alice);
    await settle(device.destroy(), 'destroy');
  });
});
