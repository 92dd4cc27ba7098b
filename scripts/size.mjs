#!/usr/bin/env node
/**
 * Size budget of the built package, as an app's bundler sees it: each case
 * below is bundled by esbuild from dist/ (minified, browser platform, ESM,
 * package.json `sideEffects` honoured), then gzipped. Prints the figures and
 * exits 1 when a case is over its budget.
 *
 * Usage: node scripts/size.mjs [--json]   (build first: npx tsup)
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KB = 1024;

/**
 * What an app imports, and the most it may cost (gzip). Device: issue 12 asks
 * for 80 KB, but what Device needs of its dependencies alone (SIP.js's
 * UserAgent, Inviter, Invitation, Registerer, SessionDescriptionHandler,
 * Transport + the XState functions the charts use) bundles to 62.6 KB, and our
 * own code adds ~29 KB (91.3 KB measured with the fact port, src/sip, the
 * gateway work, keep-alive and the call-centre charts; 92 KB then). Transfers
 * (issue 9: the transfer region, REFER / NOTIFY / Replaces) cost ~2.5 KB, the
 * sounds (WebAudio tones, their controller) and `device.audio` 2.8 KB, the
 * media recovery region (ICE restarts, issue 10) ~1.5 KB, caller information,
 * timers, streams and video (issue 11) ~3.9 KB, the refresh retries after a
 * reconnect ~0.5 KB: the
 * budget guards against growth until that code shrinks — the 80 KB target is
 * not met. Testing: issue 12 asks for 8 KB; the fake network's transfers and
 * 183 took it to 10.7 KB, and sharing one call shape and one routing path,
 * reading the URIs it has checked already with `splitSipUri`, shorter
 * messages and fewer one-use helpers brought it to 9.93 KB (30.3 KB
 * minified, from 10.66 KB / 33.4 KB). What is left is the behaviour the fake
 * models (spread evenly over its call, network, remote, user agent, stats)
 * and the src/sip rules it shares with the SIP.js adapter (~1.6 KB gzip of
 * it): the 8 KB target is not met.
 */
export const BUDGETS = [
  { name: "import { Device } from 'callchart'", code: "import { Device } from 'callchart'; console.log(Device);", maxGzip: 103.5 * KB },
  { name: "import { VoiceSDKError } from 'callchart'", code: "import { VoiceSDKError } from 'callchart'; console.log(VoiceSDKError);", maxGzip: 3 * KB },
  { name: "import { createFakeNetwork } from 'callchart/testing'", code: "import { createFakeNetwork } from 'callchart/testing'; console.log(createFakeNetwork);", maxGzip: 10 * KB },
  {
    name: 'for comparison: what Device needs of SIP.js and XState alone',
    code: [
      "import { UserAgent, Inviter, Invitation, Registerer, SessionState, RegistererState, UserAgentState } from 'sip.js';",
      "import { SessionDescriptionHandler } from 'sip.js/lib/platform/web/session-description-handler/session-description-handler.js';",
      "import { Transport } from 'sip.js/lib/platform/web/transport/transport.js';",
      "import { createActor, setup, assign, emit, enqueueActions, raise, sendTo, spawnChild, stopChild, stateIn, fromCallback, fromPromise } from 'xstate';",
      'console.log(UserAgent, Inviter, Invitation, Registerer, SessionState, RegistererState, UserAgentState, SessionDescriptionHandler, Transport,',
      '  createActor, setup, assign, emit, enqueueActions, raise, sendTo, spawnChild, stopChild, stateIn, fromCallback, fromPromise);',
    ].join('\n'),
  },
];

/** Resolves `callchart` and `callchart/testing` to the built files, the way the `exports` map does for `import`. */
const selfPackage = {
  name: 'callchart-dist',
  setup(pluginBuild) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    pluginBuild.onResolve({ filter: /^callchart(\/.*)?$/ }, (args) => {
      const key = args.path === 'callchart' ? '.' : `.${args.path.slice('callchart'.length)}`;
      const target = pkg.exports[key]?.import?.default;
      if (!target) return { errors: [{ text: `package.json exports has no import for "${key}"` }] };
      return { path: path.join(root, target) };
    });
  },
};

async function measure(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [selfPackage],
  });
  const bytes = result.outputFiles[0].contents;
  return { minified: bytes.length, gzip: gzipSync(bytes).length };
}

const kb = (n) => `${(n / KB).toFixed(1)} KB`;

if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error('size: dist/index.js is missing; build first (npx tsup)');
  process.exit(1);
}

let over = 0;
const rows = [];
for (const budget of BUDGETS) {
  const { minified, gzip } = await measure(budget.code);
  if (budget.maxGzip === undefined) {
    rows.push({ name: budget.name, minified, gzip });
    console.log(`[size]      ${budget.name}: ${kb(gzip)} gzip (${kb(minified)} minified)`);
    continue;
  }
  const ok = gzip <= budget.maxGzip;
  if (!ok) over++;
  rows.push({ name: budget.name, minified, gzip, maxGzip: budget.maxGzip, ok });
  console.log(`[size] ${ok ? 'ok  ' : 'OVER'} ${budget.name}: ${kb(gzip)} gzip (${kb(minified)} minified), budget ${kb(budget.maxGzip)}`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
if (over) {
  console.error(`\nsize: ${over} case(s) over budget`);
  process.exit(1);
}
