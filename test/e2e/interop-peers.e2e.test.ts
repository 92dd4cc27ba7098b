// callchart against other stacks: a plain SIP.js 0.21.2 user agent and a
// JsSIP 3.13 one (no callchart code, e2e/pages/plain-sipjs/ and
// e2e/pages/jssip/) each call a callchart device through Kamailio in
// Chromium, put it on hold and resume, and send DTMF by SIP INFO. What the callchart side must show: `remote-hold` true / false, no
// quality warning for the whole remote hold, its own hold working while it is
// remote-held (its re-offers sendonly / sendrecv from its side, RFC 6337), and
// one `dtmf` event per INFO, in order, with the INFO's duration; and the
// peer's display name in `call.info`.
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/interop-peers.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CleanupStack, USERS, bundleJsSip, kamailioErrors, pageApi, sipUri, startSdkRig, waitFor, type SdkRig } from '../../e2e/harness/index.js';
import { lab, openLabPages, tearDownLabPages, type InboundAudio } from './sdk/calls-helpers.js';
import { labDriver, untilAudioGrows } from './sdk/lab-driver.js';

/** The part of window.phone (e2e/pages/plain-sipjs/phone.js) used here. */
interface PhoneApi {
  register(options: { server: string; user: string; password: string; sipDomain: string; displayName?: string }): Promise<{ ms: number }>;
  call(user: string): Promise<{ established: boolean; statusCode?: number; ms: number }>;
  sessionState(index?: number): string;
  inboundAudio(): Promise<{ packetsReceived: number; bytesReceived: number; totalAudioEnergy: number }>;
  sendInfo(body: string): Promise<number>;
  hold(onHold: boolean): Promise<{ statusCode: number; ms: number }>;
  hangup(): Promise<void>;
  stop(): Promise<void>;
}
const phone = pageApi<PhoneApi>('phone');

/** The part of window.jssipPhone (e2e/pages/jssip/phone.js) used here. */
interface JsSipApi {
  register(options: { server: string; user: string; password: string; sipDomain: string; displayName?: string }): Promise<void>;
  call(target: string): Promise<{ established: boolean; cause?: string }>;
  hold(onHold: boolean): Promise<{ ok: boolean; ms: number }>;
  sendInfo(contentType: string, body: string): Promise<number>;
  inboundAudio(): Promise<{ packetsReceived: number; totalAudioEnergy: number }>;
  hangup(): void;
  ended(): boolean;
  stop(): Promise<void>;
}
const jssip = pageApi<JsSipApi>('jssipPhone');
/** JsSIP's account (Kamailio's users in e2e/kamailio). */
const JSSIP_ACCOUNT = { user: '+15550001002', password: 'e164pw' };

/** What the tests do with the other stack's phone, whichever it is. */
interface Peer {
  name: string;
  /** The display name its From carries, and its user (the number bob should see). */
  displayName: string;
  user: string;
  /** Calls bob; resolves once established. */
  call(): Promise<{ established: boolean; ms: number }>;
  /** Holds / resumes by re-INVITE; resolves once answered. */
  hold(onHold: boolean): Promise<{ ok: boolean; ms: number }>;
  sendInfo(contentType: string, body: string): Promise<number>;
  inbound(): Promise<{ packetsReceived: number }>;
  /** Hangs up its call if one is up. */
  hangup(): Promise<void>;
}

const WAIT = { timeoutMs: 15_000, intervalMs: 25 };
/** The direction attribute of the first audio m-line of an SDP. */
const audioDirection = (sdp: string): string | undefined => {
  const audio = sdp.split(/\r?\n(?=m=)/).find((section) => section.startsWith('m=audio'));
  return /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(audio ?? '')?.[1];
};

describe('callchart with a plain SIP.js peer through Kamailio in Chromium', () => {
  const cleanup = new CleanupStack();
  let rig: SdkRig;
  let bob: Page;
  const peers: Record<'plain SIP.js' | 'JsSIP', Peer> = {} as never;
  const figures: string[] = [];

  // bob is the one SDK page (a calls lab); the peers are plain SIP.js and JsSIP pages.
  const driver = labDriver({ pages: () => ({ bob }), server: () => rig.kamailio.wsUrl, wait: WAIT });
  const waitForCallEvent = (label: string, type: string, detail?: string | boolean) => driver.callEvent('bob', label, type, { detail });

  /** bob (callchart, auto-answer) registered; the peer calling him; both sides up. */
  const peerCallsBob = async (peer: Peer): Promise<string> => {
    // Warnings judged from 1 s on, so that a whole remote hold is judged.
    await driver.registered('bob', { qualityWarnings: { gracePeriodMs: 1000 } });
    await lab(bob, 'setAutoAnswer', true);
    const before = await lab(bob, 'incomingLabels');
    const placed = await peer.call();
    expect(placed).toMatchObject({ established: true });
    const label = await driver.nextIncoming('bob', before);
    await waitForCallEvent(label, 'accepted');
    figures.push(`${peer.name} -> callchart (auto-answer): established in ${placed.ms.toFixed(0)} ms`);
    return label;
  };

  const bobInbound = (label: string): Promise<InboundAudio> => lab(bob, 'inboundAudio', label);
  const expectGrowing = (what: string, read: () => Promise<{ packetsReceived: number }>): Promise<number> =>
    untilAudioGrows(read, what, { ...WAIT, intervalMs: 50 }, { energy: false });

  beforeAll(async () => {
    rig = await startSdkRig(cleanup, await bundleJsSip(cleanup));
    ({ bob } = await openLabPages(rig.browser, ['bob'] as const, `${rig.server.url}/e2e/pages/sdk/index.html`));
    const { alice } = await rig.browser.openPages(['alice'] as const, `${rig.server.url}/e2e/pages/plain-sipjs/`, {
      readyExpression: 'window.phone !== undefined',
    });
    const { dave } = await rig.browser.openPages(['dave'] as const, `${rig.server.url}/e2e/pages/jssip/`, {
      readyExpression: 'window.jssipPhone !== undefined',
    });
    cleanup.add("alice's user agent (plain SIP.js)", () => phone(alice, 'stop'));
    cleanup.add("dave's user agent (JsSIP)", () => jssip(dave, 'stop'));
    const server = rig.kamailio.wsUrl;
    const sipDomain = rig.kamailio.domain;
    await phone(alice, 'register', { server, user: USERS.alice.user, password: USERS.alice.password, sipDomain, displayName: 'Alice Plain' });
    await jssip(dave, 'register', { server, ...JSSIP_ACCOUNT, sipDomain, displayName: 'Dave "JsSIP" Desk' });
    peers['plain SIP.js'] = {
      name: 'plain SIP.js',
      displayName: 'Alice Plain',
      user: USERS.alice.user,
      call: () => phone(alice, 'call', 'bob'),
      hold: async (onHold) => {
        const { statusCode, ms } = await phone(alice, 'hold', onHold);
        return { ok: statusCode === 200, ms };
      },
      sendInfo: (contentType, body) => {
        // The page sends application/dtmf-relay only.
        expect(contentType).toBe('application/dtmf-relay');
        return phone(alice, 'sendInfo', body);
      },
      inbound: () => phone(alice, 'inboundAudio'),
      hangup: async () => {
        if ((await phone(alice, 'sessionState')) === 'Established') await phone(alice, 'hangup');
      },
    };
    peers.JsSIP = {
      name: 'JsSIP',
      displayName: 'Dave "JsSIP" Desk',
      user: JSSIP_ACCOUNT.user,
      call: async () => {
        const started = Date.now();
        const placed = await jssip(dave, 'call', sipUri('bob'));
        return { established: placed.established, ms: Date.now() - started };
      },
      hold: (onHold) => jssip(dave, 'hold', onHold),
      sendInfo: (contentType, body) => jssip(dave, 'sendInfo', contentType, body),
      inbound: () => jssip(dave, 'inboundAudio'),
      hangup: async () => {
        if (!(await jssip(dave, 'ended'))) await jssip(dave, 'hangup');
      },
    };
  });

  afterEach(async () => {
    for (const peer of Object.values(peers)) await peer.hangup();
    const { failures, leftovers } = await tearDownLabPages({ bob }, ['bob']);
    expect(failures, 'tearing down bob').toEqual([]);
    expect(leftovers, 'left open in bob').toEqual([]);
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`measured:\n  ${figures.join('\n  ')}`);
    await cleanup.runAll();
  });

  describe.each(['plain SIP.js', 'JsSIP'] as const)('%s', (name) => {
    it(`${name} holds and resumes: remote-hold follows, no warning while held, our own hold still works meanwhile`, async () => {
      const peer = peers[name];
      const label = await peerCallsBob(peer);
      await expectGrowing("bob's inbound audio", () => bobInbound(label));

      const held = await peer.hold(true);
      expect(held.ok).toBe(true);
      const remoteHeld = await waitForCallEvent(label, 'remote-hold', true);
      expect(await lab(bob, 'callInfo', label)).toMatchObject({ remoteOnHold: true, onHold: false, status: 'accepted' });
      // bob answered the peer's sendonly offer recvonly.
      expect(audioDirection((await lab(bob, 'sdp', label)).local)).toBe('recvonly');

      // While remote-held, bob holds and resumes himself: his own offers say what
      // *he* does (sendonly, then sendrecv), not a copy of the far end's hold.
      expect(await lab(bob, 'hold', label, true)).toMatchObject({ ok: true });
      const heldOffer = audioDirection((await lab(bob, 'sdp', label)).local);
      expect(await lab(bob, 'hold', label, false)).toMatchObject({ ok: true });
      const resumedOffer = audioDirection((await lab(bob, 'sdp', label)).local);
      expect({ heldOffer, resumedOffer }).toEqual({ heldOffer: 'sendonly', resumedOffer: 'sendrecv' });
      expect(await lab(bob, 'callInfo', label)).toMatchObject({ remoteOnHold: true, onHold: false });

      // Let the held call run past the grace period so that warnings are judged.
      const start = await bobInbound(label);
      await waitFor(async () => (await bobInbound(label)).packetsReceived >= start.packetsReceived + 150, {
        timeoutMs: 20_000,
        intervalMs: 100,
        description: '3 s of packets on hold',
      });

      const resumed = await peer.hold(false);
      expect(resumed.ok).toBe(true);
      const remoteResumed = await waitForCallEvent(label, 'remote-hold', false);
      expect(await lab(bob, 'callInfo', label)).toMatchObject({ remoteOnHold: false, onHold: false, status: 'accepted' });
      await expectGrowing("bob's inbound audio after the resume", () => bobInbound(label));
      await expectGrowing(`${name}'s inbound audio after the resume`, () => peer.inbound());

      const events = await lab(bob, 'callEvents', label);
      expect(events.filter((event) => event.type === 'warning')).toEqual([]);
      expect(events.filter((event) => event.type === 'remote-hold').map((event) => event.detail)).toEqual([true, false]);
      figures.push(
        `remote hold by ${name}: re-INVITE ${held.ms.toFixed(0)} ms; bob's own hold/resume while held: offers ${heldOffer}/${resumedOffer}; ` +
          `resume ${resumed.ms.toFixed(0)} ms; ${(remoteResumed.at - remoteHeld.at).toFixed(0)} ms held, 0 warnings`,
      );

      await peer.hangup();
      expect(await waitForCallEvent(label, 'disconnect')).toMatchObject({ detail: 'remote-hangup' });
    });

    it(`${name}'s display name arrives in call.info (and its number, when its user is dialable)`, async () => {
      const peer = peers[name];
      const label = await peerCallsBob(peer);
      const { info } = await lab(bob, 'callInfo', label);
      const dialable = /^\+?[0-9*#]+$/.test(peer.user);
      expect(info).toMatchObject({ displayName: peer.displayName, uri: expect.stringContaining(peer.user) });
      expect(info.number).toBe(dialable ? peer.user : undefined);
      figures.push(`${name} caller info on bob: ${JSON.stringify(info)}`);
    });

    it(`DTMF by SIP INFO from ${name} arrives as dtmf events in order, with durations; a body that is no tone is ignored`, async () => {
      const peer = peers[name];
      const label = await peerCallsBob(peer);
      const tones = [
        ['1', 100],
        ['5', 160],
        ['9', 250],
        ['*', 100],
        ['#', 100],
        ['A', 400],
      ] as const;
      const started = Date.now();
      for (const [digit, duration] of tones) {
        expect(await peer.sendInfo('application/dtmf-relay', `Signal=${digit}\r\nDuration=${duration}`)).toBe(200);
        // Not a tone: answered, and no event.
        if (digit === '9') expect(await peer.sendInfo('application/dtmf-relay', 'Signal=Z\r\nDuration=100')).toBe(200);
      }
      // application/dtmf (the digit alone, no duration) from the stack that can send it.
      const plainDigit = name === 'JsSIP' ? [['7', undefined] as const] : [];
      for (const [digit] of plainDigit) expect(await peer.sendInfo('application/dtmf', digit)).toBe(200);
      const expected = [...tones, ...plainDigit];
      const elapsed = Date.now() - started;
      const received = await waitFor(
        async () => {
          const dtmf = (await lab(bob, 'callEvents', label)).filter((event) => event.type === 'dtmf');
          return dtmf.length >= expected.length ? dtmf : undefined;
        },
        { ...WAIT, description: "bob's dtmf events" },
      );
      expect(received.map((event) => [event.detail, event.durationMs])).toEqual(expected.map(([digit, duration]) => [digit, duration]));
      expect(await lab(bob, 'callInfo', label)).toMatchObject({ status: 'accepted' });
      figures.push(`INFO DTMF from ${name}: ${expected.length} tones (+1 non-tone) answered in ${elapsed} ms, all arrived in order`);
    });
  });

  it('logged no errors in Kamailio', () => {
    expect(kamailioErrors(rig.kamailio)).toEqual([]);
  });
});
