// The SIP.js adapter's provisional facts: a 183 with an SDP answer says
// earlyMedia (the call chart then plays no ringback); a 180, or a 183 without
// a body, does not.
import { describe, expect, it } from 'vitest';
import type { Core, Inviter } from 'sip.js';
import type { CallFact } from '../../../src/adapters/adapter';
import { SessionReporter } from '../../../src/adapters/sipjs/sipjs.session';

function reporter(): { facts: CallFact[]; progress: (status: number, headers: Record<string, string>, body: string) => void } {
  const facts: CallFact[] = [];
  const session = { stateChange: { addListener: () => undefined, removeListener: () => undefined } } as unknown as Inviter;
  const host = {
    emit: (fact: CallFact) => facts.push(fact),
    transportUp: () => true,
    onMediaHandler: () => undefined,
    onEstablished: () => undefined,
    onAccepted: () => undefined,
  };
  const delegate = new SessionReporter(session, undefined, host).inviteDelegate()!;
  return {
    facts,
    progress: (status, headers, body) =>
      delegate.onProgress!({
        message: { statusCode: status, body, getHeader: (name: string) => headers[name.toLowerCase()] },
      } as unknown as Core.IncomingResponse),
  };
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

describe('provisional responses (SIP.js adapter)', () => {
  it('a 183 with an SDP body is early media; a 180 and a bodiless 183 are not', () => {
    const { facts, progress } = reporter();
    progress(180, {}, '');
    progress(183, { 'content-type': 'application/sdp' }, SDP);
    progress(183, {}, '');
    progress(183, { 'content-type': 'Application/SDP; charset=utf-8' }, SDP);
    progress(183, { 'content-type': 'text/plain' }, 'hello');
    expect(facts).toEqual([
      { type: 'provisional', status: 180 },
      { type: 'provisional', status: 183, earlyMedia: true },
      { type: 'provisional', status: 183 },
      { type: 'provisional', status: 183, earlyMedia: true },
      { type: 'provisional', status: 183 },
    ]);
  });
});
