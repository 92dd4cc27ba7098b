// A UDP relay between two WebRTC peers that adds delay, jitter and loss, per
// direction, changeable during a call. The kernel here has no netem and
// Debian's Chromium ignores the WebRTC-FakeNetwork field trials, so the
// impairment has to live in user space (see /work/shared/E2E-NOTES.md).
//
// How media gets into it: each page wraps
// RTCPeerConnection.prototype.setRemoteDescription (routeMediaThroughRelay)
// and rewrites the port of every remote UDP host candidate to a relay port
// that stands for that peer. Remote TCP candidates are dropped so ICE cannot
// go around the relay; relay (TURN) candidates are left alone.
//
//   alice 127.0.0.1:Pa ──► relay R(b) ──► 127.0.0.1:Pb bob
//   alice 127.0.0.1:Pa ◄── relay R(a) ◄── 127.0.0.1:Pb bob
//
// One relay socket per real peer address: R(x) forwards whatever it receives
// to x's real port, sending it from R(y), the socket that stands for the
// sender y. So every packet a peer receives comes from the address that peer
// was told (its remote candidate, which stays `host`), and ICE checks and
// their answers take the same path. Like a NAT, the relay changes the source
// port each peer is seen from, so each peer learns its own address as a
// peer-reflexive (`prflx`) local candidate. A packet from a real port the
// relay has not heard of yet (a peer's ICE check that beats the other page's
// rewrite) allocates that peer's socket on the spot; its side is the opposite
// of the packet's destination.
//
// Everything is on 127.0.0.1. Delayed packets wait in timers, at most
// MAX_IN_FLIGHT of them (further packets are dropped and counted); stop()
// clears the timers and closes the sockets.
import { createSocket, type Socket } from 'node:dgram';
import type { Page } from 'playwright-core';

export type RelaySide = 'a' | 'b';
export type RelayDirection = 'a-to-b' | 'b-to-a';

export interface Impairment {
  /** Fixed extra one-way delay, ms. */
  delayMs: number;
  /** Extra delay drawn per packet from 0..jitterMs (uniform), ms. Packets may get reordered. */
  jitterMs: number;
  /** Fraction of RTP/RTCP packets dropped, 0..1. STUN and DTLS are never dropped. */
  loss: number;
  /**
   * How the dropped packets are chosen: `'random'` drops each with probability
   * `loss` (runs of few or many losses happen by chance); `'spread'` drops one
   * packet at a random place in each block of round(1 / `loss`), per kind (RTP,
   * RTCP), so any stretch of n packets loses n·loss ± 1. @default 'random'
   */
  lossPattern?: 'random' | 'spread';
}

/** What went through one direction since the relay started (or `resetCounts`). */
export interface RelayCounts {
  /** Datagrams received for this direction. */
  received: number;
  /** RTP packets (not RTCP) received, and how many of them were dropped as loss. */
  rtp: number;
  rtpDropped: number;
  /** RTCP packets received, and how many were dropped as loss. */
  rtcp: number;
  rtcpDropped: number;
  /** Datagrams dropped because MAX_IN_FLIGHT packets were already waiting. */
  overflowDropped: number;
}

export interface Relay {
  /**
   * The relay port that stands for `side`'s real UDP port `realPort` on
   * 127.0.0.1: what the other side must be told instead of `realPort`.
   * Allocates the socket on first use; the same port afterwards.
   */
  portFor(side: RelaySide, realPort: number): Promise<number>;
  /**
   * Replaces the impairment of one direction (or both). Fields left out are
   * 0. Applies to packets that arrive from now on.
   */
  setImpairment(direction: RelayDirection | 'both', impairment: Partial<Impairment>): void;
  /** The impairment now in force for a direction. */
  impairment(direction: RelayDirection): Impairment;
  /** Counters of one direction. */
  counts(direction: RelayDirection): RelayCounts;
  resetCounts(): void;
  /** Clears every pending packet and closes every socket. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** At 50 packets/s each way, 1000 waiting packets is 10 s of delay: plenty, and bounded. */
const MAX_IN_FLIGHT = 1000;
const NO_IMPAIRMENT: Impairment = { delayMs: 0, jitterMs: 0, loss: 0, lossPattern: 'random' };

type PacketKind = 'stun' | 'dtls' | 'rtp' | 'rtcp' | 'other';

/** RFC 7983 demultiplexing by the first byte; RFC 5761 §4 tells RTCP from RTP by the second. */
export function packetKind(packet: Buffer): PacketKind {
  const first = packet[0];
  if (first === undefined) return 'other';
  if (first <= 3) return 'stun';
  if (first >= 20 && first <= 63) return 'dtls';
  if (first >= 128 && first <= 191) {
    const second = packet[1] ?? 0;
    return second >= 192 && second <= 223 ? 'rtcp' : 'rtp';
  }
  return 'other';
}

interface Endpoint {
  side: RelaySide;
  realPort: number;
  socket: Socket;
  /** Resolves with the relay port once the socket is bound. */
  bound: Promise<number>;
  /** Packets to send from this socket before it was bound (capped). */
  early: Array<{ packet: Buffer; port: number }>;
  state: 'binding' | 'open' | 'closed';
}

function emptyCounts(): RelayCounts {
  return { received: 0, rtp: 0, rtpDropped: 0, rtcp: 0, rtcpDropped: 0, overflowDropped: 0 };
}

export async function startRelay(): Promise<Relay> {
  const endpoints = new Map<number, Endpoint>();
  const timers = new Set<NodeJS.Timeout>();
  const impairments: Record<RelayDirection, Impairment> = { 'a-to-b': NO_IMPAIRMENT, 'b-to-a': NO_IMPAIRMENT };
  /** `'spread'` loss: where each direction and kind is in its block, and which place in it is dropped. */
  const blocks = new Map<string, { at: number; drop: number }>();
  const dropsPacket = (direction: RelayDirection, kind: 'rtp' | 'rtcp', { loss, lossPattern }: Impairment): boolean => {
    if (loss <= 0) return false;
    if (lossPattern !== 'spread') return Math.random() < loss;
    const size = Math.max(1, Math.round(1 / loss));
    const key = `${direction} ${kind}`;
    let block = blocks.get(key);
    if (block === undefined || block.at >= size) {
      block = { at: 0, drop: Math.floor(Math.random() * size) };
      blocks.set(key, block);
    }
    return block.at++ === block.drop;
  };
  let counts: Record<RelayDirection, RelayCounts> = { 'a-to-b': emptyCounts(), 'b-to-a': emptyCounts() };
  let stopped = false;

  const send = (from: Endpoint, packet: Buffer, port: number): void => {
    if (from.state === 'binding' && from.early.length < MAX_IN_FLIGHT) from.early.push({ packet, port });
    // A peer that went away makes the send fail (ICMP): that is loss, not an error.
    if (from.state === 'open') from.socket.send(packet, port, HOST, () => undefined);
  };

  const retire = (endpoint: Endpoint): void => {
    if (endpoint.state === 'closed') return;
    endpoint.state = 'closed';
    endpoint.early.length = 0;
    if (endpoints.get(endpoint.realPort) === endpoint) endpoints.delete(endpoint.realPort);
    endpoint.socket.close();
  };

  const endpointFor = (side: RelaySide, realPort: number): Endpoint => {
    if (stopped) throw new Error('relay: stopped');
    const existing = endpoints.get(realPort);
    if (existing !== undefined && existing.side === side) return existing;
    // The same port on the other side: the OS gave a closed peer connection's
    // port to a new one on the other page. The old peer is gone.
    if (existing !== undefined) retire(existing);

    const socket = createSocket('udp4');
    const endpoint: Endpoint = {
      side,
      realPort,
      socket,
      early: [],
      state: 'binding',
      bound: new Promise<number>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, HOST, () => {
          socket.off('error', reject);
          if (endpoint.state === 'closed') return;
          endpoint.state = 'open';
          for (const { packet, port } of endpoint.early.splice(0)) send(endpoint, packet, port);
          resolve(socket.address().port);
        });
      }),
    };
    // A socket allocated for a packet has nobody awaiting its binding.
    endpoint.bound.catch(() => undefined);
    // Errors after binding (a send to a closed port) are loss; keep the socket.
    socket.on('error', () => undefined);
    socket.on('message', (packet, sender) => forward(endpoint, packet, sender.port));
    endpoints.set(realPort, endpoint);
    return endpoint;
  };

  /** A packet for `to` (received on the socket standing for it) from real port `fromPort`. */
  const forward = (to: Endpoint, packet: Buffer, fromPort: number): void => {
    if (stopped || to.state === 'closed') return;
    const from = endpointFor(to.side === 'a' ? 'b' : 'a', fromPort);
    const direction: RelayDirection = from.side === 'a' ? 'a-to-b' : 'b-to-a';
    const impairment = impairments[direction];
    const { delayMs, jitterMs } = impairment;
    const tally = counts[direction];
    tally.received += 1;

    const kind = packetKind(packet);
    if (kind === 'rtp' || kind === 'rtcp') {
      const dropped = dropsPacket(direction, kind, impairment);
      if (kind === 'rtp') {
        tally.rtp += 1;
        if (dropped) tally.rtpDropped += 1;
      } else {
        tally.rtcp += 1;
        if (dropped) tally.rtcpDropped += 1;
      }
      if (dropped) return;
    }

    const wait = delayMs + Math.random() * jitterMs;
    if (wait <= 0) {
      send(from, packet, to.realPort);
      return;
    }
    if (timers.size >= MAX_IN_FLIGHT) {
      tally.overflowDropped += 1;
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(from, packet, to.realPort);
    }, wait);
    timers.add(timer);
  };

  return {
    portFor: (side, realPort) => endpointFor(side, realPort).bound,
    setImpairment(direction, impairment) {
      const next = { ...NO_IMPAIRMENT, ...impairment };
      if (next.delayMs < 0 || next.jitterMs < 0 || next.loss < 0 || next.loss > 1 || !['random', 'spread'].includes(next.lossPattern ?? 'random')) {
        throw new Error(`relay: invalid impairment ${JSON.stringify(impairment)}`);
      }
      for (const d of direction === 'both' ? (['a-to-b', 'b-to-a'] as const) : [direction]) {
        impairments[d] = next;
        blocks.delete(`${d} rtp`);
        blocks.delete(`${d} rtcp`);
      }
    },
    impairment: (direction) => ({ ...impairments[direction] }),
    counts: (direction) => ({ ...counts[direction] }),
    resetCounts() {
      counts = { 'a-to-b': emptyCounts(), 'b-to-a': emptyCounts() };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const open = [...endpoints.values()];
      const closing = open.map((endpoint) => new Promise<void>((resolve) => endpoint.socket.once('close', () => resolve())));
      for (const endpoint of open) retire(endpoint);
      await Promise.all(closing);
    },
  };
}

/**
 * Sends the WebRTC media of `page` through `relay`: every remote description
 * the page applies gets its UDP host candidates' ports replaced with the
 * relay ports standing for the other side (`side` is this page's side), and
 * its TCP candidates removed. Call once per page, after it loaded; applies
 * to peer connections created before or after (it patches the prototype).
 * SIP.js does not trickle candidates, so `addIceCandidate` is not wrapped.
 */
export async function routeMediaThroughRelay(page: Page, relay: Relay, side: RelaySide): Promise<void> {
  const remoteSide: RelaySide = side === 'a' ? 'b' : 'a';
  await page.exposeFunction('__callchartRelayPort', (port: number) => relay.portFor(remoteSide, port));
  await page.evaluate(() => {
    type PortLookup = (port: number) => Promise<number>;
    const w = window as unknown as { __callchartRelayPort: PortLookup; __callchartRelayInstalled?: boolean };
    if (w.__callchartRelayInstalled) return;
    w.__callchartRelayInstalled = true;

    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    const rewrite = async (sdp: string): Promise<string> => {
      const lines: string[] = [];
      for (const line of sdp.split('\r\n')) {
        const fields = line.startsWith('a=candidate:') ? line.split(' ') : undefined;
        if (fields === undefined || fields.length < 8) {
          lines.push(line);
          continue;
        }
        const transport = fields[2]!.toLowerCase();
        if (transport === 'tcp') continue;
        // The relay only reaches peers on 127.0.0.1 (all there is in the e2e namespace).
        if (transport === 'udp' && fields[7] === 'host' && fields[4] === '127.0.0.1') {
          fields[5] = String(await w.__callchartRelayPort(Number(fields[5])));
        }
        lines.push(fields.join(' '));
      }
      return lines.join('\r\n');
    };

    // The promise form only: SIP.js never uses the legacy callback overload.
    type SetRemote = (this: RTCPeerConnection, description?: RTCSessionDescriptionInit) => Promise<void>;
    const original = RTCPeerConnection.prototype.setRemoteDescription as SetRemote;
    const rewritten: SetRemote = async function (description) {
      if (description?.sdp === undefined) return original.call(this, description);
      return original.call(this, { type: description.type, sdp: await rewrite(description.sdp) });
    };
    RTCPeerConnection.prototype.setRemoteDescription = rewritten as RTCPeerConnection['setRemoteDescription'];
  });
}
