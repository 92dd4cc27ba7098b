#!/usr/bin/env node
/**
 * Type-checks test/types/consumer.ts and test/types/misuse.ts against the
 * BUILT package, resolved the way an app resolves it: through the `exports`
 * of package.json, from a directory whose node_modules/callchart links to this
 * repository. These consumer setups are checked:
 *
 *   bundler       moduleResolution Bundler, ESM     → dist/*.d.ts
 *   nodenext-esm  moduleResolution NodeNext, ESM    → dist/*.d.ts
 *   nodenext-cjs  moduleResolution NodeNext, CJS    → dist/*.d.cts
 *   node16-cjs    moduleResolution Node16, CJS      → dist/*.d.cts (no require of ESM)
 *
 *   node10        moduleResolution Node10, CJS       → dist/*.d.ts (`typesVersions` for the subpaths)
 *
 *   bundler-exact, node16-cjs-exact: the same with exactOptionalPropertyTypes,
 *                 plus test/types/exact-optional.ts
 *
 * Each program also gets a file that imports every entry, so that every
 * shipped type file is checked (with --lib-check).
 *
 * Every misuse line carries `// @ts-expect-error`, so a misuse that compiles
 * fails the check as an unused directive. The README's examples (its ```ts
 * blocks that start with an import) compile in the two ESM setups: they use
 * top-level await, and `@statelyai/inspect` is ESM-only.
 *
 * Usage: node test/types/check-types.mjs [--build] [--lib-check]
 *   --build      always build first; without it, builds (npm run build) only
 *                when dist is missing or older than src/
 *   --lib-check  skipLibCheck off: errors inside the emitted .d.ts files
 *                count too (what an app with skipLibCheck: false sees)
 * Exits 1 on any type error.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExamples } from '../readme-blocks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const ENTRIES = ['index', 'testing', 'adapter', 'devtools', 'react'];
const DIST_TYPES = ENTRIES.flatMap((entry) => [`${entry}.d.ts`, `${entry}.d.cts`]).map((file) => path.join(root, 'dist', file));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildReason() {
  if (process.argv.includes('--build')) return '--build was given';
  const missing = DIST_TYPES.find((file) => !fs.existsSync(file));
  if (missing) return `${path.relative(root, missing)} is missing`;
  const oldestDist = Math.min(...DIST_TYPES.map((file) => fs.statSync(file).mtimeMs));
  if (newestMtime(path.join(root, 'src')) > oldestDist) return 'src/ changed after the last build';
  return undefined;
}

const reason = buildReason();
if (reason) {
  console.log(`check-types: building (${reason}) …`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    console.error('check-types: npm run build failed');
    process.exit(1);
  }
}

const consumer = fs.readFileSync(path.join(here, 'consumer.ts'), 'utf8');
const misuse = fs.readFileSync(path.join(here, 'misuse.ts'), 'utf8');
const exact = fs.readFileSync(path.join(here, 'exact-optional.ts'), 'utf8');
// Every entry point, so that each shipped .d.ts (and .d.cts) is in every program: with
// --lib-check, an error inside any of them fails the setup.
const entries = `${ENTRIES.map((entry, index) => `import type * as entry${index} from '${entry === 'index' ? 'callchart' : `callchart/${entry}`}';`).join('\n')}
export type Entries = [${ENTRIES.map((_, index) => `typeof entry${index}`).join(', ')}];
`;
const readme = Object.fromEntries(readmeExamples().map((code, index) => [`readme-${index + 1}.ts`, code]));

const common = {
  strict: true,
  noEmit: true,
  target: 'ES2022',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  types: [],
  skipLibCheck: !process.argv.includes('--lib-check'),
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  forceConsistentCasingInFileNames: true,
  isolatedModules: true,
  // Bare `import 'x'` lines of the .d.ts must resolve too (a CommonJS .d.cts cannot require ESM-only sip.js).
  noUncheckedSideEffectImports: true,
};

const setups = [
  {
    name: 'bundler',
    compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', verbatimModuleSyntax: true },
    files: { 'consumer.ts': consumer, 'misuse.ts': misuse, 'entries.ts': entries, ...readme },
  },
  {
    name: 'nodenext-esm',
    packageJson: { type: 'module' },
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', verbatimModuleSyntax: true },
    files: { 'consumer.ts': consumer, 'misuse.ts': misuse, 'entries.ts': entries, ...readme },
  },
  {
    // Node16 (unlike NodeNext since TypeScript 5.8) does not let CommonJS require an ES
    // module: a .d.cts that imports ESM-only sip.js without resolution-mode fails here (TS1479).
    name: 'node16-cjs',
    packageJson: { type: 'commonjs' },
    compilerOptions: { module: 'Node16', moduleResolution: 'Node16' },
    files: { 'consumer.cts': consumer, 'misuse.cts': misuse, 'entries.cts': entries },
  },
  {
    name: 'nodenext-cjs',
    packageJson: { type: 'commonjs' },
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' },
    files: { 'consumer.cts': consumer, 'misuse.cts': misuse, 'entries.cts': entries },
  },
  {
    name: 'node10',
    packageJson: { type: 'commonjs' },
    compilerOptions: { module: 'CommonJS', moduleResolution: 'Node10' },
    files: { 'consumer.ts': consumer, 'misuse.ts': misuse, 'entries.ts': entries },
  },
  // exactOptionalPropertyTypes, the strictest optional-property rule an app may turn on:
  // our .d.ts / .d.cts, the consumer and the README's examples must compile under it. The
  // .d.ts of sip.js and xstate themselves do not (sip.js's user agents implement
  // `delegate?: X` with `delegate: X | undefined`; xstate's setup() constraints), which
  // no change of ours can fix: errors located in those dependencies are counted, not failed on.
  {
    name: 'bundler-exact',
    exactOptional: true,
    compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', verbatimModuleSyntax: true, exactOptionalPropertyTypes: true },
    files: { 'consumer.ts': consumer, 'misuse.ts': misuse, 'entries.ts': entries, 'exact.ts': exact, ...readme },
  },
  {
    name: 'node16-cjs-exact',
    exactOptional: true,
    packageJson: { type: 'commonjs' },
    compilerOptions: { module: 'Node16', moduleResolution: 'Node16', exactOptionalPropertyTypes: true },
    files: { 'consumer.cts': consumer, 'misuse.cts': misuse, 'entries.cts': entries, 'exact.cts': exact },
  },
];

/**
 * tsc's diagnostics (already made readable) split into the ones in files of the
 * package's dependencies (node_modules/…) and the rest; a diagnostic's
 * continuation lines are indented.
 */
function splitDiagnostics(output) {
  const groups = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    if (/^\s/.test(line) && groups.length > 0) groups[groups.length - 1].push(line);
    else groups.push([line]);
  }
  const inDependency = (group) => /^node_modules\/(?!callchart\/)/.test(group[0]);
  return {
    dependency: groups.filter(inDependency),
    ours: groups.filter((group) => !inDependency(group)).map((group) => group.join('\n')),
  };
}

/**
 * Installs a snapshot of the package: package.json (so its `exports` decide
 * what resolves) and the type files of dist/, with the repository's
 * node_modules linked in for xstate and sip.js. A snapshot rather than a link
 * to the repository, because another `npm run build` (tsup cleans dist/
 * first) may run at the same time; a half-built dist/ is waited for.
 */
function installPackage(target) {
  const dist = path.join(root, 'dist');
  for (let attempt = 1; ; attempt++) {
    try {
      fs.mkdirSync(path.join(target, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(root, 'package.json'), path.join(target, 'package.json'));
      for (const file of fs.readdirSync(dist)) {
        if (/\.d\.c?ts$/.test(file)) fs.copyFileSync(path.join(dist, file), path.join(target, 'dist', file));
      }
      const missing = DIST_TYPES.filter((file) => !fs.existsSync(path.join(target, 'dist', path.basename(file))));
      if (missing.length === 0) break;
      throw new Error(`missing ${missing.map((file) => path.basename(file)).join(', ')}`);
    } catch (error) {
      if (attempt === 10) {
        console.error(`check-types: dist/ is incomplete (${error.message}); is another build running?`);
        process.exit(1);
      }
      fs.rmSync(target, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
    }
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(target, 'node_modules'), process.platform === 'win32' ? 'junction' : 'dir');
}

/** tsc prints paths relative to its cwd: show repo files relative to the repo, temp files as test/types[setup]/file. */
function readable(output, dir, name) {
  const realRoot = fs.realpathSync(root);
  return output
    .split('\n')
    .map((line) => {
      const match = /^(.+?)(\(\d+,\d+\): .*)$/.exec(line);
      if (!match) return line;
      const file = path.resolve(dir, match[1]);
      const installed = path.join(tmp, 'node_modules', 'callchart') + path.sep;
      const shown = file.startsWith(dir + path.sep)
        ? `test/types[${name}]/${path.relative(dir, file)}`
        : file.startsWith(installed)
          ? file.slice(installed.length)
          : path.relative(realRoot, file);
      return `${shown}${match[2]}`;
    })
    .join('\n')
    .trim();
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callchart-types-'));
let failed = false;
try {
  installPackage(path.join(tmp, 'node_modules', 'callchart'));
  // What the README's examples import beside callchart.
  fs.symlinkSync(path.join(root, 'node_modules', '@statelyai'), path.join(tmp, 'node_modules', '@statelyai'), process.platform === 'win32' ? 'junction' : 'dir');

  for (const setup of setups) {
    const dir = path.join(tmp, setup.name);
    fs.mkdirSync(dir);
    if (setup.packageJson) {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, ...setup.packageJson }, null, 2));
    }
    for (const [file, text] of Object.entries(setup.files)) fs.writeFileSync(path.join(dir, file), text);
    const tsconfig = { compilerOptions: { ...common, ...setup.compilerOptions }, files: Object.keys(setup.files) };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));

    const result = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const output = readable(`${result.stdout}${result.stderr}`, dir, setup.name);
    const { dependency, ours } = setup.exactOptional ? splitDiagnostics(output) : { dependency: [], ours: output ? [output] : [] };
    const ignored = dependency.length > 0 ? ` (${dependency.length} errors inside sip.js/xstate's own .d.ts not counted)` : '';
    if (ours.length === 0 && (result.status === 0 || dependency.length > 0)) {
      console.log(`check-types: ${setup.name}: ok${ignored}`);
    } else {
      failed = true;
      console.error(`check-types: ${setup.name}: type errors${ignored}\n${ours.join('\n')}\n`);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

process.exit(failed ? 1 : 0);
