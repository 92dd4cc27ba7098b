/** The README's `callchart/testing` example, as written there, with real timers. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Device } from '../../../src/index';
import { createFakeNetwork } from '../../../src/testing';

it('the README testing example still reads as this test runs it', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  for (const line of [
    "const bob = network.remote('bob');",
    "const call = await device.connect({ to: 'bob' });",
    'const far = await bob.nextCall();',
    'far.ring();',
    'far.answer();',
    'network.failNextReinvite(488);',
    'await call.hold(true).catch((e) => e.code);',
  ]) {
    expect(readme).toContain(line);
  }
});

it('the README example of testing an app on the fake network works as written', async () => {
  const network = createFakeNetwork({ domain: 'example.com', users: { alice: 'pw' } });
  const bob = network.remote('bob');
  const device = new Device({ server: 'wss://x/ws', uri: 'sip:alice@example.com', password: 'pw', adapter: network.adapter });
  await device.register();
  const call = await device.connect({ to: 'bob' });
  const events: string[] = [];
  call.on('ringing', () => events.push('ringing'));
  call.on('accepted', () => events.push('accepted'));
  const far = await bob.nextCall();
  far.ring();
  far.answer();
  expect(events).toEqual(['ringing', 'accepted']);
  network.failNextReinvite(488);
  expect(await call.hold(true).catch((e: { code: string }) => e.code)).toBe('sip-error');
  expect(call.isOnHold()).toBe(false);
  await device.destroy();
  expect(network.openMediaCount).toBe(0);
});
