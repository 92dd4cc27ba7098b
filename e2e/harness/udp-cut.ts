// Cuts UDP (media) inside the test's own network namespace and restores it:
// `iptables -A INPUT -p udp -j DROP`, removed with `-D`. Signalling (the
// WebSocket, TCP) is untouched. The rule lives in this namespace only
// (e2e/scripts/in-netns.sh): the guard refuses to run anywhere else, and
// `restore()` removes every copy of the rule, so a failed test leaves nothing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { assertIsolatedNetwork } from './netns.js';
import { assertExecutable } from './process.js';

const execFileAsync = promisify(execFile);

export const IPTABLES_BIN = '/usr/sbin/iptables';
const RULE = ['INPUT', '-p', 'udp', '-j', 'DROP'];

export interface UdpCut {
  /** Drops every UDP packet arriving in this namespace (media both ways on loopback). */
  cut(): Promise<void>;
  /** Removes the rule (every copy of it); a no-op when it is not there. */
  restore(): Promise<void>;
  /** Whether the rule is in place now. */
  isCut(): Promise<boolean>;
}

async function iptables(...args: string[]): Promise<{ ok: boolean; stdout: string }> {
  try {
    const { stdout } = await execFileAsync(IPTABLES_BIN, ['-w', ...args]);
    return { ok: true, stdout };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string };
    // `-C` / `-D` of an absent rule exit 1: not a failure of iptables itself.
    if (e.code === 1) return { ok: false, stdout: e.stdout ?? '' };
    throw error;
  }
}

/** The UDP cut of this (private) namespace; register `restore` on the file's CleanupStack. */
export function udpCut(): UdpCut {
  assertIsolatedNetwork();
  assertExecutable(IPTABLES_BIN, 'apt-get install iptables (the nftables backend, iptables-nft, is fine)');
  const isCut = async (): Promise<boolean> => (await iptables('-C', ...RULE)).ok;
  return {
    async cut() {
      if (!(await isCut())) await iptables('-A', ...RULE);
    },
    async restore() {
      for (let i = 0; i < 10 && (await isCut()); i++) await iptables('-D', ...RULE);
      if (await isCut()) throw new Error('the UDP DROP rule could not be removed');
    },
    isCut,
  };
}
