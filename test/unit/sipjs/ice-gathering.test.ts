import { describe, expect, it } from 'vitest';
import {
  candidateTypeOf,
  iceGatheringPolicyFor,
  isSufficientCandidate,
  sdpHasSufficientCandidate,
} from '../../../src/adapters/sipjs/sdh';

const HOST = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0';
const SRFLX = 'candidate:2 1 udp 1686052607 203.0.113.7 50001 typ srflx raddr 127.0.0.1 rport 50000';
const RELAY = 'candidate:3 1 udp 41885439 198.51.100.2 60000 typ relay raddr 203.0.113.7 rport 50001';

describe('ICE gathering policy', () => {
  it('stops at the first host candidate without ICE servers', () => {
    const policy = iceGatheringPolicyFor([], 500);
    expect(policy.sufficientType).toBe('host');
    expect(isSufficientCandidate(candidateTypeOf(HOST), policy)).toBe(true);
  });

  it('waits for a server-reflexive candidate with only STUN', () => {
    const policy = iceGatheringPolicyFor([{ urls: 'stun:stun.example.com' }], 500);
    expect(policy.sufficientType).toBe('srflx');
    expect(isSufficientCandidate('host', policy)).toBe(false);
    expect(isSufficientCandidate(candidateTypeOf(SRFLX), policy)).toBe(true);
    expect(isSufficientCandidate('relay', policy)).toBe(true);
  });

  it('waits for a relay candidate when TURN is configured', () => {
    const policy = iceGatheringPolicyFor(
      [{ urls: ['stun:stun.example.com', 'turns:turn.example.com:443'], username: 'u', credential: 'p' }],
      800,
    );
    expect(policy).toMatchObject({ sufficientType: 'relay', timeoutMs: 800 });
    expect(isSufficientCandidate('srflx', policy)).toBe(false);
    expect(isSufficientCandidate(candidateTypeOf(RELAY), policy)).toBe(true);
  });

  it('finds candidates already in the local SDP', () => {
    const policy = iceGatheringPolicyFor([], 500);
    const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', `a=${HOST}`, ''].join('\r\n');
    expect(sdpHasSufficientCandidate(sdp, policy)).toBe(true);
    expect(sdpHasSufficientCandidate('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n', policy)).toBe(false);
  });
});
