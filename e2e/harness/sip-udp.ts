// A tiny scripted SIP client over UDP: sends one INVITE with an SDP of the
// test's choosing (one no phone would send: video only, a non-RTP m-line) and
// reports the final response. ACKs a failure response as RFC 3261 says.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

export interface ScriptedInvite {
  /** Kamailio's SIP/UDP port on 127.0.0.1. */
  proxyPort: number;
  /** Request-URI and To: `sip:alice@callchart.test`. */
  target: string;
  /** From: `sip:phone@callchart.test`. */
  from: string;
  sdp: string;
  /** How long to wait for a final response. Default 10 s. */
  timeoutMs?: number;
}

export interface SipResponse {
  status: number;
  reason: string;
  /** Header name (lower case) → values, in order. */
  headers: Map<string, string[]>;
  raw: string;
  /** ms from sending the INVITE to this response. */
  ms: number;
}

/** Sends the INVITE; resolves with its final response (after ACKing a failure). */
export async function sendScriptedInvite(invite: ScriptedInvite): Promise<SipResponse> {
  const socket = createSocket('udp4');
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
  const localPort = socket.address().port;
  const tag = randomBytes(6).toString('hex');
  const callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
  const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
  const via = `SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`;
  const body = invite.sdp.replace(/\r?\n/g, '\r\n');
  const message = [
    `INVITE ${invite.target} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <${invite.from}>;tag=${tag}`,
    `To: <${invite.target}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:scripted@127.0.0.1:${localPort};transport=udp>`,
    'Allow: INVITE, ACK, BYE, CANCEL',
    'User-Agent: callchart-e2e-scripted',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  const started = performance.now();
  try {
    return await new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no final response to the scripted INVITE in ${invite.timeoutMs ?? 10_000} ms`)), invite.timeoutMs ?? 10_000);
      socket.on('message', (data) => {
        const response = parseResponse(data.toString('utf8'), performance.now() - started);
        if (response === undefined || response.status < 200) return;
        clearTimeout(timer);
        if (response.status >= 300) {
          const to = response.headers.get('to')?.[0] ?? `<${invite.target}>`;
          const ack = [
            `ACK ${invite.target} SIP/2.0`,
            `Via: ${via}`,
            'Max-Forwards: 70',
            `From: <${invite.from}>;tag=${tag}`,
            `To: ${to}`,
            `Call-ID: ${callId}`,
            'CSeq: 1 ACK',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n');
          socket.send(ack, invite.proxyPort, '127.0.0.1', () => resolve(response));
        } else {
          resolve(response);
        }
      });
      socket.send(message, invite.proxyPort, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

function parseResponse(text: string, ms: number): SipResponse | undefined {
  const [head = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const status = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(lines[0] ?? '');
  if (!status) return undefined;
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(status[1]), reason: status[2] ?? '', headers, raw: text, ms };
}
