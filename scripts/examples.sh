#!/usr/bin/env bash
# Builds and runs the examples against the PACKED package, the way an app
# installs it: the tarball of `npm pack` is copied to examples/callchart.tgz
# and each example installs it with `npm ci` from its own lock file (from the
# npm cache when it has the packages; the lock files are never rewritten).
# Then CommonJS and ESM consumers load every entry from the installed package.
#
# Usage: bash scripts/examples.sh [path/to/callchart-<version>.tgz]
#        (without a tarball: builds and packs first)
set -euo pipefail
cd "$(dirname "$0")/.."

tarball=${1:-}
if [[ -z "$tarball" ]]; then
  npx tsup --silent
  rm -rf .tmp/pack && mkdir -p .tmp/pack
  npm pack --ignore-scripts --pack-destination .tmp/pack --silent >/dev/null
  tarball=".tmp/pack/callchart-$(node -p "require('./package.json').version").tgz"
fi
cp "$tarball" examples/callchart.tgz

for example in vite-app vitest-ui; do
  echo "-- examples/$example"
  (
    cd "examples/$example"
    npm ci --prefer-offline --no-audit --no-fund --loglevel=error
    npm run --silent build
    npm test --silent
  )
  if ! git diff --quiet -- "examples/$example/package-lock.json"; then
    echo "examples: installing examples/$example rewrote its package-lock.json" >&2
    exit 1
  fi
done

echo "-- the installed package from CommonJS and ESM (node $(node --version))"
(
  cd examples/vitest-ui
  node -e "
    const { Device, VoiceSDKError } = require('callchart');
    const { createFakeNetwork } = require('callchart/testing');
    const { createSipJsAdapter } = require('callchart/adapter');
    for (const [name, value] of Object.entries({ Device, VoiceSDKError, createFakeNetwork, createSipJsAdapter })) {
      if (typeof value !== 'function') throw new Error('require: ' + name + ' is ' + typeof value);
    }
    console.log('require(): callchart, callchart/testing, callchart/adapter load');
  "
  node --input-type=module -e "
    const entries = await Promise.all(['callchart', 'callchart/testing', 'callchart/adapter'].map((name) => import(name)));
    const [main, testing, adapter] = entries;
    for (const value of [main.Device, main.VoiceSDKError, testing.createFakeNetwork, adapter.createSipJsAdapter]) {
      if (typeof value !== 'function') throw new Error('import: an entry lacks an export');
    }
    console.log('import: callchart, callchart/testing, callchart/adapter load');
  "
)

# README: "or straight from git (npm install git+<repository>)". npm clones the repository, installs its
# devDependencies and runs its `prepare` script (the build) — of the last commit: uncommitted changes are not in it.
echo "-- installed from git (git+file://, the last commit $(git rev-parse --short HEAD))"
rm -rf .tmp/git-install && mkdir -p .tmp/git-install
(
  cd .tmp/git-install
  echo '{ "name": "git-install-check", "private": true, "type": "module" }' > package.json
  npm install --prefer-offline --no-audit --no-fund --loglevel=error "git+file://$(cd ../.. && pwd)" >/dev/null
  for file in index.js index.cjs index.d.ts testing.js adapter.js; do
    [[ -f "node_modules/callchart/dist/$file" ]] || { echo "examples: the git install has no dist/$file (was prepare run?)" >&2; exit 1; }
  done
  node -e "const { Device } = require('callchart'); if (typeof Device !== 'function') throw new Error('require: no Device');"
  node -e "import('callchart').then((m) => { if (typeof m.Device !== 'function') throw new Error('import: no Device'); console.log('git install: dist/ built by prepare; require() and import load'); })"
)
rm -rf .tmp/git-install
