#!/usr/bin/env bash
# Runs a command in a private network namespace that has only loopback, so
# WebRTC (ICE) can only use 127.0.0.1 and nothing leaves the machine.
# Needs root (or CAP_SYS_ADMIN). Usage: bash e2e/scripts/in-netns.sh CMD [ARGS...]
#
# Also a private PID namespace: bash is its PID 1, so it reaps orphans that
# Chromium leaves behind, and when the command ends the kernel kills whatever
# is still running in the namespace — nothing started by a test outlives it.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

# IPv6 off on lo: otherwise Chromium also gathers ::1 candidates.
# No `exec "$@"`: bash must stay PID 1 to reap; `exit $?` keeps bash from
# exec'ing the last command of the -c string.
exec unshare --net --pid --fork --mount-proc bash -c '
  set -e
  ip link set lo up
  sysctl -q -w net.ipv6.conf.lo.disable_ipv6=1
  set +e
  "$@"
  exit $?
' in-netns "$@"
