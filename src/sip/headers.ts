/**
 * Custom headers, both ways, one copy for the facade and both adapters:
 * - out: `params` become `<prefix><Key>` headers (`ticketId` →
 *   `X-Callchart-TicketId`); names are RFC 3261 tokens, values carry no
 *   control characters (no CR/LF ever), counts and sizes are bounded;
 * - in: headers with our prefix (any case) become `customHeaders` keys with
 *   the prefix stripped; since the far end is untrusted, the same bounds
 *   apply and anything outside them is dropped, never thrown.
 *
 * Key ↔ param: the key after the prefix is the param with its first letter
 * upper-cased, and `paramForKey` lower-cases it back, so a param that starts
 * with a lower-case letter or a digit round-trips.
 */
import { VoiceSDKError } from '../errors';
import { hasControlCharacters, invalidArgument, isToken, shown, TOKEN_CHARACTERS } from './grammar';

/** Bounds on custom headers, the same for what we send and what we read. */
export const HEADER_LIMITS = {
  /** At most this many custom headers per INVITE (more params are refused; more inbound headers are ignored). */
  maxCount: 32,
  /** Longest key (the name without the prefix), in characters. */
  maxKeyLength: 64,
  /** Longest value, in characters. */
  maxValueLength: 1024,
  /**
   * Most bytes all custom headers of one INVITE may take, encoded as they go
   * on the wire (`Name: value` CRLF, UTF-8): Kamailio's WebSocket buffer is
   * 16 KB, and an INVITE that overflows it kills the socket of every call.
   */
  maxTotalBytes: 8192,
  /** Longest header prefix, in characters. */
  maxPrefixLength: 64,
  /** Only this much of an incoming message is scanned for headers, in characters. */
  maxScannedLength: 64 * 1024,
} as const;

/** Keys that would change an object's prototype or shadow its basics when copied around (any case). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key.toLowerCase());
}

/**
 * Checks a header prefix such as `X-Callchart-` or `X-2Chat-`: a non-empty
 * token of at most `maxPrefixLength` characters.
 * @throws VoiceSDKError `invalid-argument` otherwise.
 */
export function parseHeaderPrefix(prefix: unknown): string {
  if (!isToken(prefix) || prefix.length > HEADER_LIMITS.maxPrefixLength) {
    throw invalidArgument(
      `headerPrefix ${shown(prefix)} must be a header token such as X-Callchart- (${TOKEN_CHARACTERS}, at most ${HEADER_LIMITS.maxPrefixLength})`,
    );
  }
  return prefix;
}

/** The header key for a param: its first letter upper-cased (`ticketId` → `TicketId`). */
export function keyForParam(param: string): string {
  return param.charAt(0).toUpperCase() + param.slice(1);
}

/** The param for a header key: its first letter lower-cased (`TicketId` → `ticketId`). */
export function paramForKey(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** The key of `<prefix><Key>` (prefix matched in any case), or `undefined` when `name` has no key after our prefix. */
export function keyOfHeaderName(name: string, prefix: string): string | undefined {
  if (prefix.length === 0 || name.length <= prefix.length) return undefined;
  return name.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase() ? name.slice(prefix.length) : undefined;
}

/** Checks a header name: an RFC 3261 token. */
export function assertHeaderName(name: string): void {
  if (!isToken(name)) throw invalidArgument(`Header name "${name}" must be a token (${TOKEN_CHARACTERS})`);
}

/**
 * A header value as it goes on the wire: a string, number or boolean as
 * text, trimmed, without control characters, at most `maxValueLength`.
 */
export function encodeHeaderValue(name: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw invalidArgument(`Header ${name} must have a string, number or boolean value`);
  }
  const text = String(value).trim();
  if (hasControlCharacters(text)) throw invalidArgument(`Header ${name} must not contain CR, LF or other control characters`);
  if (text.length > HEADER_LIMITS.maxValueLength) {
    throw invalidArgument(`Header ${name} is longer than ${HEADER_LIMITS.maxValueLength} characters`);
  }
  return text;
}

/**
 * `params` → `<prefix><Key>` headers, values as text:
 * `{ ticketId: 'T-1' }` → `{ 'X-Callchart-TicketId': 'T-1' }`.
 * @throws VoiceSDKError `invalid-argument` for a key that is empty, too long,
 * reserved, not a token once prefixed, or the same header as another key
 * (`a` and `A`); a bad value; more than `maxCount` params.
 */
export function encodeParams(params: unknown, prefix: string): Record<string, string> {
  if (params === undefined) return {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalidArgument('`params` must be an object of header values');
  }
  let entries: Array<[string, unknown]>;
  try {
    entries = Object.entries(params);
  } catch (cause) {
    throw new VoiceSDKError('invalid-argument', '`params` could not be read', { cause });
  }
  if (entries.length > HEADER_LIMITS.maxCount) {
    throw invalidArgument(`\`params\` may have at most ${HEADER_LIMITS.maxCount} keys, got ${entries.length}`);
  }
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [param, value] of entries) {
    if (param === '') throw invalidArgument('`params` keys must not be empty');
    if (param.length > HEADER_LIMITS.maxKeyLength) {
      throw invalidArgument(`\`params\` key "${param.slice(0, 20)}…" is longer than ${HEADER_LIMITS.maxKeyLength} characters`);
    }
    if (isReservedKey(param)) throw invalidArgument(`\`params\` key "${param}" is reserved`);
    const name = prefix + keyForParam(param);
    assertHeaderName(name);
    if (seen.has(name.toLowerCase())) throw invalidArgument(`\`params\` has two keys that make the same header ${name}`);
    seen.add(name.toLowerCase());
    headers[name] = encodeHeaderValue(name, value);
  }
  const bytes = encodedHeaderBytes(headers);
  if (bytes > HEADER_LIMITS.maxTotalBytes) {
    throw invalidArgument(`\`params\` make ${bytes} bytes of headers; at most ${HEADER_LIMITS.maxTotalBytes} are allowed`);
  }
  return headers;
}

/** The bytes `headers` take on the wire: each `Name: value` line with its CRLF, UTF-8. */
export function encodedHeaderBytes(headers: Readonly<Record<string, string>>): number {
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) bytes += encoder.encode(`${name}: ${value}\r\n`).length;
  return bytes;
}

/** One `Name: value` header line, checked once more: a header line is the one thing we must never get wrong. */
export function headerLine(name: string, value: string): string {
  assertHeaderName(name);
  if (hasControlCharacters(value)) throw invalidArgument(`The value of header ${name} contains control characters`);
  return `${name}: ${value.trim()}`;
}

/**
 * The custom headers of a call as the port reports them (`CallPort.customHeaders`),
 * from `[name, value]` pairs — inbound from the INVITE, outbound from what we
 * sent —, one rule for both:
 * - only names with our prefix (any case) count; the key is the rest of the
 *   name, in its original case (`X-Callchart-TicketId` → `TicketId`);
 * - a key must be a token of at most `maxKeyLength` characters and not
 *   reserved; a value must have no control characters and be at most
 *   `maxValueLength` long (trimmed); a header that breaks a rule is dropped;
 * - the first header of a key wins (keys compare case-insensitively, as SIP
 *   header names do); at most `maxCount` are kept.
 * Never throws.
 */
export function customHeadersOf(headers: Iterable<readonly [string, unknown]>, prefix: string): Record<string, string> {
  const result: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, rawValue] of headers) {
    if (seen.size >= HEADER_LIMITS.maxCount) break;
    if (typeof name !== 'string' || typeof rawValue !== 'string') continue;
    const key = keyOfHeaderName(name.trim(), prefix);
    if (key === undefined || key.length > HEADER_LIMITS.maxKeyLength || !isToken(key) || isReservedKey(key)) continue;
    const value = rawValue.trim();
    if (value.length > HEADER_LIMITS.maxValueLength || hasControlCharacters(value)) continue;
    if (seen.has(key.toLowerCase())) continue;
    seen.add(key.toLowerCase());
    result[key] = value;
  }
  return result;
}

/**
 * The header fields of a raw SIP message as `[name, value]` pairs: the start
 * line skipped, the body left out, folded lines (starting with SP/HTAB)
 * joined with one space, lines without a name skipped. Reads at most
 * `maxScannedLength` characters. Never throws.
 */
export function headerFields(rawMessage: string): Array<[string, string]> {
  const scanned = rawMessage.slice(0, HEADER_LIMITS.maxScannedLength);
  const headerEnd = scanned.indexOf('\r\n\r\n');
  const section = headerEnd === -1 ? scanned : scanned.slice(0, headerEnd);
  const lines: string[] = [];
  for (const line of section.split('\r\n').slice(1)) {
    const last = lines.length - 1;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last >= 0) lines[last] = `${lines[last] ?? ''} ${line.trim()}`;
    else lines.push(line);
  }
  const fields: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return fields;
}

/**
 * The custom headers of a raw SIP message (an INVITE as received). We read
 * the raw text because SIP.js normalises names (`X-Callchart-Ticketid`) and
 * the key's case matters to the app.
 */
export function readCustomHeaders(rawMessage: string, prefix: string): Record<string, string> {
  return customHeadersOf(headerFields(rawMessage), prefix);
}
