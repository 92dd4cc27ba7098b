/**
 * What an app does during an answered call: mute, hold, DTMF, audio devices,
 * recording, quality samples.
 */
import { describe, expect, it, vi } from 'vitest';
import type { QualitySample, VoiceSDKError } from '../../../src/index';
import {
  acceptedIncomingCall,
  answeredCall,
  callEvents,
  expectSDKError,
  letTimePass,
  newNetwork,
  registeredDevice,
  rejection,
  settle,
  useFakeTime,
} from './harness';

useFakeTime();

async function answered(options: Parameters<typeof registeredDevice>[2] = {}) {
  const network = newNetwork();
  const device = await registeredDevice(network, 'alice', options);
  const { call, far } = await answeredCall(device, network.remote('bob'));
  return { network, device, call, far, events: callEvents(call) };
}

describe('mute', () => {
  it('mute() mutes at once, emits mute:true, and the far end stops hearing us', async () => {
    const { network, call, events } = await answered();
    const port = [...network.userAgents[0]!.calls][0]!;
    expect(port.sendingAudio).toBe(true);

    call.mute();

    expect(call.isMuted()).toBe(true);
    expect(events).toEqual(['mute:true']);
    expect(port.sendingAudio).toBe(false);
  });

  it('mute() twice emits one event; mute(false) unmutes', async () => {
    const { call, events } = await answered();
    call.mute();
    call.mute(true);
    call.mute(false);
    call.mute(false);
    expect(events).toEqual(['mute:true', 'mute:false']);
    expect(call.isMuted()).toBe(false);
  });

  it('works on an answered incoming call too', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call } = await acceptedIncomingCall(device, network.remote('carol'));
    call.mute();
    expect(call.isMuted()).toBe(true);
  });
});

describe('hold', () => {
  it('hold() resolves once the far end answered the re-INVITE, then isOnHold() is true', async () => {
    const { call, far, events } = await answered();

    await settle(call.hold(), 'hold()');

    expect(call.isOnHold()).toBe(true);
    expect(far.heldByDevice).toBe(true);
    expect(events).toEqual(['hold:true']);
  });

  it('hold(false) resumes', async () => {
    const { call, far, events } = await answered();
    await settle(call.hold(), 'hold()');
    await settle(call.hold(false), 'hold(false)');
    expect(call.isOnHold()).toBe(false);
    expect(far.heldByDevice).toBe(false);
    expect(events).toEqual(['hold:true', 'hold:false']);
  });

  it('hold() on a held call resolves at once without another re-INVITE', async () => {
    const { call, events } = await answered();
    await settle(call.hold(), 'hold()');
    await call.hold(true);
    expect(events).toEqual(['hold:true']);
  });

  it('a failed hold re-INVITE rejects hold(), emits error, and the call stays off hold', async () => {
    const { network, call, far, events } = await answered();
    network.failNextReinvite(488);
    let emitted: VoiceSDKError | undefined;
    call.on('error', (error) => (emitted = error));

    const error = await rejection(call.hold(), 'hold() to fail');

    expectSDKError(error, 'sip-error', /488/);
    expect((error as VoiceSDKError).status).toBe(488);
    expect(emitted).toBe(error);
    expect(call.isOnHold()).toBe(false);
    expect(far.heldByDevice).toBe(false);
    expect(call.getStatus()).toBe('accepted');
    expect(events).toEqual(['error:sip-error']);
  });

  it('a hold re-INVITE that times out rejects hold() with timeout', async () => {
    const { network, call } = await answered();
    network.failNextReinvite('timeout');
    expectSDKError(await rejection(call.hold()), 'timeout');
    expect(call.isOnHold()).toBe(false);
  });

  it.each([
    [408, 'timeout'],
    [405, 'not-supported'],
    [501, 'not-supported'],
  ] as const)('a hold re-INVITE answered %i rejects hold() with %s, as over SIP.js', async (status, code) => {
    const { network, call } = await answered();
    network.failNextReinvite(status);
    expectSDKError(await rejection(call.hold()), code);
    expect(call.isOnHold()).toBe(false);
  });

  it('after a failed hold, hold() can be tried again and works', async () => {
    const { network, call, far } = await answered();
    network.failNextReinvite();
    await rejection(call.hold());

    await settle(call.hold(), 'the second hold()');

    expect(call.isOnHold()).toBe(true);
    expect(far.heldByDevice).toBe(true);
  });

  it('a failed resume rejects hold(false) and the call stays on hold', async () => {
    const { network, call, far } = await answered();
    await settle(call.hold(), 'hold()');
    network.failNextReinvite(500);

    expectSDKError(await rejection(call.hold(false)), 'sip-error');

    expect(call.isOnHold()).toBe(true);
    expect(far.heldByDevice).toBe(true);
  });
});

describe('DTMF', () => {
  it('sendDigits() hands the digits to the far end, upper-cased, with RFC 2833 by default', async () => {
    const { call, far } = await answered();
    await settle(call.sendDigits('12#*a'), 'sendDigits()');
    expect(far.digits).toEqual([{ digits: '12#*A', method: 'rfc2833' }]);
  });

  // `,` is a 2 s pause (RTCDTMFSender's, and the SIP.js adapter waits as long between INFOs).
  it('sendDigits() lets a , pause through to the adapter', async () => {
    const { call, far } = await answered();
    await settle(call.sendDigits('1,2'), 'sendDigits()');
    expect(far.digits).toEqual([{ digits: '1,2', method: 'rfc2833' }]);
  });

  it("dtmf.method 'info' sends the digits as SIP INFO", async () => {
    const { call, far } = await answered({ dtmf: { method: 'info' } });
    await settle(call.sendDigits('9'), 'sendDigits()');
    expect(far.digits).toEqual([{ digits: '9', method: 'info' }]);
  });

  it('a PCMU phone without telephone-event that allows INFO gets the digits by SIP INFO', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob').setMedia({ audioCodec: 'pcmu', clockRate: 8000, telephoneEvent: false }));
    await settle(call.sendDigits('1234#'), 'sendDigits()');
    expect(far.digits).toEqual([{ digits: '1234#', method: 'info' }]);
  });

  it('a phone with neither a matching telephone-event nor INFO: sendDigits() rejects dtmf-unavailable and sends nothing', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await answeredCall(device, network.remote('bob').setMedia({ telephoneEvent: false, allowsInfo: false }));
    const events = callEvents(call);
    expectSDKError(await rejection(call.sendDigits('1')), 'dtmf-unavailable', /telephone-event.*opus\/48000.*INFO/);
    expect(far.digits).toEqual([]);
    expect(call.getStatus()).toBe('accepted');
    expect(events).toEqual([]);
  });

  it("dtmf.method 'info' falls back to RFC 4733 when the far end does not allow INFO", async () => {
    const network = newNetwork();
    const device = await registeredDevice(network, 'alice', { dtmf: { method: 'info' } });
    const { call, far } = await answeredCall(device, network.remote('bob').setMedia({ allowsInfo: false }));
    await settle(call.sendDigits('5'), 'sendDigits()');
    expect(far.digits).toEqual([{ digits: '5', method: 'rfc2833' }]);
  });

  it('a re-offer that drops telephone-event switches the next digits to INFO', async () => {
    const { call, far } = await answered();
    await settle(call.sendDigits('1'), 'sendDigits()');
    far.renegotiate({ audioCodec: 'pcmu', clockRate: 8000, telephoneEvent: false });
    await settle(call.sendDigits('2'), 'sendDigits()');
    expect(far.digits).toEqual([
      { digits: '1', method: 'rfc2833' },
      { digits: '2', method: 'info' },
    ]);
  });

  it('an incoming call from a phone without INFO or telephone-event refuses digits too', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const { call, far } = await acceptedIncomingCall(device, network.remote('bob').setMedia({ telephoneEvent: false, allowsInfo: false }));
    expectSDKError(await rejection(call.sendDigits('9')), 'dtmf-unavailable');
    expect(far.digits).toEqual([]);
  });

  it('digits sent one after another arrive in order', async () => {
    const { call, far } = await answered();
    const first = call.sendDigits('1');
    const second = call.sendDigits('2');
    await settle(Promise.all([first, second]), 'both sendDigits()');
    expect(far.digits.map((d) => d.digits)).toEqual(['1', '2']);
  });
});

describe('audio devices', () => {
  it('setInputDevice() switches to a known microphone', async () => {
    const { network, call } = await answered();
    await settle(call.setInputDevice('fake-mic-2'), 'setInputDevice()');
    expect([...network.userAgents[0]!.calls][0]!.inputDeviceId).toBe('fake-mic-2');
  });

  it('setInputDevice() with an unknown id rejects with device-not-found and keeps the microphone', async () => {
    const { network, call } = await answered();
    expectSDKError(await rejection(call.setInputDevice('no-such-mic')), 'device-not-found');
    expect([...network.userAgents[0]!.calls][0]!.inputDeviceId).toBe('default');
    expect(call.getStatus()).toBe('accepted');
  });

  it('setOutputDevice() switches to a known speaker; an unknown one rejects with device-not-found', async () => {
    const { network, call } = await answered();
    await settle(call.setOutputDevice('fake-speaker-2'), 'setOutputDevice()');
    expectSDKError(await rejection(call.setOutputDevice('no-such-speaker')), 'device-not-found');
    expect([...network.userAgents[0]!.calls][0]!.outputDeviceId).toBe('fake-speaker-2');
  });
});

describe('recording', () => {
  it('startRecording() … stopRecording() resolves with a Blob', async () => {
    const { network, call } = await answered();

    call.startRecording();
    expect(call.isRecording()).toBe(true);
    await letTimePass(3000);
    const blob = await settle(call.stopRecording(), 'stopRecording()');

    expect(blob).toBeInstanceOf(Blob);
    expect(blob.size).toBeGreaterThan(0);
    expect(call.isRecording()).toBe(false);
    expect(network.activeRecorders).toBe(0);
  });

  it('a paused recording still counts as recording and can be stopped', async () => {
    const { call } = await answered();
    call.startRecording();
    call.pauseRecording();
    expect(call.isRecording()).toBe(true);
    call.resumeRecording();
    call.pauseRecording();
    const blob = await settle(call.stopRecording(), 'stopRecording()');
    expect(blob).toBeInstanceOf(Blob);
  });

  it('a recording can be started again after it was stopped', async () => {
    const { call } = await answered();
    call.startRecording();
    await settle(call.stopRecording(), 'the first stopRecording()');
    call.startRecording();
    expect(call.isRecording()).toBe(true);
  });

  it('a recorder that cannot start emits error not-supported and the call goes on', async () => {
    const { network, call, events } = await answered();
    network.failNextRecording();
    call.startRecording();
    expect(call.isRecording()).toBe(false);
    expect(events).toEqual(['error:not-supported']);
    expect(call.getStatus()).toBe('accepted');
  });

  it('stopRecording() rejects when the recording cannot be encoded', async () => {
    const { network, call } = await answered();
    call.startRecording();
    network.failNextRecordingStop();
    expectSDKError(await rejection(call.stopRecording()), 'not-supported');
    expect(call.isRecording()).toBe(false);
  });

  it('hanging up while recording releases the recorder', async () => {
    const { network, call } = await answered();
    call.startRecording();
    await settle(call.disconnect(), 'disconnect()');
    expect(network.activeRecorders).toBe(0);
  });
});

describe('quality', () => {
  it('an accepted call emits a quality sample every qualityIntervalMs', async () => {
    const { call } = await answered({ qualityIntervalMs: 500 });
    const samples: QualitySample[] = [];
    call.on('quality', (sample) => samples.push(sample));

    await vi.advanceTimersByTimeAsync(2000);

    expect(samples).toHaveLength(4);
    expect(call.getLastQualitySample()).toBe(samples.at(-1));
    expect(typeof samples[0]!.timestamp).toBe('number');
  });

  it('quality stops when the call ends', async () => {
    const { call } = await answered();
    const samples: QualitySample[] = [];
    call.on('quality', (sample) => samples.push(sample));
    await settle(call.disconnect(), 'disconnect()');
    const count = samples.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(samples).toHaveLength(count);
  });
});

describe('call report and quality warnings', () => {
  it('an accepted call emits a report every reportIntervalMs, and getReport() tells the same', async () => {
    const { call } = await answered({ reportIntervalMs: 2000 });
    const reports: number[] = [];
    call.on('report', (report) => reports.push(report.sampleCount));

    await vi.advanceTimersByTimeAsync(6000);

    expect(reports).toHaveLength(3);
    expect(reports[2]!).toBeGreaterThan(reports[0]!);
    expect(call.getReport().sampleCount).toBeGreaterThanOrEqual(reports[2]!);
  });

  it('the disconnect event carries the final report, with the talk time', async () => {
    const { call } = await answered();
    await vi.advanceTimersByTimeAsync(4000);
    let durationMs: number | undefined;
    call.on('disconnect', ({ report }) => (durationMs = report.durationMs));

    await settle(call.disconnect(), 'disconnect()');

    expect(durationMs).toBeGreaterThanOrEqual(4000);
  });

  it('a call that never connected reports no talk time', async () => {
    const network = newNetwork();
    const device = await registeredDevice(network);
    const call = await device.connect({ to: 'nobody' });
    let report: { durationMs: number; setupTimeMs: number | undefined } | undefined;
    call.on('disconnect', (info) => (report = info.report));
    await letTimePass();
    expect(report).toMatchObject({ durationMs: 0, setupTimeMs: undefined });
  });

  it("a long round-trip time raises 'warning' high-rtt after the grace period, and it clears when the network recovers", async () => {
    const { network, call } = await answered({ qualityWarnings: { gracePeriodMs: 2000 } });
    const warnings: string[] = [];
    call.on('warning', ({ name, value, threshold }) => warnings.push(`${name}:${value > threshold}`));
    call.on('warning-cleared', ({ name }) => warnings.push(`cleared:${name}`));

    network.setConditions({ rttMs: 900 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(warnings).toContain('high-rtt:true');

    network.setConditions({ rttMs: 40 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(warnings).toContain('cleared:high-rtt');
    expect(call.getReport().warnings.map((w) => w.name)).toContain('high-rtt');
  });

  it('a warning turned off with `false` is never raised', async () => {
    const { network, call } = await answered({ qualityWarnings: { gracePeriodMs: 1000, thresholds: { 'high-rtt': false } } });
    const warnings: string[] = [];
    call.on('warning', ({ name }) => warnings.push(name));
    network.setConditions({ rttMs: 900 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(warnings).not.toContain('high-rtt');
    // The same round trip does raise the warnings left on: the judging ran.
    expect(warnings).toContain('low-mos');
  });
});
