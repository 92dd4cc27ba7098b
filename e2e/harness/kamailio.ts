// Starts a private Kamailio (registrar + proxy, SIP over ws and wss on
// 127.0.0.1) from e2e/kamailio/kamailio.cfg, stopped by PID.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  REPO_ROOT,
  assertExecutable,
  canConnect,
  getFreePort,
  makeTempDir,
  removeDir,
  spawnManaged,
  waitFor,
  type ManagedProcess,
} from './process.js';
import { SIP_DOMAIN } from './users.js';

const execFileAsync = promisify(execFile);

export const KAMAILIO_BIN = '/usr/sbin/kamailio';
export const OPENSSL_BIN = '/usr/bin/openssl';
export const KAMAILIO_CFG = join(REPO_ROOT, 'e2e/kamailio/kamailio.cfg');
export const KAMCMD_BIN = '/usr/sbin/kamcmd';

/** Kamailio's `debug` levels: -1 errors, 0 warnings, 1 notices, 2 info, 3 debug. */
export type KamailioLogLevel = -1 | 0 | 1 | 2 | 3;

export interface KamailioOptions {
  /** Defaults to a free port. */
  wsPort?: number;
  /** Defaults to a free port. */
  wssPort?: number;
  /** Defaults to 0 (warnings and errors). */
  logLevel?: KamailioLogLevel;
  /** How long to wait for both ports to accept. Default 10 s. */
  startTimeoutMs?: number;
  /** Another config (e2e/kamailio/gateway.cfg). Default KAMAILIO_CFG. */
  config?: string;
  /** More `-A NAME=VALUE` defines for that config (string values carry their own double quotes). */
  defines?: Record<string, string | number>;
}

export interface Kamailio {
  /** ws://127.0.0.1:PORT */
  readonly wsUrl: string;
  /** wss://127.0.0.1:PORT (self-signed certificate: ignore HTTPS errors) */
  readonly wssUrl: string;
  /** SIP domain served: callchart.test */
  readonly domain: string;
  readonly wsPort: number;
  readonly wssPort: number;
  readonly pid: number;
  /** Milliseconds from spawn until both ports accepted connections. */
  readonly startupMs: number;
  /** Kamailio's stderr so far (last 64 KiB). */
  logs(): string;
  /**
   * SIGSTOP to every Kamailio process (the main one and its children, by
   * PID): sockets stay open and nothing is answered, not even a keep-alive.
   */
  pause(): Promise<void>;
  /** SIGCONT to the processes `pause()` stopped: it answers what it held. */
  resume(): Promise<void>;
  /**
   * SIGTERM to the main process by PID (it takes its children down), resolved
   * once it exited: the ports are free, every WebSocket is closed. `restart()`
   * brings it back.
   */
  terminate(): Promise<void>;
  /** Starts it again on the same ports, config and defines (usrloc is empty: clients register again). */
  restart(): Promise<void>;
  /** A `kamcmd` RPC on this instance's ctl socket (`ws.dump`, `ws.close ID`, `ul.dump` …): its stdout. */
  rpc(command: string, ...args: string[]): Promise<string>;
  /** SIGTERM by PID (SIGKILL after 5 s), then removes the temp folder. */
  stop(): Promise<void>;
}

export async function startKamailio(options: KamailioOptions = {}): Promise<Kamailio> {
  assertExecutable(KAMAILIO_BIN, 'apt-get install -y kamailio kamailio-websocket-modules kamailio-tls-modules');
  assertExecutable(OPENSSL_BIN, 'apt-get install -y openssl');

  const dir = await makeTempDir('kamailio');
  try {
    const runDir = join(dir, 'run');
    await mkdir(runDir);
    const { certFile, keyFile } = await makeSelfSignedCert(dir);
    const wsPort = options.wsPort ?? (await getFreePort());
    const wssPort = options.wssPort ?? (await getFreePort());

    const config = options.config ?? KAMAILIO_CFG;
    const ctlSocket = join(runDir, 'kamailio_ctl');
    const args = [
      ...kamailioArgs({ config, wsPort, wssPort, runDir, certFile, keyFile, logLevel: options.logLevel ?? 0 }),
      '-A', `CTL_SOCKET="unix:${ctlSocket}"`,
      ...Object.entries(options.defines ?? {}).flatMap(([name, value]) => ['-A', `${name}=${value}`]),
    ];
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    const spawnListening = async (): Promise<ManagedProcess> => {
      const started = spawnManaged('kamailio', KAMAILIO_BIN, args, { cwd: dir });
      try {
        await waitForListening(started, wsPort, timeoutMs, config);
        await waitForListening(started, wssPort, timeoutMs, config);
      } catch (error) {
        await started.stop();
        throw error;
      }
      return started;
    };
    const startedAt = performance.now();
    let proc = await spawnListening();
    const startupMs = performance.now() - startedAt;
    /** Output of the processes before the current one (restarts). */
    let earlierOutput = '';
    let paused: number[] = [];

    return {
      wsUrl: `ws://127.0.0.1:${wsPort}`,
      wssUrl: `wss://127.0.0.1:${wssPort}`,
      domain: SIP_DOMAIN,
      wsPort,
      wssPort,
      get pid() {
        return proc.pid;
      },
      startupMs,
      logs: () => (earlierOutput + proc.output()).slice(-64 * 1024),
      pause: async () => {
        paused = [proc.pid, ...(await descendantsOf(proc.pid))];
        for (const pid of paused) process.kill(pid, 'SIGSTOP');
      },
      resume: async () => {
        for (const pid of paused) process.kill(pid, 'SIGCONT');
        paused = [];
      },
      terminate: async () => {
        if (paused.length > 0) for (const pid of paused) process.kill(pid, 'SIGCONT');
        paused = [];
        await proc.stop();
      },
      restart: async () => {
        if (!proc.hasExited()) throw new Error('kamailio: terminate() before restart()');
        earlierOutput = (earlierOutput + proc.output()).slice(-64 * 1024);
        proc = await spawnListening();
      },
      rpc: async (command, ...rpcArgs) => {
        assertExecutable(KAMCMD_BIN, 'apt-get install -y kamailio');
        const { stdout } = await execFileAsync(KAMCMD_BIN, ['-s', `unixs:${ctlSocket}`, command, ...rpcArgs], { timeout: 5000 });
        return stdout;
      },
      stop: async () => {
        if (paused.length > 0) for (const pid of paused) process.kill(pid, 'SIGCONT');
        await proc.stop();
        await removeDir(dir);
      },
    };
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

interface ArgsInput {
  config: string;
  wsPort: number;
  wssPort: number;
  runDir: string;
  certFile: string;
  keyFile: string;
  logLevel: KamailioLogLevel;
}

/**
 * `-DD` keeps the main process in the foreground (its PID is the one to stop;
 * it takes its children down on SIGTERM). String defines must carry their own
 * double quotes to be usable as cfg string literals.
 */
function kamailioArgs({ config, wsPort, wssPort, runDir, certFile, keyFile, logLevel }: ArgsInput): string[] {
  return [
    '-f', config,
    '-DD', '-E',
    '-m', '64', '-M', '8',
    '-A', `WS_PORT=${wsPort}`,
    '-A', `WSS_PORT=${wssPort}`,
    '-A', `RUN_DIR="${runDir}"`,
    '-A', `TLS_CERT="${certFile}"`,
    '-A', `TLS_KEY="${keyFile}"`,
    '-A', `LOG_LEVEL=${logLevel}`,
  ];
}

async function waitForListening(proc: ManagedProcess, port: number, timeoutMs: number, config: string): Promise<void> {
  const outcome = await waitFor(
    async () => (proc.hasExited() ? 'exited' : (await canConnect(port)) ? 'listening' : false),
    { timeoutMs, description: `Kamailio to accept on 127.0.0.1:${port}` },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- kamailio output ---\n${proc.output()}`);
  });
  if (outcome === 'exited') {
    const status = await proc.exited;
    throw new Error(
      `Kamailio exited during start (code ${status.code}, signal ${status.signal}); cfg ${config}\n` +
        `--- kamailio output ---\n${proc.output()}`,
    );
  }
}

/** Every process below `root`, from the parent PIDs in /proc/<pid>/stat. */
async function descendantsOf(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parents.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const visit = (pid: number): void => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(root);
  return found;
}

/** A throw-away P-256 certificate for 127.0.0.1 (EC keys generate in ms). */
async function makeSelfSignedCert(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await execFileAsync(OPENSSL_BIN, [
    'req', '-x509', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', certFile,
    '-days', '2',
    '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { certFile, keyFile };
}

/** ERROR/CRITICAL/ALERT/BUG lines Kamailio has logged so far. */
export function kamailioErrors(kamailio: Pick<Kamailio, 'logs'>): string[] {
  return kamailio
    .logs()
    .split('\n')
    .filter((line) => /\b(ERROR|CRITICAL|ALERT|BUG):/.test(line));
}

/** A WebSocket connection as `kamcmd ws.dump` lists it. */
export interface KamailioWsConnection {
  /** The id `ws.close` takes. */
  id: number;
  /** The client's (browser's) TCP port. */
  clientPort: number;
  state: string;
}

/** Open WebSocket connections (`ws.dump` lines like `3: ws:127.0.0.1:59824 -> ws:127.0.0.1:45909 (state: OPEN, …)`). */
export async function kamailioWsConnections(kamailio: Pick<Kamailio, 'rpc'>): Promise<KamailioWsConnection[]> {
  const dump = await kamailio.rpc('ws.dump');
  return [...dump.matchAll(/^\s*(\d+): wss?:[\d.]+:(\d+) -> wss?:[\d.]+:\d+ \(state: (\w+)/gm)].map(([, id, port, state]) => ({
    id: Number(id),
    clientPort: Number(port),
    state: state!,
  }));
}

/** The client ports `user`'s registrations came from (`ul.lookup location USER`, their received addresses). */
export async function kamailioRegisteredPorts(kamailio: Pick<Kamailio, 'rpc'>, user: string): Promise<number[]> {
  const found = await kamailio.rpc('ul.lookup', 'location', user).catch(() => '');
  return [...found.matchAll(/Received: sip:[\d.]+:(\d+);transport=wss?/g)].map(([, port]) => Number(port));
}

/** Closes `user`'s WebSocket from the server side (`ws.close ID`); the id closed. */
export async function kamailioCloseSocketOf(kamailio: Pick<Kamailio, 'rpc'>, user: string): Promise<number> {
  const ports = await kamailioRegisteredPorts(kamailio, user);
  const connection = (await kamailioWsConnections(kamailio)).find((c) => ports.includes(c.clientPort) && c.state === 'OPEN');
  if (connection === undefined) throw new Error(`no open WebSocket of ${user} (registered from ports ${ports.join(', ') || 'none'})`);
  await kamailio.rpc('ws.close', String(connection.id));
  return connection.id;
}

/** Two Kamailio nodes sharing registrations over DMQ (dmq_usrloc): kamailio.cfg with WITH_DMQ. */
export interface KamailioPair {
  a: Kamailio;
  b: Kamailio;
  /** Stops both (each by PID). */
  stop(): Promise<void>;
}

/**
 * Starts node a and node b on 127.0.0.1 (own ws/wss ports, DMQ over UDP) and
 * waits until each lists the other as an active DMQ node, so a registration
 * saved on one is replicated to the other from then on.
 */
export async function startKamailioPair(options: Pick<KamailioOptions, 'logLevel' | 'startTimeoutMs'> = {}): Promise<KamailioPair> {
  const ports = { a: { dmq: await getFreePort() }, b: { dmq: await getFreePort() } };
  const node = (self: 'a' | 'b', peer: 'a' | 'b') =>
    startKamailio({
      ...options,
      defines: {
        WITH_DMQ: 1,
        DMQ_PORT: ports[self].dmq,
        DMQ_ADDRESS: `"sip:127.0.0.1:${ports[self].dmq}"`,
        DMQ_PEER: `"sip:127.0.0.1:${ports[peer].dmq}"`,
      },
    });
  const a = await node('a', 'b');
  let b: Kamailio | undefined;
  try {
    b = await node('b', 'a');
    const nodes = [a, b];
    for (const [self, peer] of [[a, 'b'], [b, 'a']] as const) {
      const peerPort = ports[peer].dmq;
      await waitFor(async () => /status: active/.test(dmqNodeEntry(await self.rpc('dmq.list_nodes'), peerPort)), {
        timeoutMs: 10_000,
        intervalMs: 100,
        description: `DMQ node 127.0.0.1:${peerPort} active on the node at ${self.wsUrl}`,
      });
    }
    return { a, b, stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))) };
  } catch (error) {
    await Promise.all([a.stop(), b?.stop()]);
    throw error;
  }
}

/** The `{ host: … port: … status: … }` block of `dmq.list_nodes` about the node on `port` ('' when not listed). */
function dmqNodeEntry(listing: string, port: number): string {
  return listing.match(/\{[^{}]*\}/g)?.find((block) => new RegExp(`^\\s*port: ${port}$`, 'm').test(block)) ?? '';
}
