#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmark need from Debian and
# npm, when it is missing. Idempotent; needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v kamailio >/dev/null 2>&1 || need+=(kamailio)
[[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so ]] || ls /usr/lib/*/kamailio/modules/websocket.so >/dev/null 2>&1 || need+=(kamailio-websocket-modules)
ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 || need+=(kamailio-tls-modules)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# The media-loss e2e cuts UDP inside its own network namespace (nftables backend is fine).
[[ -x /usr/sbin/iptables ]] || need+=(iptables)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
# The gateway suite: rtpengine (userspace) behind Kamailio's rtpengine module
# (shipped in the kamailio package itself), baresip as the plain-RTP phone.
command -v rtpengine >/dev/null 2>&1 || need+=(rtpengine-daemon)
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
ls /usr/lib/*/kamailio/modules/rtpengine.so >/dev/null 2>&1 || need+=(kamailio)
# The failover pair (dmq, dmq_usrloc), kamcmd (ctl) and the in-dialog fallback (tcpops, async): all in the kamailio package.
for module in dmq dmq_usrloc ctl tcpops async; do
  ls /usr/lib/*/kamailio/modules/$module.so >/dev/null 2>&1 || need+=(kamailio)
done
command -v kamcmd >/dev/null 2>&1 || need+=(kamailio)

if ((${#need[@]})); then
  echo "[setup] installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; the default answer is fine.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# `npm ci`: installs exactly what package-lock.json says and never rewrites it.
# (vite is pinned in devDependencies: 8.4 names an optional package the registry
# does not have, which makes `npm ci` refuse the lock.)
if ! cmp -s package-lock.json node_modules/.callchart-lock 2>/dev/null; then
  echo "[setup] installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.callchart-lock
fi

# React 18 for the `react18` test project, from its own lock (npm cannot hold
# React 18 and 19 in one tree).
if ! cmp -s test/react18/package-lock.json test/react18/node_modules/.callchart-lock 2>/dev/null; then
  echo "[setup] installing React 18 for the react18 tests (npm ci in test/react18)"
  (cd test/react18 && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
  cp test/react18/package-lock.json test/react18/node_modules/.callchart-lock
fi
