// A private copy of the built SDK (dist/) for pages to load, so that a
// rebuild of dist/ during a run cannot break them.
import { copyFile, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, makeTempDir, removeDir, waitFor } from './process.js';

export interface BuiltSdkSnapshot {
  /** A folder with the built ESM files of dist/ (index.js and its chunks). */
  dir: string;
  dispose(): Promise<void>;
}

/**
 * Copies the built SDK (dist/*.js) to a folder of its own. Other engineers
 * rebuild dist/ while tests run, and tsup empties it for ~10 s each time, so
 * pages that load /dist/ then get 404s. Serving the copy instead (mount it at
 * '/dist/' with startStaticServer) keeps a run on one complete build. Waits
 * for a complete build: index.js and every chunk it imports, each written to
 * the end (its source-map comment).
 */
export async function snapshotBuiltSdk(): Promise<BuiltSdkSnapshot> {
  const dist = join(REPO_ROOT, 'dist');
  const dir = await makeTempDir('dist-snapshot');
  try {
    await waitFor(() => copyCompleteBuild(dist, dir), {
      timeoutMs: 60_000,
      intervalMs: 500,
      description: 'a complete build in dist/ (run npx tsup)',
    });
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
  return { dir, dispose: () => removeDir(dir) };
}

/** Copies dist/*.js to `to`; true when the copy is one complete build. */
async function copyCompleteBuild(from: string, to: string): Promise<boolean> {
  const files = (await readdir(from)).filter((name) => name.endsWith('.js'));
  if (!files.includes('index.js')) return false;
  await Promise.all(files.map((name) => copyFile(join(from, name), join(to, name))));
  const complete = async (name: string): Promise<boolean> => {
    const text = await readFile(join(to, name), 'utf8').catch(() => '');
    if (!text.trimEnd().endsWith(`//# sourceMappingURL=${name}.map`)) return false;
    const imports = [...text.matchAll(/from ['"]\.\/([^'"]+)['"]/g)].map((match) => match[1]!);
    return (await Promise.all(imports.map(complete))).every(Boolean);
  };
  return complete('index.js');
}
