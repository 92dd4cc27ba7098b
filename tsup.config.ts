import fs from 'node:fs';
import path from 'node:path';
import { build, defineConfig, type Options } from 'tsup';

const entry = { index: 'src/index.ts', testing: 'src/testing.ts', adapter: 'src/adapter.ts', devtools: 'src/devtools/index.ts', react: 'src/react/index.ts' };
const format: Options['format'] = ['esm', 'cjs'];
// `@internal` members stay out of the shipped .d.ts.
const dts = { compilerOptions: { stripInternal: true } };

/**
 * sip.js is an ES module only. A `.d.cts` that imports its types with a plain
 * `import { Inviter } from 'sip.js'` is a `require` of an ES module to
 * TypeScript, an error (TS1479) for a CommonJS app under `moduleResolution:
 * node16` with `skipLibCheck: false`. A type-only import with
 * `resolution-mode: 'import'` is allowed there (TypeScript ≥ 5.3). The
 * declaration bundler drops import attributes (it rewrites
 * `import('sip.js', { with: … })` into a plain import), so they are put back
 * here, after it. The bundler also leaves bare `import 'sip.js'` lines
 * (meaningless in a declaration file, and TS1479 too for an app with
 * `noUncheckedSideEffectImports`): they go. test/types/check-types.mjs
 * (setup node16-cjs) fails without either fix.
 */
function importSipJsTypesAsEsm(outDir: string): void {
  const plainImport = /^import (\{[^}]*\}|\* as [\w$]+) from (['"])sip\.js\2;$/gm;
  const bareImport = /^import (['"])sip\.js\1;\n/gm;
  for (const file of fs.readdirSync(outDir)) {
    if (!file.endsWith('.d.cts')) continue;
    const full = path.join(outDir, file);
    const text = fs.readFileSync(full, 'utf8');
    const fixed = text
      .replace(plainImport, (_, names: string) => `import type ${names} from 'sip.js' with { 'resolution-mode': 'import' };`)
      .replace(bareImport, '');
    if (fixed !== text) fs.writeFileSync(full, fixed);
  }
}

export default defineConfig((cli) => ({
  // The public entries; package.json `exports` (and `typesVersions`, for
  // TypeScript's node10 resolution) name the same files.
  entry,
  format,
  // The declarations are built after the code (onSuccess), so that their
  // sip.js imports can be fixed once they are written.
  dts: false,
  async onSuccess() {
    await build({ entry, format, dts: { ...dts, only: true }, silent: cli.silent ?? false, config: false, clean: false, outDir: 'dist' });
    importSipJsTypesAsEsm('dist');
  },
  // Maps without the sources embedded: they point at src/ paths that are not
  // in the tarball, so stack traces get file:line, and the package stays small.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  clean: true,
  target: 'es2022',
  treeshake: true,
  splitting: true,
}));
