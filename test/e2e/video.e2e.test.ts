// Video, streams, caller information and call timers: the built SDK in
// Chromium (fake camera and microphone: --use-fake-device-for-media-stream)
// through the e2e Kamailio, between two SDK devices and with a plain SIP.js
// phone. Figures (frames decoded, fps, the audio gap during an upgrade) are
// printed for the notes.
//
// Build first (npx tsup --silent), then:
//   bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/video.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CleanupStack, kamailioErrors, pageApi, sipUri, startSdkRig, userAccount, waitFor, type Kamailio } from '../../e2e/harness/index.js';
import { openVideoPages, videoLab, type VideoStats } from './sdk/video-helpers.js';

const SDK_PAGE = '/e2e/pages/sdk/index.html';
const PHONE_PAGE = '/e2e/pages/plain-sipjs/';
const NAMES = ['alice', 'bob'] as const;
type Name = (typeof NAMES)[number];
/** Generous: other e2e runs share these two cores. */
const WAIT = { timeoutMs: 20_000, intervalMs: 50 };
/** The longest pause in inbound audio packets a video upgrade may cause, in ms. */
const MAX_AUDIO_GAP_MS = 200;

/** window.phone in e2e/pages/plain-sipjs/phone.js (the part used here). */
interface PhoneApi {
  register(options: { server: string; user: string; password: string; sipDomain: string; displayName?: string }): Promise<{ ms: number }>;
  setVideo(on: boolean): void;
  call(user: string): Promise<{ established: boolean; statusCode?: number }>;
  inboundVideo(): Promise<{ framesDecoded: number; packetsReceived: number; frameWidth?: number; frameHeight?: number }>;
  hangup(): Promise<void>;
  stop(): Promise<void>;
}
const phone = pageApi<PhoneApi>('phone');

describe('video, streams, caller information and timers through Kamailio in Chromium', () => {
  const cleanup = new CleanupStack();
  let kamailio: Kamailio;
  let pages: Record<Name, Page>;
  let phonePage: Page;
  const figures: string[] = [];

  const device = async (name: Name, extra: Record<string, unknown> = {}): Promise<void> => {
    const outcome = await videoLab(pages[name], 'createDevice', { ...userAccount(name, kamailio.wsUrl), ...extra });
    expect(outcome).toMatchObject({ ok: true });
  };

  const nextIncoming = (name: Name, before: readonly string[]) =>
    waitFor(async () => (await videoLab(pages[name], 'incomingLabels')).find((label) => !before.includes(label)), {
      ...WAIT,
      description: `an incoming call on ${name}`,
    });

  /** alice calls bob (with video or not); bob answers (with video or not). */
  const aliceCallsBob = async (offer: boolean, answer: boolean): Promise<string> => {
    const before = await videoLab(pages.bob, 'incomingLabels');
    expect(await videoLab(pages.alice, 'connect', 'out', { to: 'bob', video: offer })).toMatchObject({ ok: true });
    const incoming = await nextIncoming('bob', before);
    expect(await videoLab(pages.bob, 'accept', incoming, answer)).toMatchObject({ ok: true });
    await waitFor(async () => (await videoLab(pages.alice, 'view', 'out')).status === 'accepted', { ...WAIT, description: 'the call up' });
    return incoming;
  };

  /** Frames decoded on `name`'s call grow by `frames` (and the stats then). */
  const framesGrow = async (name: Name | 'phone', label: string, frames = 30): Promise<VideoStats> => {
    const read = () => (name === 'phone' ? phone(phonePage, 'inboundVideo') : videoLab(pages[name], 'inboundVideo', label));
    const start = (await read()).framesDecoded;
    return waitFor(
      async () => {
        const stats = await read();
        return stats.framesDecoded >= start + frames ? (stats as VideoStats) : undefined;
      },
      { ...WAIT, description: `${frames} more video frames decoded on ${name}` },
    );
  };

  const waitForEvent = (name: Name, label: string, type: string, detail?: unknown) =>
    waitFor(
      async () =>
        (await videoLab(pages[name], 'events', label)).find((e) => e.type === type && (detail === undefined || JSON.stringify(e.detail) === JSON.stringify(detail))),
      { ...WAIT, description: `'${type}' ${JSON.stringify(detail)} on ${name}'s ${label}` },
    );

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    kamailio = rig.kamailio;
    pages = await openVideoPages(rig.browser, NAMES, `${rig.server.url}${SDK_PAGE}`);
    ({ phone: phonePage } = await rig.browser.openPages(['phone'] as const, `${rig.server.url}${PHONE_PAGE}`, {
      readyExpression: 'window.phone !== undefined',
    }));
    await phone(phonePage, 'register', {
      server: kamailio.wsUrl,
      user: '1002',
      password: '1002pw',
      sipDomain: kamailio.domain,
      displayName: 'Front Desk',
    });
    cleanup.add('the plain SIP.js phone', () => phone(phonePage, 'stop'));
  });

  afterEach(async () => {
    await phone(phonePage, 'hangup').catch(() => undefined);
    for (const name of NAMES) expect(await videoLab(pages[name], 'endAll')).toMatchObject({ ok: true });
    for (const name of NAMES) {
      const { peerConnections, tracks } = await videoLab(pages[name], 'leftovers');
      expect(peerConnections.filter((state) => state !== 'closed/closed'), `${name}'s open peer connections`).toEqual([]);
      expect(tracks.filter((state) => !state.endsWith(':ended')), `${name}'s live tracks`).toEqual([]);
    }
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`video figures:\n  ${figures.join('\n  ')}`);
    const errors = kamailio ? await kamailioErrors(kamailio) : [];
    await cleanup.runAll();
    expect(errors).toEqual([]);
  });

  it('video both ways between two devices: frames decoded grow, remote streams have live video, `stream` fired, quality video fields move', async () => {
    await device('alice');
    await device('bob');
    const incoming = await aliceCallsBob(true, true);
    const atBob = await framesGrow('bob', incoming);
    const atAlice = await framesGrow('alice', 'out');
    for (const [name, label] of [['alice', 'out'], ['bob', incoming]] as const) {
      const view = await videoLab(pages[name], 'view', label);
      expect(view).toMatchObject({ hasVideo: true, hasRemoteVideo: true, local: ['audio', 'video'], remote: ['audio', 'video'] });
      expect(view.remoteVideoTrack?.readyState).toBe('live');
      const events = await videoLab(pages[name], 'events', label);
      expect(events.some((e) => e.type === 'stream' && (e.detail as { direction: string; kinds: string[] }).direction === 'remote'
        && (e.detail as { kinds: string[] }).kinds.includes('video'))).toBe(true);
      expect(events.some((e) => e.type === 'video' && e.detail === true)).toBe(true);
      expect(events.some((e) => e.type === 'remote-video' && e.detail === true)).toBe(true);
    }
    // Two quality samples with video whose decoded frames grew.
    const samples = await waitFor(
      async () => {
        const video = (await videoLab(pages.bob, 'events', incoming)).filter((e) => e.type === 'quality-video');
        return video.length >= 2 ? video.map((e) => e.detail as Record<string, number>) : undefined;
      },
      { ...WAIT, description: 'two quality samples with video' },
    );
    const [first, last] = [samples[0]!, samples.at(-1)!];
    expect(last['framesDecoded']!).toBeGreaterThan(first['framesDecoded']!);
    expect(last['inboundBitrate']!).toBeGreaterThan(0);
    expect(last['outboundBitrate']!).toBeGreaterThan(0);
    figures.push(
      `SDK↔SDK: bob decoded ${atBob.framesDecoded} frames (${atBob.frameWidth}×${atBob.frameHeight}, ${atBob.framesPerSecond ?? '?'} fps), ` +
        `alice ${atAlice.framesDecoded}; quality sample: ${last['framesPerSecond']} fps, ${last['frameWidth']}×${last['frameHeight']}, ` +
        `in ${last['inboundBitrate']?.toFixed(0)} kbit/s, out ${last['outboundBitrate']?.toFixed(0)} kbit/s, loss ${last['inboundLoss'] ?? 0}`,
    );
  });

  it('an offered video stream is declined unless asked for', async () => {
    await device('alice');
    await device('bob');
    const incoming = await aliceCallsBob(true, false);
    await waitForEvent('alice', 'out', 'accepted');
    const [alice, bob] = [await videoLab(pages.alice, 'view', 'out'), await videoLab(pages.bob, 'view', incoming)];
    expect(alice).toMatchObject({ hasVideo: false, hasRemoteVideo: false });
    expect(bob).toMatchObject({ hasVideo: false, hasRemoteVideo: false, local: ['audio'] });
  });

  it('audio → video and back mid-call by re-INVITE: no inbound audio gap over 200 ms, remote-video follows; video through hold / resume; camera switching', async () => {
    await device('alice');
    await device('bob');
    const incoming = await aliceCallsBob(false, false);
    await waitFor(async () => (await videoLab(pages.bob, 'view', incoming)).remote.includes('audio'), { ...WAIT, description: 'bob hears alice' });
    await videoLab(pages.bob, 'startAudioSampler', incoming);
    await videoLab(pages.alice, 'startAudioSampler', 'out');
    const up = await videoLab(pages.alice, 'setVideo', 'out', true);
    expect(up).toMatchObject({ ok: true });
    await waitForEvent('bob', incoming, 'remote-video', true);
    const upgraded = await framesGrow('bob', incoming);
    const down = await videoLab(pages.alice, 'setVideo', 'out', false);
    expect(down).toMatchObject({ ok: true });
    await waitForEvent('bob', incoming, 'remote-video', false);
    const [bobGap, aliceGap] = [await videoLab(pages.bob, 'stopAudioSampler', incoming), await videoLab(pages.alice, 'stopAudioSampler', 'out')];
    expect(bobGap.samples).toBeGreaterThan(20);
    expect(bobGap.maxGapMs).toBeLessThan(MAX_AUDIO_GAP_MS);
    expect(aliceGap.maxGapMs).toBeLessThan(MAX_AUDIO_GAP_MS);
    expect(await videoLab(pages.alice, 'view', 'out')).toMatchObject({ hasVideo: false });
    figures.push(
      `upgrade audio→video (setVideo ${up.ms.toFixed(0)} ms) and back (${down.ms.toFixed(0)} ms): longest inbound audio gap at bob ` +
        `${bobGap.maxGapMs.toFixed(0)} ms, at alice ${aliceGap.maxGapMs.toFixed(0)} ms (${bobGap.samples} samples); bob decoded ${upgraded.framesDecoded} frames`,
    );

    // Video again, then hold and resume: the video comes back with the call.
    expect(await videoLab(pages.bob, 'setVideo', incoming, true)).toMatchObject({ ok: true });
    await waitForEvent('alice', 'out', 'remote-video', true);
    await framesGrow('alice', 'out');
    expect(await videoLab(pages.bob, 'hold', incoming, true)).toMatchObject({ ok: true });
    expect(await videoLab(pages.bob, 'hold', incoming, false)).toMatchObject({ ok: true });
    const afterResume = await framesGrow('alice', 'out');
    expect(await videoLab(pages.bob, 'view', incoming)).toMatchObject({ hasVideo: true });
    figures.push(`video through hold / resume: alice decoded ${afterResume.framesDecoded} frames after the resume`);

    // Camera switching: Chromium's fake device offers the cameras enumerateDevices lists.
    const cameras = await videoLab(pages.bob, 'cameras');
    expect(cameras.length).toBeGreaterThan(0);
    for (const camera of cameras) {
      expect(await videoLab(pages.bob, 'setVideoInputDevice', incoming, camera)).toMatchObject({ ok: true });
      await framesGrow('alice', 'out');
    }
    expect(await videoLab(pages.bob, 'setVideoInputDevice', incoming, 'no-such-camera')).toMatchObject({
      ok: false,
      error: { code: 'device-not-found' },
    });
    await framesGrow('alice', 'out');
    figures.push(`camera switching: ${cameras.length} camera(s) listed by the fake device; each switched to, frames kept coming`);
  });

  it('video with a plain SIP.js phone both ways; the phone\'s display name and number arrive in call.info', async () => {
    await device('alice', { displayName: 'Alice Liddell' });
    await phone(phonePage, 'setVideo', true);
    try {
      // alice → phone, video.
      expect(await videoLab(pages.alice, 'connect', 'out', { to: '1002', video: true })).toMatchObject({ ok: true });
      await waitFor(async () => (await videoLab(pages.alice, 'view', 'out')).status === 'accepted', { ...WAIT, description: 'the phone answered' });
      const atPhone = await framesGrow('phone', '');
      const atAlice = await framesGrow('alice', 'out');
      expect(await videoLab(pages.alice, 'view', 'out')).toMatchObject({ hasVideo: true, hasRemoteVideo: true, remote: ['audio', 'video'] });
      figures.push(`SDK↔plain SIP.js: the phone decoded ${atPhone.framesDecoded} frames (${atPhone.frameWidth}×${atPhone.frameHeight}), alice ${atAlice.framesDecoded}`);
      expect(await videoLab(pages.alice, 'endAll')).toMatchObject({ ok: true });

      // phone → alice: its From display name and user reach call.info through Kamailio.
      await device('alice');
      const calling = phone(phonePage, 'call', 'alice');
      const incoming = await waitFor(async () => (await videoLab(pages.alice, 'incomingLabels'))[0], { ...WAIT, description: 'the phone\'s call' });
      const view = await videoLab(pages.alice, 'view', incoming);
      expect(view.info).toEqual({ uri: sipUri('1002'), displayName: 'Front Desk', number: '1002' });
      expect(await videoLab(pages.alice, 'accept', incoming, true)).toMatchObject({ ok: true });
      expect(await calling).toMatchObject({ established: true });
      await framesGrow('phone', '');
      await framesGrow('alice', incoming);
      // The app's own fields; locked ones stay.
      expect(await videoLab(pages.alice, 'setInfo', incoming, { company: 'Acme', displayName: 'Reception' }, true)).toMatchObject({ ok: true });
      expect((await videoLab(pages.alice, 'view', incoming)).info).toMatchObject({ company: 'Acme', displayName: 'Reception', number: '1002' });
      await waitForEvent('alice', incoming, 'info');
    } finally {
      await phone(phonePage, 'setVideo', false);
    }
  });

  it('caller information between devices and timers over a real call', async () => {
    await device('alice', { displayName: 'Alice Liddell' });
    await device('bob');
    const incoming = await aliceCallsBob(false, false);
    expect((await videoLab(pages.bob, 'view', incoming)).info).toEqual({ uri: sipUri('alice'), displayName: 'Alice Liddell' });
    expect((await videoLab(pages.alice, 'view', 'out')).info).toEqual({ uri: sipUri('bob') });

    // Talk ~1.5 s, hold ~1 s, talk again: talkingMs and onHoldMs follow.
    await waitFor(async () => (await videoLab(pages.alice, 'events', 'out')).filter((e) => e.type === 'timer').length >= 1, {
      ...WAIT,
      description: 'a timer event',
    });
    const beforeHold = await videoLab(pages.alice, 'view', 'out');
    await waitFor(async () => ((await videoLab(pages.alice, 'view', 'out')).timer.talkingMs >= 1500 ? true : undefined), {
      ...WAIT,
      description: '1.5 s of talking',
    });
    expect(await videoLab(pages.alice, 'hold', 'out', true)).toMatchObject({ ok: true });
    await waitFor(async () => ((await videoLab(pages.alice, 'view', 'out')).timer.onHoldMs >= 1000 ? true : undefined), {
      ...WAIT,
      description: '1 s on hold',
    });
    expect(await videoLab(pages.alice, 'hold', 'out', false)).toMatchObject({ ok: true });
    const resumed = (await videoLab(pages.alice, 'view', 'out')).timer;
    await waitFor(async () => ((await videoLab(pages.alice, 'view', 'out')).timer.talkingMs >= resumed.talkingMs + 500 ? true : undefined), {
      ...WAIT,
      description: '0.5 s more talking',
    });
    const timer = (await videoLab(pages.alice, 'view', 'out')).timer;
    expect(timer.answeredAt).toBeGreaterThan(timer.startedAt);
    expect(timer.ringingMs).toBe(timer.answeredAt! - timer.startedAt);
    expect(timer.onHoldMs).toBeGreaterThanOrEqual(1000);
    expect(timer.onHoldMs).toBe(resumed.onHoldMs);
    expect(timer.talkingMs).toBeGreaterThanOrEqual(2000);
    const ticks = (await videoLab(pages.alice, 'events', 'out')).filter((e) => e.type === 'timer');
    const spacing = ticks.slice(1).map((tick, i) => tick.at - ticks[i]!.at);
    expect(spacing.every((ms) => ms > 800 && ms < 1300)).toBe(true);
    figures.push(
      `timer over a real call: ringing ${timer.ringingMs} ms, talking ${timer.talkingMs} ms, on hold ${timer.onHoldMs} ms ` +
        `(before hold: talking ${beforeHold.timer.talkingMs} ms); ${ticks.length} timer events, ${Math.min(...spacing).toFixed(0)}–${Math.max(...spacing).toFixed(0)} ms apart`,
    );
  });
});
