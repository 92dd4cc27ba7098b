/** The video part of a quality sample, from recorded-shape stats. */
import { describe, expect, it } from 'vitest';
import { parseVideoStats } from '../../../src/quality/video-stats';

const inbound = (t: number, framesDecoded: number, bytesReceived: number, packetsReceived: number, packetsLost: number) => ({
  id: 'IV', type: 'inbound-rtp', kind: 'video', timestamp: t, framesDecoded, bytesReceived, packetsReceived, packetsLost,
  framesPerSecond: 24, frameWidth: 640, frameHeight: 360,
});
const outbound = (t: number, bytesSent: number) => ({ id: 'OV', type: 'outbound-rtp', kind: 'video', timestamp: t, bytesSent, framesPerSecond: 30, frameWidth: 320, frameHeight: 240 });
const audio = { id: 'IA', type: 'inbound-rtp', kind: 'audio', timestamp: 1000, bytesReceived: 999, packetsReceived: 50 };

describe('parseVideoStats', () => {
  it('nothing while no video flows (audio only)', () => {
    expect(parseVideoStats([audio]).video).toBeUndefined();
  });

  it('frames, size and fps of the received video; bitrates and loss over the interval', () => {
    const first = parseVideoStats([audio, inbound(1000, 100, 50_000, 400, 0), outbound(1000, 60_000)]);
    expect(first.video).toEqual({ framesPerSecond: 24, frameWidth: 640, frameHeight: 360, framesDecoded: 100 });
    const second = parseVideoStats([inbound(2000, 124, 112_500, 490, 10), outbound(2000, 122_500)], first.snapshot);
    expect(second.video).toEqual({
      framesPerSecond: 24,
      frameWidth: 640,
      frameHeight: 360,
      framesDecoded: 124,
      inboundBitrate: 500,
      outboundBitrate: 500,
      inboundLoss: 0.1,
    });
  });

  it('only sending: the sent video\'s size and fps', () => {
    const { video } = parseVideoStats(new Map([['OV', outbound(1000, 10)]]));
    expect(video).toEqual({ framesPerSecond: 30, frameWidth: 320, frameHeight: 240 });
  });

  it('a counter reset (new stream) gives no bitrate rather than a negative one', () => {
    const first = parseVideoStats([inbound(1000, 100, 50_000, 400, 0)]);
    const second = parseVideoStats([inbound(2000, 5, 1000, 10, 0)], first.snapshot);
    expect(second.video?.inboundBitrate).toBeUndefined();
    expect(second.video?.inboundLoss).toBeUndefined();
  });
});
