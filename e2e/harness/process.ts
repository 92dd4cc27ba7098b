// Shared plumbing for the e2e harness: child processes stopped by PID, polling
// with a timeout, temp folders and free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in e2e/harness/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is being waited for; goes into the timeout error. */
  description: string;
}

/**
 * Polls `probe` until it returns a truthy value (which is returned) or the
 * timeout passes. A probe that throws counts as "not yet"; the last error is
 * reported on timeout.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { timeoutMs, intervalMs = 10, description }: WaitForOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
    }
    await delay(intervalMs);
  }
}

/** Pause between polls only; never use it to wait for a state. */
function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Throws a clear error (with an install hint) when a required binary is absent. */
export function assertExecutable(path: string, installHint: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing or not executable; the e2e suite needs it. Install it: ${installHint}`);
  }
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `callchart-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1, found by binding port 0 and releasing it. */
export async function getFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}

/** True when a TCP connection to 127.0.0.1:port is accepted. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => {
      socket.destroy();
      done(false);
    });
  });
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  hasExited(): boolean;
  /** The last ~64 KiB of stdout+stderr, for error messages. */
  output(): string;
  /** SIGTERM by PID, then SIGKILL by PID if it has not exited in time. */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ExitStatus>;
}

const OUTPUT_LIMIT = 64 * 1024;

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns a long-running helper whose PID we own and stop explicitly. */
export function spawnManaged(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: failed to spawn ${command}`);
  const pid = child.pid;

  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((done) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      done(exitStatus);
    });
    child.once('error', (error) => {
      append(Buffer.from(`\n[spawn error] ${error.message}\n`));
    });
  });

  const stop = async ({ signal = 'SIGTERM', timeoutMs = 5000 }: { signal?: NodeJS.Signals; timeoutMs?: number } = {}) => {
    if (exitStatus) return exitStatus;
    killQuietly(pid, signal);
    const status = await settleWithin(exited, timeoutMs);
    if (status) return status;
    killQuietly(pid, 'SIGKILL');
    return exited;
  };

  return {
    name,
    pid,
    child,
    exited,
    hasExited: () => exitStatus !== undefined,
    output: () => output,
    stop,
  };
}

/** The promise's value, or undefined if it has not settled within `ms` (timer cleared either way). */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((done) => {
    timer = setTimeout(() => done(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // ESRCH: already gone between our check and the kill; anything else is real.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Teardown steps run in reverse order of registration; every step runs even if
 * an earlier one fails, and the failures are reported together.
 */
export class CleanupStack {
  private readonly steps: Array<{ label: string; run: () => unknown }> = [];

  add(label: string, run: () => unknown): void {
    this.steps.push({ label, run });
  }

  async runAll(): Promise<void> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        failures.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`cleanup failed:\n${failures.join('\n')}`);
  }
}
