import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { answeredCall, flushUntil, newNetwork, registered, settled, useFakeTime } from '../../model/world';

describe('inspection', () => {
  useFakeTime();

  it('the inspect option receives the events of the device actor and of every call actor', async () => {
    const network = newNetwork();
    const events: InspectionEvent[] = [];
    const device = await registered(network, 'alice', (event) => events.push(event));
    const { call } = await answeredCall(device, network.remote('bob'));

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
