// The built SDK (dist/) in Chromium through the e2e Kamailio, media on
// loopback: registration (and a wrong password), calls with custom headers,
// two-way audio, mute, hold, and DTMF both ways of sending it. Each test makes
// its own devices and ends with every call hung up, every device destroyed,
// and nothing left open in the pages.
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/sdk-calls.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  USERS,
  countTelephoneEvents,
  kamailioErrors,
  readRtpPackets,
  startCapture,
  startSdkRig,
  telephoneEventPayloadTypes,
  waitFor,
  type E2EBrowser,
  type Kamailio,
} from '../../e2e/harness/index.js';
import {
  lab,
  openLabPages,
  readSipOverWebSocket,
  requestsOf,
  expectLabPagesTornDown,
  type LabDeviceOptions,
} from './sdk/calls-helpers.js';
import { labDriver } from './sdk/lab-driver.js';

const PAGE_PATH = '/e2e/pages/sdk/index.html';
const NAMES = ['alice', 'bob', 'carol'] as const;
type Name = (typeof NAMES)[number];
/** Generous: other e2e runs share these two cores. */
const WAIT = { timeoutMs: 15_000, intervalMs: 25 };

const TICKET_PARAMS = { ticketId: 'INC-4815', operator: 'ada' };
const WRONG_PASSWORD = 'not-carols-password';
/** WebSocket.OPEN (Node 20 has no WebSocket global). */
const WEBSOCKET_OPEN = 1;

describe('callchart SDK calls through Kamailio in Chromium', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let browser: E2EBrowser;
  let pages: Record<Name, Page>;
  const figures: string[] = [];

  const {
    deviceOptions,
    registered,
    nextIncoming,
    callEvent: waitForCallEvent,
    callAnswered,
    audioGrows: expectAudioGrowing,
    growthOver,
  } = labDriver({ pages: () => pages, server: () => kamailio.wsUrl, wait: WAIT });

  /**
   * alice calls bob, bob answers at once (auto-answer in his page) and both
   * see `accepted`; returns the labels and connect() → accepted on alice.
   */
  const establishCall = async (
    options: { alice?: Partial<LabDeviceOptions>; bob?: Partial<LabDeviceOptions> } = {},
  ): Promise<{ out: string; in: string; setupMs: number }> => {
    await registered('bob', options.bob);
    await registered('alice', options.alice);
    const { incoming, accepted } = await callAnswered('alice', 'bob');
    const setupMs = accepted.at - (await lab(pages.alice, 'connectStartedAt', 'out'));
    return { out: 'out', in: incoming, setupMs };
  };

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    ({ kamailio, browser } = rig);
    pages = await openLabPages(browser, NAMES, `${rig.server.url}${PAGE_PATH}`);
  });

  afterEach(async () => {
    // Every page is torn down and checked even when one fails.
    await expectLabPagesTornDown(pages, NAMES);
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`measured:\n  ${figures.join('\n  ')}`);
    await cleanup.runAll();
  });

  it('registers, unregisters and registers again, announcing each step in order', async () => {
    await lab(pages.alice, 'createDevice', deviceOptions('alice'));
    expect(await lab(pages.alice, 'device')).toMatchObject({ state: 'unregistered', transportState: 'disconnected' });
    /** The REGISTERs alice sends during `step`, and how it settled. */
    const registersDuring = async (step: 'register' | 'unregister') => {
      const before = (await lab(pages.alice, 'sentFrames')).length;
      const outcome = await lab(pages.alice, step);
      return { outcome, registers: requestsOf((await lab(pages.alice, 'sentFrames')).slice(before), 'REGISTER') };
    };
    const removesBinding = (frame: string): boolean => /^Expires:\s*0\r$/m.test(frame) || /^Contact:.*;expires=0\b/im.test(frame);

    const first = await registersDuring('register');
    expect(first.outcome).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'device')).toMatchObject({ state: 'registered', transportState: 'connected' });
    const off = await registersDuring('unregister');
    expect(off.outcome).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'device')).toMatchObject({ state: 'unregistered', transportState: 'connected' });
    const again = await registersDuring('register');
    expect(again.outcome).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'device')).toMatchObject({ state: 'registered', transportState: 'connected' });

    const registration = (await lab(pages.alice, 'deviceEvents')).filter((event) =>
      ['registering', 'registered', 'unregistered'].includes(event.type),
    );
    // Each event fires with device.state already saying the same thing.
    expect(registration.map(({ type, state }) => [type, state])).toEqual([
      ['registering', 'registering'],
      ['registered', 'registered'],
      ['unregistered', 'unregistered'],
      ['registering', 'registering'],
      ['registered', 'registered'],
    ]);
    expect((await lab(pages.alice, 'deviceEvents')).filter((event) => event.type === 'error')).toEqual([]);

    // On the wire: a binding (with the digest challenge at most once), its removal, a binding again.
    for (const step of [first, again]) {
      expect(step.registers.length).toBeGreaterThanOrEqual(1);
      expect(step.registers.length).toBeLessThanOrEqual(2);
      expect(step.registers.filter(removesBinding)).toEqual([]);
    }
    expect(off.registers.length).toBeGreaterThanOrEqual(1);
    expect(off.registers.every(removesBinding)).toBe(true);
    figures.push(
      `register (ws, digest challenge): first ${first.outcome.ms.toFixed(0)} ms (opens the socket, ${first.registers.length} REGISTERs), ` +
        `again ${again.outcome.ms.toFixed(0)} ms (${again.registers.length}); unregister ${off.outcome.ms.toFixed(0)} ms`,
    );
  });

  it('refuses a wrong password with auth-failed after at most two REGISTERs, and does not retry on its own', async () => {
    const sentBefore = (await lab(pages.carol, 'sentFrames')).length;
    await lab(pages.carol, 'createDevice', deviceOptions('carol', { password: WRONG_PASSWORD }));
    const outcome = await lab(pages.carol, 'register');
    expect(outcome).toMatchObject({ ok: false, error: { name: 'VoiceSDKError', code: 'auth-failed' } });
    const events = await lab(pages.carol, 'deviceEvents');
    expect(events.filter((event) => event.type === 'error')).toEqual([
      expect.objectContaining({ detail: 'auth-failed', state: 'unregistered' }),
    ]);
    expect(events.filter((event) => event.type === 'registered')).toEqual([]);
    const registers = requestsOf((await lab(pages.carol, 'sentFrames')).slice(sentBefore), 'REGISTER');
    expect(registers.length).toBeGreaterThanOrEqual(1);
    expect(registers.length).toBeLessThanOrEqual(2);

    // Nothing to wait for: a retry loop would show as more REGISTERs. The
    // reconnect backoff starts at 500 ms, so 2 s would see any loop.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(requestsOf((await lab(pages.carol, 'sentFrames')).slice(sentBefore), 'REGISTER')).toHaveLength(registers.length);
    expect(await lab(pages.carol, 'device')).toEqual({ state: 'unregistered', transportState: 'connected', calls: 0 });
    expect((await lab(pages.carol, 'deviceEvents')).length).toBe(events.length);
    figures.push(`wrong password: auth-failed after ${registers.length} REGISTERs in ${outcome.ms.toFixed(0)} ms`);
  });

  it('a device refused registration still places calls on its open socket, and they fail with auth-failed at the INVITE', async () => {
    await registered('bob');
    await lab(pages.carol, 'createDevice', deviceOptions('carol', { password: WRONG_PASSWORD }));
    expect(await lab(pages.carol, 'register')).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    const sentBefore = (await lab(pages.carol, 'sentFrames')).length;
    const bobBefore = await lab(pages.bob, 'incomingLabels');

    // connect() resolves once the INVITE is under way: the socket is still open.
    expect(await lab(pages.carol, 'connect', 'denied', { to: 'bob' })).toMatchObject({ ok: true });
    await waitForCallEvent('carol', 'denied', 'disconnect');
    // Kamailio challenges the INVITE (407), SIP.js answers once with the same wrong password, the second 407 is final.
    expect((await lab(pages.carol, 'callEvents', 'denied')).map(({ type, detail }) => [type, detail])).toEqual([
      ['error', 'auth-failed'],
      ['disconnect', 'failed'],
    ]);
    expect(await lab(pages.carol, 'callInfo', 'denied')).toMatchObject({ status: 'failed' });
    const invites = requestsOf((await lab(pages.carol, 'sentFrames')).slice(sentBefore), 'INVITE');
    expect(invites.length).toBeGreaterThanOrEqual(1);
    expect(invites.length).toBeLessThanOrEqual(2);
    // Same socket: it connected once, for the REGISTER.
    const events = await lab(pages.carol, 'deviceEvents');
    expect(events.filter((event) => event.type === 'connected')).toHaveLength(1);
    expect(await lab(pages.carol, 'device')).toEqual({ state: 'unregistered', transportState: 'connected', calls: 0 });
    // bob never heard of it.
    expect(await lab(pages.bob, 'incomingLabels')).toEqual(bobBefore);
  });

  it('a device refused registration is destroyed cleanly, and a new one fails the same way without looping', async () => {
    await lab(pages.carol, 'createDevice', deviceOptions('carol', { password: WRONG_PASSWORD }));
    expect(await lab(pages.carol, 'register')).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(await lab(pages.carol, 'endAll')).toMatchObject({ ok: true });
    expect(await lab(pages.carol, 'device')).toMatchObject({ state: 'destroyed' });
    expect((await lab(pages.carol, 'deviceEvents')).at(-1)).toMatchObject({ type: 'destroyed' });

    const sentBefore = (await lab(pages.carol, 'sentFrames')).length;
    await lab(pages.carol, 'createDevice', deviceOptions('carol', { password: WRONG_PASSWORD }));
    expect(await lab(pages.carol, 'register')).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    const registers = requestsOf((await lab(pages.carol, 'sentFrames')).slice(sentBefore), 'REGISTER');
    expect(registers.length).toBeGreaterThanOrEqual(1);
    expect(registers.length).toBeLessThanOrEqual(2);
    // As above: a loop would show within the first backoff step.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(requestsOf((await lab(pages.carol, 'sentFrames')).slice(sentBefore), 'REGISTER')).toHaveLength(registers.length);
  });

  it('alice calls bob with params: bob sees who calls and the params, alice sees ringing, then both see accepted', async () => {
    await registered('bob');
    await registered('alice');
    const sentBefore = (await lab(pages.alice, 'sentFrames')).length;
    const bobBefore = await lab(pages.bob, 'incomingLabels');
    expect(await lab(pages.alice, 'connect', 'out', { to: 'bob', params: TICKET_PARAMS })).toMatchObject({ ok: true });

    const incoming = await nextIncoming('bob', bobBefore);
    expect(await lab(pages.bob, 'callInfo', incoming)).toEqual({
      direction: 'inbound',
      status: 'pending',
      remoteIdentity: 'sip:alice@callchart.test',
      customHeaders: TICKET_PARAMS,
      muted: false,
      onHold: false,
      remoteOnHold: false,
      // The device sets no display name: the far end is named by its URI.
      info: { uri: 'sip:alice@callchart.test' },
    });
    const ringing = await waitForCallEvent('alice', 'out', 'ringing');
    expect(await lab(pages.alice, 'callInfo', 'out')).toMatchObject({ direction: 'outbound', status: 'ringing' });

    const accept = await lab(pages.bob, 'accept', incoming);
    expect(accept).toMatchObject({ ok: true });
    await waitForCallEvent('alice', 'out', 'accepted');
    // confirmed: alice's ACK goes out with her accepted; bob's comes with that ACK.
    await waitForCallEvent('bob', incoming, 'confirmed');
    expect((await lab(pages.alice, 'callEvents', 'out')).map((event) => event.type)).toEqual(['ringing', 'accepted', 'confirmed']);
    expect((await lab(pages.bob, 'callEvents', incoming)).map((event) => event.type)).toEqual(['accepted', 'confirmed']);
    expect(await lab(pages.alice, 'callInfo', 'out')).toMatchObject({
      status: 'accepted',
      remoteIdentity: 'sip:bob@callchart.test',
      customHeaders: TICKET_PARAMS,
    });
    expect(await lab(pages.bob, 'callInfo', incoming)).toMatchObject({ status: 'accepted' });

    // On the wire, each param is one header with the default prefix.
    const invite = requestsOf((await lab(pages.alice, 'sentFrames')).slice(sentBefore), 'INVITE').at(-1);
    expect(invite).toMatch(/^X-Callchart-TicketId: INC-4815\r$/m);
    expect(invite).toMatch(/^X-Callchart-Operator: ada\r$/m);
    figures.push(
      `call: connect() -> ringing ${(ringing.at - (await lab(pages.alice, 'connectStartedAt', 'out'))).toFixed(0)} ms, bob's accept() ${accept.ms.toFixed(0)} ms`,
    );
  });

  it("params round-trip with headerPrefix 'X-2Chat-' on both devices", async () => {
    await registered('bob', { headerPrefix: 'X-2Chat-' });
    await registered('alice', { headerPrefix: 'X-2Chat-' });
    const sentBefore = (await lab(pages.alice, 'sentFrames')).length;
    const bobBefore = await lab(pages.bob, 'incomingLabels');
    expect(await lab(pages.alice, 'connect', 'out', { to: 'bob', params: TICKET_PARAMS })).toMatchObject({ ok: true });
    const incoming = await nextIncoming('bob', bobBefore);
    expect((await lab(pages.bob, 'callInfo', incoming)).customHeaders).toEqual(TICKET_PARAMS);
    expect((await lab(pages.alice, 'callInfo', 'out')).customHeaders).toEqual(TICKET_PARAMS);
    const invite = requestsOf((await lab(pages.alice, 'sentFrames')).slice(sentBefore), 'INVITE').at(-1);
    expect(invite).toMatch(/^X-2Chat-TicketId: INC-4815\r$/m);
    expect(invite).toMatch(/^X-2Chat-Operator: ada\r$/m);
    expect(invite).not.toMatch(/^X-Callchart-/im);
    expect(await lab(pages.bob, 'accept', incoming)).toMatchObject({ ok: true });
    await waitForCallEvent('alice', 'out', 'accepted');
  });

  it('audio flows both ways once the call is accepted', async () => {
    const call = await establishCall();
    await expectAudioGrowing('alice', call.out);
    await expectAudioGrowing('bob', call.in);
    // The teardown checks rely on the page seeing the SDK's peer connection, microphone and socket.
    for (const name of ['alice', 'bob'] as const) {
      expect(await lab(pages[name], 'leftovers')).toMatchObject({
        peerConnections: expect.arrayContaining(['connected/stable']),
        microphoneTracks: expect.arrayContaining(['live']),
        sockets: expect.arrayContaining([WEBSOCKET_OPEN]),
      });
    }
    figures.push(`call setup, connect() -> accepted with an auto-answering callee: ${call.setupMs.toFixed(0)} ms`);
  });

  it("mute silences alice at bob's end, and unmute brings her back", async () => {
    const call = await establishCall();
    await expectAudioGrowing('bob', call.in);
    const talking = await growthOver('bob', call.in, 1000);
    expect(talking.totalAudioEnergy).toBeGreaterThan(0);

    expect(await lab(pages.alice, 'mute', call.out, true)).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'callInfo', call.out)).toMatchObject({ muted: true, status: 'accepted' });
    // What was in flight and in bob's jitter buffer still plays: wait for a silent second, then check the next.
    await waitFor(async () => (await growthOver('bob', call.in, 1000)).totalAudioEnergy <= talking.totalAudioEnergy * 0.01, {
      timeoutMs: 15_000,
      intervalMs: 0,
      description: "bob's inbound energy to stop growing",
    });
    const muted = await growthOver('bob', call.in, 1000);
    expect(muted.totalAudioEnergy).toBeLessThanOrEqual(talking.totalAudioEnergy * 0.01);
    // Mute is local (no signalling): the call stays up and packets (of silence) keep coming.
    expect(muted.packetsReceived).toBeGreaterThan(0);

    expect(await lab(pages.alice, 'mute', call.out, false)).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'callInfo', call.out)).toMatchObject({ muted: false });
    await waitFor(async () => (await growthOver('bob', call.in, 1000)).totalAudioEnergy >= talking.totalAudioEnergy * 0.25, {
      timeoutMs: 15_000,
      intervalMs: 0,
      description: "bob's inbound energy to grow again",
    });
    expect(
      (await lab(pages.alice, 'callEvents', call.out)).filter((event) => event.type === 'mute').map((event) => event.detail),
    ).toEqual([true, false]);
    figures.push(
      `mute: bob's inbound energy per second ${talking.totalAudioEnergy.toFixed(3)} talking, ${muted.totalAudioEnergy.toFixed(6)} muted`,
    );
  });

  it('hold sends a sendonly re-INVITE and stops the audio reaching the holder; unhold resumes it', async () => {
    const call = await establishCall();
    await expectAudioGrowing('alice', call.out);
    const sentBefore = (await lab(pages.alice, 'sentFrames')).length;

    const hold = await lab(pages.alice, 'hold', call.out, true);
    expect(hold).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'callInfo', call.out)).toMatchObject({ onHold: true, remoteOnHold: false, status: 'accepted' });
    // bob is held by alice: remote-hold, not his own hold.
    expect(await waitForCallEvent('bob', call.in, 'remote-hold')).toMatchObject({ detail: true });
    expect(await lab(pages.bob, 'callInfo', call.in)).toMatchObject({ onHold: false, remoteOnHold: true });
    const reinvites = requestsOf((await lab(pages.alice, 'sentFrames')).slice(sentBefore), 'INVITE');
    expect(reinvites).toHaveLength(1);
    expect(reinvites[0]).toMatch(/^a=sendonly\r$/m);
    expect((await lab(pages.alice, 'sdp', call.out)).local).toMatch(/^a=sendonly\r$/m);
    expect((await lab(pages.bob, 'sdp', call.in)).local).toMatch(/^a=recvonly\r$/m);
    // bob stops sending once his answer is applied: wait for a quiet half second, then check a whole one.
    await waitFor(async () => (await growthOver('alice', call.out, 500)).packetsReceived === 0, {
      timeoutMs: 15_000,
      intervalMs: 0,
      description: "alice's inbound packets to stop while on hold",
    });
    expect((await growthOver('alice', call.out, 1000)).packetsReceived).toBe(0);

    const resume = await lab(pages.alice, 'hold', call.out, false);
    expect(resume).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'callInfo', call.out)).toMatchObject({ onHold: false, status: 'accepted' });
    await waitFor(async () => (await lab(pages.bob, 'callInfo', call.in)).remoteOnHold === false, {
      ...WAIT,
      description: 'bob off remote hold',
    });
    const bobEvents = await lab(pages.bob, 'callEvents', call.in);
    expect(bobEvents.filter((event) => event.type === 'remote-hold').map((event) => event.detail)).toEqual([true, false]);
    // No inbound-audio (or any other) warning for the held party, the hold and its resume included.
    expect(bobEvents.filter((event) => event.type === 'warning')).toEqual([]);
    const all = requestsOf((await lab(pages.alice, 'sentFrames')).slice(sentBefore), 'INVITE');
    expect(all).toHaveLength(2);
    expect(all[1]).toMatch(/^a=sendrecv\r$/m);
    expect((await lab(pages.alice, 'sdp', call.out)).local).toMatch(/^a=sendrecv\r$/m);
    await expectAudioGrowing('alice', call.out);
    await expectAudioGrowing('bob', call.in);
    expect(
      (await lab(pages.alice, 'callEvents', call.out)).filter((event) => event.type === 'hold').map((event) => event.detail),
    ).toEqual([true, false]);
    figures.push(`hold re-INVITE ${hold.ms.toFixed(0)} ms, resume re-INVITE ${resume.ms.toFixed(0)} ms`);
  });

  it('a long remote hold raises no quality warning on the held side, while packets keep arriving', async () => {
    const call = await establishCall();
    // Past the 5 s grace period, so that warnings are judged at all.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    expect(await lab(pages.alice, 'hold', call.out, true)).toMatchObject({ ok: true });
    await waitForCallEvent('bob', call.in, 'remote-hold');
    // The holder's microphone is off (track disabled) but its sender keeps sending: bob's
    // audio metrics are not judged while he is remote-held (the unit tests show the
    // suppression itself: a warning that would fire does not).
    const held = await growthOver('bob', call.in, 7000);
    expect(await lab(pages.alice, 'hold', call.out, false)).toMatchObject({ ok: true });
    await waitFor(async () => (await lab(pages.bob, 'callInfo', call.in)).remoteOnHold === false, {
      ...WAIT,
      description: 'bob off remote hold',
    });
    await expectAudioGrowing('bob', call.in);
    const warnings = (await lab(pages.bob, 'callEvents', call.in)).filter((event) => event.type === 'warning');
    expect(warnings).toEqual([]);
    figures.push(
      `remote hold 7 s: bob received ${held.packetsReceived} packets, energy ${held.totalAudioEnergy.toExponential(1)}, warnings ${warnings.length}`,
    );
  });

  it('terminate() cancels a ringing call (487), rejects one 486, hangs up an answered one; confirmed on both sides', async () => {
    await registered('bob');
    await registered('alice');
    const disconnectOf = async (name: Name, label: string) => {
      const event = await waitForCallEvent(name, label, 'disconnect');
      return { reason: event.detail, status: event.status, cause: event.cause };
    };
    // Ringing, terminated by the caller: CANCEL.
    let before = await lab(pages.bob, 'incomingLabels');
    expect(await lab(pages.alice, 'connect', 't1', { to: 'bob' })).toMatchObject({ ok: true });
    let incoming = await nextIncoming('bob', before);
    await waitForCallEvent('alice', 't1', 'ringing');
    const cancel = await lab(pages.alice, 'terminate', 't1');
    expect(cancel).toMatchObject({ ok: true });
    expect(await disconnectOf('alice', 't1')).toEqual({ reason: 'canceled', status: 487, cause: undefined });
    expect((await disconnectOf('bob', incoming)).reason).toBe('canceled');
    // Ringing, terminated by the callee: 486.
    before = await lab(pages.bob, 'incomingLabels');
    expect(await lab(pages.alice, 'connect', 't2', { to: 'bob' })).toMatchObject({ ok: true });
    incoming = await nextIncoming('bob', before);
    const reject = await lab(pages.bob, 'terminate', incoming);
    expect(reject).toMatchObject({ ok: true });
    expect(await disconnectOf('alice', 't2')).toEqual({ reason: 'busy', status: 486, cause: undefined });
    expect(await disconnectOf('bob', incoming)).toEqual({ reason: 'rejected', status: 486, cause: undefined });
    // Answered: BYE.
    before = await lab(pages.bob, 'incomingLabels');
    await lab(pages.bob, 'setAutoAnswer', true);
    expect(await lab(pages.alice, 'connect', 't3', { to: 'bob' })).toMatchObject({ ok: true });
    incoming = await nextIncoming('bob', before);
    const aliceConfirmed = await waitForCallEvent('alice', 't3', 'confirmed');
    const bobConfirmed = await waitForCallEvent('bob', incoming, 'confirmed');
    const bobAccepted = await waitForCallEvent('bob', incoming, 'accepted');
    const bye = await lab(pages.alice, 'terminate', 't3');
    expect(bye).toMatchObject({ ok: true });
    expect(await disconnectOf('alice', 't3')).toEqual({ reason: 'local-hangup', status: undefined, cause: undefined });
    expect((await disconnectOf('bob', incoming)).reason).toBe('remote-hangup');
    expect(aliceConfirmed.state).toBe('accepted');
    figures.push(
      `terminate(): CANCEL ${cancel.ms.toFixed(0)} ms, 486 ${reject.ms.toFixed(0)} ms, BYE ${bye.ms.toFixed(0)} ms; ` +
        `inbound confirmed (ACK) ${(bobConfirmed.at - bobAccepted.at).toFixed(1)} ms after accepted`,
    );
  });

  it('disconnect tells the status and the Reason header of a peer that rejects or hangs up with one', async () => {
    await registered('bob');
    await registered('alice');
    // bob's part is played on the raw SIP.js session, as another stack would.
    let before = await lab(pages.bob, 'incomingLabels');
    expect(await lab(pages.alice, 'connect', 'r1', { to: 'bob' })).toMatchObject({ ok: true });
    let incoming = await nextIncoming('bob', before);
    expect(await lab(pages.bob, 'sessionReject', incoming, 486, 'Q.850;cause=17;text="User busy"')).toMatchObject({ ok: true });
    const busy = await waitForCallEvent('alice', 'r1', 'disconnect');
    expect(busy).toMatchObject({ detail: 'busy', status: 486, cause: 'Q.850;cause=17;text="User busy"' });

    before = await lab(pages.bob, 'incomingLabels');
    await lab(pages.bob, 'setAutoAnswer', true);
    expect(await lab(pages.alice, 'connect', 'r2', { to: 'bob' })).toMatchObject({ ok: true });
    incoming = await nextIncoming('bob', before);
    await waitForCallEvent('alice', 'r2', 'accepted');
    await waitForCallEvent('bob', incoming, 'confirmed');
    expect(await lab(pages.bob, 'sessionBye', incoming, 'Q.850;cause=16;text="Normal call clearing"')).toMatchObject({ ok: true });
    const hungUp = await waitForCallEvent('alice', 'r2', 'disconnect');
    expect(hungUp).toMatchObject({ detail: 'remote-hangup', cause: 'Q.850;cause=16;text="Normal call clearing"' });
    expect(hungUp.status).toBeUndefined();
  });

  it('call waiting: a second call answered while talking holds the first (its packets stop), switching back swaps them', async () => {
    await registered('alice');
    await registered('bob');
    await registered('carol');
    /** The frequencies of the first tone alice's page generates after `since` oscillators. */
    const nextTone = (since: number, what: string) =>
      waitFor(async () => {
        const { hz } = await lab(pages.alice, 'tones', since);
        return hz.length > 0 ? hz : undefined;
      }, { ...WAIT, description: what });
    // bob calls alice (she hears the ringtone: 400 + 450 Hz), she answers.
    let before = await lab(pages.alice, 'incomingLabels');
    const ringBefore = (await lab(pages.alice, 'tones')).count;
    expect(await lab(pages.bob, 'connect', 'to-alice', { to: 'alice' })).toMatchObject({ ok: true });
    const fromBob = await nextIncoming('alice', before);
    expect((await nextTone(ringBefore, "alice's ringtone")).slice(0, 2)).toEqual([400, 450]);
    expect(await lab(pages.alice, 'accept', fromBob)).toMatchObject({ ok: true });
    await expectAudioGrowing('alice', fromBob);
    // carol calls while they talk: it waits, with the call-waiting tone (one 440 Hz oscillator), not the ringtone (400 + 450 Hz).
    before = await lab(pages.alice, 'incomingLabels');
    const tonesBefore = (await lab(pages.alice, 'tones')).count;
    expect(await lab(pages.carol, 'connect', 'to-alice', { to: 'alice' })).toMatchObject({ ok: true });
    const fromCarol = await nextIncoming('alice', before);
    await waitForCallEvent('carol', 'to-alice', 'ringing');
    expect(await lab(pages.alice, 'device')).toMatchObject({ calls: 2 });
    expect(await nextTone(tonesBefore, "alice's call-waiting tone")).toEqual([440]);
    // Answering carol holds bob first.
    const answer = await lab(pages.alice, 'accept', fromCarol);
    expect(answer).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'callInfo', fromBob)).toMatchObject({ onHold: true, status: 'accepted' });
    expect(await lab(pages.bob, 'callInfo', 'to-alice')).toMatchObject({ remoteOnHold: true });
    await waitFor(async () => (await growthOver('alice', fromBob, 500)).packetsReceived === 0, {
      timeoutMs: 15_000,
      intervalMs: 0,
      description: "alice's packets from bob to stop while he is held",
    });
    const heldBob = await growthOver('alice', fromBob, 1000);
    const talkingCarol = await growthOver('alice', fromCarol, 1000);
    expect(heldBob.packetsReceived).toBe(0);
    expect(talkingCarol.packetsReceived).toBeGreaterThan(25);
    // Back to bob: carol goes on hold first.
    const swap = await lab(pages.alice, 'hold', fromBob, false);
    expect(swap).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'callInfo', fromCarol)).toMatchObject({ onHold: true });
    expect(await lab(pages.alice, 'callInfo', fromBob)).toMatchObject({ onHold: false });
    await waitFor(async () => (await growthOver('alice', fromCarol, 500)).packetsReceived === 0, {
      timeoutMs: 15_000,
      intervalMs: 0,
      description: "alice's packets from carol to stop while she is held",
    });
    await expectAudioGrowing('alice', fromBob);
    const heldCarol = await growthOver('alice', fromCarol, 1000);
    expect(heldCarol.packetsReceived).toBe(0);
    // Both hung up.
    expect(await lab(pages.alice, 'disconnect', fromBob)).toMatchObject({ ok: true });
    expect(await lab(pages.alice, 'disconnect', fromCarol)).toMatchObject({ ok: true });
    expect(await waitForCallEvent('bob', 'to-alice', 'disconnect')).toMatchObject({ detail: 'remote-hangup' });
    expect(await waitForCallEvent('carol', 'to-alice', 'disconnect')).toMatchObject({ detail: 'remote-hangup' });
    figures.push(
      `call waiting: accept() holding the other ${answer.ms.toFixed(0)} ms, switch back ${swap.ms.toFixed(0)} ms; ` +
        `per second: held bob ${heldBob.packetsReceived} packets, talking carol ${talkingCarol.packetsReceived}, held carol ${heldCarol.packetsReceived}`,
    );
  });

  it('callWaiting: false answers a second call 486 while one is accepted; maxCalls: 1 the same', async () => {
    for (const policy of [{ callWaiting: false }, { maxCalls: 1 }]) {
      await registered('alice', policy);
      await registered('bob');
      await registered('carol');
      await lab(pages.alice, 'setAutoAnswer', true);
      const before = await lab(pages.alice, 'incomingLabels');
      expect(await lab(pages.bob, 'connect', 'to-alice', { to: 'alice' })).toMatchObject({ ok: true });
      await nextIncoming('alice', before);
      await waitForCallEvent('bob', 'to-alice', 'accepted');
      expect(await lab(pages.carol, 'connect', 'to-alice', { to: 'alice' })).toMatchObject({ ok: true });
      expect(await waitForCallEvent('carol', 'to-alice', 'disconnect')).toMatchObject({ detail: 'busy', status: 486 });
      expect(await lab(pages.alice, 'incomingLabels')).toHaveLength(before.length + 1);
      expect(await lab(pages.alice, 'device')).toMatchObject({ calls: 1 });
      for (const name of NAMES) {
        await lab(pages[name], 'setAutoAnswer', false);
        expect(await lab(pages[name], 'endAll')).toMatchObject({ ok: true });
      }
    }
  });

  it('sendDigits sends one RFC 4733 telephone-event per digit', async () => {
    const call = await establishCall();
    const localSdp = (await lab(pages.alice, 'sdp', call.out)).local;
    const eventTypes = telephoneEventPayloadTypes(localSdp);
    expect(eventTypes.length).toBeGreaterThan(0);
    const aliceSsrcs = [...localSdp.matchAll(/^a=ssrc:(\d+) /gm)].map((match) => Number(match[1]));

    const capture = await startCapture({ filter: 'udp' });
    try {
      const sent = await lab(pages.alice, 'sendDigits', call.out, '1234#');
      expect(sent).toMatchObject({ ok: true });
      // Packets reach the wire after the browser says the tones are done: wait for them.
      await capture.waitForRtp((packets) => countTelephoneEvents(packets, eventTypes) >= 5, {
        timeoutMs: 15_000,
        description: '5 telephone-events on the wire',
      });
      await capture.stop();
      const events = (await readRtpPackets(capture.file)).filter((packet) => eventTypes.includes(packet.payloadType));
      expect(countTelephoneEvents(events, eventTypes)).toBe(5);
      // All from alice's audio stream (one RTP timestamp per digit, counted above).
      expect([...new Set(events.map((packet) => packet.ssrc))]).toEqual([expect.toBeOneOf(aliceSsrcs)]);
      figures.push(
        `RFC 4733 DTMF '1234#': sendDigits() ${sent.ms.toFixed(0)} ms, ${events.length} packets, payload type ${[
          ...new Set(events.map((packet) => packet.payloadType)),
        ].join('/')}`,
      );
    } finally {
      await capture.dispose();
    }
    expect(await lab(pages.bob, 'callInfo', call.in)).toMatchObject({ status: 'accepted' });
  });

  it("sendDigits with dtmf method 'info' delivers one SIP INFO per digit to the far end", async () => {
    // The adapter owns the SIP.js session delegate (onBye, onCancel, onRefer…),
    // so `call.session.delegate` is not ours to replace: we watch the socket
    // instead. The capture must start before the WebSocket handshake for tshark
    // to decode SIP; udp port 9 lets startCapture's readiness probe through.
    const capture = await startCapture({ filter: `tcp port ${kamailio.wsPort} or udp port 9` });
    try {
      const call = await establishCall({ alice: { dtmf: { method: 'info' } } });
      const bobFramesBefore = (await lab(pages.bob, 'receivedFrames')).length;
      const sent = await lab(pages.alice, 'sendDigits', call.out, '1234#');
      // Each INFO is awaited until its 2xx: resolving means bob answered all five.
      expect(sent).toMatchObject({ ok: true });

      const expected = ['1', '2', '3', '4', '#'].map((digit) => `Signal=${digit}\r\nDuration=100`);
      const delivered = requestsOf((await lab(pages.bob, 'receivedFrames')).slice(bobFramesBefore), 'INFO');
      expect(delivered.map((frame) => frame.slice(frame.indexOf('\r\n\r\n') + 4))).toEqual(expected);
      expect(delivered.every((frame) => /^Content-Type: application\/dtmf-relay\r$/m.test(frame))).toBe(true);
      // bob's SDK turns them into dtmf events, in order.
      await waitFor(async () => (await lab(pages.bob, 'callEvents', call.in)).filter((e) => e.type === 'dtmf').length >= 5, {
        ...WAIT,
        description: "bob's five dtmf events",
      });
      const bobDigits = (await lab(pages.bob, 'callEvents', call.in)).filter((e) => e.type === 'dtmf');
      expect(bobDigits.map((event) => event.detail)).toEqual(['1', '2', '3', '4', '#']);
      figures.push(`INFO DTMF received: 5 dtmf events in order over ${(bobDigits.at(-1)!.at - bobDigits[0]!.at).toFixed(0)} ms`);

      const port = kamailio.wsPort;
      const infos = await waitFor(
        async () => {
          const messages = await readSipOverWebSocket(capture.file, port, `sip.CSeq.method == "INFO"`);
          return messages.filter((m) => m.srcPort === port && m.status === 200).length >= 5 ? messages : undefined;
        },
        { ...WAIT, intervalMs: 200, description: 'the INFO transactions in the capture' },
      );
      const toBob = infos.filter((m) => m.method === 'INFO' && m.srcPort === port);
      const fromAlice = infos.filter((m) => m.method === 'INFO' && m.dstPort === port);
      expect(toBob.map((m) => m.body)).toEqual(expected);
      expect(fromAlice).toHaveLength(5);
      // Delivered on one socket, and not alice's.
      expect(new Set(toBob.map((m) => m.dstPort)).size).toBe(1);
      expect(fromAlice.map((m) => m.srcPort)).not.toContain(toBob[0]!.dstPort);
      const roundTrips = fromAlice.map((request) => {
        const answer = infos.find((m) => m.status === 200 && m.cseq === request.cseq && m.srcPort === port);
        return (answer!.time - request.time) * 1000;
      });
      figures.push(
        `INFO DTMF '1234#': sendDigits() ${sent.ms.toFixed(0)} ms; INFO -> 200 through Kamailio ${roundTrips.map((ms) => ms.toFixed(1)).join(', ')} ms`,
      );

      // The adapter's own delegate still works: alice hangs up, bob sees it.
      expect(await lab(pages.alice, 'disconnect', call.out)).toMatchObject({ ok: true });
      expect(await waitForCallEvent('bob', call.in, 'disconnect')).toMatchObject({ detail: 'remote-hangup' });
    } finally {
      await capture.dispose();
    }
  });

  it('logged no errors (browser or Kamailio) and printed no password', () => {
    const all = browser.consoleMessages();
    for (const password of [...Object.values(USERS).map((user) => user.password), WRONG_PASSWORD]) {
      expect(all.filter((entry) => entry.text.includes(password))).toEqual([]);
    }
    expect(browser.consoleErrors()).toEqual([]);
    expect(kamailioErrors(kamailio)).toEqual([]);
  });
});
