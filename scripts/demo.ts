/**
 * `npm run demo`: Kamailio on 127.0.0.1, the softphone page served next to
 * it, the URL printed; Ctrl-C stops both.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKamailio } from '../e2e/harness/kamailio';
import { REPO_ROOT } from '../e2e/harness/process';
import { startStaticServer } from '../e2e/harness/server';
import { USERS } from '../e2e/harness/users';

/** URL prefix → folder: everything the demo page needs, nothing else of the repository. */
export const DEMO_MOUNTS: Readonly<Record<string, string>> = {
  '/demo/': join(REPO_ROOT, 'demo'),
  '/dist/': join(REPO_ROOT, 'dist'),
  '/node_modules/sip.js/lib/': join(REPO_ROOT, 'node_modules/sip.js/lib'),
  '/node_modules/xstate/dist/': join(REPO_ROOT, 'node_modules/xstate/dist'),
};

export interface DemoOptions {
  port?: number;
  /** Extra URL prefix → folder mounts for the web server (e.g. '/dist/' → a snapshot of dist/). */
  mounts?: Record<string, string>;
}

export async function startDemo(options: DemoOptions = {}) {
  const kamailio = await startKamailio();
  const configDir = await mkdtemp(join(tmpdir(), 'callchart-demo-'));
  const passwords = Object.fromEntries(Object.values(USERS).map((u) => [u.user, u.password]));
  await writeFile(join(configDir, 'config.json'), JSON.stringify({ wsUrl: kamailio.wsUrl, domain: kamailio.domain, passwords }));
  // Only what the page loads: the page, the built SDK and the two libraries its import map names.
  const server = await startStaticServer({
    mounts: { ...DEMO_MOUNTS, ...options.mounts, '/demo-config/': configDir },
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    url: `${server.url}/demo/index.html`,
    kamailio,
    async stop() {
      await server.stop();
      await kamailio.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const demo = await startDemo({ port: Number(process.env['PORT'] ?? 8090) });
  console.log(`callchart demo: SIP over ${demo.kamailio.wsUrl} (domain ${demo.kamailio.domain})`);
  console.log(`Open ${demo.url}?user=alice and ${demo.url}?user=bob in two tabs, register both, call bob from alice.`);
  console.log('Ctrl-C stops Kamailio and the web server.');
  const stop = async () => {
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
