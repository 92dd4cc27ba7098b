// Loopback packet capture for media assertions the browser cannot make itself,
// e.g. counting RFC 4733 telephone-events: SRTP encrypts the payload but the
// RTP header (payload type, timestamp) stays in clear.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertExecutable, makeTempDir, removeDir, spawnManaged, waitFor } from './process.js';

const execFileAsync = promisify(execFile);

export const DUMPCAP_BIN = '/usr/bin/dumpcap';
export const TSHARK_BIN = '/usr/bin/tshark';

export interface CaptureOptions {
  /** Default 'lo'. */
  iface?: string;
  /** BPF capture filter. Default 'udp'. */
  filter?: string;
  /** Output pcapng path. Default: a file in a fresh temp folder (removed by dispose()). */
  file?: string;
  /** How long to wait for the capture to see traffic. Default 5 s. */
  startTimeoutMs?: number;
}

export interface Capture {
  readonly file: string;
  readonly pid: number;
  /** Stops dumpcap by PID (SIGTERM flushes the file) and waits for it to exit. */
  stop(): Promise<void>;
  /** stop() and remove the temp folder if the capture made one. */
  dispose(): Promise<void>;
  /**
   * Polls the live capture file until `predicate` holds for the RTP packets
   * seen so far; returns them. Packets reach the wire after the browser API
   * that caused them has returned, so wait for them instead of stopping at once.
   */
  waitForRtp(predicate: (packets: RtpPacket[]) => boolean, options: WaitForRtpOptions): Promise<RtpPacket[]>;
}

export interface WaitForRtpOptions {
  timeoutMs: number;
  /** What is being waited for; goes into the timeout error. */
  description: string;
}

export interface RtpPacket {
  /** Seconds since the epoch. */
  time: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
}

/** Port 9 (discard): the readiness probes go nowhere and are not RTP. */
const PROBE_PORT = 9;
const PROBE_PAYLOAD = Buffer.from('callchart-capture-probe');

/**
 * Starts dumpcap and returns once it is really capturing. dumpcap prints
 * "File: ..." before its capture loop sees packets, so we send probe datagrams
 * until it reports a packet count.
 */
export async function startCapture(options: CaptureOptions = {}): Promise<Capture> {
  assertExecutable(DUMPCAP_BIN, 'apt-get install -y tshark');
  const ownDir = options.file ? undefined : await makeTempDir('capture');
  const file = options.file ?? join(ownDir!, 'capture.pcapng');
  const iface = options.iface ?? 'lo';

  const proc = spawnManaged('dumpcap', DUMPCAP_BIN, ['-i', iface, '-f', options.filter ?? 'udp', '-w', file]);
  const stop = async (): Promise<void> => {
    await proc.stop({ signal: 'SIGTERM', timeoutMs: 5000 });
  };
  try {
    await waitUntilCapturing(() => proc.output(), () => proc.hasExited(), options.startTimeoutMs ?? 5000);
  } catch (error) {
    await stop();
    if (ownDir) await removeDir(ownDir);
    throw new Error(`${(error as Error).message}\n--- dumpcap output ---\n${proc.output()}`);
  }

  const waitForRtp = async (predicate: (packets: RtpPacket[]) => boolean, { timeoutMs, description }: WaitForRtpOptions) => {
    let packets: RtpPacket[] = [];
    try {
      await waitFor(
        async () => {
          packets = await readRtpPackets(file);
          return predicate(packets);
        },
        { timeoutMs, intervalMs: 100, description },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; RTP payload types so far: ${JSON.stringify(payloadTypeHistogram(packets))}`);
    }
    return packets;
  };

  return {
    file,
    pid: proc.pid,
    stop,
    waitForRtp,
    dispose: async () => {
      await stop();
      if (ownDir) await removeDir(ownDir);
    },
  };
}

async function waitUntilCapturing(output: () => string, exited: () => boolean, timeoutMs: number): Promise<void> {
  const socket = createSocket('udp4');
  try {
    await waitFor(
      async () => {
        if (exited()) throw new Error('dumpcap exited');
        if (/Packets: \d/.test(output())) return true;
        await new Promise<void>((done) => socket.send(PROBE_PAYLOAD, PROBE_PORT, '127.0.0.1', () => done()));
        return false;
      },
      { timeoutMs, intervalMs: 20, description: 'dumpcap to capture a probe packet' },
    );
  } finally {
    socket.close();
  }
}

const RTP_FIELDS = [
  'frame.time_epoch',
  'ip.src',
  'udp.srcport',
  'ip.dst',
  'udp.dstport',
  'rtp.p_type',
  'rtp.seq',
  'rtp.timestamp',
  'rtp.ssrc',
  'rtp.marker',
] as const;

/**
 * RTP packets in a capture. WebRTC negotiates no fixed ports, so RTP is found
 * heuristically (version 2 header); STUN and DTLS fail that test, and RTCP is
 * claimed by its own heuristic first.
 */
export async function readRtpPackets(file: string): Promise<RtpPacket[]> {
  assertExecutable(TSHARK_BIN, 'apt-get install -y tshark');
  const stdout = await runTshark([
      '-r', file,
      '-o', 'rtp.heuristic_rtp:TRUE',
      '-o', 'rtcp.heuristic_rtcp:TRUE',
      '-Y', 'rtp && !rtcp',
      '-T', 'fields',
      '-E', 'separator=,',
      ...RTP_FIELDS.flatMap((field) => ['-e', field]),
  ]);
  return stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map(parseRtpLine);
}

/**
 * tshark's stdout. A file still being written may end in a partial packet:
 * tshark then exits 2 ("cut short in the middle of a packet") after printing
 * every complete one, which is what a live read wants.
 */
async function runTshark(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(TSHARK_BIN, args, { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    if (failure.stdout !== undefined && /cut short/i.test(failure.stderr ?? '')) return failure.stdout;
    throw new Error(`tshark failed: ${failure.stderr || failure.message}`);
  }
}

function parseRtpLine(line: string): RtpPacket {
  const [time, src, srcPort, dst, dstPort, payloadType, seq, timestamp, ssrc, marker] = line.split(',');
  return {
    time: Number(time),
    src: src ?? '',
    srcPort: Number(srcPort),
    dst: dst ?? '',
    dstPort: Number(dstPort),
    payloadType: Number(payloadType),
    seq: Number(seq),
    timestamp: Number(timestamp),
    ssrc: Number(ssrc),
    marker: marker === '1' || marker === 'True',
  };
}

/**
 * Number of RFC 4733 events: each digit is sent as several packets (plus
 * end-of-event retransmissions) that share one RTP timestamp, so count the
 * distinct (SSRC, timestamp) pairs with the telephone-event payload type.
 */
export function countTelephoneEvents(packets: readonly RtpPacket[], payloadType: number | readonly number[]): number {
  const types = new Set(typeof payloadType === 'number' ? [payloadType] : payloadType);
  const events = new Set(
    packets.filter((packet) => types.has(packet.payloadType)).map((packet) => `${packet.ssrc}:${packet.timestamp}`),
  );
  return events.size;
}

/** Payload types that an SDP maps to telephone-event (any clock rate). */
export function telephoneEventPayloadTypes(sdp: string): number[] {
  return [...sdp.matchAll(/^a=rtpmap:(\d+) telephone-event\//gim)].map((match) => Number(match[1]));
}

/** Count of packets per payload type, handy in failure messages. */
export function payloadTypeHistogram(packets: readonly RtpPacket[]): Record<number, number> {
  const histogram: Record<number, number> = {};
  for (const packet of packets) histogram[packet.payloadType] = (histogram[packet.payloadType] ?? 0) + 1;
  return histogram;
}
