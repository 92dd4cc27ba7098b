// JsSIP ships CommonJS only: pages get it as one IIFE bundle (global `JsSIP`),
// built here with esbuild and served at `/jssip/jssip.js` (pass the mount to
// startSdkRig). e2e/pages/jssip/ is the page that uses it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, makeTempDir, removeDir, type CleanupStack } from './process.js';

const execFileAsync = promisify(execFile);

/** Bundles node_modules/jssip into a temporary directory (removed by `cleanup`); returns the mount for the static server. */
export async function bundleJsSip(cleanup: CleanupStack): Promise<Record<string, string>> {
  const dir = await makeTempDir('jssip-bundle');
  cleanup.add('jssip bundle', () => removeDir(dir));
  await execFileAsync(join(REPO_ROOT, 'node_modules/.bin/esbuild'), [
    join(REPO_ROOT, 'node_modules/jssip/lib/JsSIP.js'),
    '--bundle',
    '--format=iife',
    '--global-name=JsSIP',
    '--target=es2022',
    `--outfile=${join(dir, 'jssip.js')}`,
  ]);
  return { '/jssip/': dir };
}
