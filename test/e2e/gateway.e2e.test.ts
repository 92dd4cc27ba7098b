// Calls through a real WebRTC <-> RTP gateway: the built SDK in Chromium,
// Kamailio (e2e/kamailio/gateway.cfg) with Debian's rtpengine (userspace),
// and baresip phones on plain RTP over UDP — one process per account:
//   phone  Opus (its default list: opus, PCMU, PCMA, G722)
//   pcmu   PCMU only
//   g722   G.722 only
// Each phone plays a 440 Hz tone and writes what it decodes to a WAV; the
// browser's fake microphone beeps. Every scenario prints its numbers.
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/gateway.e2e.test.ts
import { stat } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  PHONE_USERS,
  REPO_ROOT,
  assertIsolatedNetwork,
  kamailioErrors,
  launchBrowser,
  measureRecording,
  sendScriptedInvite,
  sipUri,
  startGateway,
  startPhone,
  startStaticServer,
  waitFor,
  type E2EBrowser,
  type Gateway,
  type Phone,
  type RecordingLoudness,
} from '../../e2e/harness/index.js';
import { lab, openLabPages, type InboundAudio, type LabDeviceOptions } from './sdk/calls-helpers.js';
import { labDriver } from './sdk/lab-driver.js';

const PAGE_PATH = '/e2e/pages/sdk/index.html';
/** Generous: other e2e runs share these two cores. */
const WAIT = { timeoutMs: 15_000, intervalMs: 25 };
/** How long media is let flow for each measurement, ms. */
const MEDIA_MS = 2000;
const DIGITS = '1234#';
const WEBSOCKET_CLOSED = 3;

type PhoneName = keyof typeof PHONE_USERS;

describe('calls through Kamailio + rtpengine to baresip phones on plain RTP', () => {
  const cleanup = new CleanupStack();
  let gateway: Gateway;
  let browser: E2EBrowser;
  let page: Page;
  const phones = {} as Record<PhoneName, Phone>;
  const table: string[] = [];
  const row = (scenario: string, figures: Record<string, string | number>): void => {
    table.push(`${scenario.padEnd(34)} ${Object.entries(figures).map(([key, value]) => `${key}=${value}`).join('  ')}`);
  };

  // The one SDK page is alice's (a calls lab); the phones are baresip.
  const driver = labDriver({ pages: () => ({ alice: page }), server: () => gateway.kamailio.wsUrl, wait: WAIT });
  const device = (extra: Partial<LabDeviceOptions> = {}): Promise<void> => driver.registered('alice', extra);

  /** What reached the browser on `label` during MEDIA_MS (media is let flow for a measured interval). */
  const browserGrowth = (label: string, ms = MEDIA_MS): Promise<InboundAudio> => driver.growthOver('alice', label, ms);

  const waitForCallEvent = (label: string, type: string) => driver.callEvent('alice', label, type);

  /** The phone's newest recording, measured once the phone closed it (call over). */
  const phoneRecording = async (phone: Phone, since: number): Promise<RecordingLoudness> => {
    const files = await phone.recordings();
    const fresh: string[] = [];
    for (const file of files) if ((await stat(file)).mtimeMs >= since) fresh.push(file);
    expect(fresh.length, `a recording of ${phone.user} written during the call`).toBeGreaterThan(0);
    return measureRecording(fresh.at(-1)!);
  };

  /** The browser calls `phone`, the phone answers; returns the setup time (connect() → accepted). */
  const callPhone = async (name: PhoneName, label: string): Promise<{ setupMs: number; from: number }> => {
    const phone = phones[name];
    const from = phone.events.length;
    expect(await lab(page, 'connect', label, { to: name })).toMatchObject({ ok: true });
    const incoming = await phone.waitForEvent((event) => event.type === 'CALL_INCOMING', 'the incoming call', from);
    expect((await phone.command('accept')).ok).toBe(true);
    const accepted = await waitForCallEvent(label, 'accepted');
    await phone.waitForEvent((event) => event.type === 'CALL_ESTABLISHED', 'the call established', from);
    expect(incoming.peeruri).toContain('alice');
    return { setupMs: accepted.at - (await lab(page, 'connectStartedAt', label)), from };
  };

  /** The phone calls the browser, which answers at once; returns the label of the call. */
  const phoneCalls = async (name: PhoneName): Promise<{ label: string; setupMs: number; from: number }> => {
    const phone = phones[name];
    const from = phone.events.length;
    await lab(page, 'setAutoAnswer', true);
    const before = await lab(page, 'incomingLabels');
    const dialedAt = Date.now();
    expect((await phone.command('dial', sipUri('alice'))).ok).toBe(true);
    const label = await waitFor(async () => (await lab(page, 'incomingLabels')).find((l) => !before.includes(l)), {
      ...WAIT,
      description: 'the phone call reaching the browser',
    });
    await waitForCallEvent(label, 'accepted');
    const established = await phone.waitForEvent((event) => event.type === 'CALL_ESTABLISHED', 'the call established', from);
    return { label, setupMs: established.at - dialedAt, from };
  };

  const hangUpInBrowser = async (label: string, phone: Phone, from: number): Promise<void> => {
    expect(await lab(page, 'disconnect', label)).toMatchObject({ ok: true });
    await phone.waitForEvent((event) => event.type === 'CALL_CLOSED', 'the call closed', from);
  };

  /** INFO requests the page sent since frame index `from`. */
  const infoRequests = async (from: number): Promise<string[]> =>
    (await lab(page, 'sentFrames')).slice(from).filter((frame) => frame.startsWith('INFO '));

  /** The first codec of the m=audio line of an SDP, from its rtpmap. */
  const firstCodec = (sdp: string): string => {
    const format = /^m=audio \d+ \S+ (\d+)/m.exec(sdp)?.[1];
    const rtpmap = new RegExp(`^a=rtpmap:${format} ([^\\s]+)`, 'm').exec(sdp)?.[1];
    return rtpmap ?? (format === '0' ? 'PCMU/8000' : format === '9' ? 'G722/8000' : `pt ${format}`);
  };

  beforeAll(async () => {
    assertIsolatedNetwork();
    gateway = await startGateway();
    cleanup.add('gateway', () => gateway.stop());
    let rtpBase = 42000;
    for (const name of Object.keys(PHONE_USERS) as PhoneName[]) {
      const codecs = name === 'pcmu' ? ['PCMU/8000/1'] : name === 'g722' ? ['G722/16000/1'] : undefined;
      phones[name] = await startPhone({
        ...PHONE_USERS[name],
        domain: gateway.kamailio.domain,
        proxyPort: gateway.udpPort,
        rtpPortBase: rtpBase,
        ...(codecs === undefined ? {} : { codecs }),
      });
      rtpBase += 100;
      const phone = phones[name];
      cleanup.add(`baresip ${name}`, () => phone.stop());
    }
    const server = await startStaticServer({ root: REPO_ROOT });
    cleanup.add('static server', () => server.stop());
    browser = await launchBrowser();
    cleanup.add('chromium', () => browser.close());
    ({ alice: page } = await openLabPages(browser, ['alice'] as const, `${server.url}${PAGE_PATH}`));
  });

  afterEach(async () => {
    await lab(page, 'setAutoAnswer', false);
    const ended = await lab(page, 'endAll');
    const { peerConnections, microphoneTracks, sockets } = await lab(page, 'leftovers');
    expect(ended, 'tearing down the page').toMatchObject({ ok: true });
    expect(peerConnections.filter((state) => state !== 'closed/closed'), 'open peer connections').toEqual([]);
    expect(microphoneTracks.filter((state) => state !== 'ended'), 'live microphone tracks').toEqual([]);
    expect(sockets.filter((state) => state !== WEBSOCKET_CLOSED), 'open WebSockets').toEqual([]);
  });

  afterAll(async () => {
    if (table.length > 0) console.info(`gateway scenarios:\n  ${table.join('\n  ')}`);
    const errors = gateway === undefined ? [] : kamailioErrors(gateway.kamailio);
    await cleanup.runAll();
    expect(errors, 'Kamailio errors').toEqual([]);
  });

  /** Browser media and the phone's recording of one call: the numbers every media scenario asserts and prints. */
  const expectMediaBothWays = async (label: string): Promise<InboundAudio> => {
    const media = await browserGrowth(label);
    expect(media.packetsReceived, 'packets from the phone in 2 s').toBeGreaterThan(60);
    expect(media.totalAudioEnergy, 'energy from the phone in 2 s').toBeGreaterThan(0.01);
    return media;
  };
  const expectPhoneHeard = async (phone: Phone, since: number): Promise<RecordingLoudness> => {
    const recording = await phoneRecording(phone, since);
    // The echo canceller fades the beep while the tone comes back: bursts, not a continuous tone.
    expect(recording.loudSeconds, `seconds of loud audio ${phone.user} decoded`).toBeGreaterThan(0.2);
    expect(recording.bursts, `bursts (≥ 100 ms) of loud audio ${phone.user} decoded`).toBeGreaterThanOrEqual(1);
    return recording;
  };
  const mediaFigures = (setupMs: number, media: InboundAudio, recording: RecordingLoudness) => ({
    setupMs: setupMs.toFixed(0),
    browserPackets2s: media.packetsReceived,
    browserEnergy2s: media.totalAudioEnergy.toFixed(3),
    phoneLoudSec: recording.loudSeconds.toFixed(2),
    phoneBursts: recording.bursts,
    phonePeakDbfs: recording.peakDbfs,
  });

  /** Sends DIGITS on `label`; returns what the phone got and how many INFO requests went out. */
  const sendDigitsTo = async (phone: Phone, label: string): Promise<{ digits: string; infoRequests: number; ms: number }> => {
    const framesBefore = (await lab(page, 'sentFrames')).length;
    const from = phone.events.length;
    const outcome = await lab(page, 'sendDigits', label, DIGITS);
    expect(outcome).toMatchObject({ ok: true });
    await phone.waitForEvent(() => phone.digitsReceived(from).length >= DIGITS.length, `the digits ${DIGITS}`, from);
    // Nothing more may follow: let the phone see any extra digit before comparing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { digits: phone.digitsReceived(from), infoRequests: (await infoRequests(framesBefore)).length, ms: outcome.ms };
  };

  it('callchart → phone (Opus, no BUNDLE from rtpengine): media both ways; DTMF falls back to SIP INFO; the browser hangs up', async () => {
    await device();
    const phone = phones.phone;
    const since = Date.now();
    const { setupMs, from } = await callPhone('phone', 'out');
    const sdp = await lab(page, 'sdp', 'out');
    expect(sdp.remote, 'rtpengine answers without BUNDLE').not.toMatch(/a=group:BUNDLE/);
    expect(firstCodec(sdp.remote)).toMatch(/^opus\/48000/i);
    const media = await expectMediaBothWays('out');

    // Opus/48000 with only telephone-event/8000: RFC 4733 would not arrive;
    // the phone's Allow lists INFO, so the digits go by INFO.
    expect(sdp.remote).not.toMatch(/telephone-event\/48000/);
    const dtmf = await sendDigitsTo(phone, 'out');
    expect(dtmf.digits).toBe(DIGITS);
    expect(dtmf.infoRequests, 'INFO requests').toBe(DIGITS.length);

    await hangUpInBrowser('out', phone, from);
    const recording = await expectPhoneHeard(phone, since);
    row('callchart→phone opus', mediaFigures(setupMs, media, recording));
    row('DTMF opus (rfc2833 preferred)', { phoneGot: dtmf.digits, via: `INFO x${dtmf.infoRequests}`, sendMs: dtmf.ms.toFixed(0) });
  });

  it('connect({ video: true }) to an audio-only phone: answered audio-only (m=video 0), audio flows both ways, no remote video, no error', async () => {
    await device();
    const phone = phones.phone;
    const since = Date.now();
    const from = phone.events.length;
    expect(await lab(page, 'connect', 'video', { to: 'phone', video: true })).toMatchObject({ ok: true });
    await phone.waitForEvent((event) => event.type === 'CALL_INCOMING', 'the incoming call', from);
    expect((await phone.command('accept')).ok).toBe(true);
    await waitForCallEvent('video', 'accepted');
    const sdp = await lab(page, 'sdp', 'video');
    expect(sdp.local, 'the browser offered video').toMatch(/^m=video [1-9]\d* /m);
    expect(sdp.remote, 'the gateway rejected the video stream').toMatch(/^m=video 0 /m);
    const media = await expectMediaBothWays('video');
    expect(await lab(page, 'callInfo', 'video')).toMatchObject({ status: 'accepted' });
    expect(await lab(page, 'videoFlags', 'video')).toEqual({ video: false, remoteVideo: false });
    expect((await lab(page, 'callEvents', 'video')).filter((event) => event.type === 'error')).toEqual([]);
    await hangUpInBrowser('video', phone, from);
    const recording = await expectPhoneHeard(phone, since);
    row('connect({ video }) → audio phone', { packets: media.packetsReceived, phoneLoudS: recording.loudSeconds.toFixed(1), video: 'm=video 0' });
  });

  it('phone → callchart (Opus; the phone offers plain RTP/AVP without ICE and without rtcp-mux): media both ways; the phone hangs up', async () => {
    await device();
    const phone = phones.phone;
    const since = Date.now();
    const traceBefore = phone.logs().length;
    const { label, setupMs, from } = await phoneCalls('phone');
    const offer = phone.logs().slice(traceBefore);
    const phoneSdp = offer.slice(offer.indexOf('INVITE sip:alice'));
    expect(phoneSdp, "the phone's own offer").toMatch(/m=audio \d+ RTP\/AVP /);
    expect(phoneSdp.slice(0, phoneSdp.indexOf('SIP/2.0 1')), "the phone's offer: no ICE, no rtcp-mux").not.toMatch(/a=ice-ufrag|a=rtcp-mux/);
    const sdp = await lab(page, 'sdp', label);
    expect(sdp.remote, 'what rtpengine offered the browser').toMatch(/a=ice-ufrag[\s\S]*a=rtcp-mux|a=rtcp-mux[\s\S]*a=ice-ufrag/);
    expect(sdp.remote).not.toMatch(/a=group:BUNDLE/);
    const media = await expectMediaBothWays(label);

    expect((await phone.command('hangup')).ok).toBe(true);
    const ended = await waitForCallEvent(label, 'disconnect');
    expect(ended.detail).toBe('remote-hangup');
    await phone.waitForEvent((event) => event.type === 'CALL_CLOSED', 'the call closed', from);
    const recording = await expectPhoneHeard(phone, since);
    row('phone→callchart opus, no ICE/mux', mediaFigures(setupMs, media, recording));
  });

  it('PCMU-only phone: media both ways and DTMF by RFC 4733 (telephone-event/8000 matches), no INFO', async () => {
    await device();
    const phone = phones.pcmu;
    const since = Date.now();
    const { setupMs, from } = await callPhone('pcmu', 'out');
    const sdp = await lab(page, 'sdp', 'out');
    expect(firstCodec(sdp.remote)).toMatch(/^PCMU\/8000/i);
    expect(sdp.remote).toMatch(/telephone-event\/8000/);
    const media = await expectMediaBothWays('out');
    const dtmf = await sendDigitsTo(phone, 'out');
    expect(dtmf.digits).toBe(DIGITS);
    expect(dtmf.infoRequests, 'INFO requests').toBe(0);
    await hangUpInBrowser('out', phone, from);
    const recording = await expectPhoneHeard(phone, since);
    row('callchart→phone PCMU only', mediaFigures(setupMs, media, recording));
    row('DTMF PCMU (RFC 4733)', { phoneGot: dtmf.digits, via: 'RFC 4733', infoRequests: dtmf.infoRequests, sendMs: dtmf.ms.toFixed(0) });
  });

  it("dtmf.method 'info': the digits go by SIP INFO even where RFC 4733 would work", async () => {
    await device({ dtmf: { method: 'info' } });
    const phone = phones.pcmu;
    const { from } = await callPhone('pcmu', 'out');
    const dtmf = await sendDigitsTo(phone, 'out');
    expect(dtmf.digits).toBe(DIGITS);
    expect(dtmf.infoRequests, 'INFO requests').toBe(DIGITS.length);
    await hangUpInBrowser('out', phone, from);
    row("DTMF dtmf.method 'info' (PCMU)", { phoneGot: dtmf.digits, via: `INFO x${dtmf.infoRequests}`, sendMs: dtmf.ms.toFixed(0) });
  });

  it('G.722 phone: media both ways', async () => {
    await device();
    const phone = phones.g722;
    const since = Date.now();
    const { setupMs, from } = await callPhone('g722', 'out');
    expect(firstCodec((await lab(page, 'sdp', 'out')).remote)).toMatch(/^G722\/8000/i);
    const media = await expectMediaBothWays('out');
    await hangUpInBrowser('out', phone, from);
    const recording = await expectPhoneHeard(phone, since);
    row('callchart→phone G.722', mediaFigures(setupMs, media, recording));
  });

  it('hold / resume through the gateway: the phone sees sendonly, the browser hears nothing, then the tone again', async () => {
    await device();
    const phone = phones.phone;
    const { from } = await callPhone('phone', 'out');
    await expectMediaBothWays('out');
    const traceBefore = phone.logs().length;
    const hold = await lab(page, 'hold', 'out', true);
    expect(hold).toMatchObject({ ok: true });
    const reinvite = phone.logs().slice(traceBefore);
    expect(reinvite, 'the re-INVITE the phone got').toMatch(/INVITE sip:[\s\S]*a=sendonly/);
    await waitFor(async () => (await browserGrowth('out', 300)).packetsReceived === 0, {
      ...WAIT,
      description: 'inbound audio to stop while on hold',
    });
    const held = await browserGrowth('out', 1000);
    expect(held.packetsReceived, 'packets while on hold (1 s)').toBe(0);
    const resume = await lab(page, 'hold', 'out', false);
    expect(resume).toMatchObject({ ok: true });
    const resumed = await expectMediaBothWays('out');
    await hangUpInBrowser('out', phone, from);
    row('hold / resume', {
      holdMs: hold.ms.toFixed(0),
      heldPackets1s: held.packetsReceived,
      resumeMs: resume.ms.toFixed(0),
      resumedPackets2s: resumed.packetsReceived,
    });
  });

  it('cancel before answer: the phone stops ringing, the call ends canceled', async () => {
    await device();
    const phone = phones.phone;
    const from = phone.events.length;
    expect(await lab(page, 'connect', 'out', { to: 'phone' })).toMatchObject({ ok: true });
    await phone.waitForEvent((event) => event.type === 'CALL_INCOMING', 'the incoming call', from);
    const canceled = await lab(page, 'disconnect', 'out');
    expect(canceled).toMatchObject({ ok: true });
    const closed = await phone.waitForEvent((event) => event.type === 'CALL_CLOSED', 'the call closed', from);
    expect((await waitForCallEvent('out', 'disconnect')).detail).toBe('canceled');
    row('cancel before answer', { cancelMs: canceled.ms.toFixed(0), phone: `${closed.type} ${closed.param ?? ''}`.trim() });
  });

  it('the phone rejects with 486: the call ends busy', async () => {
    await device();
    const phone = phones.phone;
    const from = phone.events.length;
    expect(await lab(page, 'connect', 'out', { to: 'phone' })).toMatchObject({ ok: true });
    await phone.waitForEvent((event) => event.type === 'CALL_INCOMING', 'the incoming call', from);
    expect((await phone.command('hangup')).ok).toBe(true);
    const ended = await waitForCallEvent('out', 'disconnect');
    expect(ended.detail).toBe('busy');
    const answer = (await lab(page, 'receivedFrames')).find((frame) => /^SIP\/2\.0 486 /.test(frame));
    expect(answer, 'the 486 the browser got').toBeDefined();
    row('phone rejects', { browserGot: answer!.split('\r\n')[0]!, reason: String(ended.detail) });
  });

  const SDP_HEAD = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];
  it.each([
    ['video only', ['m=video 45000 RTP/AVP 96', 'a=rtpmap:96 VP8/90000'], /^304 callchart "No audio stream offered \(only video\)"$/],
    ['a non-RTP audio m-line', ['m=audio 45002 TCP/MSRP *', 'a=accept-types:text/plain'], /^302 callchart "The audio stream is not RTP \(TCP\/MSRP\)"$/],
  ])('an offer the browser cannot take (%s) is answered 488 with a Warning saying why', async (what, media, expected) => {
    await device();
    const incomingBefore = await lab(page, 'incomingLabels');
    const response = await sendScriptedInvite({
      proxyPort: gateway.udpPort,
      target: sipUri('alice'),
      from: sipUri('phone'),
      sdp: [...SDP_HEAD, ...media, ''].join('\r\n'),
    });
    expect(response.status).toBe(488);
    const warning = response.headers.get('warning')?.join(', ') ?? '';
    expect(warning).toMatch(expected);
    expect(await lab(page, 'incomingLabels'), 'the app saw no call').toEqual(incomingBefore);
    row(`offer: ${what}`, { status: `${response.status} ${response.reason}`, warning, ms: response.ms.toFixed(0) });
  });
});
