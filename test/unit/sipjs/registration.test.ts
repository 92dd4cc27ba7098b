// Registration against a scripted in-memory registrar: SIP.js's real
// Registerer and transaction layer, a fake transport instead of a WebSocket.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmitterImpl, TransportState, UserAgent } from 'sip.js';
import type { Transport } from 'sip.js';
import { Registration } from '../../../src/adapters/sipjs/sipjs.registration';
import type { VoiceSDKError } from '../../../src/errors';

/** Answers one request, or stays silent (undefined). */
type Registrar = (request: string) => { status: number; reason: string; headers?: string[] } | undefined;

class FakeTransport implements Transport {
  static current: FakeTransport | undefined;
  readonly protocol = 'WS';
  readonly stateChange = new EmitterImpl<TransportState>();
  state = TransportState.Disconnected;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  readonly sent: string[] = [];
  registrar: Registrar = () => undefined;

  constructor() {
    FakeTransport.current = this;
  }

  async connect(): Promise<void> {
    this.setState(TransportState.Connected);
    this.onConnect?.();
  }

  async disconnect(): Promise<void> {
    if (this.state === TransportState.Disconnected) return;
    this.setState(TransportState.Disconnected);
    this.onDisconnect?.();
  }

  /** The server went away. */
  drop(): void {
    this.setState(TransportState.Disconnected);
    this.onDisconnect?.(new Error('connection lost'));
  }

  dispose(): Promise<void> {
    return this.disconnect();
  }

  isConnected(): boolean {
    return this.state === TransportState.Connected;
  }

  async send(message: string): Promise<void> {
    if (!this.isConnected()) throw new Error('Not connected.');
    this.sent.push(message);
    const answer = this.registrar(message);
    if (answer !== undefined) setTimeout(() => this.onMessage?.(response(message, answer)), 1);
  }

  registers(): string[] {
    return this.sent.filter((message) => message.startsWith('REGISTER '));
  }

  private setState(state: TransportState): void {
    this.state = state;
    this.stateChange.emit(state);
  }
}

function header(message: string, name: string): string {
  const line = message.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line === undefined ? '' : line.slice(line.indexOf(':') + 1).trim();
}

function response(request: string, answer: { status: number; reason: string; headers?: string[] }): string {
  const lines = [
    `SIP/2.0 ${answer.status} ${answer.reason}`,
    `Via: ${header(request, 'Via')}`,
    `From: ${header(request, 'From')}`,
    `To: ${header(request, 'To')};tag=registrar`,
    `Call-ID: ${header(request, 'Call-ID')}`,
    `CSeq: ${header(request, 'CSeq')}`,
    ...(answer.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return lines.join('\r\n');
}

const CHALLENGE = { status: 401, reason: 'Unauthorized', headers: ['WWW-Authenticate: Digest realm="callchart.test", nonce="n0nce", algorithm=MD5, qop="auth"'] };
const ok = (request: string) => ({ status: 200, reason: 'OK', headers: [`Contact: ${header(request, 'Contact')}`] });

/** A registrar that challenges, then accepts any credentials; `after` answers what comes next. */
function acceptingRegistrar(after?: (request: string, count: number) => ReturnType<Registrar> | 'default'): Registrar {
  let count = 0;
  return (request) => {
    count += 1;
    const custom = after?.(request, count);
    if (custom !== undefined && custom !== 'default') return custom;
    if (custom === undefined && after !== undefined) return undefined;
    return header(request, 'Authorization') === '' ? CHALLENGE : ok(request);
  };
}

const started: UserAgent[] = [];

async function startUserAgent(registrar: Registrar, expires = 300) {
  const userAgent = new UserAgent({
    uri: UserAgent.makeURI('sip:alice@callchart.test'),
    authorizationPassword: 'alicepw',
    transportConstructor: FakeTransport,
    logLevel: 'error',
    logBuiltinEnabled: false,
    gracefulShutdown: false,
  });
  started.push(userAgent);
  const transport = FakeTransport.current!;
  transport.registrar = registrar;
  await userAgent.start();
  const lost: VoiceSDKError[] = [];
  const registration = new Registration(userAgent, { expires, logConfiguration: false }, { onLost: (error) => lost.push(error) });
  transport.onDisconnect = ((original) => (error?: Error) => {
    registration.onTransportClosed();
    original?.(error);
  })(transport.onDisconnect);
  return { userAgent, transport, registration, lost };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((userAgent) => userAgent.stop()));
});

describe('registration', () => {
  it('answers the digest challenge and resolves on 200', async () => {
    const { transport, registration } = await startUserAgent(acceptingRegistrar());
    await registration.register();
    const registers = transport.registers();
    expect(registers).toHaveLength(2);
    expect(header(registers[1]!, 'Authorization')).toMatch(/^Digest .*username="alice"/);
  });

  it('rejects a wrong password with auth-failed after exactly two REGISTERs', async () => {
    const { transport, registration, lost } = await startUserAgent(() => CHALLENGE);
    await expect(registration.register()).rejects.toMatchObject({ code: 'auth-failed', status: 401 });
    expect(transport.registers()).toHaveLength(2);
    expect(lost).toEqual([]);
  });

  it('maps 408 to timeout and other failures to sip-error with the status', async () => {
    const timeout = await startUserAgent(() => ({ status: 408, reason: 'Request Timeout' }));
    await expect(timeout.registration.register()).rejects.toMatchObject({ code: 'timeout', status: 408 });
    const failure = await startUserAgent(() => ({ status: 500, reason: 'Server Error' }));
    await expect(failure.registration.register()).rejects.toMatchObject({ code: 'sip-error', status: 500 });
  });

  it('rejects with transport-failed when the connection is down', async () => {
    const { transport, registration } = await startUserAgent(acceptingRegistrar());
    transport.drop();
    await expect(registration.register()).rejects.toMatchObject({ code: 'transport-failed' });
  });

  it('rejects with transport-failed at once when the connection drops while waiting', async () => {
    const { transport, registration } = await startUserAgent(() => undefined);
    const registering = registration.register();
    setTimeout(() => transport.drop(), 5);
    await expect(registering).rejects.toMatchObject({ code: 'transport-failed' });
  });

  it('does not wait for a REGISTER lost with the old connection', async () => {
    let answer = false;
    const { transport, registration } = await startUserAgent(acceptingRegistrar(() => (answer ? 'default' : undefined)));
    const first = registration.register().catch((error: VoiceSDKError) => error);
    transport.drop();
    expect(await first).toMatchObject({ code: 'transport-failed' });
    await transport.connect();
    answer = true;
    const started = Date.now();
    await registration.register();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('unregisters with expires 0', async () => {
    const { transport, registration, lost } = await startUserAgent(acceptingRegistrar());
    await registration.register();
    await registration.unregister();
    expect(transport.registers().at(-1)).toMatch(/;expires=0/);
    expect(lost).toEqual([]);
  });

  it('reports a refresh the server refuses as a lost registration', async () => {
    // Registered for 1 s: SIP.js refreshes after 990 ms; the registrar then says 403.
    const { registration, lost } = await startUserAgent(
      acceptingRegistrar((_request, count) => (count > 2 ? { status: 403, reason: 'Forbidden' } : 'default')),
      1,
    );
    await registration.register();
    await vi.waitFor(() => expect(lost).toMatchObject([{ code: 'auth-failed', status: 403 }]), { timeout: 5000, interval: 20 });
  });

  it('dispose unregisters and stops the refresh timers', async () => {
    const { transport, registration } = await startUserAgent(acceptingRegistrar(), 1);
    await registration.register();
    await registration.dispose(500);
    const count = transport.registers().length;
    expect(transport.registers().at(-1)).toMatch(/;expires=0/);
    // A span in which nothing may happen: a live refresh timer would fire at 990 ms.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(transport.registers()).toHaveLength(count);
  });
});
