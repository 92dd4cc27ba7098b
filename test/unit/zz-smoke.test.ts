import { describe, it, expect } from 'vitest';
import { Device } from '../../src/index';
import { createFakeNetwork } from '../../src/testing';

describe('smoke', () => {
  it('alice calls bob', async () => {
    const net = createFakeNetwork({ domain: 'example.com', users: { alice: 'a', bob: 'b' } });
    const alice = new Device({ server: 'wss://x/ws', uri: 'sip:alice@example.com', password: 'a', adapter: net.adapter });
    const bob = new Device({ server: 'wss://x/ws', uri: 'sip:bob@example.com', password: 'b', adapter: net.adapter });
    await alice.register(); await bob.register();
    expect(alice.state).toBe('registered');
    const incoming = new Promise<any>((r) => bob.on('incoming', r));
    const call = await alice.connect({ to: 'bob', params: { ticketId: 'INC-1' } });
    const ringing = new Promise<void>((r) => call.on('ringing', r));
    const bobCall = await incoming;
    expect(bobCall.customHeaders).toEqual({ ticketId: 'INC-1' });
    expect(bobCall.remoteIdentity).toBe('sip:alice@example.com');
    await ringing;
    expect(call.getStatus()).toBe('ringing');
    const accepted = new Promise<void>((r) => call.on('accepted', r));
    await bobCall.accept();
    await accepted;
    expect(call.getStatus()).toBe('accepted');
    call.mute(true); expect(call.isMuted()).toBe(true);
    await call.hold(true); expect(call.isOnHold()).toBe(true);
    await call.sendDigits('12#');
    const ended = new Promise<any>((r) => bobCall.on('disconnect', r));
    await call.disconnect();
    expect(await ended).toEqual({ reason: 'remote-hangup' });
    expect(call.getStatus()).toBe('disconnected');
    await alice.destroy(); await bob.destroy();
    expect(net.openMediaCount).toBe(0);
  });
});
