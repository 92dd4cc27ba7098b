/**
 * The port conformance suite (test/conformance/port-conformance.ts) against
 * the fake adapter: two or more fake user agents on one in-memory network,
 * driven through the port alone. The same scenarios run against SIP.js in
 * Chromium in test/e2e/port.conformance.e2e.test.ts.
 */
import { describe, it } from 'vitest';
import type { CallFact, CallPort, UserAgentPort } from '../../src/adapters/adapter';
import { createFakeNetwork } from '../../src/testing';
import type { FakeCallPort } from '../../src/adapters/fake/call';
import { toVoiceSDKError } from '../../src/errors';
import { DOMAIN, PARTY_DISPLAY_NAMES, PARTY_USERS, SCENARIOS, uriOf, type Fact, type Outcome, type Party, type PortLab } from '../conformance/port-conformance';

interface Tracked {
  call: CallPort;
  /** The last `stream` fact of each direction. */
  streams: { local?: MediaStream; remote?: MediaStream };
  facts: Fact[];
}

const WAIT_MS = 5000;

async function attempt(action: () => Promise<unknown> | unknown): Promise<Outcome> {
  try {
    await action();
    return { ok: true };
  } catch (error) {
    const { code, status } = toVoiceSDKError(error);
    return { ok: false, error: { code, ...(status === undefined ? {} : { status }) } };
  }
}

/** Polls `check` on real timers (the fake network's deliveries are 0 ms timeouts). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Healthy media progress is timing, not outcome (as on the SIP.js side). */
const told = (fact: CallFact): boolean =>
  fact.type !== 'stream' &&
  (fact.type !== 'media' || [fact.ice, fact.connection].some((state) => ['failed', 'disconnected', 'closed'].includes(state)));

function fakeLab(): PortLab {
  const users = Object.fromEntries(
    Object.entries(PARTY_USERS)
      .filter(([party]) => party !== 'mallory')
      .map(([, { user, password }]) => [user, password]),
  );
  const network = createFakeNetwork({ domain: DOMAIN, users: { ...users, carol: 'carolpw' } });
  const agents = new Map<Party, UserAgentPort>();
  const calls = new Map<string, Tracked>();
  const incomingCount = new Map<Party, number>();
  const taken = new Map<Party, number>();
  const transportLost = new Map<Party, Array<{ code?: string }>>();
  const key = (party: Party, label: string): string => `${party}/${label}`;
  const tracked = (party: Party, label: string): Tracked => {
    const found = calls.get(key(party, label));
    if (!found) throw new Error(`no call ${label} on ${party}`);
    return found;
  };
  const track = (party: Party, label: string, call: CallPort): void => {
    const entry: Tracked = { call, facts: [], streams: {} };
    call.subscribe((fact) => {
      if (fact.type === 'stream') entry.streams[fact.direction] = fact.stream;
      if (told(fact)) entry.facts.push({ ...fact });
    });
    calls.set(key(party, label), entry);
  };
  const agent = (party: Party): UserAgentPort => {
    const ua = agents.get(party);
    if (!ua) throw new Error(`${party} has not started`);
    return ua;
  };
  return {
    async start(party) {
      const { user, password } = PARTY_USERS[party];
      const ua = network.adapter({
        uri: uriOf(user),
        password,
        ...(PARTY_DISPLAY_NAMES[party] === undefined ? {} : { displayName: PARTY_DISPLAY_NAMES[party] }),
        headerPrefix: 'X-Callchart-',
        iceServers: [],
        iceGatheringTimeoutMs: 500,
        registerExpires: 300,
        userAgentString: 'callchart-conformance',
      });
      agents.set(party, ua);
      transportLost.set(party, []);
      ua.onTransportLost((error) => transportLost.get(party)!.push({ code: error.code }));
      ua.onIncomingCall((call) => {
        const n = (incomingCount.get(party) ?? 0) + 1;
        incomingCount.set(party, n);
        track(party, `in${n}`, call);
      });
      return attempt(() => ua.connect('wss://sip.callchart.test/ws'));
    },
    register: (party) => attempt(() => agent(party).register()),
    async call(party, label, target, headers = {}) {
      const call = agent(party).createCall({ target, headers });
      track(party, label, call);
      return attempt(() => call.invite());
    },
    async nextIncoming(party) {
      const n = (taken.get(party) ?? 0) + 1;
      taken.set(party, n);
      await until(() => (incomingCount.get(party) ?? 0) >= n, `${party}'s incoming call in${n}`);
      return `in${n}`;
    },
    async identity(party, label) {
      const { call } = tracked(party, label);
      return { remoteIdentity: call.remoteIdentity, customHeaders: { ...call.customHeaders } };
    },
    remoteParty: async (party, label) => ({ ...tracked(party, label).call.remoteParty }),
    async callWithVideo(party, label, target) {
      const call = agent(party).createCall({ target, headers: {}, video: true });
      track(party, label, call);
      return attempt(() => call.invite());
    },
    answerWithVideo: (party, label) => attempt(() => tracked(party, label).call.answer({ video: true })),
    setVideo: (party, label, on) => attempt(() => tracked(party, label).call.reinvite({ hold: false, video: on })),
    async streamKinds(party, label) {
      const { streams } = tracked(party, label);
      const kinds = (stream: MediaStream | undefined) => (stream?.getTracks() ?? []).filter((t) => t.readyState === 'live').map((t) => t.kind).sort();
      return { local: kinds(streams.local), remote: kinds(streams.remote) };
    },
    facts: async (party, label) => tracked(party, label).facts.map((fact) => ({ ...fact })),
    async waitForFact(party, label, type, count = 1) {
      const entry = tracked(party, label);
      await until(() => entry.facts.filter((fact) => fact.type === type).length >= count, `${count} '${type}' on ${party}/${label}`);
    },
    answer: (party, label) => attempt(() => tracked(party, label).call.answer()),
    reject: (party, label, status) => attempt(() => tracked(party, label).call.reject(status)),
    cancel: (party, label) => attempt(() => tracked(party, label).call.cancel()),
    bye: (party, label) => attempt(() => tracked(party, label).call.bye()),
    reinvite: (party, label, hold) => attempt(() => tracked(party, label).call.reinvite({ hold })),
    restartIce: (party, label, hold) => attempt(() => tracked(party, label).call.reinvite({ hold, iceRestart: true })),
    inboundPackets: async (party, label) => inboundPacketsOf(await tracked(party, label).call.getStats()),
    async setSending(party, label, enabled) {
      tracked(party, label).call.setSending(enabled);
    },
    sending: async (party, label) => (tracked(party, label).call as FakeCallPort).sendingAudio,
    sendDtmf: (party, label, digits, method) =>
      attempt(() => tracked(party, label).call.sendDtmf(digits, { method, durationMs: 100, gapMs: 70 })),
    setInputDevice: (party, label, id) => attempt(() => tracked(party, label).call.setInputDevice(id)),
    microphones: async () => network.inputDevices.filter((id) => id !== 'default'),
    async callWithMicrophone(party, label, target, deviceId) {
      const call = agent(party).createCall({ target, headers: {}, inputDeviceId: deviceId });
      track(party, label, call);
      return attempt(() => call.invite());
    },
    answerWithMicrophone: (party, label, deviceId) => attempt(() => tracked(party, label).call.answer({ inputDeviceId: deviceId })),
    microphone: async (party, label) => {
      const call = tracked(party, label).call as FakeCallPort;
      return call.mediaOpen ? call.inputDeviceId : undefined;
    },
    setOutputDevice: (party, label, id) => attempt(() => tracked(party, label).call.setOutputDevice(id)),
    async refuseNextReinvite(_party, status) {
      network.failNextReinvite(status);
    },
    async answerAcrossCancel(caller, callLabel, callee, incomingLabel) {
      await Promise.all([tracked(callee, incomingLabel).call.answer(), tracked(caller, callLabel).call.cancel()]);
    },
    async disposeCall(party, label) {
      tracked(party, label).call.dispose();
    },
    refer: (party, label, target) =>
      attempt(() => tracked(party, label).call.refer(typeof target === 'string' ? target : tracked(party, target.call).call)),
    async respondToRefer(party, label, status) {
      tracked(party, label).call.respondToRefer(status);
    },
    async followRefer(party, label, newLabel) {
      const call = agent(party).createReferredCall(tracked(party, label).call);
      track(party, newLabel, call);
      return attempt(() => call.invite());
    },
    async replacesOf(party, label) {
      const id = tracked(party, label).call.replaces;
      return [...calls.entries()].find(([key, entry]) => key.startsWith(`${party}/`) && id !== undefined && entry.call.id === id)?.[0].slice(party.length + 1);
    },
    async loseTransport() {
      for (const party of agents.keys()) network.dropTransport(uriOf(PARTY_USERS[party].user));
    },
    transportLost: async (party) => transportLost.get(party) ?? [],
  };
}

describe('port conformance: the fake adapter', () => {
  const lab = fakeLab();
  for (const scenario of SCENARIOS) it(scenario.name, () => scenario.run(lab));
});

/** packetsReceived of the inbound audio in a getStats() report (0 without one). */
function inboundPacketsOf(report: RTCStatsReport | undefined): number {
  let packets = 0;
  report?.forEach((entry: { type?: string; kind?: string; packetsReceived?: number }) => {
    if (entry.type === 'inbound-rtp' && entry.kind === 'audio') packets += entry.packetsReceived ?? 0;
  });
  return packets;
}
