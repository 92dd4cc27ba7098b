// The usual rig of an SDK end-to-end file: Kamailio, a snapshot of the built
// SDK served under /dist/ next to the repository root, and Chromium — each
// registered on the file's CleanupStack, in the order they are stopped.
import { launchBrowser, type E2EBrowser } from './browser.js';
import { snapshotBuiltSdk } from './dist.js';
import { startKamailio, type Kamailio } from './kamailio.js';
import { assertIsolatedNetwork } from './netns.js';
import { REPO_ROOT, type CleanupStack } from './process.js';
import { startStaticServer, type StaticServer } from './server.js';

export interface SdkRig {
  kamailio: Kamailio;
  server: StaticServer;
  browser: E2EBrowser;
}

/**
 * Starts Kamailio, the built-SDK server and Chromium inside the loopback-only
 * namespace; `mounts` serves more folders (URL prefix → directory).
 */
export async function startSdkRig(cleanup: CleanupStack, mounts: Record<string, string> = {}): Promise<SdkRig> {
  assertIsolatedNetwork();
  const kamailio = await startKamailio({ logLevel: Number(process.env.KAMAILIO_LOG_LEVEL ?? 0) as 0 });
  cleanup.add('kamailio', () => kamailio.stop());
  const sdk = await snapshotBuiltSdk();
  cleanup.add('built SDK snapshot', () => sdk.dispose());
  const server = await startStaticServer({ root: REPO_ROOT, mounts: { ...mounts, '/dist/': sdk.dir } });
  cleanup.add('static server', () => server.stop());
  const browser = await launchBrowser();
  cleanup.add('chromium', () => browser.close());
  return { kamailio, server, browser };
}
