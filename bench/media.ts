// Section 3 of `npm run bench`: "path restored → media back". A callchart
// call between the bench's caller and callee pages; UDP is cut inside the
// benchmark's own network namespace (iptables, e2e/harness/udp-cut.ts) until
// the caller's call says `reconnecting` (media), then restored. Measured on
// the driver's clock from the restore: the caller's inbound audio growing
// again, and its `reconnected` event. Figures only, no limits.
import type { Page } from 'playwright-core';
import { waitFor, type UdpCut } from '../e2e/harness/index.js';
import { fmt, summarize, table } from './summary.js';

export interface MediaRestoreRound {
  /** UDP cut → the caller's `reconnecting` (media), ms. */
  detectMs: number;
  /** Path restored → the caller's inbound packets grow again, ms. */
  audioBackMs: number;
  /** Path restored → the caller's `reconnected`, ms. */
  reconnectedMs: number;
}

/** What the benchmark's pages offer (window.bench of e2e/pages/bench/callchart). */
export interface MediaBenchPages {
  caller: Page;
  calleeUser: string;
  call(): Promise<void>;
  hangup(): Promise<void>;
}

/** Poll spacing: the figures are this coarse. */
const POLL_MS = 10;

/** Starts recording the current call's reconnecting / reconnected in the caller page. */
async function watchCall(page: Page): Promise<void> {
  await page.evaluate(() => {
    type Recorded = { reconnecting?: string; reconnected: boolean };
    const call = (window as unknown as { bench: { currentCall(): { on(event: string, listener: (info?: { cause: string }) => void): void } } }).bench.currentCall();
    const seen: Recorded = { reconnected: false };
    (window as unknown as { mediaBench: Recorded }).mediaBench = seen;
    call.on('reconnecting', (info) => (seen.reconnecting = info?.cause));
    call.on('reconnected', () => (seen.reconnected = true));
  });
}

const recorded = (page: Page) =>
  page.evaluate(() => (window as unknown as { mediaBench: { reconnecting?: string; reconnected: boolean } }).mediaBench);

const inboundPackets = (page: Page) =>
  page.evaluate(async () => {
    const call = (window as unknown as { bench: { currentCall(): { getPeerConnection(): RTCPeerConnection | undefined } } }).bench.currentCall();
    const stats = await call.getPeerConnection()?.getStats();
    let packets = 0;
    stats?.forEach((entry: { type: string; kind?: string; packetsReceived?: number }) => {
      if (entry.type === 'inbound-rtp' && entry.kind === 'audio') packets = entry.packetsReceived ?? 0;
    });
    return packets;
  });

/** Inbound packets grew by 10 (~0.2 s of Opus) since `from`. */
const audioGrowsFrom = async (page: Page, from: number, description: string): Promise<void> => {
  await waitFor(async () => (await inboundPackets(page)) >= from + 10, { timeoutMs: 30_000, intervalMs: POLL_MS, description });
};

/** `rounds` cut-and-restore rounds, one call each. */
export async function benchMediaRestore(pages: MediaBenchPages, udp: UdpCut, rounds: number): Promise<MediaRestoreRound[]> {
  const results: MediaRestoreRound[] = [];
  for (let round = 0; round < rounds; round++) {
    await pages.call();
    try {
      await watchCall(pages.caller);
      await audioGrowsFrom(pages.caller, await inboundPackets(pages.caller), 'audio before the cut');
      const cutAt = Date.now();
      await udp.cut();
      await waitFor(async () => (await recorded(pages.caller)).reconnecting === 'media', {
        timeoutMs: 30_000,
        intervalMs: POLL_MS,
        description: "the caller's reconnecting (media)",
      });
      const detectMs = Date.now() - cutAt;
      const packets = await inboundPackets(pages.caller);
      const restoredAt = Date.now();
      await udp.restore();
      await audioGrowsFrom(pages.caller, packets, 'audio after the restore');
      const audioBackMs = Date.now() - restoredAt;
      await waitFor(async () => (await recorded(pages.caller)).reconnected, {
        timeoutMs: 30_000,
        intervalMs: POLL_MS,
        description: "the caller's reconnected",
      });
      results.push({ detectMs, audioBackMs, reconnectedMs: Date.now() - restoredAt });
    } finally {
      await udp.restore();
      await pages.hangup();
    }
  }
  return results;
}

/** Prints section 3; false when a figure is missing. */
export function printMediaRestore(results: readonly MediaRestoreRound[], rounds: number): boolean {
  console.log(
    `\n3. Path restored → media back: a callchart call, UDP cut in the namespace (iptables) until the caller says` +
      `\n   reconnecting (media), then restored; ${results.length} of ${rounds} rounds, driver's clock, polled every ${POLL_MS} ms.`,
  );
  const row = (name: string, values: number[]) => {
    const s = summarize(values);
    return [name, fmt(s.median, 0), fmt(s.min, 0), fmt(s.max, 0)];
  };
  console.log(
    table([
      ['ms', 'median', 'min', 'max'],
      row('UDP cut → reconnecting (ICE disconnected + 2 s stall)', results.map((r) => r.detectMs)),
      row('path restored → inbound audio growing again', results.map((r) => r.audioBackMs)),
      row('path restored → reconnected', results.map((r) => r.reconnectedMs)),
    ]),
  );
  return results.length === rounds;
}
