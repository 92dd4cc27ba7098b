import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createDevice, flushUntil, newNetwork, settled } from '../../model/world';

describe('inspection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the inspect option receives the events of the device actor and of every call actor', async () => {
    const network = newNetwork();
    const events: InspectionEvent[] = [];
    const device = createDevice(network, 'alice', (event) => events.push(event));
    const bob = network.remote('bob');
    const registering = settled(device.register());
    await flushUntil(() => registering.outcome() === 'resolved', 'registration');
    const call = await device.connect({ to: 'bob' });
    await flushUntil(() => bob.lastCall !== undefined, 'the INVITE');
    bob.lastCall!.answer();
    await flushUntil(() => call.getStatus() === 'accepted', 'the answer');

    const actorsWithSnapshots = new Set(
      events.filter((e) => e.type === '@xstate.snapshot').map((e) => (e.actorRef as unknown as { id: string }).id),
    );
    expect(actorsWithSnapshots).toContain(device.actor.id);
    expect(actorsWithSnapshots).toContain(call.actor.id);
    // The warning actors of the accepted call are part of the same system.
    expect([...actorsWithSnapshots].some((id) => id.startsWith('warning.'))).toBe(true);
    const sent = events.flatMap((e) => (e.type === '@xstate.event' && e.actorRef === call.actor ? [e.event.type] : []));
    expect(sent).toContain('PORT.ESTABLISHED');

    const destroying = settled(device.destroy());
    await flushUntil(() => destroying.outcome() === 'resolved', 'destroy');
  });
});
