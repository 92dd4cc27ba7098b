// The entries stay apart: `import { Device } from 'callchart'` pulls in
// neither the viewer nor React, and the viewer needs no library and no network.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles `entry` as an app would (dependencies external); its source files and the bare imports it keeps. */
async function bundle(entry: string): Promise<{ inputs: string[]; imports: string[]; code: string }> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    packages: 'external',
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return {
    inputs: Object.keys(result.metafile.inputs),
    imports: output.imports.map((i) => i.path),
    code: result.outputFiles[0]!.text,
  };
}

describe('package entries', () => {
  it('callchart (src/index.ts) contains no devtools and no React code', async () => {
    const { inputs, imports } = await bundle('src/index.ts');
    expect(inputs.some((file) => file.startsWith('src/index'))).toBe(true);
    expect(inputs.filter((file) => file.startsWith('src/devtools/') || file.startsWith('src/react/'))).toEqual([]);
    expect(imports.filter((name) => /react/.test(name))).toEqual([]);
  });

  it('callchart/devtools imports nothing at run time and never touches the network', async () => {
    const { inputs, imports, code } = await bundle('src/devtools/index.ts');
    expect(imports).toEqual([]);
    expect(inputs.every((file) => file.startsWith('src/devtools/'))).toBe(true);
    expect(code).not.toMatch(/\bfetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon|https?:\/\//);
  });

  it('callchart/react imports only react and @xstate/react besides the SDK’s own files', async () => {
    const { imports } = await bundle('src/react/index.ts');
    expect([...new Set(imports)].sort()).toEqual(['@xstate/react', 'react']);
  });
});
