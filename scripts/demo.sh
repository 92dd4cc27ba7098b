#!/usr/bin/env bash
# `npm run demo` from a fresh clone: installs what is missing, builds, starts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
npx tsup --silent
exec npx tsx scripts/demo.ts
