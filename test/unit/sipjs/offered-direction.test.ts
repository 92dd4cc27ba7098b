/** The direction a re-INVITE's SDP offer asks of our audio (the `reinvite` fact). */
import { describe, expect, it } from 'vitest';
import { offeredAudioDirection } from '../../../src/adapters/sipjs/sipjs.session';

const sdp = (...lines: string[]): string => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', ...lines, ''].join('\r\n');

describe('offeredAudioDirection', () => {
  it('reads the audio m-line attribute', () => {
    for (const direction of ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const) {
      expect(offeredAudioDirection(sdp('c=IN IP4 127.0.0.1', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', `a=${direction}`))).toBe(direction);
    }
  });

  it('falls back to the session-level attribute, then to sendrecv', () => {
    expect(offeredAudioDirection(sdp('a=sendonly', 'm=audio 9 RTP/AVP 0'))).toBe('sendonly');
    expect(offeredAudioDirection(sdp('m=audio 9 RTP/AVP 0'))).toBe('sendrecv');
    expect(offeredAudioDirection('')).toBe('sendrecv');
  });

  it('takes the first audio stream and ignores other media', () => {
    expect(offeredAudioDirection(sdp('m=video 9 RTP/AVP 96', 'a=inactive', 'm=audio 9 RTP/AVP 0', 'a=recvonly', 'm=audio 9 RTP/AVP 0', 'a=sendonly'))).toBe(
      'recvonly',
    );
  });

  it('treats an RFC 2543 hold (c=0.0.0.0) as inactive', () => {
    expect(offeredAudioDirection(sdp('m=audio 9 RTP/AVP 0', 'c=IN IP4 0.0.0.0', 'a=sendrecv'))).toBe('inactive');
  });
});
