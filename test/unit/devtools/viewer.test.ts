// @vitest-environment happy-dom
// The viewer in a DOM, fed by a Device on the fake network: in the same page
// (viewer.inspect) and through a BroadcastChannel (createInspector). What is
// highlighted is compared with the actors' own snapshots, not with names.
import { afterEach, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/index';
import { createInspector, mountViewer, type Viewer } from '../../../src/devtools';
import { activePaths, chartTree, type ChartNode } from '../../../src/devtools';
import { PASSWORDS, answeredCall, flushUntil, newNetwork, registeredDevice, settle, useFakeTime } from '../api/harness';

useFakeTime();

const activeOf = (viewer: Viewer, sessionId: string): string[] =>
  [...viewer.element.querySelectorAll<HTMLElement>(`[data-session-id="${sessionId}"] .cc-node.is-active`)].map((node) => node.dataset['statePath']!);

/** The paths the actor's snapshot says are active, in the viewer's document order. */
const expectedActive = (viewer: Viewer, actor: { sessionId: string; getSnapshot(): { value: unknown } }): string[] => {
  const active = activePaths(actor.getSnapshot().value);
  return [...viewer.element.querySelectorAll<HTMLElement>(`[data-session-id="${actor.sessionId}"] .cc-node`)]
    .map((node) => node.dataset['statePath']!)
    .filter((path) => active.has(path));
};

describe('mountViewer in the same page', () => {
  let device: Device | undefined;
  let viewer: Viewer | undefined;
  afterEach(async () => {
    if (device) await settle(device.destroy(), 'destroy');
    viewer?.destroy();
    device = undefined;
  });

  it('draws the device and each call, highlights what their snapshots say, and lists the events in order without credentials', async () => {
    const network = newNetwork();
    const host = document.createElement('div');
    document.body.append(host);
    viewer = mountViewer(host);
    device = await registeredDevice(network, 'alice', { inspect: viewer.inspect });
    const deviceChart = host.querySelector<HTMLElement>(`[data-session-id="${device.actor.sessionId}"]`);
    expect(deviceChart?.dataset['machine']).toBe((device.actor as unknown as { logic: { config: { id: string } } }).logic.config.id);
    expect(activeOf(viewer, device.actor.sessionId)).toEqual(expectedActive(viewer, device.actor));
    expect(activeOf(viewer, device.actor.sessionId).length).toBeGreaterThan(1);

    const { call, far } = await answeredCall(device, network.remote('bob'));
    await settle(call.hold(true), 'hold');
    const callChart = host.querySelector<HTMLElement>(`[data-session-id="${call.actor.sessionId}"]`)!;
    expect(callChart.dataset['actor']).toBe(call.actor.id);
    expect(activeOf(viewer, call.actor.sessionId)).toEqual(expectedActive(viewer, call.actor));
    // Each state box lists what its state accepts, as the chart read from the machine says.
    const tree = chartTree((call.actor as unknown as { logic: { config: unknown } }).logic.config);
    const walk = (node: ChartNode): ChartNode[] => [node, ...node.children.flatMap(walk)];
    for (const node of walk(tree)) {
      const box = callChart.querySelector<HTMLElement>(`.cc-node[data-state-path="${node.path}"]`)!;
      const listed = [...box.querySelectorAll(':scope > .cc-head > .cc-events > li')].map((item) => item.textContent);
      expect(box.id).toBe(`${callChart.id}--${node.path || 'root'}`);
      expect(listed, node.path).toEqual(node.events);
    }
    // Nested: a parallel state's regions are boxes inside its box.
    expect(callChart.querySelector('.cc-parallel .cc-kids .cc-node')).not.toBeNull();

    far.hangup();
    await flushUntil(() => call.getStatus() === 'disconnected', 'the far end hangs up');
    expect(callChart.dataset['status']).toBe('done');
    expect(activeOf(viewer, call.actor.sessionId)).toEqual(expectedActive(viewer, call.actor));

    const entries = [...host.querySelectorAll<HTMLElement>('.cc-entry')];
    const seqs = entries.map((entry) => Number(entry.dataset['seq']));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const types = entries.filter((entry) => entry.dataset['target'] === call.actor.id).map((entry) => entry.dataset['eventType']);
    expect(types.indexOf('HOLD')).toBeGreaterThan(-1);
    expect(types.indexOf('PORT.BYE')).toBeGreaterThan(types.indexOf('HOLD'));
    // An event that carries credentials (as a hostile or careless adapter might send) shows without them.
    const leaky = { type: 'LEAKY', options: { password: PASSWORDS.alice }, raw: `REGISTER sip:x SIP/2.0\r\nAuthorization: Digest response="${PASSWORDS.bob}"\r\n` };
    viewer.inspect({ type: '@xstate.event', actorRef: call.actor, sourceRef: undefined, event: leaky, rootId: device.actor.sessionId });
    expect(host.querySelector('.cc-entry[data-event-type="LEAKY"]')?.textContent).toContain('[redacted]');
    expect(host.innerHTML).not.toContain(PASSWORDS.alice);
    expect(host.innerHTML).not.toContain(PASSWORDS.bob);
  });

  it('keeps only the newest ended calls and filters the timeline', async () => {
    const network = newNetwork();
    const host = document.createElement('div');
    viewer = mountViewer(host, { keepEnded: 1 });
    device = await registeredDevice(network, 'alice', { inspect: viewer.inspect });
    const bob = network.remote('bob');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { call } = await answeredCall(device, bob);
      ids.push(call.actor.sessionId);
      await settle(call.disconnect(), 'hang up');
    }
    const shown = [...host.querySelectorAll<HTMLElement>('.cc-chart')].map((chart) => chart.dataset['sessionId']);
    expect(shown).toEqual([device.actor.sessionId, ids[2]]);

    const filter = host.querySelector('input')!;
    filter.value = 'DISCONNECT';
    filter.dispatchEvent(new Event('input'));
    const visible = [...host.querySelectorAll<HTMLElement>('.cc-entry')].filter((entry) => !entry.hidden);
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every((entry) => entry.dataset['eventType']!.includes('DISCONNECT'))).toBe(true);
  });
});

describe('createInspector → BroadcastChannel → mountViewer({ channel })', () => {
  it('a viewer that opens after the device was created is sent the live actors and follows them', async () => {
    const channel = `test-${Math.random()}`;
    const inspect = createInspector({ channel });
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { inspect });
    const host = document.createElement('div');
    const viewer = mountViewer(host, { channel });
    const arrived = (): boolean => host.querySelector(`[data-session-id="${device.actor.sessionId}"] .is-active`) !== null;
    await flushUntil(arrived, 'the replay to reach the viewer');
    expect(activeOf(viewer, device.actor.sessionId)).toEqual(expectedActive(viewer, device.actor));

    const { call } = await answeredCall(device, network.remote('bob'));
    await flushUntil(() => activeOf(viewer, call.actor.sessionId).join() === expectedActive(viewer, call.actor).join(), 'the call chart');
    expect(activeOf(viewer, call.actor.sessionId).length).toBeGreaterThan(1);
    expect(host.innerHTML).not.toContain(PASSWORDS.alice);
    await settle(device.destroy(), 'destroy');
    inspect.close();
    viewer.destroy();
  });
});

describe('createInspector replay', () => {
  it('sends a late viewer the live actors only: not a call that ended', async () => {
    const channel = `test-${Math.random()}`;
    const inspect = createInspector({ channel });
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { inspect });
    const { call } = await answeredCall(device, network.remote('bob'));
    await settle(call.disconnect(), 'hang up');
    const host = document.createElement('div');
    const viewer = mountViewer(host, { channel });
    await flushUntil(() => host.querySelector('.cc-chart .is-active') !== null, 'the replay');
    const charts = [...host.querySelectorAll<HTMLElement>('.cc-chart')].map((chart) => chart.dataset['sessionId']);
    expect(charts).toEqual([device.actor.sessionId]);
    await settle(device.destroy(), 'destroy');
    inspect.close();
    viewer.destroy();
  });
});

describe('mountViewer with hostile messages', () => {
  it('shows markup in names, state keys and payloads as text, never as elements', () => {
    const host = document.createElement('div');
    const viewer = mountViewer(host);
    const evil = '<img src=x onerror="globalThis.pwned=1">';
    viewer.receive({ type: '@xstate.actor', sessionId: 's1', name: evil, definition: JSON.stringify({ id: evil, states: { [evil]: { on: { [evil]: {} } } } }) });
    viewer.receive({ type: '@xstate.snapshot', sessionId: 's1', snapshot: { status: 'active', value: evil } });
    viewer.receive({ type: '@xstate.event', sessionId: 's1', event: { type: evil, payload: evil } });
    viewer.receive({ type: '@xstate.actor', sessionId: 's2', name: 'broken', definition: '{not json' });
    expect(host.querySelector('img')).toBeNull();
    expect(host.querySelector('.cc-node.is-active .cc-key')?.textContent).toBe(evil);
    expect(host.querySelector('.cc-entry')?.getAttribute('data-event-type')).toBe(evil);
    // A definition that is not JSON draws no chart.
    expect(host.querySelector('[data-session-id="s2"]')).toBeNull();
    viewer.destroy();
    expect(host.childElementCount).toBe(0);
  });
});
