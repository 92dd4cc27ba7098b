// A long-lived page (issue 10): 200 sequential calls between two SDK pages
// through Kamailio (alice calls, bob answers at once, alice hangs up as soon
// as the call is accepted), then what each page still holds after a forced
// GC: JS heap (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage), peer
// connections, microphone tracks and <audio> elements still reachable (held
// through WeakRefs by the page script, so the count itself keeps nothing
// alive), the device actor's children, and detached DOM nodes. The heap must
// stay flat: a leak of tens of KB per call (what ended call actors cost before
// they were released) fails the bound below. SIP.js holds each ended call for
// 32 s (its INVITE transaction's Timer M / L, through the transaction's
// delegate): the final figures are taken once that window has passed.
//
// Run: npx tsup --silent && bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/long-lived.e2e.test.ts
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupStack, startSdkRig, userAccount, waitFor, type Kamailio } from '../../e2e/harness/index.js';
import { detachedDomNodes, heapAfterGc, longLived, longLivedInitScript, type Holdings } from '../../e2e/harness/long-lived.js';

const PAGE_PATH = '/e2e/pages/sdk/index.html';
const NAMES = ['alice', 'bob'] as const;
type Name = (typeof NAMES)[number];
const WARM_UP_CALLS = 20;
const CALLS = 200;
/** Heap growth allowed per call after the warm-up (a per-call leak of tens of KB fails it; GC noise stays well under). */
const MAX_BYTES_PER_CALL = 4 * 1024;
/**
 * Objects of ended calls a page may still reach once released (Chromium lets go of some a moment later).
 * Measured with every feature merged: the caller 0; the callee 4–14 closed peer connections (with their
 * tracks) of calls hung up while ICE was still connecting, held by Chromium itself — a heap snapshot shows
 * them retained only by "C++ Persistent roots" from blink::RTCPeerConnection::ChangePeerConnectionState (a
 * state change it posted), not by any script. A per-call leak in our code keeps all 200.
 */
const RELEASED_SLACK = 20;

interface Measured {
  heap: number;
  holdings: Holdings;
}

describe('a long-lived page: 200 sequential calls through Kamailio', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let pages: Record<Name, Page>;
  const cdp = {} as Record<Name, CDPSession>;

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    kamailio = rig.kamailio;
    pages = await rig.browser.openPages(NAMES, `${rig.server.url}${PAGE_PATH}`, { readyExpression: 'window.callchartReady' });
    for (const name of NAMES) {
      await pages[name].addInitScript(longLivedInitScript());
      await pages[name].reload();
      await pages[name].waitForFunction('window.callchartReady && window.longLived !== undefined', undefined, { timeout: 15_000 });
      cdp[name] = await pages[name].context().newCDPSession(pages[name]);
    }
  });

  afterAll(async () => {
    for (const name of NAMES) await longLived(pages[name], 'destroy').catch(() => undefined);
    await cleanup.runAll();
  });

  it('heap, peer connections, tracks, audio elements and device children stay flat across 200 calls', async () => {
    for (const name of NAMES) {
      await longLived(pages[name], 'createDevice', userAccount(name, kamailio.wsUrl), name === 'bob');
    }
    const measure = async () => {
      const result = {} as Record<Name, Measured>;
      for (const name of NAMES) {
        const heap = await heapAfterGc(cdp[name]);
        result[name] = { heap, holdings: await longLived(pages[name], 'holdings') };
      }
      return result;
    };

    const warmUpMs = await longLived(pages.alice, 'callMany', 'bob', WARM_UP_CALLS);
    const baseline = await measure();
    const callMs = await longLived(pages.alice, 'callMany', 'bob', CALLS - WARM_UP_CALLS);
    const lastCallAt = Date.now();
    const justAfter = await measure();
    expect(await longLived(pages.bob, 'answered')).toBe(CALLS);
    // SIP.js keeps each INVITE transaction for 64×T1 = 32 s after its 2xx (Timer M at the caller, L at the
    // callee, RFC 6026), and through the transaction's delegate the whole ended call (session, SDH, its
    // closed peer connection, microphone track, <audio> element): a window, not a leak. Wait it out.
    const after = await waitFor(
      async () => {
        const measured = await measure();
        const released = ({ audioElementsAlive, peerConnectionsAlive, tracksAlive }: Holdings) =>
          Math.max(audioElementsAlive, peerConnectionsAlive, tracksAlive) <= RELEASED_SLACK;
        return NAMES.every((name) => released(measured[name].holdings)) ? measured : undefined;
      },
      { timeoutMs: 50_000, intervalMs: 2000, description: 'the ended calls released once their INVITE transactions ended' },
    );
    const releasedMs = Date.now() - lastCallAt;
    // Last: DevTools' DOM agent keeps the nodes it reports (measured: with DOM.enable on, no ended call's
    // <audio> element or microphone track was ever released).
    const detached = { alice: await detachedDomNodes(cdp.alice), bob: await detachedDomNodes(cdp.bob) };

    const measuredCalls = CALLS - WARM_UP_CALLS;
    const kb = (bytes: number): string => (bytes / 1024).toFixed(0);
    const perCall = (name: Name, at: Record<Name, Measured>): number => (at[name].heap - baseline[name].heap) / measuredCalls;
    const lines = NAMES.map((name) => {
      const { holdings } = after[name];
      return (
        `${name}: heap ${kb(baseline[name].heap)} KB after ${WARM_UP_CALLS} calls → ${kb(justAfter[name].heap)} KB after ${CALLS} ` +
        `(${(perCall(name, justAfter) / 1024).toFixed(1)} KB per call while SIP.js still holds them, ${justAfter[name].holdings.audioElementsAlive} calls held) → ` +
        `${kb(after[name].heap)} KB ${(releasedMs / 1000).toFixed(0)} s later: ${(perCall(name, after) / 1024).toFixed(2)} KB per call, ` +
        `${kb(perCall(name, after) * 100)} KB per 100 calls; ` +
        `peer connections ${holdings.peerConnectionsCreated} made, ${holdings.peerConnectionsAlive} reachable, ${holdings.peerConnectionsOpen} open; ` +
        `tracks ${holdings.tracksCreated} made, ${holdings.tracksAlive} reachable, ${holdings.tracksLive} live; ` +
        `<audio> ${holdings.audioElementsCreated} made, ${holdings.audioElementsAlive} reachable (${holdings.audioElementsDetached} detached); ` +
        `device children ${holdings.deviceChildren}, device.calls ${holdings.deviceCalls}; detached DOM nodes ${detached[name]}`
      );
    });
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    lines.push(`a call (connect → accepted → hung up): ${mean(callMs).toFixed(0)} ms on average (warm-up ${mean(warmUpMs).toFixed(0)} ms)`);
    console.info(`measured:\n  ${lines.join('\n  ')}`);

    for (const name of NAMES) {
      const { holdings } = after[name];
      // The baseline still holds up to WARM_UP_CALLS calls in SIP.js's window (≤ ~1.5 KB per measured call of bias):
      // far below a leak of tens of KB per call.
      expect(perCall(name, after), `${name}'s heap growth per call (bytes)`).toBeLessThan(MAX_BYTES_PER_CALL);
      expect(holdings.peerConnectionsOpen, `${name}: peer connections open`).toBe(0);
      expect(holdings.tracksLive, `${name}: microphone tracks live`).toBe(0);
      expect(holdings.peerConnectionsAlive, `${name}: peer connections reachable`).toBeLessThanOrEqual(RELEASED_SLACK);
      expect(holdings.tracksAlive, `${name}: microphone tracks reachable`).toBeLessThanOrEqual(RELEASED_SLACK);
      expect(holdings.deviceChildren, `${name}: device actor children`).toBeLessThanOrEqual(baseline[name].holdings.deviceChildren);
      expect(holdings.deviceCalls, `${name}: device.calls`).toBe(0);
      expect(holdings.audioElementsDetached, `${name}: detached <audio> elements reachable`).toBeLessThanOrEqual(RELEASED_SLACK);
      const detachedNodes = detached[name];
      if (detachedNodes !== 'n/a') expect(detachedNodes, `${name}: detached DOM nodes`).toBeLessThanOrEqual(RELEASED_SLACK);
    }
  });
});
