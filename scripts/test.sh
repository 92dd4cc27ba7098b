#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it: types, build, unit and
# model-based tests (with coverage per machine), diagrams, the built
# package's types, its size budget, the packed tarball (attw, publint), the
# API reference, the examples installed from the tarball, and the end-to-end suite (real Kamailio + Chromium) inside
# a private network namespace that has only loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system.sh

echo "== typecheck"
npx tsc --noEmit -p .

echo "== build"
npx tsup --silent

echo "== unit and model-based tests (and the React hooks on React 18)"
mkdir -p .tmp
npx vitest run --project unit --project react18 --reporter=default --reporter=json --outputFile=.tmp/unit.json 2>&1 | tee .tmp/unit.log
grep -a '\[model coverage\]' .tmp/unit.log | sed 's/^.*\[model coverage\]/[model coverage]/' || true

echo "== types of the built package"
node test/types/check-types.mjs --lib-check

echo "== package: size budget, tarball contents (attw, publint)"
node scripts/size.mjs
if grep -l '@internal' dist/*.d.ts dist/*.d.cts; then
  echo "package: the .d.ts files above ship @internal members (stripInternal)" >&2
  exit 1
fi
rm -rf .tmp/pack && mkdir -p .tmp/pack
npm pack --ignore-scripts --pack-destination .tmp/pack --silent >/dev/null
tarball=".tmp/pack/callchart-$(node -p "require('./package.json').version").tgz"
npx attw "$tarball" --format table-flipped
npx publint run --strict "$tarball"

echo "== API reference (TypeDoc; every public export documented)"
npm run --silent docs

echo "== examples, installed from the tarball; the package installed from git"
bash scripts/examples.sh "$tarball"

echo "== end-to-end (Kamailio + Chromium, loopback-only network namespace)"
bash e2e/scripts/in-netns.sh npx vitest run --project e2e --reporter=default --reporter=json --outputFile=.tmp/e2e.json

# One plain closing line for the whole run.
node -e '
  const runs = [".tmp/unit.json", ".tmp/e2e.json"].map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
'
