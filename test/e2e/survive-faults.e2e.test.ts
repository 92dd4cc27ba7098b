// Server faults mid-call (issue 10), end to end: two SDK pages in a call
// through Kamailio, then Kamailio is killed (SIGTERM) and started again on
// the same ports after 2 s and after 20 s, stopped (SIGSTOP) for 25 s, or
// closes one client's WebSocket itself (`kamcmd ws.close`). Media is peer to
// peer and goes on; once both devices are registered again their calls send
// target-refresh re-INVITEs. After a restart both ends' aliases are dead, so
// the refresh relies on the config's in-dialog fallback (route DLGFALLBACK in
// e2e/kamailio/kamailio.cfg: the far end found in location by its address of
// record once it registered again); the two refreshes then meet (glare, 491)
// and the one refused is sent again (the call's refreshWait). Each case ends
// with a hangup and checks that the far end's call ends at once (not ~17 s
// later when its ICE fails). A page closing its own socket is covered by
// survive-calls.e2e.test.ts.
//
// Run: npx tsup --silent && bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/survive-faults.e2e.test.ts
// (KAMAILIO_LOG_LEVEL=2 shows the fallback's log lines on a failure.)
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CleanupStack, kamailioCloseSocketOf, startSdkRig, waitFor, type Kamailio } from '../../e2e/harness/index.js';
import { OTHER, PAIR as NAMES, callPair, type PairName as Name } from './sdk/call-pair.js';
import { lab, openLabPages, expectLabPagesTornDown, type RecordedEvent } from './sdk/calls-helpers.js';

const PAGE_PATH = '/e2e/pages/sdk/index.html';
/** Generous: other e2e runs share these two cores. */
const WAIT = { timeoutMs: 20_000, intervalMs: 25 };
/** A hangup must reach the far end this fast (a lost BYE shows as ~17 s). */
const HANGUP_REACHES_MS = 1500;

describe('server faults mid-call, two SDK pages through Kamailio', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let pages: Record<Name, Page>;
  const figures: string[] = [];
  const { callEvent, establishCall, hangupReaches } = callPair({ pages: () => pages, server: () => kamailio.wsUrl, waitMs: WAIT.timeoutMs });

  const deviceEvent = (name: Name, type: string, after: number): Promise<RecordedEvent> =>
    waitFor(async () => (await lab(pages[name], 'deviceEvents')).find((event) => event.type === type && event.at >= after), {
      ...WAIT,
      description: `'${type}' on ${name}'s device`,
    });

  const now = (name: Name): Promise<number> => pages[name].evaluate(() => performance.now());
  const packets = async (name: Name, label: string): Promise<number> => (await lab(pages[name], 'inboundAudio', label)).packetsReceived;

  /** Inbound audio grows on both ends (media is peer to peer: a signalling fault must not touch it). */
  const mediaFlows = async (labels: Record<Name, string>): Promise<void> => {
    for (const name of NAMES) {
      const before = await packets(name, labels[name]);
      await waitFor(async () => (await packets(name, labels[name])) > before + 10, {
        ...WAIT,
        description: `inbound audio growing on ${name}`,
      });
    }
  };

  /** Both calls still accepted, no `failed`, errors as listed. */
  const bothUp = async (labels: Record<Name, string>): Promise<void> => {
    for (const name of NAMES) expect((await lab(pages[name], 'callInfo', labels[name])).status, `${name}'s call`).toBe('accepted');
  };

  const errorsOf = async (name: Name, label: string, after: number): Promise<unknown[]> =>
    (await lab(pages[name], 'callEvents', label)).filter((event) => event.type === 'error' && event.at >= after).map((e) => e.detail);

  /** Runs `run`; when it fails, prints what both pages saw and Kamailio's log tail first. */
  const explained = async <T>(run: () => Promise<T>, labels: Record<Name, string>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const firstLines = (frames: string[]) => frames.slice(-8).map((frame) => frame.slice(0, frame.indexOf('\r\n')));
      for (const name of NAMES) {
        console.info(`${name} call events: ${JSON.stringify(await lab(pages[name], 'callEvents', labels[name]))}`);
        console.info(`${name} device events: ${JSON.stringify(await lab(pages[name], 'deviceEvents'))}`);
        console.info(`${name} last sent: ${firstLines(await lab(pages[name], 'sentFrames')).join(' | ')}`);
        console.info(`${name} last received: ${firstLines(await lab(pages[name], 'receivedFrames')).join(' | ')}`);
      }
      console.info(`kamailio (KAMAILIO_LOG_LEVEL=2 for more):\n${kamailio.logs().slice(-3000)}`);
      throw error;
    }
  };

  /** A server fault: begun mid-call, ended `downMs` later. */
  interface Fault {
    downMs: number;
    begin(): Promise<void>;
    end(): Promise<void>;
  }
  const killed = (downMs: number): Fault => ({ downMs, begin: () => kamailio.terminate(), end: () => kamailio.restart() });
  const stopped = (downMs: number): Fault => ({ downMs, begin: () => kamailio.pause(), end: () => kamailio.resume() });

  /** Page times now, per page (their clocks differ). */
  const pageTimes = async (): Promise<Record<Name, number>> => ({ alice: await now('alice'), bob: await now('bob') });
  /** `event` (page time of `name`) after `since` (the test's Date.now()), in ms. */
  const sinceOnPage = async (name: Name, event: RecordedEvent, since: number): Promise<number> =>
    Math.round(event.at - ((await now(name)) - (Date.now() - since)));

  const waitOut = (since: number, ms: number, what: string): Promise<unknown> =>
    waitFor(async () => Date.now() - since >= ms, { timeoutMs: ms + 5000, intervalMs: 50, description: what });

  /**
   * A fault mid-call: media goes on through it; once it ends both devices
   * register again and both calls end `reconnected` with no error; then
   * `hangupFrom` hangs up and the far end's call ends at once.
   */
  const faultMidCall = async (fault: Fault, hangupFrom: Name): Promise<string> => {
    const labels = await establishCall();
    return explained(async () => {
      const before = await pageTimes();
      const beganAt = Date.now();
      await fault.begin();
      await mediaFlows(labels);
      await waitOut(beganAt, fault.downMs, `${fault.downMs} ms of outage`);
      await fault.end();
      const backAt = Date.now();
      const registeredMs: Partial<Record<Name, number>> = {};
      const reconnectedMs: Partial<Record<Name, number>> = {};
      for (const name of NAMES) {
        registeredMs[name] = await sinceOnPage(name, await deviceEvent(name, 'registered', before[name]), backAt);
        reconnectedMs[name] = await sinceOnPage(name, await callEvent(name, labels[name], 'reconnected', before[name]), backAt);
        const reconnecting = await callEvent(name, labels[name], 'reconnecting', before[name]);
        expect(reconnecting, `${name}'s call said it was reconnecting`).toMatchObject({ detail: 'signalling', state: 'accepted' });
      }
      await bothUp(labels);
      for (const name of NAMES) expect(await errorsOf(name, labels[name], before[name]), `${name}'s call errors`).toEqual([]);
      await mediaFlows(labels);
      const hangupMs = await hangupReaches(hangupFrom, labels);
      expect(hangupMs).toBeLessThan(HANGUP_REACHES_MS);
      return (
        `server back → registered: alice ${registeredMs.alice} ms, bob ${registeredMs.bob} ms; → call reconnected: ` +
        `alice ${reconnectedMs.alice} ms, bob ${reconnectedMs.bob} ms; ${hangupFrom}'s hangup → far end ended: ${hangupMs} ms`
      );
    }, labels);
  };

  /**
   * `from` hangs up while the server is down: disconnect() waits, the BYE
   * goes out once its device is back and reaches the far end (through the
   * fallback: the far end's alias died with the server).
   */
  const hangupDuringOutage = async (fault: Fault, from: Name): Promise<string> => {
    const labels = await establishCall();
    const to = OTHER[from];
    return explained(async () => {
      const before = await pageTimes();
      const beganAt = Date.now();
      await fault.begin();
      await callEvent(from, labels[from], 'reconnecting', before[from]);
      const hangingUp = lab(pages[from], 'disconnect', labels[from]);
      // Hung up: the far end hears nothing more from us, though the BYE must wait (media is peer to peer).
      const energyAt = async (): Promise<number> => (await lab(pages[to], 'inboundAudio', labels[to])).totalAudioEnergy;
      await waitFor(async () => (await lab(pages[from], 'callInfo', labels[from])).status === 'disconnected', {
        timeoutMs: 5000,
        intervalMs: 25,
        description: `${from}'s call ending locally`,
      });
      const silentFrom = await energyAt();
      await waitOut(beganAt, fault.downMs, `${fault.downMs} ms of outage`);
      const energyWhileWaiting = (await energyAt()) - silentFrom;
      expect(energyWhileWaiting, `audio energy reaching ${to} after ${from} hung up`).toBeLessThan(0.005);
      expect((await lab(pages[to], 'callInfo', labels[to])).status, 'the far end has not heard yet').toBe('accepted');
      await fault.end();
      const backAt = Date.now();
      expect(await hangingUp, `${from}'s disconnect()`).toMatchObject({ ok: true });
      const ended = await callEvent(to, labels[to], 'disconnect', before[to]);
      const endedMs = Date.now() - backAt;
      // The far end's own refresh may cross our BYE (both devices come back at once): it is then answered 481 and
      // its call ends `failed` (connection-lost) a moment before the BYE would have ended it `remote-hangup`.
      expect(['remote-hangup', 'failed'], `how ${to}'s call ended`).toContain(ended.detail);
      expect(endedMs).toBeLessThan(HANGUP_REACHES_MS + 3000);
      expect(await errorsOf(from, labels[from], before[from]), `${from}'s call errors`).toEqual([]);
      const farErrors = await errorsOf(to, labels[to], before[to]);
      expect(farErrors, `${to}'s call errors`).toEqual(ended.detail === 'failed' ? ['connection-lost'] : []);
      return `${from}'s hangup during the outage → far end ended (${ended.detail}) ${endedMs} ms after the server was back`;
    }, labels);
  };

  /** Kamailio closes `name`'s socket: that call refreshes, the other is untouched, and `hangupFrom`'s hangup reaches the far end. */
  const serverClosesSocket = async (name: Name, hangupFrom: Name): Promise<string> => {
    const labels = await establishCall();
    return explained(async () => {
      const before = await pageTimes();
      const closedAt = Date.now();
      await kamailioCloseSocketOf(kamailio, name);
      const reconnecting = await callEvent(name, labels[name], 'reconnecting', before[name]);
      const refreshMs = await sinceOnPage(name, await callEvent(name, labels[name], 'reconnected', before[name]), closedAt);
      expect(reconnecting).toMatchObject({ detail: 'signalling', state: 'accepted' });
      const other = OTHER[name];
      expect((await lab(pages[other], 'callEvents', labels[other])).filter((e) => e.at >= before[other]).map((e) => e.type)).not.toContain(
        'reconnecting',
      );
      await bothUp(labels);
      for (const end of NAMES) expect(await errorsOf(end, labels[end], before[end]), `${end}'s call errors`).toEqual([]);
      const hangupMs = await hangupReaches(hangupFrom, labels);
      expect(hangupMs).toBeLessThan(HANGUP_REACHES_MS);
      return `ws.close of ${name}'s socket → call reconnected: ${refreshMs} ms; ${hangupFrom}'s hangup → far end ended: ${hangupMs} ms`;
    }, labels);
  };

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    kamailio = rig.kamailio;
    pages = await openLabPages(rig.browser, NAMES, `${rig.server.url}${PAGE_PATH}`);
  });

  afterEach(async () => {
    // A failed case may leave Kamailio stopped or down: the next one needs it.
    await kamailio.resume();
    if (!(await kamailio.rpc('core.uptime').then(() => true, () => false))) await kamailio.restart().catch(() => undefined);
    await expectLabPagesTornDown(pages, NAMES);
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`measured:\n  ${figures.join('\n  ')}`);
    await cleanup.runAll();
  });

  it('Kamailio killed mid-call and back after 2 s: both calls refresh, the callee hangs up and the caller’s call ends', async () => {
    figures.push(`killed, back after 2 s: ${await faultMidCall(killed(2000), 'bob')}`);
  });

  it('Kamailio killed mid-call and back after 20 s: both calls refresh, the caller hangs up and the callee’s call ends', async () => {
    figures.push(`killed, back after 20 s: ${await faultMidCall(killed(20_000), 'alice')}`);
  });

  it('Kamailio stopped (SIGSTOP) for 25 s: the keep-alive finds both dead sockets, both calls refresh once it runs again', async () => {
    figures.push(`SIGSTOP 25 s: ${await faultMidCall(stopped(25_000), 'bob')}`);
  });

  it('a hangup while Kamailio is down for 20 s: our audio stops at once, the BYE goes out once it is back and the far end’s call ends', async () => {
    figures.push(`killed for 20 s: ${await hangupDuringOutage(killed(20_000), 'alice')}`);
  });

  it('Kamailio closes the caller’s socket (ws.close): the caller’s call refreshes, the callee’s hangup reaches it', async () => {
    figures.push(await serverClosesSocket('alice', 'bob'));
  });

  it('Kamailio closes the callee’s socket (ws.close): the callee’s call refreshes, its own hangup reaches the caller', async () => {
    figures.push(await serverClosesSocket('bob', 'bob'));
  });
});
