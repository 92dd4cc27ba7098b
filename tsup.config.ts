import { defineConfig } from 'tsup';

export default defineConfig({
  // The public entries; package.json `exports` (and `typesVersions`, for
  // TypeScript's node10 resolution) name the same files.
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', adapter: 'src/adapter.ts', devtools: 'src/devtools/index.ts', react: 'src/react/index.ts' },
  format: ['esm', 'cjs'],
  // `@internal` members stay out of the shipped .d.ts.
  dts: { compilerOptions: { stripInternal: true } },
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
});
