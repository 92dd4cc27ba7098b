// @vitest-environment happy-dom
// callchart/react against the fake network: components re-render as the
// device and its calls move, through @xstate/react's useSelector.
import { act, cleanup, render, screen } from '@testing-library/react';
import { Component, createElement as h, version as reactVersion, type ReactNode } from 'react';
import { version as reactDomVersion } from 'react-dom';
import { afterEach, describe, expect, it } from 'vitest';
import type { Call, Device } from '../../../src/index';
import { DeviceProvider, useCall, useCallFlags, useCallSelector, useCallStatus, useCalls, useDevice, useDeviceState } from '../../../src/react';
import { answeredCall, expectSDKError, flushUntil, newNetwork, registeredDevice, settle, useFakeTime } from '../api/harness';

useFakeTime();
// React batches updates outside act(); the fake-time helpers below advance time inside it.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

async function inAct<T>(fn: () => Promise<T>): Promise<T> {
  let result!: T;
  await act(async () => {
    result = await fn();
  });
  return result;
}

function Phone(): ReactNode {
  const device = useDevice();
  const state = useDeviceState();
  const calls = useCalls();
  const call = useCall();
  const status = useCallStatus(call);
  const { muted, onHold } = useCallFlags(call);
  const accepted = useCallSelector(call, (snapshot) => snapshot.matches('accepted'));
  renders.push(status ?? 'none');
  return h(
    'div',
    null,
    h('p', { 'data-testid': 'uri' }, device === current ? 'same device' : 'other device'),
    h('p', { 'data-testid': 'state' }, state),
    h('p', { 'data-testid': 'calls' }, String(calls.length)),
    h('p', { 'data-testid': 'status' }, status ?? 'no call'),
    h('p', { 'data-testid': 'flags' }, `muted=${muted} hold=${onHold} accepted=${String(accepted)}`),
  );
}

let current: Device | undefined;
let renders: string[] = [];
const text = (id: string): string => screen.getByTestId(id).textContent ?? '';

describe('callchart/react', () => {
  it('runs against the React this project names (19 in `unit`, 18 in `react18`)', () => {
    const major = process.env.CALLCHART_REACT_MAJOR;
    expect(major).toMatch(/^1[89]$/);
    expect(reactVersion.split('.')[0]).toBe(major);
    expect(reactDomVersion).toBe(reactVersion);
  });

  afterEach(async () => {
    cleanup();
    if (current) await inAct(() => settle(current!.destroy(), 'destroy'));
    current = undefined;
    renders = [];
  });

  it('follows registration, a call, mute, hold and the hang-up', async () => {
    const network = newNetwork();
    const device = (current = await registeredDevice(network));
    render(h(DeviceProvider, { device }, h(Phone)));
    expect(text('uri')).toBe('same device');
    expect(text('state')).toBe(device.state);
    expect(text('status')).toBe('no call');

    const { call } = await inAct(() => answeredCall(device, network.remote('bob')));
    expect(text('calls')).toBe('1');
    expect(text('status')).toBe(call.getStatus());
    expect(text('flags')).toBe('muted=false hold=false accepted=true');

    await inAct(async () => call.mute(true));
    expect(text('flags')).toBe(`muted=${call.isMuted()} hold=false accepted=true`);
    await inAct(() => settle(call.hold(true), 'hold'));
    expect(text('flags')).toBe(`muted=true hold=${call.isOnHold()} accepted=true`);
    expect(call.isOnHold()).toBe(true);

    await inAct(() => settle(call.disconnect(), 'hang up'));
    await inAct(() => flushUntil(() => device.calls.length === 0, 'the call to be released'));
    expect(text('calls')).toBe('0');
    expect(text('status')).toBe('no call');
  });

  it('useCall(id) picks one call; the same Call object every render', async () => {
    const network = newNetwork();
    const device = (current = await registeredDevice(network));
    const seen: (Call | undefined)[] = [];
    let id: string | undefined;
    function One(): ReactNode {
      const call = useCall(id);
      seen.push(call);
      return h('p', { 'data-testid': 'one' }, useCallStatus(call) ?? 'none');
    }
    const { call } = await answeredCall(device, network.remote('bob'));
    id = call.id;
    render(h(DeviceProvider, { device }, h(One)));
    expect(text('one')).toBe('accepted');
    await inAct(async () => call.mute(true));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((c) => c === call)).toBe(true);
    id = 'call-unknown';
    cleanup();
    render(h(DeviceProvider, { device }, h(One)));
    expect(text('one')).toBe('none');
    await inAct(() => settle(call.disconnect(), 'hang up'));
  });

  it('does not re-render for events that change nothing it selects', async () => {
    const network = newNetwork();
    const device = (current = await registeredDevice(network));
    const { call } = await answeredCall(device, network.remote('bob'));
    render(h(DeviceProvider, { device }, h(Phone)));
    const before = renders.length;
    // Quality samples arrive every second; they change no status or flag.
    await inAct(() => flushUntil(() => call.getLastQualitySample() !== undefined, 'a quality sample'));
    expect(renders.length).toBe(before);
    await inAct(() => settle(call.disconnect(), 'hang up'));
  });

  it('useDevice outside a DeviceProvider is invalid-state', () => {
    function Lonely(): ReactNode {
      useDevice();
      return null;
    }
    let caught: unknown;
    class Boundary extends Component<{ children: ReactNode }, { failed: boolean }> {
      override state = { failed: false };
      static getDerivedStateFromError(): { failed: boolean } {
        return { failed: true };
      }
      override componentDidCatch(error: unknown): void {
        caught = error;
      }
      override render(): ReactNode {
        return this.state.failed ? null : this.props.children;
      }
    }
    const original = console.error;
    console.error = () => {};
    try {
      render(h(Boundary, null, h(Lonely)));
    } finally {
      console.error = original;
    }
    expectSDKError(caught, 'invalid-state', /DeviceProvider/);
  });
});
