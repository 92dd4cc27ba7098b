/**
 * The port conformance suite: ONE list of scenarios, run against the fake
 * adapter in Node (test/unit/port.conformance.test.ts) and against the SIP.js
 * adapter in Chromium through Kamailio (test/e2e/port.conformance.e2e.test.ts).
 * Each scenario drives the port alone — playing the call machine's part where
 * a decision is needed — and asserts the facts both adapters must report, in
 * order. Healthy media progress (ICE new / checking / connected) is timing,
 * not outcome, and is left out of the compared facts.
 */
import { expect } from 'vitest';
import { sipfragStatus } from '../../src/sip/refer';
import type { RemoteParty } from '../../src/adapters/adapter';
import { remoteIdentity } from '../../src/sip/target';

/** A port fact as recorded (plain data). */
export interface Fact {
  type: string;
  [field: string]: unknown;
}

export type Outcome = { ok: true; value?: unknown } | { ok: false; error: { code?: string; status?: number } };

/** The parties: registered users, and one with a wrong password. */
export type Party = 'alice' | 'bob' | 'numeric' | 'e164' | 'mallory';

/** The SIP users behind the parties (`mallory` tries carol's account with a wrong password). */
export const PARTY_USERS: Record<Party, { user: string; password: string }> = {
  alice: { user: 'alice', password: 'alicepw' },
  bob: { user: 'bob', password: 'bobpw' },
  numeric: { user: '1002', password: '1002pw' },
  e164: { user: '+15550001002', password: 'e164pw' },
  mallory: { user: 'carol', password: 'not-carols-pw' },
};

/** Display names the parties' user agents put in their From (the others have none). */
export const PARTY_DISPLAY_NAMES: Partial<Record<Party, string>> = { alice: 'Alice Liddell' };

export const DOMAIN = 'callchart.test';
export const uriOf = (user: string): string => `sip:${user}@${DOMAIN}`;

/** What a scenario can do with the adapter under test. Labels name calls; incoming ones are `in1`, `in2`, … per party. */
export interface PortLab {
  /** Creates the party's user agent and connects it. */
  start(party: Party): Promise<Outcome>;
  register(party: Party): Promise<Outcome>;
  /** createCall({ target, headers }) + invite(). */
  call(party: Party, label: string, target: string, headers?: Record<string, string>): Promise<Outcome>;
  /** Waits for the party's next incoming call; returns its label. */
  nextIncoming(party: Party): Promise<string>;
  identity(party: Party, label: string): Promise<{ remoteIdentity: string; customHeaders: Record<string, string> }>;
  /** The call's `remoteParty` (what the headers naming the far end said). */
  remoteParty(party: Party, label: string): Promise<RemoteParty>;
  /** createCall({ target, headers: {}, video: true }) + invite(). */
  callWithVideo(party: Party, label: string, target: string): Promise<Outcome>;
  /** answer({ video: true }). */
  answerWithVideo(party: Party, label: string): Promise<Outcome>;
  /** reinvite({ hold: false, video: on }). */
  setVideo(party: Party, label: string, on: boolean): Promise<Outcome>;
  /** The live track kinds (sorted) of the call's last local and remote `stream` facts. */
  streamKinds(party: Party, label: string): Promise<{ local: string[]; remote: string[] }>;
  /** The facts of the call so far (healthy media progress left out). */
  facts(party: Party, label: string): Promise<Fact[]>;
  /** Waits until the call has reported `count` facts of `type`. */
  waitForFact(party: Party, label: string, type: string, count?: number): Promise<void>;
  answer(party: Party, label: string): Promise<Outcome>;
  reject(party: Party, label: string, status: number): Promise<Outcome>;
  cancel(party: Party, label: string): Promise<Outcome>;
  bye(party: Party, label: string): Promise<Outcome>;
  reinvite(party: Party, label: string, hold: boolean): Promise<Outcome>;
  /** reinvite({ hold, iceRestart: true }): an ICE restart. */
  restartIce(party: Party, label: string, hold: boolean): Promise<Outcome>;
  /** Inbound audio packets of the call so far (getStats() inbound-rtp). */
  inboundPackets(party: Party, label: string): Promise<number>;
  setSending(party: Party, label: string, enabled: boolean): Promise<void>;
  /** Whether the call's microphone track is sent. */
  sending(party: Party, label: string): Promise<boolean>;
  sendDtmf(party: Party, label: string, digits: string, method: 'rfc2833' | 'info'): Promise<Outcome>;
  setInputDevice(party: Party, label: string, deviceId: string): Promise<Outcome>;
  /** The party's microphones besides the default one (device ids). */
  microphones(party: Party): Promise<string[]>;
  /** createCall({ target, headers: {}, inputDeviceId }) + invite(). */
  callWithMicrophone(party: Party, label: string, target: string, deviceId: string): Promise<Outcome>;
  /** answer({ inputDeviceId }). */
  answerWithMicrophone(party: Party, label: string, deviceId: string): Promise<Outcome>;
  /** The device id of the microphone the call sends (undefined without one). */
  microphone(party: Party, label: string): Promise<string | undefined>;
  setOutputDevice(party: Party, label: string, deviceId: string): Promise<Outcome>;
  /** The next re-INVITE towards `party` is answered `status` without reaching its call. */
  refuseNextReinvite(party: Party, status: number): Promise<void>;
  /** The callee answers and the caller cancels at once, so that the 2xx reaches the caller after its CANCEL. */
  answerAcrossCancel(caller: Party, callLabel: string, callee: Party, incomingLabel: string): Promise<void>;
  disposeCall(party: Party, label: string): Promise<void>;
  /** REFER on the call: to a URI (blind), or to the far end of the party's call `{ call }` (attended: Replaces). */
  refer(party: Party, label: string, target: string | { call: string }): Promise<Outcome>;
  /** Answers the last REFER the call reported. */
  respondToRefer(party: Party, label: string, status: number): Promise<void>;
  /** createReferredCall(call of `label`) + invite(), tracked as `newLabel`. */
  followRefer(party: Party, label: string, newLabel: string): Promise<Outcome>;
  /** The label of the party's call that the INVITE of `label` replaces (its Replaces header), if any. */
  replacesOf(party: Party, label: string): Promise<string | undefined>;
  /** The server drops every connection. */
  loseTransport(): Promise<void>;
  transportLost(party: Party): Promise<Array<{ code?: string }>>;
}

export interface Scenario {
  name: string;
  /** Why the stack logs errors in it (on purpose): a run that checks the console for errors runs it after that check. */
  logsErrors?: string;
  run(lab: PortLab): Promise<void>;
}

const ESTABLISHED = { type: 'established' };
/** What a browser-to-browser offer/answer settles on (and the fake's default far end): Opus with telephone-event/48000, INFO allowed. */
const NEGOTIATED = { type: 'negotiated', audioCodec: 'opus', clockRate: 48000, telephoneEvent: true, allowsInfo: true };
const TERMINATED = { type: 'terminated' };
const CONFIRMED = { type: 'confirmed' };
const RINGING = { type: 'provisional', status: 180 };

/** alice calls bob (who rings), returns bob's label once alice heard the 180. */
async function ring(lab: PortLab, label: string, headers?: Record<string, string>): Promise<string> {
  expect(await lab.call('alice', label, uriOf('bob'), headers)).toEqual({ ok: true });
  const incoming = await lab.nextIncoming('bob');
  await lab.waitForFact('alice', label, 'provisional');
  return incoming;
}

/** alice calls bob, bob answers: both established. */
async function connect(lab: PortLab, label: string): Promise<string> {
  const incoming = await ring(lab, label);
  expect(await lab.answer('bob', incoming)).toEqual({ ok: true });
  await lab.waitForFact('alice', label, 'negotiated');
  await lab.waitForFact('bob', incoming, 'confirmed');
  await lab.waitForFact('bob', incoming, 'negotiated');
  return incoming;
}

async function expectEnded(lab: PortLab, party: Party, label: string, facts: Fact[]): Promise<void> {
  await lab.waitForFact(party, label, 'terminated');
  expect(await lab.facts(party, label), `${party}'s facts on ${label}`).toEqual(facts);
}

async function hangUp(lab: PortLab, caller: string, callee: string): Promise<void> {
  expect(await lab.bye('alice', caller)).toEqual({ ok: true });
  await lab.waitForFact('bob', callee, 'terminated');
  await lab.waitForFact('alice', caller, 'terminated');
  await lab.disposeCall('alice', caller);
  await lab.disposeCall('bob', callee);
}

/** The NOTIFYs of a call as [event, sipfrag status]. */
const notified = (facts: Fact[]): Array<[unknown, number | undefined]> =>
  facts.filter((fact) => fact.type === 'notify').map((fact) => [fact.event, sipfragStatus(fact.body)]);

const bobReinvites = (facts: Fact[]): number => facts.filter((fact) => fact.type === 'reinvite').length;

/** The one list. Order matters: registration first, transport loss last. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'register: every party with the right password registers',
    async run(lab) {
      for (const party of ['alice', 'bob', 'numeric', 'e164'] as const) {
        expect(await lab.start(party)).toEqual({ ok: true });
        expect(await lab.register(party)).toEqual({ ok: true });
      }
    },
  },
  {
    name: 'wrong password: register fails with auth-failed (401)',
    async run(lab) {
      expect(await lab.start('mallory')).toEqual({ ok: true });
      expect(await lab.register('mallory')).toMatchObject({ ok: false, error: { code: 'auth-failed', status: 401 } });
    },
  },
  {
    name: 'call out and in, ringing, answer, headers in and out, identity of a user and a URI',
    async run(lab) {
      const incoming = await ring(lab, 'basic', { 'X-Callchart-TicketId': 'INC-4815' });
      expect(await lab.identity('bob', incoming)).toEqual({
        remoteIdentity: uriOf('alice'),
        customHeaders: { TicketId: 'INC-4815' },
      });
      expect(await lab.identity('alice', 'basic')).toEqual({
        remoteIdentity: uriOf('bob'),
        customHeaders: { TicketId: 'INC-4815' },
      });
      expect(await lab.facts('bob', incoming)).toEqual([]);
      expect(await lab.answer('bob', incoming)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'basic', 'negotiated');
      await lab.waitForFact('bob', incoming, 'negotiated');
      // The callee's dialog is confirmed by the caller's ACK, a round trip after its 200.
      await lab.waitForFact('bob', incoming, 'confirmed');
      expect(await lab.facts('alice', 'basic')).toEqual([RINGING, { type: 'final', status: 200 }, ESTABLISHED, CONFIRMED, NEGOTIATED]);
      expect(await lab.facts('bob', incoming)).toEqual([ESTABLISHED, NEGOTIATED, CONFIRMED]);
    },
  },
  {
    name: 'hold and resume: re-INVITEs with sendonly then sendrecv, the sender follows setSending',
    async run(lab) {
      // The call machine's order: stop sending, then re-INVITE.
      await lab.setSending('alice', 'basic', false);
      expect(await lab.reinvite('alice', 'basic', true)).toEqual({ ok: true });
      expect(await lab.sending('alice', 'basic')).toBe(false);
      await lab.waitForFact('bob', 'in1', 'reinvite');
      expect(await lab.reinvite('alice', 'basic', false)).toEqual({ ok: true });
      await lab.setSending('alice', 'basic', true);
      expect(await lab.sending('alice', 'basic')).toBe(true);
      await lab.waitForFact('bob', 'in1', 'reinvite', 2);
      expect(await lab.facts('bob', 'in1')).toEqual([
        ESTABLISHED,
        // The re-INVITEs change nothing the negotiated facts say: no second one.
        NEGOTIATED,
        CONFIRMED,
        { type: 'reinvite', direction: 'sendonly' },
        { type: 'reinvite', direction: 'sendrecv' },
      ]);
    },
  },
  {
    name: 'a refused re-INVITE rejects with the status and changes nothing at the far end',
    async run(lab) {
      await lab.refuseNextReinvite('bob', 488);
      expect(await lab.reinvite('alice', 'basic', true)).toMatchObject({ ok: false, error: { code: 'sip-error', status: 488 } });
      expect(await lab.facts('bob', 'in1')).toHaveLength(5);
      // The dialog is still usable.
      expect(await lab.reinvite('alice', 'basic', false)).toEqual({ ok: true });
      await lab.waitForFact('bob', 'in1', 'reinvite', 3);
    },
  },
  {
    name: 'mute: setSending(false) stops the microphone without signalling',
    async run(lab) {
      await lab.setSending('alice', 'basic', false);
      expect(await lab.sending('alice', 'basic')).toBe(false);
      await lab.setSending('alice', 'basic', true);
      expect(await lab.sending('alice', 'basic')).toBe(true);
      expect(await lab.facts('bob', 'in1')).toHaveLength(6);
    },
  },
  {
    name: 'DTMF both methods: RFC 4733 is not seen by the far end, INFO arrives one fact per digit',
    async run(lab) {
      expect(await lab.sendDtmf('alice', 'basic', '12', 'rfc2833')).toEqual({ ok: true });
      expect(await lab.sendDtmf('alice', 'basic', '4#', 'info')).toEqual({ ok: true });
      await lab.waitForFact('bob', 'in1', 'info', 2);
      expect((await lab.facts('bob', 'in1')).slice(6)).toEqual([
        { type: 'info', contentType: 'application/dtmf-relay', body: 'Signal=4\r\nDuration=100' },
        { type: 'info', contentType: 'application/dtmf-relay', body: 'Signal=#\r\nDuration=100' },
      ]);
      expect(await lab.sendDtmf('alice', 'basic', '1x', 'rfc2833')).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    },
  },
  {
    name: 'device switching: unknown ids are device-not-found, the default device works',
    async run(lab) {
      expect(await lab.setInputDevice('alice', 'basic', 'no-such-microphone')).toMatchObject({
        ok: false,
        error: { code: 'device-not-found' },
      });
      expect(await lab.setInputDevice('alice', 'basic', 'default')).toEqual({ ok: true });
      expect(await lab.sending('alice', 'basic')).toBe(true);
      expect(await lab.setOutputDevice('alice', 'basic', 'no-such-speaker')).toMatchObject({
        ok: false,
        error: { code: 'device-not-found' },
      });
      expect(await lab.setOutputDevice('alice', 'basic', 'default')).toEqual({ ok: true });
    },
  },
  {
    name: 'held by the far end: its sendonly offer is reported; our next offer is sendrecv again (RFC 6337), not stuck at recvonly',
    async run(lab) {
      const before = (await lab.facts('alice', 'basic')).length;
      const bobFacts = await lab.facts('bob', 'in1');
      const bobBefore = bobFacts.length;
      expect(await lab.reinvite('bob', 'in1', true)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'basic', 'reinvite', 1);
      expect(await lab.reinvite('bob', 'in1', false)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'basic', 'reinvite', 2);
      expect((await lab.facts('alice', 'basic')).slice(before)).toEqual([
        { type: 'reinvite', direction: 'sendonly' },
        { type: 'reinvite', direction: 'sendrecv' },
      ]);
      // Held again, and this time alice re-offers (a refresh while held): sendrecv from her side.
      expect(await lab.reinvite('bob', 'in1', true)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'basic', 'reinvite', 3);
      expect(await lab.reinvite('alice', 'basic', false)).toEqual({ ok: true });
      await lab.waitForFact('bob', 'in1', 'reinvite', bobReinvites(bobFacts) + 1);
      expect((await lab.facts('bob', 'in1')).slice(bobBefore).filter((fact) => fact.type === 'reinvite')).toEqual([
        { type: 'reinvite', direction: 'sendrecv' },
      ]);
      expect(await lab.reinvite('bob', 'in1', false)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'basic', 'reinvite', 4);
    },
  },
  {
    name: 'ICE restart: the re-INVITE is answered, the far end sees a sendrecv re-INVITE, media flows on both ends; nothing fails',
    async run(lab) {
      const before = { alice: (await lab.facts('alice', 'basic')).length, bob: await lab.facts('bob', 'in1') };
      expect(await lab.restartIce('alice', 'basic', false)).toEqual({ ok: true });
      await lab.waitForFact('bob', 'in1', 'reinvite', bobReinvites(before.bob) + 1);
      expect((await lab.facts('bob', 'in1')).slice(before.bob.length)).toEqual([{ type: 'reinvite', direction: 'sendrecv' }]);
      // Healthy media progress is left out: no failed / disconnected fact on either end.
      expect((await lab.facts('alice', 'basic')).slice(before.alice)).toEqual([]);
      for (const [party, label] of [['alice', 'basic'], ['bob', 'in1']] as const) {
        const packets = await lab.inboundPackets(party, label);
        await expect.poll(() => lab.inboundPackets(party, label), { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(packets + 10);
      }
      // The far end restarts too (it can answer and offer): the dialog stays usable.
      const aliceReinvites = (await lab.facts('alice', 'basic')).filter((fact) => fact.type === 'reinvite').length;
      expect(await lab.restartIce('bob', 'in1', false)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'basic', 'reinvite', aliceReinvites + 1);
      expect(await lab.reinvite('alice', 'basic', false)).toEqual({ ok: true });
    },
  },
  {
    name: 'hangup by the caller: BYE; the callee sees bye then terminated',
    async run(lab) {
      const before = (await lab.facts('bob', 'in1')).length;
      await hangUp(lab, 'basic', 'in1');
      expect((await lab.facts('alice', 'basic')).at(-1)).toEqual(TERMINATED);
      expect((await lab.facts('bob', 'in1')).slice(before)).toEqual([{ type: 'bye' }, TERMINATED]);
    },
  },
  {
    name: 'hangup by the callee: the caller sees bye then terminated',
    async run(lab) {
      const incoming = await connect(lab, 'callee-hangs-up');
      expect(await lab.bye('bob', incoming)).toEqual({ ok: true });
      await expectEnded(lab, 'alice', 'callee-hangs-up', [
        RINGING,
        { type: 'final', status: 200 },
        ESTABLISHED,
        CONFIRMED,
        NEGOTIATED,
        { type: 'bye' },
        TERMINATED,
      ]);
      await expectEnded(lab, 'bob', incoming, [ESTABLISHED, NEGOTIATED, CONFIRMED, TERMINATED]);
      await lab.disposeCall('alice', 'callee-hangs-up');
      await lab.disposeCall('bob', incoming);
    },
  },
  {
    name: 'busy and decline: final 486 and 603',
    async run(lab) {
      for (const status of [486, 603]) {
        const label = `refused-${status}`;
        const incoming = await ring(lab, label);
        expect(await lab.reject('bob', incoming, status)).toEqual({ ok: true });
        await expectEnded(lab, 'alice', label, [RINGING, { type: 'final', status }, TERMINATED]);
        await expectEnded(lab, 'bob', incoming, [TERMINATED]);
      }
    },
  },
  {
    name: 'not found: final 404 without ringing',
    async run(lab) {
      expect(await lab.call('alice', 'nobody', uriOf('nobody'))).toEqual({ ok: true });
      await expectEnded(lab, 'alice', 'nobody', [{ type: 'final', status: 404 }, TERMINATED]);
    },
  },
  {
    name: 'cancel: final 487 for the caller; the callee sees cancel then terminated',
    async run(lab) {
      const incoming = await ring(lab, 'canceled');
      expect(await lab.cancel('alice', 'canceled')).toEqual({ ok: true });
      await expectEnded(lab, 'alice', 'canceled', [RINGING, { type: 'final', status: 487 }, TERMINATED]);
      await expectEnded(lab, 'bob', incoming, [{ type: 'cancel' }, TERMINATED]);
    },
  },
  {
    name: '200 crossing CANCEL: the caller sees final 200 and no established; the machine hangs up with BYE',
    async run(lab) {
      const incoming = await ring(lab, 'crossed');
      await lab.answerAcrossCancel('alice', 'crossed', 'bob', incoming);
      await lab.waitForFact('alice', 'crossed', 'final');
      // The call machine's decision, as the chart takes it: bye().
      expect(await lab.bye('alice', 'crossed')).toEqual({ ok: true });
      await expectEnded(lab, 'alice', 'crossed', [RINGING, { type: 'final', status: 200 }, TERMINATED]);
      // The caller ACKs the 2xx before its BYE.
      await expectEnded(lab, 'bob', incoming, [ESTABLISHED, NEGOTIATED, CONFIRMED, { type: 'bye' }, TERMINATED]);
      await lab.disposeCall('alice', 'crossed');
      await lab.disposeCall('bob', incoming);
    },
  },
  {
    name: 'video: offered and answered with video, both send and receive; a re-INVITE without our video stops it one way; streams carry the tracks',
    async run(lab) {
      const lastVideo = async (party: Party, label: string) => (await lab.facts(party, label)).filter((f) => f.type === 'video').at(-1);
      expect(await lab.callWithVideo('alice', 'video', uriOf('bob'))).toEqual({ ok: true });
      const incoming = await lab.nextIncoming('bob');
      expect(await lab.answerWithVideo('bob', incoming)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'video', 'video');
      await lab.waitForFact('bob', incoming, 'video');
      expect(await lastVideo('alice', 'video')).toEqual({ type: 'video', sending: true, receiving: true });
      expect(await lastVideo('bob', incoming)).toEqual({ type: 'video', sending: true, receiving: true });
      const both = { local: ['audio', 'video'], remote: ['audio', 'video'] };
      expect(await lab.streamKinds('alice', 'video')).toEqual(both);
      expect(await lab.streamKinds('bob', incoming)).toEqual(both);
      expect(await lab.setVideo('alice', 'video', false)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'video', 'video', 2);
      await lab.waitForFact('bob', incoming, 'video', 2);
      expect(await lastVideo('alice', 'video')).toEqual({ type: 'video', sending: false, receiving: true });
      expect(await lastVideo('bob', incoming)).toEqual({ type: 'video', sending: true, receiving: false });
      expect((await lab.streamKinds('alice', 'video')).local).toEqual(['audio']);
      expect(await lab.bye('alice', 'video')).toEqual({ ok: true });
      await lab.waitForFact('bob', incoming, 'terminated');
    },
  },
  {
    name: 'a microphone named with the INVITE or the answer is the one the call opens, and stays after re-INVITEs',
    async run(lab) {
      const [aliceMic] = await lab.microphones('alice');
      const [bobMic] = await lab.microphones('bob');
      expect(aliceMic, "a microphone besides alice's default").toBeDefined();
      expect(bobMic, "a microphone besides bob's default").toBeDefined();
      expect(await lab.callWithMicrophone('alice', 'mic', uriOf('bob'), aliceMic!)).toEqual({ ok: true });
      const incoming = await lab.nextIncoming('bob');
      await lab.waitForFact('alice', 'mic', 'provisional');
      // Opened for the INVITE: before the far end answers.
      expect(await lab.microphone('alice', 'mic')).toBe(aliceMic);
      expect(await lab.answerWithMicrophone('bob', incoming, bobMic!)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'mic', 'negotiated');
      expect(await lab.microphone('bob', incoming)).toBe(bobMic);
      expect(await lab.reinvite('alice', 'mic', true)).toEqual({ ok: true });
      expect(await lab.reinvite('alice', 'mic', false)).toEqual({ ok: true });
      expect(await lab.reinvite('bob', incoming, true)).toEqual({ ok: true });
      expect(await lab.reinvite('bob', incoming, false)).toEqual({ ok: true });
      expect([await lab.microphone('alice', 'mic'), await lab.microphone('bob', incoming)]).toEqual([aliceMic, bobMic]);
      await hangUp(lab, 'mic', incoming);
    },
  },
  {
    name: 'a microphone that is not there fails the call device-not-found: the INVITE never goes out, the answer is a 480',
    logsErrors: 'SIP.js logs the offer / answer it could not make as errors',
    async run(lab) {
      expect(await lab.callWithMicrophone('alice', 'no-mic', uriOf('bob'), 'no-such-microphone')).toMatchObject({
        ok: false,
        error: { code: 'device-not-found' },
      });
      await expectEnded(lab, 'alice', 'no-mic', [TERMINATED]);
      const ringing = await ring(lab, 'no-mic-in');
      expect(await lab.answerWithMicrophone('bob', ringing, 'no-such-microphone')).toMatchObject({
        ok: false,
        error: { code: 'device-not-found' },
      });
      await expectEnded(lab, 'alice', 'no-mic-in', [RINGING, { type: 'final', status: 480 }, TERMINATED]);
      await expectEnded(lab, 'bob', ringing, [TERMINATED]);
      await lab.disposeCall('alice', 'no-mic');
      await lab.disposeCall('alice', 'no-mic-in');
      await lab.disposeCall('bob', ringing);
    },
  },
  {
    name: 'remote party: the callee sees the caller\'s From display name and URI; the caller the target it called',
    async run(lab) {
      expect(await lab.call('alice', 'named', uriOf('bob'))).toEqual({ ok: true });
      const incoming = await lab.nextIncoming('bob');
      const callee = await lab.remoteParty('bob', incoming);
      expect(callee.displayName).toBe(PARTY_DISPLAY_NAMES.alice);
      expect(remoteIdentity(callee.uri ?? '')).toBe(uriOf('alice'));
      expect(callee.assertedIdentity).toBeUndefined();
      const caller = await lab.remoteParty('alice', 'named');
      expect(remoteIdentity(caller.uri ?? '')).toBe(uriOf('bob'));
      expect(caller.displayName).toBeUndefined();
      expect(await lab.reject('bob', incoming, 486)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'named', 'terminated');
    },
  },
  {
    name: 'remote identity: an E.164 user shows as the number; an extension (1002) and a name as the SIP URI',
    async run(lab) {
      for (const [party, identity] of [
        ['numeric', uriOf('1002')],
        ['e164', '+15550001002'],
      ] as const) {
        const label = `from-${party}`;
        expect(await lab.call(party, label, uriOf('bob'))).toEqual({ ok: true });
        const incoming = await lab.nextIncoming('bob');
        expect((await lab.identity('bob', incoming)).remoteIdentity).toBe(identity);
        expect(await lab.reject('bob', incoming, 486)).toEqual({ ok: true });
        await lab.waitForFact(party, label, 'terminated');
      }
      expect(await lab.call('alice', 'to-numeric', uriOf('1002'))).toEqual({ ok: true });
      expect((await lab.identity('alice', 'to-numeric')).remoteIdentity).toBe(uriOf('1002'));
      const incoming = await lab.nextIncoming('numeric');
      expect((await lab.identity('numeric', incoming)).remoteIdentity).toBe(uriOf('alice'));
      expect(await lab.reject('numeric', incoming, 603)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'to-numeric', 'terminated');
    },
  },
  {
    name: 'blind transfer: REFER answered 202, the referred INVITE carries no Replaces, its progress comes back as NOTIFY sipfrags',
    async run(lab) {
      const bobIn = await connect(lab, 'xfer');
      const referring = lab.refer('alice', 'xfer', uriOf('1002'));
      await lab.waitForFact('bob', bobIn, 'refer');
      expect((await lab.facts('bob', bobIn)).filter((fact) => fact.type === 'refer')).toEqual([
        { type: 'refer', referTo: `<${uriOf('1002')}>`, id: 'refer-1' },
      ]);
      await lab.respondToRefer('bob', bobIn, 202);
      expect(await referring).toEqual({ ok: true });
      expect(await lab.followRefer('bob', bobIn, 'followed')).toEqual({ ok: true });
      const numericIn = await lab.nextIncoming('numeric');
      expect(await lab.replacesOf('numeric', numericIn)).toBeUndefined();
      expect((await lab.identity('numeric', numericIn)).remoteIdentity).toBe(uriOf('bob'));
      expect(await lab.answer('numeric', numericIn)).toEqual({ ok: true });
      await lab.waitForFact('bob', 'followed', 'negotiated');
      await lab.waitForFact('alice', 'xfer', 'notify', 3);
      // The status lines, as the referred INVITE's responses came (the proxy's 100 has its own reason phrase).
      expect(notified(await lab.facts('alice', 'xfer'))).toEqual([
        ['refer', 100],
        ['refer', 180],
        ['refer', 200],
      ]);
      // What the transfer charts do next: the transferor hangs up; the referred call goes on.
      await hangUp(lab, 'xfer', bobIn);
      expect(await lab.bye('bob', 'followed')).toEqual({ ok: true });
      await lab.waitForFact('numeric', numericIn, 'terminated');
      await lab.disposeCall('bob', 'followed');
      await lab.disposeCall('numeric', numericIn);
    },
  },
  {
    name: 'a refused REFER (603) rejects refer() with its status; the call is unchanged and can REFER again',
    async run(lab) {
      const bobIn = await connect(lab, 'xfer-refused');
      const referring = lab.refer('alice', 'xfer-refused', uriOf('1002'));
      await lab.waitForFact('bob', bobIn, 'refer');
      await lab.respondToRefer('bob', bobIn, 603);
      expect(await referring).toMatchObject({ ok: false, error: { status: 603 } });
      const again = lab.refer('alice', 'xfer-refused', uriOf('1002'));
      await lab.waitForFact('bob', bobIn, 'refer', 2);
      await lab.respondToRefer('bob', bobIn, 603);
      expect(await again).toMatchObject({ ok: false, error: { status: 603 } });
      await hangUp(lab, 'xfer-refused', bobIn);
    },
  },
  {
    name: 'attended transfer: Refer-To with Replaces; the referred INVITE reaches the call it names (replaces reported); a Replaces naming nothing gets 481',
    async run(lab) {
      const bobIn = await connect(lab, 'held');
      expect(await lab.call('alice', 'consult', uriOf('1002'))).toEqual({ ok: true });
      const consultIn = await lab.nextIncoming('numeric');
      expect(await lab.answer('numeric', consultIn)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'consult', 'negotiated');
      await lab.waitForFact('numeric', consultIn, 'confirmed');
      const referring = lab.refer('alice', 'held', { call: 'consult' });
      await lab.waitForFact('bob', bobIn, 'refer');
      const refer = (await lab.facts('bob', bobIn)).find((fact) => fact.type === 'refer');
      expect(String(refer?.referTo)).toMatch(/\?Replaces=/i);
      await lab.respondToRefer('bob', bobIn, 202);
      expect(await referring).toEqual({ ok: true });
      expect(await lab.followRefer('bob', bobIn, 'replacing')).toEqual({ ok: true });
      const replacingIn = await lab.nextIncoming('numeric');
      expect(await lab.replacesOf('numeric', replacingIn)).toBe(consultIn);
      expect(await lab.answer('numeric', replacingIn)).toEqual({ ok: true });
      await lab.waitForFact('alice', 'held', 'notify', 3);
      expect(notified(await lab.facts('alice', 'held')).at(-1)).toEqual(['refer', 200]);
      // The stack left the replaced call alone (the chart ends it): still up until someone hangs up.
      expect((await lab.facts('numeric', consultIn)).map((fact) => fact.type)).not.toContain('terminated');
      for (const [party, label, far, farLabel] of [
        ['alice', 'held', 'bob', bobIn],
        ['alice', 'consult', 'numeric', consultIn],
        ['bob', 'replacing', 'numeric', replacingIn],
      ] as const) {
        expect(await lab.bye(party, label)).toEqual({ ok: true });
        await lab.waitForFact(far, farLabel, 'terminated');
        await lab.disposeCall(party, label);
        await lab.disposeCall(far, farLabel);
      }

      // A Replaces that names a dialog gone by the time the INVITE comes: the target answers 481, the transferor hears it.
      const bobAgain = await connect(lab, 'stale');
      expect(await lab.call('alice', 'consult-2', uriOf('1002'))).toEqual({ ok: true });
      const consultAgain = await lab.nextIncoming('numeric');
      expect(await lab.answer('numeric', consultAgain)).toEqual({ ok: true });
      await lab.waitForFact('numeric', consultAgain, 'confirmed');
      await lab.waitForFact('alice', 'consult-2', 'negotiated');
      const staleReferring = lab.refer('alice', 'stale', { call: 'consult-2' });
      await lab.waitForFact('bob', bobAgain, 'refer');
      await lab.respondToRefer('bob', bobAgain, 202);
      expect(await staleReferring).toEqual({ ok: true });
      expect(await lab.bye('alice', 'consult-2')).toEqual({ ok: true });
      await lab.waitForFact('numeric', consultAgain, 'terminated');
      await lab.disposeCall('alice', 'consult-2');
      await lab.disposeCall('numeric', consultAgain);
      expect(await lab.followRefer('bob', bobAgain, 'stale-follow')).toEqual({ ok: true });
      await lab.waitForFact('bob', 'stale-follow', 'terminated');
      expect((await lab.facts('bob', 'stale-follow')).filter((fact) => fact.type === 'final')).toEqual([{ type: 'final', status: 481 }]);
      await lab.waitForFact('alice', 'stale', 'notify', 2);
      expect(notified(await lab.facts('alice', 'stale')).at(-1)).toEqual(['refer', 481]);
      await lab.disposeCall('bob', 'stale-follow');
      await hangUp(lab, 'stale', bobAgain);
    },
  },
  {
    name: 'transport loss: every connected user agent reports transport-failed',
    async run(lab) {
      await lab.loseTransport();
      for (const party of ['alice', 'bob'] as const) {
        expect(await lab.transportLost(party)).toMatchObject([{ code: 'transport-failed' }]);
      }
    },
  },
];
