/**
 * The pure SDP rules (src/sip/sdp.ts): which offers a browser cannot take
 * (answered 488 with a Warning) and what an answer settled on for DTMF.
 */
import { describe, expect, it } from 'vitest';
import { negotiatedAudio, offerProblem, parseSdp, warningHeaderValue } from '../../../src/sip/sdp';

/** An SDP from lines (CRLF, as on the wire). */
const sdp = (...lines: string[]): string => ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', ...lines, ''].join('\r\n');

const WEBRTC_AUDIO = [
  'm=audio 40000 UDP/TLS/RTP/SAVPF 111 0 8 126',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:126 telephone-event/8000',
  'a=fingerprint:sha-256 AA:BB',
  'a=setup:actpass',
  'a=rtcp-mux',
];

describe('offerProblem', () => {
  it('takes a WebRTC audio offer (rtpengine towards the browser), with or without BUNDLE', () => {
    expect(offerProblem(sdp(...WEBRTC_AUDIO))).toBeUndefined();
    expect(offerProblem(sdp('a=group:BUNDLE 0', ...WEBRTC_AUDIO, 'a=mid:0'))).toBeUndefined();
  });

  it('takes an INVITE without an offer (we offer in the 200)', () => {
    expect(offerProblem(undefined)).toBeUndefined();
    expect(offerProblem('  \r\n')).toBeUndefined();
  });

  it('takes a session-level fingerprint and an audio stream next to a refused one', () => {
    const offer = sdp('a=fingerprint:sha-256 AA:BB', 'm=video 0 RTP/SAVPF 96', 'm=audio 4000 RTP/SAVPF 0', 'a=rtcp-mux');
    expect(offerProblem(offer)).toBeUndefined();
  });

  it('refuses a video-only offer: 304 Media type not available, naming what was offered', () => {
    const problem = offerProblem(sdp('m=video 40002 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000', 'a=fingerprint:sha-256 AA'));
    expect(problem).toEqual({ warnCode: 304, text: 'No audio stream offered (only video)' });
  });

  it('refuses an offer without m= lines, or with every stream disabled (port 0)', () => {
    expect(offerProblem(sdp())?.warnCode).toBe(304);
    expect(offerProblem(sdp('m=audio 0 RTP/SAVPF 0'))).toEqual({ warnCode: 304, text: 'The offer has no active media stream' });
  });

  it('refuses a non-RTP audio m-line: 302 Incompatible transport protocol', () => {
    expect(offerProblem(sdp('m=audio 5004 udp 0'))).toEqual({ warnCode: 302, text: 'The audio stream is not RTP (udp)' });
    expect(offerProblem(sdp('m=application 5004 TCP/MSRP *'))?.warnCode).toBe(304);
  });

  it('refuses plain RTP/AVP without DTLS-SRTP (a phone reaching the browser without a gateway): 302', () => {
    const problem = offerProblem(sdp('m=audio 5004 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000'));
    expect(problem?.warnCode).toBe(302);
    expect(problem?.text).toMatch(/RTP\/AVP without DTLS-SRTP.*rtpengine/);
  });

  it('refuses audio in codecs the browser cannot decode: 305, listing them', () => {
    const problem = offerProblem(sdp('m=audio 5004 RTP/SAVPF 18 101', 'a=rtpmap:18 G729/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fingerprint:sha-256 AA'));
    expect(problem).toEqual({ warnCode: 305, text: 'No audio codec the browser can use (offered: g729; needs Opus, PCMU, PCMA or G722)' });
  });

  it('reads static payload types without rtpmap (0, 8, 9)', () => {
    expect(offerProblem(sdp('m=audio 5004 RTP/SAVP 9', 'a=fingerprint:sha-256 AA', 'a=rtcp-mux'))).toBeUndefined();
  });

  it('refuses RTCP on its own port (no a=rtcp-mux; Chromium requires mux): 302', () => {
    const withoutMux = WEBRTC_AUDIO.filter((line) => line !== 'a=rtcp-mux');
    expect(offerProblem(sdp(...withoutMux))).toEqual({
      warnCode: 302,
      text: 'RTCP is not multiplexed (no a=rtcp-mux); the gateway must mux towards the browser',
    });
  });

  it('never throws on garbage and bounds what it reads', () => {
    expect(() => offerProblem('m=\r\na=\r\nm= x y')).not.toThrow();
    const huge = sdp(...Array.from({ length: 100 }, () => 'm=video 1 RTP/AVP 96'));
    expect(parseSdp(huge).media.length).toBe(32);
  });
});

describe('warningHeaderValue', () => {
  it('formats an RFC 3261 warning with the agent and a quoted text without quotes or line breaks', () => {
    expect(warningHeaderValue({ warnCode: 304, text: 'No "audio"\r\nX-Evil: 1' })).toBe('304 callchart "No  audio   X-Evil: 1"');
  });
});

describe('negotiatedAudio', () => {
  it('Opus with only telephone-event/8000 (what rtpengine and baresip answer): no usable telephone-event', () => {
    expect(negotiatedAudio(sdp(...WEBRTC_AUDIO))).toEqual({ audioCodec: 'opus', clockRate: 48000, telephoneEvent: false });
  });

  it('Opus with telephone-event/48000, and PCMU with telephone-event/8000: usable', () => {
    expect(negotiatedAudio(sdp('m=audio 1 RTP/SAVPF 111 110', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:110 telephone-event/48000'))?.telephoneEvent).toBe(true);
    expect(negotiatedAudio(sdp('m=audio 1 RTP/SAVPF 0 101', 'a=rtpmap:101 telephone-event/8000'))).toEqual({
      audioCodec: 'pcmu',
      clockRate: 8000,
      telephoneEvent: true,
    });
  });

  it('the first voice codec counts, skipping telephone-event, CN and red', () => {
    const answer = sdp('m=audio 1 RTP/SAVPF 101 13 9 101', 'a=rtpmap:101 telephone-event/8000', 'a=rtpmap:9 G722/8000');
    expect(negotiatedAudio(answer)).toEqual({ audioCodec: 'g722', clockRate: 8000, telephoneEvent: true });
  });

  it('undefined without an answer or an active audio stream', () => {
    expect(negotiatedAudio(undefined)).toBeUndefined();
    expect(negotiatedAudio(sdp('m=audio 0 RTP/SAVPF 0'))).toBeUndefined();
    expect(negotiatedAudio(sdp('m=audio 1 RTP/SAVPF 101', 'a=rtpmap:101 telephone-event/8000'))).toBeUndefined();
  });
});
