/**
 * SIP header text in and out of the adapter: custom headers we send, custom
 * headers we read from an incoming INVITE (untrusted input), the identity we
 * show for the far end, and log lines with credentials removed.
 *
 * Pure string functions: no SIP.js, no DOM, unit-tested on their own.
 */
import { VoiceSDKError } from '../../errors';

/** RFC 3261 `token`: what a header name may be made of. */
const HEADER_TOKEN = /^[A-Za-z0-9!%'*+\-.^_`|~]+$/;

/** C0 controls and DEL, horizontal tab excepted (it is linear white space in SIP). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Keys that would change an object's prototype or shadow its basics when copied around. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Limits on custom headers read from an incoming INVITE. */
export const INBOUND_HEADER_LIMITS = {
  /** At most this many custom headers are kept; the rest are ignored. */
  maxCount: 32,
  /** Longest key (name without the prefix), in characters. */
  maxKeyLength: 64,
  /** Longest value, in characters. */
  maxValueLength: 1024,
  /** Only this much of the message is scanned for headers, in characters. */
  maxScannedLength: 64 * 1024,
} as const;

/**
 * Turns the request's headers into SIP.js `extraHeaders` lines (`Name: value`).
 * The facade has validated them already; this refuses anything that could
 * inject a header line, because a header line is the one thing we must never
 * get wrong.
 */
export function toExtraHeaderLines(headers: Readonly<Record<string, string>>): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_TOKEN.test(name)) {
      throw new VoiceSDKError('invalid-argument', `"${name}" is not a valid SIP header name`);
    }
    if (/[\r\n]/.test(value) || CONTROL_CHARACTERS.test(value)) {
      throw new VoiceSDKError('invalid-argument', `The value of header ${name} contains control characters`);
    }
    lines.push(`${name}: ${value.trim()}`);
  }
  return lines;
}

/**
 * The custom headers of an outbound call as the port reports them: keys of
 * headers with our prefix lose the prefix (same shape as inbound calls);
 * any other header keeps its full name.
 */
export function outboundCustomHeaders(
  headers: Readonly<Record<string, string>>,
  prefix: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  const lowerPrefix = prefix.toLowerCase();
  for (const [name, value] of Object.entries(headers)) {
    const key =
      lowerPrefix.length > 0 && name.toLowerCase().startsWith(lowerPrefix) && name.length > prefix.length
        ? name.slice(prefix.length)
        : name;
    result[key] = value.trim();
  }
  return result;
}

/**
 * Reads the `<prefix>*` headers of a raw SIP message (the INVITE as received).
 *
 * We read the raw text, not SIP.js's parsed headers, because SIP.js
 * normalises names (`X-Callchart-Ticketid`) and the key case matters to the
 * app. Rules, since this is untrusted input:
 * - the prefix matches case-insensitively; the rest of the name keeps its
 *   original case and is the key (`X-Callchart-TicketId: INC-4815` →
 *   `{ TicketId: 'INC-4815' }`);
 * - a key must be a header token of at most `maxKeyLength` characters;
 * - a value with control characters (CR/LF/NUL…, tab excepted) or longer than
 *   `maxValueLength` is ignored, the header with it;
 * - the first occurrence of a key wins; at most `maxCount` headers are kept;
 * - folded (continuation) lines are joined with one space.
 */
export function readCustomHeaders(rawMessage: string, prefix: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (prefix.length === 0) return result;
  const lowerPrefix = prefix.toLowerCase();
  const scanned = rawMessage.slice(0, INBOUND_HEADER_LIMITS.maxScannedLength);
  const headerEnd = scanned.indexOf('\r\n\r\n');
  const headerSection = headerEnd === -1 ? scanned : scanned.slice(0, headerEnd);
  const lines = unfold(headerSection.split('\r\n').slice(1)); // skip the request line
  let count = 0;
  for (const line of lines) {
    if (count >= INBOUND_HEADER_LIMITS.maxCount) break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name.toLowerCase().startsWith(lowerPrefix)) continue;
    const key = name.slice(prefix.length);
    if (key.length === 0 || key.length > INBOUND_HEADER_LIMITS.maxKeyLength) continue;
    if (!HEADER_TOKEN.test(key) || RESERVED_KEYS.has(key)) continue;
    const value = line.slice(colon + 1).trim();
    if (value.length > INBOUND_HEADER_LIMITS.maxValueLength) continue;
    if (CONTROL_CHARACTERS.test(value)) continue;
    if (Object.prototype.hasOwnProperty.call(result, key)) continue;
    result[key] = value;
    count += 1;
  }
  return result;
}

/** Joins RFC 3261 folded header lines (a line starting with SP/HTAB continues the previous one). */
function unfold(lines: string[]): string[] {
  const result: string[] = [];
  for (const line of lines) {
    const last = result.length - 1;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last >= 0) {
      result[last] = `${result[last] ?? ''} ${line.trim()}`;
    } else {
      result.push(line);
    }
  }
  return result;
}

/** An E.164 number or a plain dialable number: optional `+`, 2–15 digits. */
const PHONE_NUMBER = /^\+?[0-9]{2,15}$/;

/**
 * The far end as the port reports it (`CallPort.remoteIdentity`), one rule
 * for both directions:
 * - a user part that is a phone number (`+4930123456`, `1002`) → that number;
 * - anything else → the SIP URI without parameters, `sip:alice@callchart.test`
 *   (port kept when there is one).
 */
export function remoteIdentityOf(uri: { scheme?: string; user?: string; host: string; port?: number }): string {
  const user = uri.user ?? '';
  if (PHONE_NUMBER.test(user)) return user;
  const scheme = uri.scheme ?? 'sip';
  const host = uri.port === undefined ? uri.host : `${uri.host}:${uri.port}`;
  return user.length > 0 ? `${scheme}:${user}@${host}` : `${scheme}:${host}`;
}

/**
 * Removes credentials from a log line. SIP.js prints whole messages at debug
 * level; we never run it there, and scrub anyway: `Authorization` and
 * `Proxy-Authorization` header values, and the password itself wherever it
 * shows up.
 */
export function scrubLogText(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text.replace(/^((?:Proxy-)?Authorization[ \t]*:).*$/gim, '$1 [redacted]');
  scrubbed = scrubbed.replace(/(authorizationPassword["']?\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1[redacted]');
  for (const secret of secrets) {
    if (secret.length > 0) scrubbed = scrubbed.split(secret).join('[redacted]');
  }
  return scrubbed;
}
