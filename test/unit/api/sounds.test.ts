/**
 * Sounds on the fake network: which sound the charts play in which state,
 * that it stops when the state is left, and that nothing plays after
 * destroy(). The player is a recorder behind the `sounds.player` port.
 */
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../src/index';
import type { SoundPlay, SoundPlayer } from '../../../src/sounds/sounds';
import { answeredCall, callRemote, expectSDKError, flushUntil, incomingCall, newDevice, newNetwork, registeredDevice, settle, thrown, useFakeTime } from './harness';

useFakeTime();

/** Records every start and stop; `playing` is what sounds now. */
function recorder() {
  const log: string[] = [];
  const playing: SoundPlay[] = [];
  let disposed = false;
  const player: SoundPlayer = {
    play(request) {
      log.push(`start:${request.sound}${request.sound === 'dtmf' ? `:${request.digits}` : ''}`);
      playing.push(request);
      return () => {
        const index = playing.indexOf(request);
        if (index < 0) return;
        playing.splice(index, 1);
        log.push(`stop:${request.sound}`);
      };
    },
    dispose() {
      disposed = true;
      playing.splice(0);
    },
  };
  return { player, log, playing, sounding: () => playing.map((p) => p.sound), disposed: () => disposed };
}

async function setUp(sounds: Record<string, unknown> = {}) {
  const network = newNetwork();
  const rec = recorder();
  const device = await registeredDevice(network, 'alice', { sounds: { ...sounds, player: rec.player } });
  return { network, device, rec, remote: network.remote('bob') };
}

describe('ringtone', () => {
  it('rings while an incoming call waits, stops on accept; the disconnect tone follows the hang-up', async () => {
    const { device, rec, remote } = await setUp();
    const { call, far } = await incomingCall(device, remote);
    expect(rec.sounding()).toEqual(['ringtone']);
    await settle(call.accept(), 'accept()');
    expect(rec.sounding()).toEqual([]);
    far.hangup();
    await flushUntil(() => call.getStatus() === 'disconnected', 'the hang-up');
    expect(rec.log).toEqual(['start:ringtone', 'stop:ringtone', 'start:disconnect']);
  });

  it('stops when the caller cancels or we reject; a call never accepted ends without the disconnect tone', async () => {
    const { device, rec, remote } = await setUp();
    const first = await incomingCall(device, remote);
    first.far.cancel();
    await flushUntil(() => first.call.getStatus() === 'disconnected', 'the CANCEL');
    expect(rec.sounding()).toEqual([]);
    const second = await incomingCall(device, remote);
    expect(rec.sounding()).toEqual(['ringtone']);
    await settle(second.call.reject(), 'reject()');
    expect(rec.sounding()).toEqual([]);
    expect(rec.log).toEqual(['start:ringtone', 'stop:ringtone', 'start:ringtone', 'stop:ringtone']);
  });

  it('two calls waiting ring one ringtone each; each stops with its own call', async () => {
    const { device, network, rec, remote } = await setUp();
    const first = await incomingCall(device, remote);
    const second = await incomingCall(device, network.remote('carol'));
    expect(rec.sounding()).toEqual(['ringtone', 'ringtone']);
    await settle(first.call.reject(), 'reject()');
    expect(rec.sounding()).toEqual(['ringtone']);
    await settle(second.call.accept(), 'accept()');
    expect(rec.sounding()).toEqual([]);
  });

  it('a call coming in while another is accepted rings with the call-waiting tone; the ringtone again once that call ends', async () => {
    const { device, network, rec, remote } = await setUp();
    const talking = await answeredCall(device, remote);
    const waiting = await incomingCall(device, network.remote('carol'));
    expect(rec.sounding()).toEqual(['callWaiting']);
    talking.far.hangup();
    await flushUntil(() => talking.call.getStatus() === 'disconnected', 'the first call ended');
    // Nobody talks now: it rings as a call does (the disconnect tone of the first call is a one-shot).
    expect(rec.sounding().filter((sound) => sound !== 'disconnect')).toEqual(['ringtone']);
    await settle(waiting.call.accept(), 'accept()');
    expect(rec.log.filter((entry) => !entry.endsWith(':disconnect'))).toEqual([
      'start:callWaiting',
      'stop:callWaiting',
      'start:ringtone',
      'stop:ringtone',
    ]);
  });

  it('a call ringing when another is answered turns to the call-waiting tone; `callWaiting: false` rings silently', async () => {
    const { device, network, rec, remote } = await setUp();
    const ringing = await incomingCall(device, network.remote('carol'));
    const out = await callRemote(device, remote);
    expect(rec.sounding()).toEqual(['ringtone']);
    out.far.answer();
    await flushUntil(() => out.call.getStatus() === 'accepted', 'the other call answered');
    expect(rec.sounding()).toEqual(['callWaiting']);
    device.audio.setSound('callWaiting', false);
    expect(rec.sounding()).toEqual([]);
    expect(ringing.call.getStatus()).toBe('pending');
    await settle(ringing.call.reject(), 'reject()');
    expect(device.audio.sound('callWaiting')).toBe(false);
  });

  it('plays a URL instead of the generated tone, on the ringtone device', async () => {
    const { device, rec, remote } = await setUp({ ringtone: 'https://cdn.example.com/ring.mp3', ringtoneDevice: 'speakers-1' });
    await incomingCall(device, remote);
    expect(rec.playing).toEqual([{ sound: 'ringtone', url: 'https://cdn.example.com/ring.mp3', sinkId: 'speakers-1' }]);
  });
});

describe('ringback', () => {
  it('plays from the 180 to the answer, not while the INVITE is only out', async () => {
    const { device, rec, remote } = await setUp();
    const { call, far } = await callRemote(device, remote);
    expect(call.getStatus()).toBe('pending');
    expect(rec.sounding()).toEqual([]);
    far.ring();
    await flushUntil(() => call.getStatus() === 'ringing', 'the 180');
    expect(rec.sounding()).toEqual(['ringback']);
    far.answer();
    await flushUntil(() => call.getStatus() === 'accepted', 'the answer');
    expect(rec.sounding()).toEqual([]);
    expect(rec.log).toEqual(['start:ringback', 'stop:ringback']);
  });

  it('is not played over early media (a 183 with SDP), and stops when early media follows a 180', async () => {
    const { device, rec, remote } = await setUp();
    const first = await callRemote(device, remote);
    first.far.ring({ earlyMedia: true });
    await flushUntil(() => first.call.getStatus() === 'ringing', 'the 183');
    expect(rec.log).toEqual([]);
    await settle(first.call.disconnect(), 'disconnect()');

    const second = await callRemote(device, remote);
    second.far.ring();
    await flushUntil(() => rec.sounding().includes('ringback'), 'the ringback');
    second.far.ring({ earlyMedia: true });
    await flushUntil(() => rec.sounding().length === 0, 'the ringback to stop');
    expect(second.call.getStatus()).toBe('ringing');
    expect(rec.log).toEqual(['start:ringback', 'stop:ringback']);
  });

  it('stops when the far end is busy or we cancel', async () => {
    const { device, rec, remote } = await setUp();
    const busy = await callRemote(device, remote);
    busy.far.ring();
    await flushUntil(() => rec.sounding().length === 1, 'the ringback');
    busy.far.reject(486);
    await flushUntil(() => busy.call.getStatus() === 'disconnected', 'the 486');
    expect(rec.sounding()).toEqual([]);
    const canceled = await callRemote(device, remote);
    canceled.far.ring();
    await flushUntil(() => rec.sounding().length === 1, 'the ringback');
    await settle(canceled.call.disconnect(), 'disconnect()');
    expect(rec.sounding()).toEqual([]);
    expect(rec.log.filter((l) => l === 'start:disconnect')).toEqual([]);
  });
});

describe('keypad tones and the disconnect tone', () => {
  it('a keypad tone per sendDigits (the next one cuts the last), stopped when the call ends', async () => {
    const { device, rec, remote } = await setUp();
    const { call } = await answeredCall(device, remote);
    await settle(call.sendDigits('12'), 'sendDigits(12)');
    expect(rec.playing).toEqual([{ sound: 'dtmf', digits: '12', durationMs: 100, gapMs: 70 }]);
    await settle(call.sendDigits('#'), 'sendDigits(#)');
    expect(rec.sounding()).toEqual(['dtmf']);
    await settle(call.disconnect(), 'disconnect()');
    expect(rec.log).toEqual(['start:dtmf:12', 'stop:dtmf', 'start:dtmf:#', 'stop:dtmf', 'start:disconnect']);
  });

  it('no keypad tone for digits refused (dtmf-unavailable) or bad digits', async () => {
    const { device, rec, remote } = await setUp();
    const { call, far } = await answeredCall(device, remote);
    far.renegotiate({ audioCodec: 'opus', clockRate: 48000, telephoneEvent: false, allowsInfo: false });
    await flushUntil(() => call.actor.getSnapshot().context.negotiated?.allowsInfo === false, 'the re-offer');
    expectSDKError(await call.sendDigits('1').catch((e: unknown) => e), 'dtmf-unavailable');
    expectSDKError(await call.sendDigits('x').catch((e: unknown) => e), 'invalid-argument');
    expect(rec.log).toEqual([]);
  });

  it('each sound can be off', async () => {
    const { device, rec, remote, network } = await setUp({ ringtone: false, ringback: false, dtmf: false, disconnect: false });
    const { call } = await answeredCall(device, remote);
    await settle(call.sendDigits('1'), 'sendDigits');
    await settle(call.disconnect(), 'disconnect()');
    await incomingCall(device, network.remote('carol'));
    expect(rec.log).toEqual([]);
  });

  it('`sounds: false` plays nothing at all', async () => {
    const network = newNetwork();
    const rec = recorder();
    const device = newDevice(network, 'alice', { sounds: false });
    await settle(device.register(), 'register()');
    await incomingCall(device, network.remote('bob'));
    expect(rec.log).toEqual([]);
    await settle(device.destroy(), 'destroy()');
  });
});

describe('destroy()', () => {
  async function ringingDevice(): Promise<{ device: Device; rec: ReturnType<typeof recorder> }> {
    const { device, rec, remote } = await setUp();
    await incomingCall(device, remote);
    const out = await callRemote(device, remote);
    out.far.ring();
    await flushUntil(() => rec.sounding().length === 2, 'ringtone and ringback');
    return { device, rec };
  }

  it('stops every sound and disposes the player; no disconnect tone for calls ended by destroy()', async () => {
    const { device, rec } = await ringingDevice();
    expect(rec.sounding().sort()).toEqual(['ringback', 'ringtone']);
    await settle(device.destroy(), 'destroy()');
    expect(rec.sounding()).toEqual([]);
    expect(rec.disposed()).toBe(true);
    expect(rec.log.filter((l) => l.startsWith('start:'))).toEqual(['start:ringtone', 'start:ringback']);
  });
});

describe('the sounds option', () => {
  it.each([
    ['a number', 1],
    ['a ringtone that is not a URL', { ringtone: 'ring ring' }],
    ['a dtmf URL', { dtmf: 'https://example.com/beep.mp3' }],
    ['an empty ringtone device', { ringtoneDevice: '' }],
    ['a player without play', { player: {} }],
  ])('refuses %s (invalid-argument)', (_, sounds) => {
    const network = newNetwork();
    expectSDKError(thrown(() => newDevice(network, 'alice', { sounds: sounds as never })), 'invalid-argument', /sounds/);
  });
});
