// A hostile SIP-over-WebSocket server of our own (the `ws` package), on
// 127.0.0.1, for what a real server does wrong:
// - 'malformed': answers every REGISTER with responses SIP.js cannot make sense of;
// - 'silent': accepts the socket and answers nothing, not even a keep-alive;
// - 'close-after-register': closes the socket whenever a REGISTER arrives;
// - 'garbage': a working registrar that also floods the socket with garbage frames.
import { WebSocketServer, type WebSocket } from 'ws';

export type RogueMode = 'malformed' | 'silent' | 'close-after-register' | 'garbage';

export interface RogueSipServer {
  /** ws://127.0.0.1:PORT */
  readonly url: string;
  /** performance.now() of every connection accepted, in order. */
  readonly connections: readonly number[];
  /** REGISTER requests received. */
  readonly registers: number;
  /** Keep-alive pings (CRLFCRLF) received. */
  readonly pings: number;
  /** Closes every socket and the server. */
  stop(): Promise<void>;
}

/** Garbage frames sent on each connection in 'garbage' mode. */
export const GARBAGE_FRAMES = 60;

export async function startRogueSipServer(mode: RogueMode): Promise<RogueSipServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('rogue SIP server: no address');
  const connections: number[] = [];
  const counts = { registers: 0, pings: 0 };

  server.on('connection', (socket) => {
    connections.push(performance.now());
    if (mode === 'garbage') sendGarbage(socket);
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString('utf8');
      if (/^(\r\n)+$/.test(text)) {
        counts.pings += 1;
        if (mode !== 'silent') socket.send('\r\n');
        return;
      }
      if (!text.startsWith('REGISTER ')) return;
      counts.registers += 1;
      if (mode === 'silent') return;
      if (mode === 'close-after-register') socket.close(1000);
      else if (mode === 'malformed') for (const response of malformedResponses(text)) socket.send(response);
      else socket.send(okResponse(text));
    });
  });

  return {
    url: `ws://127.0.0.1:${address.port}`,
    connections,
    get registers() {
      return counts.registers;
    },
    get pings() {
      return counts.pings;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** The value of the first `name` header of a SIP message ('' when absent). */
function header(message: string, name: string): string {
  const line = message.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line === undefined ? '' : line.slice(line.indexOf(':') + 1).trim();
}

/** A 200 OK to a REGISTER: its Via, From, To (tagged), Call-ID, CSeq and Contact back. */
function okResponse(request: string): string {
  return [
    'SIP/2.0 200 OK',
    `Via: ${header(request, 'via')}`,
    `From: ${header(request, 'from')}`,
    `To: ${header(request, 'to')};tag=rogue`,
    `Call-ID: ${header(request, 'call-id')}`,
    `CSeq: ${header(request, 'cseq')}`,
    `Contact: ${header(request, 'contact')};expires=600`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Responses that look like SIP but are not: missing headers, bad numbers, lies about the body. */
function malformedResponses(request: string): string[] {
  const via = `Via: ${header(request, 'via')}`;
  const callId = `Call-ID: ${header(request, 'call-id')}`;
  const from = `From: ${header(request, 'from')}`;
  const to = `To: ${header(request, 'to')};tag=rogue`;
  const cseq = `CSeq: ${header(request, 'cseq')}`;
  return [
    'SIP/2.0 200 OK\r\n\r\n',
    `SIP/2.0 200 OK\r\n${via}\r\n\r\n`,
    `SIP/2.0 200 OK\r\n${via}\r\n${from}\r\n${to}\r\n${callId}\r\nContent-Length: 0\r\n\r\n`,
    `SIP/2.0 200 OK\r\n${via}\r\n${from}\r\n${to}\r\n${callId}\r\nCSeq: nonsense\r\nContent-Length: 0\r\n\r\n`,
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS ;;;branch\r\n${from}\r\n${to}\r\n${callId}\r\n${cseq}\r\nContent-Length: 0\r\n\r\n`,
    `SIP/2.0 401 Unauthorized\r\n${via}\r\n${from}\r\n${to}\r\n${callId}\r\n${cseq}\r\nWWW-Authenticate: Digest ,,,\r\nContent-Length: 0\r\n\r\n`,
    `SIP/2.0 200 OK\r\n${via}\r\n${from}\r\n${to}\r\n${callId}\r\n${cseq}\r\nContact: <<<>>>\r\nContent-Length: 999\r\n\r\nshort`,
  ];
}

/** Binary noise, control characters and an oversized text frame. */
function sendGarbage(socket: WebSocket): void {
  for (let i = 0; i < GARBAGE_FRAMES; i++) {
    if (i % 3 === 0) socket.send(Buffer.from(Array.from({ length: 256 }, (_, b) => (b * 7 + i) % 256)), { binary: true });
    else if (i % 3 === 1) socket.send(`\u0000\u0001\u001b[31mnot SIP ${i}\u0007\u00ff`);
    else socket.send('x'.repeat(100_000));
  }
}
