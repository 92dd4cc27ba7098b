#!/usr/bin/env bash
# `npm run bench`: installs what is missing, builds the package, then runs the
# benchmark (bench/run.ts) in a private network namespace that has only
# loopback, like the e2e suite. Extra arguments go to bench/run.ts
# (--calls=N, --samples=N). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
npx tsup --silent
# tsx directly, not npx: npx does not pass signals on to its child.
exec bash e2e/scripts/in-netns.sh node_modules/.bin/tsx bench/run.ts "$@"
