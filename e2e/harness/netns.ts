// Guard: the e2e suite must run inside a network namespace that has only
// loopback (e2e/scripts/in-netns.sh), so ICE can only pick 127.0.0.1.
import { readFileSync } from 'node:fs';

const NET_DEV = '/proc/self/net/dev';

/**
 * Interfaces of this process's network namespace. Read from /proc/self/net/dev
 * rather than /sys/class/net: sysfs shows the namespace of whoever mounted it,
 * so under `unshare -n` /sys/class/net still lists the host's eth0.
 */
export function listNetworkInterfaces(): string[] {
  return readFileSync(NET_DEV, 'utf8')
    .split('\n')
    .slice(2) // two header lines
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name.length > 0);
}

export function assertIsolatedNetwork(): void {
  const others = listNetworkInterfaces().filter((name) => name !== 'lo');
  if (others.length > 0) {
    throw new Error(
      `e2e tests must run in a private network namespace with only 'lo', but this one also has: ${others.join(', ')}.\n` +
        'Run them as: bash e2e/scripts/in-netns.sh npx vitest run --project e2e',
    );
  }
}
