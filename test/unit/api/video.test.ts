/** Video, streams and the video quality fields on the fake network. */
import { describe, expect, it, vi } from 'vitest';
import type { Call } from '../../../src/index';
import {
  answeredCall,
  deviceToDevice,
  expectSDKError,
  flushUntil,
  letTimePass,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  uriOf,
  useFakeTime,
} from './harness';

useFakeTime();

function videoEvents(call: Call): string[] {
  const events: string[] = [];
  call.on('video', (on) => events.push(`video:${on}`));
  call.on('remote-video', (on) => events.push(`remote-video:${on}`));
  call.on('stream', ({ direction, stream }) => events.push(`stream:${direction}:${stream.getVideoTracks().length}`));
  return events;
}

async function answered(inboundOptions: { video?: boolean } = {}, outboundVideo = true) {
  const network = newNetwork();
  const alice = await registeredDevice(network, 'alice');
  const bob = await registeredDevice(network, 'bob');
  const { outbound, inbound } = await deviceToDevice(alice, bob, { to: 'bob', video: outboundVideo });
  const outboundEvents = videoEvents(outbound);
  const inboundEvents = videoEvents(inbound);
  await settle(inbound.accept(inboundOptions), 'accept()');
  await letTimePass();
  return { network, outbound, inbound, outboundEvents, inboundEvents };
}

describe('video calls', () => {
  it('connect({ video }) and accept({ video }): video both ways, streams with video tracks', async () => {
    const { outbound, inbound, outboundEvents, inboundEvents } = await answered({ video: true });
    for (const call of [outbound, inbound]) {
      expect(call.hasVideo()).toBe(true);
      expect(call.hasRemoteVideo()).toBe(true);
      expect(call.localStream?.getVideoTracks()).toHaveLength(1);
      expect(call.remoteStream?.getVideoTracks()).toHaveLength(1);
    }
    expect(outboundEvents).toEqual(expect.arrayContaining(['video:true', 'remote-video:true', 'stream:remote:1']));
    expect(inboundEvents).toEqual(expect.arrayContaining(['video:true', 'remote-video:true', 'stream:local:1', 'stream:remote:1']));
  });

  it('an offered video stream is declined unless asked for', async () => {
    const { outbound, inbound } = await answered({});
    for (const call of [outbound, inbound]) {
      expect(call.hasVideo()).toBe(false);
      expect(call.hasRemoteVideo()).toBe(false);
    }
    expect(inbound.localStream?.getVideoTracks()).toHaveLength(0);
  });

  it('setVideo upgrades an audio call and back, the far end\'s remote-video follows; hold keeps video', async () => {
    const { outbound, inbound, inboundEvents } = await answered({}, false);
    expect(outbound.hasVideo()).toBe(false);
    await settle(outbound.setVideo(true), 'setVideo(true)');
    await letTimePass();
    expect(outbound.hasVideo()).toBe(true);
    expect(inbound.hasRemoteVideo()).toBe(true);
    expect(inboundEvents).toContain('remote-video:true');
    await settle(outbound.setVideo(true), 'setVideo(true) again');
    // Hold and resume: the video comes back with the call.
    await settle(outbound.hold(true), 'hold');
    await letTimePass();
    expect(inbound.hasRemoteVideo()).toBe(true); // a held far end still sends (sendonly); we stop receiving
    expect(outbound.hasRemoteVideo()).toBe(false);
    await settle(outbound.hold(false), 'resume');
    await letTimePass();
    expect(outbound.hasVideo()).toBe(true);
    expect(inbound.hasRemoteVideo()).toBe(true);
    await settle(outbound.setVideo(false), 'setVideo(false)');
    await letTimePass();
    expect(outbound.hasVideo()).toBe(false);
    expect(inbound.hasRemoteVideo()).toBe(false);
    expect(inboundEvents).toContain('remote-video:false');
  });

  it('camera switching needs video; unknown cameras are device-not-found', async () => {
    const { network, outbound } = await answered({ video: true });
    await settle(outbound.setVideoInputDevice('fake-camera-2'), 'setVideoInputDevice');
    expectSDKError(await rejection(outbound.setVideoInputDevice('no-such-camera')), 'device-not-found');
    expectSDKError(await rejection(outbound.setVideoInputDevice('')), 'invalid-argument');
    await settle(outbound.setVideo(false), 'setVideo(false)');
    expectSDKError(await rejection(outbound.setVideoInputDevice('fake-camera-2')), 'invalid-state');
    expect(network.videoInputDevices).toContain('fake-camera-2');
  });

  it('a refused camera: setVideo rejects media-denied and the call stays audio; connect({ video }) goes audio-only', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob'));
    network.failNextCamera();
    expectSDKError(await rejection(call.setVideo(true)), 'media-denied');
    expect(call.hasVideo()).toBe(false);
    expect(far.reinvites).toEqual([]);
    expect(call.getStatus()).toBe('accepted');

    network.failNextCamera();
    const remote = network.remote('carol');
    const second = await settle(device.connect({ to: 'carol', video: true }), 'connect()');
    await flushUntil(() => remote.lastCall !== undefined, 'the INVITE');
    remote.lastCall!.answer(undefined, { video: true });
    await letTimePass();
    expect(second.getStatus()).toBe('accepted');
    expect(second.hasVideo()).toBe(false);
    expect(second.hasRemoteVideo()).toBe(false);
  });

  it('bad input and wrong state', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    network.remote('bob');
    const pending = await settle(device.connect({ to: 'bob' }), 'connect()');
    expectSDKError(await rejection(pending.setVideo(true)), 'invalid-state');
    expectSDKError(await rejection(pending.setVideo('yes' as never)), 'invalid-argument');
    await expect(device.connect({ to: 'bob', video: 1 as never })).rejects.toMatchObject({ code: 'invalid-argument' });
    expectSDKError(await rejection(pending.accept({ video: 'yes' as never })), 'invalid-argument');
    expect(uriOf('bob')).toContain('bob');
  });

  it('quality samples carry the video fields while video flows, and they move', async () => {
    const { outbound } = await answered({ video: true });
    const samples: Array<NonNullable<import('../../../src/index').QualitySample['video']>> = [];
    outbound.on('quality', (sample) => sample.video && samples.push(sample.video));
    await vi.advanceTimersByTimeAsync(3000);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    const [first, last] = [samples[0]!, samples.at(-1)!];
    expect(last.framesDecoded!).toBeGreaterThan(first.framesDecoded!);
    expect(last).toMatchObject({ framesPerSecond: 30, frameWidth: 640, frameHeight: 480 });
    expect(last.inboundBitrate).toBeGreaterThan(0);
    expect(last.outboundBitrate).toBeGreaterThan(0);
  });
});
