// A SIP phone on plain RTP for the gateway suite: Debian's baresip, headless,
// registered over UDP, one account per process. It plays a tone from a WAV
// (aufile), writes what it decodes to a WAV (sndfile), and is driven through
// its ctrl_tcp interface (netstring JSON): dial, accept, hang up; its events
// (CALL_INCOMING, CALL_ESTABLISHED, CALL_DTMF_START …) are collected. With
// `-s` its SIP trace is kept too, so tests can read the SDP it saw.
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertExecutable, canConnect, getFreePort, makeTempDir, removeDir, spawnManaged, waitFor, type ManagedProcess } from './process.js';

const execFileAsync = promisify(execFile);

export const BARESIP_BIN = '/usr/bin/baresip';
export const BARESIP_MODULES = '/usr/lib/baresip/modules';
export const SOX_BIN = '/usr/bin/sox';

/** The phone's tone: a sine at this frequency, at half of full scale. */
export const PHONE_TONE_HZ = 440;

export interface PhoneOptions {
  user: string;
  password: string;
  domain: string;
  /** Kamailio's SIP/UDP port on 127.0.0.1 (the outbound proxy). */
  proxyPort: number;
  /**
   * The codecs the phone offers and accepts, in order, as baresip names them
   * (`opus/48000/2`, `PCMU/8000/1`, `G722/16000/1`). Default: its own list.
   */
  codecs?: string[];
  /** First of 100 RTP ports the phone may use. */
  rtpPortBase: number;
}

/** One event from baresip's ctrl_tcp. */
export interface PhoneEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  param?: string;
  /** Date.now() when it arrived. */
  at: number;
}

export interface PhoneResponse {
  ok: boolean;
  data: string;
}

export interface Phone {
  readonly user: string;
  readonly aor: string;
  readonly sipPort: number;
  readonly pid: number;
  /** Events received so far, oldest first. */
  readonly events: readonly PhoneEvent[];
  /** Runs a baresip command (`dial`, `accept`, `hangup`, …) and resolves with its response. */
  command(command: string, params?: string): Promise<PhoneResponse>;
  /** Resolves with the first event (from index `from`) that matches. */
  waitForEvent(match: (event: PhoneEvent) => boolean, description: string, from?: number, timeoutMs?: number): Promise<PhoneEvent>;
  /** Digits the phone received (CALL_DTMF_START), in order, since event index `from`. */
  digitsReceived(from?: number): string;
  /** The SIP trace and log so far. */
  logs(): string;
  /** The WAV files of decoded audio (one per call, newest last). */
  recordings(): Promise<string[]>;
  stop(): Promise<void>;
}

const MAX_LOG = 8 * 1024 * 1024;

/** A mono 16-bit 48 kHz sine WAV of `seconds`, made with sox. */
export async function makeToneWav(file: string, seconds = 90): Promise<void> {
  assertExecutable(SOX_BIN, 'apt-get install -y sox');
  await execFileAsync(SOX_BIN, ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', String(PHONE_TONE_HZ), 'vol', '0.5']);
}

export async function startPhone(options: PhoneOptions): Promise<Phone> {
  assertExecutable(BARESIP_BIN, 'apt-get install -y baresip-core');
  const dir = await makeTempDir(`baresip-${options.user}`);
  let proc: ManagedProcess | undefined;
  let socket: Socket | undefined;
  try {
    const tone = join(dir, 'tone.wav');
    await makeToneWav(tone);
    const sipPort = await getFreePort();
    const ctrlPort = await getFreePort();
    const aor = `sip:${options.user}@${options.domain}`;
    await writeFile(join(dir, 'config'), baresipConfig({ sipPort, ctrlPort, tone, dir, rtpPortBase: options.rtpPortBase }));
    const accountParams = [
      `auth_pass=${options.password}`,
      `outbound="sip:127.0.0.1:${options.proxyPort};transport=udp"`,
      'regint=600',
      'answermode=manual',
      ...(options.codecs === undefined ? [] : [`audio_codecs=${options.codecs.join(',')}`]),
    ];
    await writeFile(join(dir, 'accounts'), `<${aor};transport=udp>;${accountParams.join(';')}\n`);
    await writeFile(join(dir, 'contacts'), '');

    let log = '';
    proc = spawnManaged(`baresip-${options.user}`, BARESIP_BIN, ['-f', dir, '-s'], {
      cwd: dir,
      env: { ...process.env, HOME: dir },
    });
    const append = (chunk: Buffer): void => {
      log = (log + chunk.toString('utf8')).slice(-MAX_LOG);
    };
    proc.child.stdout?.on('data', append);
    proc.child.stderr?.on('data', append);
    const running = proc;

    await waitFor(async () => (running.hasExited() ? 'exited' : (await canConnect(ctrlPort)) ? 'up' : false), {
      timeoutMs: 10_000,
      description: `baresip (${options.user}) to listen on ctrl_tcp`,
    }).then(
      (state) => {
        if (state === 'exited') throw new Error(`baresip exited during start\n${log.slice(-4000)}`);
      },
      (error: Error) => {
        throw new Error(`${error.message}\n--- baresip output ---\n${log.slice(-4000)}`);
      },
    );

    const events: PhoneEvent[] = [];
    const pending = new Map<string, (response: PhoneResponse) => void>();
    socket = await openSocket(ctrlPort);
    const control = socket;
    let buffer = Buffer.alloc(0);
    control.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const colon = buffer.indexOf(':');
        if (colon < 0) break;
        const length = Number(buffer.subarray(0, colon).toString());
        if (buffer.length < colon + 1 + length + 1) break;
        const text = buffer.subarray(colon + 1, colon + 1 + length).toString('utf8');
        buffer = buffer.subarray(colon + 1 + length + 1);
        const message = JSON.parse(text) as Record<string, unknown>;
        if (message.event === true) {
          events.push({ ...(message as Omit<PhoneEvent, 'at'>), at: Date.now() });
        } else if (message.response === true && typeof message.token === 'string') {
          pending.get(message.token)?.({ ok: message.ok === true, data: String(message.data ?? '') });
          pending.delete(message.token);
        }
      }
    });
    let tokens = 0;
    const command = (name: string, params?: string): Promise<PhoneResponse> =>
      new Promise((resolve, reject) => {
        const token = `t${++tokens}`;
        const timer = setTimeout(() => {
          pending.delete(token);
          reject(new Error(`baresip ${options.user}: no response to '${name}' in 5 s`));
        }, 5000);
        pending.set(token, (response) => {
          clearTimeout(timer);
          resolve(response);
        });
        const json = JSON.stringify({ command: name, ...(params === undefined ? {} : { params }), token });
        control.write(`${Buffer.byteLength(json)}:${json},`);
      });
    const waitForEvent = (match: (event: PhoneEvent) => boolean, description: string, from = 0, timeoutMs = 15_000) =>
      waitFor(() => events.slice(from).find(match), { timeoutMs, intervalMs: 20, description: `${options.user}: ${description}` });

    // The first REGISTER may be answered before ctrl_tcp is connected: read its log line too.
    await waitFor(() => events.some((event) => event.type === 'REGISTER_OK') || /\} 200 OK .*\[\d+ binding/.test(log), {
      timeoutMs: 10_000,
      description: `${options.user} to register`,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- baresip output ---\n${log.slice(-4000)}`);
    });

    return {
      user: options.user,
      aor,
      sipPort,
      pid: running.pid,
      events,
      command,
      waitForEvent,
      digitsReceived: (from = 0) =>
        events
          .slice(from)
          .filter((event) => event.type === 'CALL_DTMF_START')
          .map((event) => event.param ?? '')
          .join(''),
      logs: () => log,
      recordings: async () =>
        (await readdir(dir))
          .filter((name) => /^dump-.*-dec\.wav$/.test(name))
          .sort()
          .map((name) => join(dir, name)),
      stop: async () => {
        control.destroy();
        await running.stop();
        await removeDir(dir);
      },
    };
  } catch (error) {
    socket?.destroy();
    await proc?.stop();
    await removeDir(dir);
    throw error;
  }
}

function baresipConfig(input: { sipPort: number; ctrlPort: number; tone: string; dir: string; rtpPortBase: number }): string {
  return [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${input.sipPort}`,
    // Naming `lo` fails inside the test namespace; the address works.
    'net_interface 127.0.0.1',
    `rtp_ports ${input.rtpPortBase}-${input.rtpPortBase + 99}`,
    'rtcp_mux no',
    'jitter_buffer_delay 1-10',
    `audio_source aufile,${input.tone}`,
    `audio_alert aufile,${input.tone}`,
    // The tone is 48 kHz mono; baresip resamples it to each codec.
    'ausrc_srate 48000',
    'ausrc_channels 1',
    'auplay_srate 48000',
    'auplay_channels 1',
    `module_path ${BARESIP_MODULES}`,
    'module g711.so',
    'module g722.so',
    'module opus.so',
    'module aufile.so',
    // Writes what the phone decodes (and encodes) to dump-*-dec.wav / -enc.wav.
    'module sndfile.so',
    `snd_path ${input.dir}`,
    'module_app account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${input.ctrlPort}`,
    'opus_bitrate 32000',
    'opus_stereo no',
    'opus_sprop_stereo no',
    '',
  ].join('\n');
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Loudness of a 16-bit PCM WAV, frame by frame. */
export interface RecordingLoudness {
  /** Seconds of audio in the file. */
  seconds: number;
  /** 20 ms frames louder than `thresholdDbfs`. */
  loudFrames: number;
  /** Seconds those frames add up to. */
  loudSeconds: number;
  /** Runs of consecutive loud frames at least 100 ms long ("bursts"). */
  bursts: number;
  /** RMS of the loudest frame, dBFS. */
  peakDbfs: number;
  thresholdDbfs: number;
}

/**
 * Measures a WAV the phone wrote. The browser's echo canceller fades its fake
 * microphone's beep while the phone's tone comes back, so what arrives is
 * bursts of tone, not one continuous tone: count loud frames and bursts.
 * The header's data size may be unfinished (the file is still open): the
 * samples are read up to the end of the file.
 */
export async function measureRecording(file: string, thresholdDbfs = -40): Promise<RecordingLoudness> {
  const wav = await readFile(file);
  const format = findChunk(wav, 'fmt ');
  const data = findChunk(wav, 'data');
  if (format === undefined || data === undefined) throw new Error(`${file} is not a WAV file`);
  const channels = wav.readUInt16LE(format + 2);
  const rate = wav.readUInt32LE(format + 4);
  const bits = wav.readUInt16LE(format + 14);
  if (bits !== 16) throw new Error(`${file}: ${bits}-bit samples, expected 16`);
  const samples = Math.floor((wav.length - data) / 2 / channels);
  const frame = Math.round(rate * 0.02);
  let loudFrames = 0;
  let bursts = 0;
  let run = 0;
  let peak = -Infinity;
  for (let start = 0; start + frame <= samples; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; i++) {
      const value = wav.readInt16LE(data + i * 2 * channels) / 32768;
      sum += value * value;
    }
    const dbfs = 10 * Math.log10(sum / frame + 1e-12);
    peak = Math.max(peak, dbfs);
    if (dbfs > thresholdDbfs) {
      loudFrames += 1;
      run += 1;
      if (run === 5) bursts += 1;
    } else {
      run = 0;
    }
  }
  return {
    seconds: samples / rate,
    loudFrames,
    loudSeconds: loudFrames * 0.02,
    bursts,
    peakDbfs: Math.round(peak * 10) / 10,
    thresholdDbfs,
  };
}

/** Offset of the payload of RIFF chunk `id`. */
function findChunk(wav: Buffer, id: string): number | undefined {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const name = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (name === id) return offset + 8;
    offset += 8 + size + (size % 2);
  }
  return undefined;
}
