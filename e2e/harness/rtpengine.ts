// Starts Debian's rtpengine (userspace forwarding, no kernel module) on
// 127.0.0.1 for the gateway suite, stopped by PID. Start it before Kamailio:
// Kamailio's rtpengine module disables a control socket it cannot reach at
// start-up.
import { createSocket } from 'node:dgram';
import { assertExecutable, getFreePort, makeTempDir, removeDir, spawnManaged, waitFor } from './process.js';

export const RTPENGINE_BIN = '/usr/bin/rtpengine';

export interface RtpEngine {
  /** The control (ng protocol) socket, as Kamailio's `rtpengine_sock` wants it: `udp:127.0.0.1:PORT`. */
  readonly controlSocket: string;
  readonly ngPort: number;
  readonly pid: number;
  /** Milliseconds from spawn until it answered a ping. */
  readonly startupMs: number;
  /** rtpengine's log so far (last 64 KiB). */
  logs(): string;
  /** SIGTERM by PID (SIGKILL after 5 s), then removes the temp folder. */
  stop(): Promise<void>;
}

export interface RtpEngineOptions {
  /** RTP port range; defaults to 40000–40999 (the namespace is private, nothing else uses it). */
  portMin?: number;
  portMax?: number;
  /** syslog levels: 6 info (default), 7 debug. */
  logLevel?: number;
}

export async function startRtpEngine(options: RtpEngineOptions = {}): Promise<RtpEngine> {
  assertExecutable(RTPENGINE_BIN, 'apt-get install -y rtpengine-daemon');
  const dir = await makeTempDir('rtpengine');
  try {
    const ngPort = await getFreePort();
    const args = [
      '--config-file=none',
      '--foreground',
      '--log-stderr',
      // -1: no kernel forwarding table, everything in userspace.
      '--table=-1',
      '--interface=127.0.0.1',
      `--listen-ng=127.0.0.1:${ngPort}`,
      `--port-min=${options.portMin ?? 40000}`,
      `--port-max=${options.portMax ?? 40999}`,
      '--num-threads=2',
      '--delete-delay=0',
      `--log-level=${options.logLevel ?? 6}`,
    ];
    const startedAt = performance.now();
    const proc = spawnManaged('rtpengine', RTPENGINE_BIN, args, { cwd: dir });
    try {
      await waitFor(async () => (proc.hasExited() ? 'exited' : (await ping(ngPort)) ? 'up' : false), {
        timeoutMs: 10_000,
        intervalMs: 25,
        description: `rtpengine to answer a ping on 127.0.0.1:${ngPort}`,
      }).then((state) => {
        if (state === 'exited') throw new Error(`rtpengine exited during start\n--- rtpengine output ---\n${proc.output()}`);
      });
    } catch (error) {
      await proc.stop();
      throw error;
    }
    const startupMs = performance.now() - startedAt;
    return {
      controlSocket: `udp:127.0.0.1:${ngPort}`,
      ngPort,
      pid: proc.pid,
      startupMs,
      logs: () => proc.output(),
      stop: async () => {
        await proc.stop();
        await removeDir(dir);
      },
    };
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

/** One ng-protocol ping (`COOKIE d7:command4:pinge`); true on `pong`, false when nothing answers in 200 ms. */
function ping(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createSocket('udp4');
    const cookie = `ping${Date.now()}`;
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), 200);
    socket.on('message', (message) => finish(message.toString().startsWith(`${cookie} `) && message.includes('pong')));
    socket.on('error', () => finish(false));
    socket.send(`${cookie} d7:command4:pinge`, port, '127.0.0.1');
  });
}
