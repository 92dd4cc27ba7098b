/**
 * The SIP.js side of an ICE restart: the iceRestart offer option is for one
 * re-INVITE only (SIP.js keeps a re-INVITE's options for every later offer
 * and answer), and a far end's re-INVITE that crosses ours while our offer is
 * being made is answered 491.
 */
import { SessionState } from 'sip.js';
import type { Invitation, Inviter, Web } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { answerCrossingReinvitesWith491, sendReinvite } from '../../../src/adapters/sipjs/sipjs.reinvite';

type Answer = { accept: true } | { reject: number };

/** The part of a SIP.js session sendReinvite uses, answering each invite() as scripted. */
function fakeSession(answers: Answer[], signalingState: RTCSignalingState = 'stable') {
  const sent: Web.SessionDescriptionHandlerOptions[] = [];
  const session = {
    state: SessionState.Established,
    sessionDescriptionHandler: { peerConnection: { signalingState } },
    sessionDescriptionHandlerOptionsReInvite: {} as Web.SessionDescriptionHandlerOptions,
    async invite(options: {
      sessionDescriptionHandlerOptions: Web.SessionDescriptionHandlerOptions;
      requestDelegate: { onAccept(): void; onReject(response: { message: { statusCode: number } }): void };
    }) {
      // As SIP.js's Session.invite: the options are kept for later offers and answers.
      session.sessionDescriptionHandlerOptionsReInvite = options.sessionDescriptionHandlerOptions;
      sent.push(options.sessionDescriptionHandlerOptions);
      const answer = answers.shift() ?? { accept: true };
      queueMicrotask(() => {
        if ('accept' in answer) options.requestDelegate.onAccept();
        else options.requestDelegate.onReject({ message: { statusCode: answer.reject } });
      });
    },
  };
  return { session, sent, asSession: session as unknown as Inviter | Invitation };
}

const up = (): boolean => true;

describe('sendReinvite with an ICE restart', () => {
  it('offers with iceRestart once, keeps hold, and leaves plain options behind for later offers and answers', async () => {
    const { session, sent, asSession } = fakeSession([{ accept: true }, { accept: true }]);
    await sendReinvite(asSession, { hold: true, iceRestart: true }, up);
    expect(sent[0]).toMatchObject({ hold: true, offerOptions: { iceRestart: true } });
    expect(session.sessionDescriptionHandlerOptionsReInvite.offerOptions).toBeUndefined();
    expect(session.sessionDescriptionHandlerOptionsReInvite.hold).toBe(true);
    await sendReinvite(asSession, { hold: false }, up);
    expect(sent[1]?.offerOptions).toBeUndefined();
  });

  it('a refused restart (491) rejects with the status and puts the previous options back', async () => {
    const { session, asSession } = fakeSession([{ reject: 491 }]);
    session.sessionDescriptionHandlerOptionsReInvite = { hold: false };
    await expect(sendReinvite(asSession, { hold: false, iceRestart: true }, up)).rejects.toMatchObject({ status: 491 });
    expect(session.sessionDescriptionHandlerOptionsReInvite).toEqual({ hold: false });
  });

  it('makes no offer while the far end’s offer is being answered', async () => {
    const { sent, asSession } = fakeSession([], 'have-remote-offer');
    await expect(sendReinvite(asSession, { hold: false, iceRestart: true }, up)).rejects.toMatchObject({ code: 'invalid-state' });
    expect(sent).toEqual([]);
  });
});

describe('answerCrossingReinvitesWith491', () => {
  it('answers 491 while our re-INVITE is pending, and lets SIP.js handle it otherwise', () => {
    const handled: string[] = [];
    const session = {
      pendingReinvite: false,
      onInviteRequest(request: { id: string }) {
        handled.push(request.id);
      },
    };
    answerCrossingReinvitesWith491(session as unknown as Inviter);
    const answers: number[] = [];
    const request = (id: string) => ({ id, reject: ({ statusCode }: { statusCode: number }) => answers.push(statusCode) });
    session.onInviteRequest(request('first'));
    session.pendingReinvite = true;
    session.onInviteRequest(request('crossing'));
    expect([handled, answers]).toEqual([['first'], [491]]);
  });
});
