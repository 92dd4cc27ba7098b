// Failover on a pair of Kamailio nodes sharing registrations (issue 10): the
// DMQ + dmq_usrloc pair of e2e/kamailio/kamailio.cfg (WITH_DMQ), both on
// 127.0.0.1, behind `server: [a, b]`. alice and bob register on node a and
// are in a call; carol is registered on node b. Node a is killed (SIGTERM by
// PID): both devices move to b and register there within 3 s, their call
// refreshes through b (both nodes record-route with a name each owns, and b's
// in-dialog fallback finds the far end's new connection), a hangup reaches the
// far end, and carol's call through b reaches alice.
//
// Run: npx tsup --silent && bash e2e/scripts/in-netns.sh npx vitest run --project e2e test/e2e/survive-failover.e2e.test.ts
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CleanupStack,
  kamailioRegisteredPorts,
  startKamailioPair,
  startSdkRig,
  userAccount,
  waitFor,
  type KamailioPair,
} from '../../e2e/harness/index.js';
import { PAIR, callPair, type PairName } from './sdk/call-pair.js';
import { lab, openLabPages, expectLabPagesTornDown } from './sdk/calls-helpers.js';

const PAGE_PATH = '/e2e/pages/sdk/index.html';
const NAMES = [...PAIR, 'carol'] as const;
type Name = (typeof NAMES)[number];
const WAIT = { timeoutMs: 20_000, intervalMs: 25 };
/** The bound: node a gone → registered on node b. */
const FAILOVER_MS = 3000;

describe('failover on a DMQ pair of Kamailio nodes, server: [a, b]', () => {
  const cleanup = new CleanupStack();
  let pair: KamailioPair;
  let pages: Record<Name, Page>;
  const figures: string[] = [];
  const { callEvent, establishCall, hangupReaches } = callPair({
    pages: () => pages,
    server: () => [pair.a.wsUrl, pair.b.wsUrl],
    waitMs: WAIT.timeoutMs,
  });

  const now = (name: Name): Promise<number> => pages[name].evaluate(() => performance.now());
  const deviceEventAfter = (name: Name, type: string, after: number) =>
    waitFor(async () => (await lab(pages[name], 'deviceEvents')).find((event) => event.type === type && event.at >= after), {
      ...WAIT,
      description: `'${type}' on ${name}'s device`,
    });

  beforeAll(async () => {
    const rig = await startSdkRig(cleanup);
    pair = await startKamailioPair({ logLevel: Number(process.env.KAMAILIO_LOG_LEVEL ?? 0) as 0 });
    cleanup.add('kamailio pair', () => pair.stop());
    pages = await openLabPages(rig.browser, NAMES, `${rig.server.url}${PAGE_PATH}`);
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      for (const name of NAMES) {
        const frames = (await lab(pages[name], 'sentFrames')).slice(-6).map((f) => f.slice(0, f.indexOf('\r\n')));
        console.info(`${name} received INVITEs: ${(await lab(pages[name], 'receivedFrames')).filter((f) => f.startsWith('INVITE')).map((f) => f.slice(0, 1200)).join('\n')}`);
        console.info(`${name} device events: ${JSON.stringify(await lab(pages[name], 'deviceEvents'))}\n  last sent: ${frames.join(' | ')}`);
      }
      for (const node of [pair.a, pair.b]) console.info(`${node.wsUrl}: ${await node.rpc('ws.dump').catch(String)} ${await node.rpc('ul.dump').catch(String)}`);
      console.info(`node a:\n${pair.a.logs().slice(-2500)}\nnode b:\n${pair.b.logs().slice(-2500)}`);
    }
    await expectLabPagesTornDown(pages, NAMES);
  });

  afterAll(async () => {
    if (figures.length > 0) console.info(`measured:\n  ${figures.join('\n  ')}`);
    await cleanup.runAll();
  });

  it('node a killed: both devices register on b within 3 s, their call survives through b, and a call through b reaches alice', async () => {
    const labels = await establishCall();
    await lab(pages.carol, 'createDevice', userAccount('carol', pair.b.wsUrl));
    expect(await lab(pages.carol, 'register')).toMatchObject({ ok: true });
    // alice registered on a only; b knows her through DMQ.
    const replicated = await waitFor(async () => (await kamailioRegisteredPorts(pair.b, 'alice')).length > 0 && 'yes', {
      ...WAIT,
      description: 'alice’s registration on a replicated to b',
    });
    expect(replicated).toBe('yes');

    const before: Record<PairName, number> = { alice: await now('alice'), bob: await now('bob') };
    const killedAt = Date.now();
    await pair.a.terminate();
    const failoverMs: Partial<Record<PairName, number>> = {};
    for (const name of PAIR) {
      const registered = await deviceEventAfter(name, 'registered', before[name]);
      failoverMs[name] = Math.round(registered.at - ((await now(name)) - (Date.now() - killedAt)));
      expect(failoverMs[name], `${name}: a killed → registered on b`).toBeLessThan(FAILOVER_MS);
    }
    // Registered on b now: b reaches each over the connection it registered from.
    for (const name of PAIR) expect((await kamailioRegisteredPorts(pair.b, name)).length, `${name} in b's location`).toBe(1);

    // The call that was up: both ends refresh through b; a hangup reaches the far end.
    for (const name of PAIR) await callEvent(name, labels[name], 'reconnected', before[name]);
    for (const name of PAIR) {
      const errors = (await lab(pages[name], 'callEvents', labels[name])).filter((e) => e.type === 'error' && e.at >= before[name]);
      expect(errors, `${name}'s call errors`).toEqual([]);
      expect((await lab(pages[name], 'callInfo', labels[name])).status).toBe('accepted');
    }
    const hangupMs = await hangupReaches('bob', labels);

    // A new call through b reaches alice.
    const incomingBefore = await lab(pages.alice, 'incomingLabels');
    await lab(pages.alice, 'setAutoAnswer', true);
    expect(await lab(pages.carol, 'connect', 'toAlice', { to: 'alice' })).toMatchObject({ ok: true });
    const incoming = await waitFor(
      async () => (await lab(pages.alice, 'incomingLabels')).find((label) => !incomingBefore.includes(label)),
      { ...WAIT, description: 'carol’s call reaching alice' },
    );
    await callEvent('alice', incoming, 'accepted');
    await waitFor(async () => (await lab(pages.carol, 'callEvents', 'toAlice')).find((e) => e.type === 'accepted'), {
      ...WAIT,
      description: 'carol’s call accepted',
    });
    figures.push(
      `node a killed → registered on b: alice ${failoverMs.alice} ms, bob ${failoverMs.bob} ms; ` +
        `the call up through a survived (refreshed through b), bob's hangup → alice's call ended: ${hangupMs} ms; ` +
        `carol's call through b reached alice`,
    );
  });
});
