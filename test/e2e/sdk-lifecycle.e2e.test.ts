// The built SDK (dist/) in Chromium, through the e2e Kamailio, media on
// loopback: how calls end (busy, declined, cancel, unknown user, hang-up from
// either side, destroy), the sounds (real AudioContexts), switching audio devices mid-call, recording with
// pause, and a call over wss. Every test starts its own devices and ends with
// all of them destroyed and nothing left open in any page.
//
// Run: bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/sdk-lifecycle.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startSdkRig,
  CleanupStack,
  waitFor,
  USERS,
  kamailioErrors,
  sipUri,
  type E2EBrowser,
  type Kamailio,
} from '../../e2e/harness/index.js';
import {
  expectInboundAudioGrowing,
  lab,
  openLabPages,
  waitForCallEvent,
  waitForIncoming,
  WAIT,
  type CallEventRecord,
} from './sdk/lifecycle-helpers.js';

const NAMES = ['alice', 'bob', 'carol'] as const;
type Name = (typeof NAMES)[number];

/** A decoded recording counts as sound above this RMS (full scale 1); digital silence is 0. */
const SILENCE_RMS = 0.001;

describe('callchart SDK: how calls end, devices, recording and wss', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let pages: Record<Name, Page>;
  /** Incoming calls seen so far per page (labels in1, in2, … keep counting across devices). */
  const incomingSeen: Record<Name, number> = { alice: 0, bob: 0, carol: 0 };

  const startDevices = async (names: readonly Name[], server = kamailio.wsUrl): Promise<void> => {
    for (const name of names) {
      const { user, password } = USERS[name];
      expect(await lab(pages[name], 'start', { uri: sipUri(user), password, server })).toEqual({
        ok: true,
        value: undefined,
      });
      expect(await lab(pages[name], 'deviceState')).toBe('registered');
    }
  };

  const nextIncoming = async (name: Name): Promise<string> => {
    const label = await waitForIncoming(pages[name], incomingSeen[name]);
    incomingSeen[name] += 1;
    return label;
  };

  /** `caller` calls `callee`, who answers; resolves with the callee's label once both are accepted. */
  const establishCall = async (caller: Name, label: string, callee: Name): Promise<string> => {
    expect(await lab(pages[caller], 'call', label, callee)).toMatchObject({ ok: true });
    const incoming = await nextIncoming(callee);
    expect(await lab(pages[callee], 'accept', incoming)).toMatchObject({ ok: true });
    await waitForCallEvent(pages[caller], label, 'accepted');
    return incoming;
  };

  /** `caller` hangs up; both ends see the call end. */
  const hangUp = async (caller: Name, label: string, callee: Name, incoming: string): Promise<void> => {
    expect(await lab(pages[caller], 'hangup', label)).toMatchObject({ ok: true });
    expect(await waitForCallEvent(pages[callee], incoming, 'disconnect')).toMatchObject({ reason: 'remote-hangup' });
  };

  /** Alice and bob each choose (device.audio) a microphone or output of Chromium's fake ones other than the default. */
  const chooseNamedDevices = async (kind: 'input' | 'output'): Promise<Record<'alice' | 'bob', string>> => {
    const chosen = {} as Record<'alice' | 'bob', string>;
    for (const name of ['alice', 'bob'] as const) {
      const ids = await lab(pages[name], kind === 'input' ? 'audioInputs' : 'audioOutputs');
      const named = ids.find((id) => id !== 'default' && id !== '');
      expect(named, `${name}: a ${kind} device besides the default`).toBeDefined();
      expect(await lab(pages[name], kind === 'input' ? 'chooseInputDevice' : 'chooseOutputDevice', named!)).toEqual({ ok: true, value: undefined });
      chosen[name] = named!;
    }
    return chosen;
  };

  const types = async (page: Page, label: string): Promise<string[]> =>
    (await lab(page, 'events', label)).map((event) => event.type);

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    ({ kamailio, browser } = rig);
    const server = rig.server;
    pages = await openLabPages(browser, NAMES, server.url);
  });

  afterEach(async () => {
    // Destroying ends whatever a failed test left running; then nothing may stay open.
    // One after the other: two devices sending BYE for the same call at once
    // while closing their sockets makes Kamailio log send errors.
    const failures: unknown[] = [];
    for (const name of NAMES) {
      const outcome = await lab(pages[name], 'destroy');
      if (!outcome.ok) failures.push({ page: name, ...outcome.error });
    }
    expect(failures).toEqual([]);
    for (const name of NAMES) {
      expect(await lab(pages[name], 'leftovers')).toMatchObject({
        openPeerConnections: 0,
        liveMicrophoneTracks: 0,
        openWebSockets: 0,
        openAudioContexts: 0,
      });
    }
  });

  afterAll(async () => {
    await cleanup.runAll();
  });

  describe('a call that is never answered', () => {
    it('ends as busy for the caller when the callee rejects with 486', async () => {
      await startDevices(['alice', 'bob']);
      expect(await lab(pages.alice, 'call', 'busy', 'bob')).toMatchObject({ ok: true });
      const incoming = await nextIncoming('bob');
      await waitForCallEvent(pages.alice, 'busy', 'ringing');
      expect(await lab(pages.bob, 'reject', incoming, 486)).toMatchObject({ ok: true });

      expect(await waitForCallEvent(pages.alice, 'busy', 'disconnect')).toMatchObject({ reason: 'busy' });
      expect(await lab(pages.alice, 'status', 'busy')).toBe('disconnected');
      expect(await types(pages.alice, 'busy')).toEqual(['ringing', 'disconnect']);
      expect(await waitForCallEvent(pages.bob, incoming, 'disconnect')).toMatchObject({ reason: 'rejected' });
      expect(await lab(pages.bob, 'status', incoming)).toBe('disconnected');
    });

    it('ends as declined for the caller when the callee rejects with 603', async () => {
      await startDevices(['alice', 'bob']);
      expect(await lab(pages.alice, 'call', 'declined', 'bob')).toMatchObject({ ok: true });
      const incoming = await nextIncoming('bob');
      expect(await lab(pages.bob, 'reject', incoming, 603)).toMatchObject({ ok: true });

      expect(await waitForCallEvent(pages.alice, 'declined', 'disconnect')).toMatchObject({ reason: 'declined' });
      expect(await lab(pages.alice, 'status', 'declined')).toBe('disconnected');
      expect(await types(pages.alice, 'declined')).not.toContain('accepted');
    });

    it('ends as canceled on both sides when the caller hangs up while it rings', async () => {
      await startDevices(['alice', 'bob']);
      expect(await lab(pages.alice, 'call', 'cancel', 'bob')).toMatchObject({ ok: true });
      const incoming = await nextIncoming('bob');
      await waitForCallEvent(pages.alice, 'cancel', 'ringing');
      expect(await lab(pages.alice, 'status', 'cancel')).toBe('ringing');
      expect(await lab(pages.alice, 'hangup', 'cancel')).toMatchObject({ ok: true });

      expect(await waitForCallEvent(pages.bob, incoming, 'disconnect')).toMatchObject({ reason: 'canceled' });
      expect(await lab(pages.bob, 'status', incoming)).toBe('disconnected');
      expect(await types(pages.bob, incoming)).toEqual(['disconnect']);
      expect(await waitForCallEvent(pages.alice, 'cancel', 'disconnect')).toMatchObject({ reason: 'canceled' });
      // Bob answering now is refused: the call is over.
      expect(await lab(pages.bob, 'accept', incoming)).toMatchObject({ ok: false, error: { code: 'invalid-state' } });
      expect(await types(pages.bob, incoming)).not.toContain('accepted');
    });

    it('fails with not-found when the callee does not exist', async () => {
      await startDevices(['alice']);
      expect(await lab(pages.alice, 'call', 'nobody', 'nobody')).toMatchObject({ ok: true });

      const disconnect = await waitForCallEvent(pages.alice, 'nobody', 'disconnect');
      expect(disconnect).toMatchObject({ reason: 'failed' });
      const events = await lab(pages.alice, 'events', 'nobody');
      expect(events.map((event) => event.type)).toEqual(['error', 'disconnect']);
      expect(events[0]).toMatchObject({ error: { code: 'not-found', isVoiceSDKError: true } });
      expect(await lab(pages.alice, 'status', 'nobody')).toBe('failed');
      expect(await lab(pages.alice, 'openCalls')).toBe(0);
    });
  });

  describe('hanging up an answered call', () => {
    const expectReport = (event: CallEventRecord): void => {
      expect(event.report?.durationMs).toBeGreaterThan(0);
      expect(event.report?.setupTimeMs).toEqual(expect.any(Number));
    };

    it('when the caller hangs up, both ends see the call end with a report', async () => {
      await startDevices(['alice', 'bob']);
      const incoming = await establishCall('alice', 'caller-ends', 'bob');
      await expectInboundAudioGrowing(pages.bob, incoming);
      expect(await lab(pages.alice, 'hangup', 'caller-ends')).toMatchObject({ ok: true });

      const local = await waitForCallEvent(pages.alice, 'caller-ends', 'disconnect');
      const remote = await waitForCallEvent(pages.bob, incoming, 'disconnect');
      expect(local.reason).toBe('local-hangup');
      expect(remote.reason).toBe('remote-hangup');
      expectReport(local);
      expectReport(remote);
      expect(await lab(pages.alice, 'status', 'caller-ends')).toBe('disconnected');
      expect(await lab(pages.bob, 'status', incoming)).toBe('disconnected');
      expect(await lab(pages.alice, 'openCalls')).toBe(0);
      expect(await lab(pages.bob, 'openCalls')).toBe(0);
    });

    it('when the callee hangs up, both ends see the call end with a report', async () => {
      await startDevices(['alice', 'bob']);
      const incoming = await establishCall('alice', 'callee-ends', 'bob');
      await expectInboundAudioGrowing(pages.alice, 'callee-ends');
      expect(await lab(pages.bob, 'hangup', incoming)).toMatchObject({ ok: true });

      const local = await waitForCallEvent(pages.bob, incoming, 'disconnect');
      const remote = await waitForCallEvent(pages.alice, 'callee-ends', 'disconnect');
      expect(local.reason).toBe('local-hangup');
      expect(remote.reason).toBe('remote-hangup');
      expectReport(local);
      expectReport(remote);
      expect(await lab(pages.alice, 'status', 'callee-ends')).toBe('disconnected');
      expect(await lab(pages.bob, 'status', incoming)).toBe('disconnected');
    });

    it('destroying a device mid-call hangs up the far end and leaves no connection, microphone or socket open', async () => {
      await startDevices(['carol', 'bob']);
      const incoming = await establishCall('carol', 'destroyed', 'bob');
      await expectInboundAudioGrowing(pages.bob, incoming);
      const before = await lab(pages.carol, 'leftovers');
      expect(before.openPeerConnections).toBe(1);
      expect(before.liveMicrophoneTracks).toBe(1);
      expect(before.openWebSockets).toBe(1);

      expect(await lab(pages.carol, 'destroy')).toMatchObject({ ok: true });
      expect(await waitForCallEvent(pages.bob, incoming, 'disconnect')).toMatchObject({ reason: 'remote-hangup' });
      expect(await waitForCallEvent(pages.carol, 'destroyed', 'disconnect')).toMatchObject({
        reason: 'device-destroyed',
      });
      expect(await lab(pages.carol, 'leftovers')).toMatchObject({
        openPeerConnections: 0,
        liveMicrophoneTracks: 0,
        openWebSockets: 0,
      });
    });
  });

  describe('sounds', () => {
    const openContexts = async (name: Name): Promise<number> => (await lab(pages[name], 'leftovers')).openAudioContexts;
    const waitForContexts = (name: Name, count: number, what: string): Promise<unknown> =>
      waitFor(async () => ((await openContexts(name)) === count ? true : undefined), {
        timeoutMs: 15_000,
        intervalMs: 25,
        description: `${what}: ${count} AudioContext(s) open on ${name}'s page`,
      });

    it('ringtone and ringback run in AudioContexts while the call rings; the answer closes them', async () => {
      await startDevices(['alice', 'bob']);
      expect(await lab(pages.alice, 'call', 'rings', 'bob')).toMatchObject({ ok: true });
      const incoming = await nextIncoming('bob');
      await waitForCallEvent(pages.alice, 'rings', 'ringing');
      await waitForContexts('bob', 1, 'the ringtone');
      await waitForContexts('alice', 1, 'the ringback');
      expect(await lab(pages.bob, 'accept', incoming)).toMatchObject({ ok: true });
      await waitForCallEvent(pages.alice, 'rings', 'accepted');
      await waitForContexts('bob', 0, 'the ringtone after accept');
      await waitForContexts('alice', 0, 'the ringback after the answer');
      // The disconnect tone, on both ends (the afterEach's destroy() closes whatever still plays).
      await hangUp('alice', 'rings', 'bob', incoming);
      await waitForContexts('bob', 1, "bob's disconnect tone");
    });

    it('destroy() while a call rings closes the ringtone at once', async () => {
      await startDevices(['alice', 'bob']);
      expect(await lab(pages.alice, 'call', 'rings-destroyed', 'bob')).toMatchObject({ ok: true });
      await nextIncoming('bob');
      await waitForContexts('bob', 1, 'the ringtone');
      expect(await lab(pages.bob, 'destroy')).toMatchObject({ ok: true });
      expect(await openContexts('bob')).toBe(0);
    });
  });

  describe('audio devices during a call', () => {
    it('switching the microphone replaces the sending track and the far end keeps hearing it', async () => {
      await startDevices(['alice', 'bob']);
      const incoming = await establishCall('alice', 'mic', 'bob');
      const inputs = await lab(pages.alice, 'audioInputs');
      const others = inputs.filter((id) => id !== 'default' && id !== '');
      expect(others.length).toBeGreaterThan(0);
      // Chromium's fake capture lists 'default' plus one or more named devices:
      // switch to a named one, then to another one (or back to 'default').
      const route = [others[0]!, others[1] ?? 'default'];

      for (const deviceId of route) {
        const before = await lab(pages.alice, 'senderTrack', 'mic');
        expect(await lab(pages.alice, 'setInputDevice', 'mic', deviceId)).toEqual({ ok: true, value: undefined });
        const after = await lab(pages.alice, 'senderTrack', 'mic');
        expect(after?.id).toBeDefined();
        expect(after?.id).not.toBe(before?.id);
        expect(after?.readyState).toBe('live');
        expect(after?.deviceId).toBe(deviceId);
        await expectInboundAudioGrowing(pages.bob, incoming);
      }
      // The replaced microphones were stopped: only the one on the sender is live.
      expect(await lab(pages.alice, 'leftovers')).toMatchObject({ liveMicrophoneTracks: 1 });
      await hangUp('alice', 'mic', 'bob', incoming);
    });

    it('a microphone chosen with device.audio is the one the next calls open, caller and callee, before the answer: no second getUserMedia', async () => {
      await startDevices(['alice', 'bob']);
      const { alice: aliceMic, bob: bobMic } = await chooseNamedDevices('input');
      const opened = { alice: await lab(pages.alice, 'microphonesOpened'), bob: await lab(pages.bob, 'microphonesOpened') };

      expect(await lab(pages.alice, 'call', 'chosen', 'bob')).toMatchObject({ ok: true });
      const incoming = await nextIncoming('bob');
      await waitForCallEvent(pages.alice, 'chosen', 'ringing');
      // Ringing, not answered: the INVITE went out with the chosen microphone.
      expect((await lab(pages.alice, 'senderTrack', 'chosen'))?.deviceId).toBe(aliceMic);
      expect(await lab(pages.bob, 'accept', incoming)).toMatchObject({ ok: true });
      await waitForCallEvent(pages.alice, 'chosen', 'accepted');
      expect((await lab(pages.bob, 'senderTrack', incoming))?.deviceId).toBe(bobMic);
      await expectInboundAudioGrowing(pages.bob, incoming);
      await expectInboundAudioGrowing(pages.alice, 'chosen');
      // One microphone each: nothing was switched once the call was accepted.
      expect(await lab(pages.alice, 'microphonesOpened')).toBe(opened.alice + 1);
      expect(await lab(pages.bob, 'microphonesOpened')).toBe(opened.bob + 1);
      expect((await lab(pages.alice, 'senderTrack', 'chosen'))?.deviceId).toBe(aliceMic);
      await hangUp('alice', 'chosen', 'bob', incoming);
    });

    it('an output chosen with device.audio plays the next calls from the start, on both ends: the call audio and the ringback tone while ringing', async () => {
      await startDevices(['alice', 'bob']);
      const { alice: aliceOut, bob: bobOut } = await chooseNamedDevices('output');
      const newest = async (name: Name) => (await lab(pages[name], 'audioElementSinks')).at(-1);
      const elementsBefore = { alice: (await lab(pages.alice, 'audioElementSinks')).length, bob: (await lab(pages.bob, 'audioElementSinks')).length };

      expect(await lab(pages.alice, 'call', 'out', 'bob')).toMatchObject({ ok: true });
      const incoming = await nextIncoming('bob');
      await waitForCallEvent(pages.alice, 'out', 'ringing');
      // Ringing, not answered: each call's <audio> plays on the chosen output already, and so does alice's ringback.
      for (const [name, chosen] of [['alice', aliceOut!], ['bob', bobOut!]] as const) {
        await waitFor(async () => (await newest(name)) === chosen, { ...WAIT, description: `${name}'s call audio on ${chosen}` });
        expect((await lab(pages[name], 'audioElementSinks')).length).toBe(elementsBefore[name] + 1);
      }
      expect(await lab(pages.alice, 'soundSinks')).toContain(aliceOut);
      expect(await lab(pages.bob, 'accept', incoming)).toMatchObject({ ok: true });
      await waitForCallEvent(pages.alice, 'out', 'accepted');
      await expectInboundAudioGrowing(pages.alice, 'out');
      await expectInboundAudioGrowing(pages.bob, incoming);
      expect([await newest('alice'), await newest('bob')]).toEqual([aliceOut, bobOut]);
      await hangUp('alice', 'out', 'bob', incoming);
    });

    it('setting the output device: default works, an unknown id is device-not-found', async () => {
      await startDevices(['alice', 'bob']);
      const incoming = await establishCall('alice', 'speaker', 'bob');
      expect(await lab(pages.alice, 'setOutputDevice', 'speaker', 'default')).toEqual({ ok: true, value: undefined });

      const unknown = await lab(pages.alice, 'setOutputDevice', 'speaker', 'no-such-speaker');
      expect(unknown).toMatchObject({ ok: false, error: { isVoiceSDKError: true, code: 'device-not-found' } });
      expect(!unknown.ok && unknown.error.message).toMatch(/output device.*no-such-speaker/i);
      expect(await lab(pages.alice, 'status', 'speaker')).toBe('accepted');
      await expectInboundAudioGrowing(pages.alice, 'speaker');
      await hangUp('alice', 'speaker', 'bob', incoming);
    });
  });

  describe('recording', () => {
    it('records about three seconds of the call as audio that decodes and is not silent', async () => {
      await startDevices(['alice', 'bob']);
      const incoming = await establishCall('alice', 'rec', 'bob');
      await expectInboundAudioGrowing(pages.alice, 'rec');

      const result = await lab(pages.alice, 'record', 'rec', [{ state: 'recording', ms: 3000 }]);
      if (!result.ok) throw new Error(`recording failed: ${result.error.message}`);
      const recording = result.value;
      console.info(
        `recording: ${recording.recordedMs.toFixed(0)} ms recorded -> ${recording.decodedMs.toFixed(0)} ms decoded, ` +
          `${recording.size} bytes ${recording.type}, RMS ${recording.rms.toFixed(4)}`,
      );
      expect(recording.type).toMatch(/^audio\/webm/);
      // At least the 3 s asked for (less 600 ms), and as long as the page measured the recording states to last: on
      // a loaded machine the states run late, so the decoded length is judged against what was measured (800 ms slack).
      expect(recording.decodedMs).toBeGreaterThanOrEqual(3000 - 600);
      expect(Math.abs(recording.decodedMs - recording.recordedMs)).toBeLessThanOrEqual(800);
      expect(recording.rms).toBeGreaterThan(SILENCE_RMS);
      expect(await lab(pages.alice, 'status', 'rec')).toBe('accepted');
      await hangUp('alice', 'rec', 'bob', incoming);
    });

    it('leaves a paused span out of the recording', async () => {
      await startDevices(['alice', 'bob']);
      const incoming = await establishCall('alice', 'paused', 'bob');
      await expectInboundAudioGrowing(pages.alice, 'paused');

      const result = await lab(pages.alice, 'record', 'paused', [
        { state: 'recording', ms: 1500 },
        { state: 'paused', ms: 1500 },
        { state: 'recording', ms: 1500 },
      ]);
      if (!result.ok) throw new Error(`recording failed: ${result.error.message}`);
      const recording = result.value;
      console.info(
        `paused recording: ${recording.recordedMs.toFixed(0)} ms recorded + ${recording.pausedMs.toFixed(0)} ms paused ` +
          `-> ${recording.decodedMs.toFixed(0)} ms decoded, RMS ${recording.rms.toFixed(4)}, ` +
          `windows ${recording.windowRms.map((rms) => rms.toFixed(3)).join(' ')}`,
      );
      expect(recording.pausedMs).toBeGreaterThanOrEqual(1500);
      // At least the 3 s asked for (less 600 ms), and as long as the page measured the recording states to last: on
      // a loaded machine the states run late, so the decoded length is judged against what was measured (800 ms slack).
      expect(recording.decodedMs).toBeGreaterThanOrEqual(3000 - 600);
      expect(Math.abs(recording.decodedMs - recording.recordedMs)).toBeLessThanOrEqual(800);
      expect(recording.rms).toBeGreaterThan(SILENCE_RMS);
      // Sound after the resume too: the last second is not silent.
      expect(Math.max(...recording.windowRms.slice(-2))).toBeGreaterThan(SILENCE_RMS);
      await hangUp('alice', 'paused', 'bob', incoming);
    });
  });

  describe('secure WebSocket', () => {
    it('places and answers a call with both devices on wss, and audio flows both ways', async () => {
      await startDevices(['alice', 'bob'], kamailio.wssUrl);
      expect(kamailio.wssUrl).toMatch(/^wss:\/\//);
      const incoming = await establishCall('alice', 'secure', 'bob');
      expect(await lab(pages.bob, 'incoming', incoming)).toMatchObject({
        direction: 'inbound',
        remoteIdentity: sipUri('alice'),
      });
      expect(await lab(pages.bob, 'status', incoming)).toBe('accepted');
      await expectInboundAudioGrowing(pages.alice, 'secure');
      await expectInboundAudioGrowing(pages.bob, incoming);
      await hangUp('alice', 'secure', 'bob', incoming);
    });
  });

  it('logged no page errors and Kamailio reported none', () => {
    expect(browser.consoleErrors()).toEqual([]);
    expect(kamailioErrors(kamailio)).toEqual([]);
  });
});
