/**
 * SIP grammar the SDK relies on (RFC 3261 §25.1, RFC 3966, ITU-T E.164):
 * header tokens, control characters, user parts, hosts, SIP/SIPS and TEL
 * URIs. Pure string functions: no SIP.js, no DOM.
 *
 * Predicates (`is…`, `…Parts`) never throw, whatever they are given; the
 * `parse…` functions throw `VoiceSDKError('invalid-argument')` and nothing else.
 */
import { VoiceSDKError } from '../errors';

/** `invalid-argument` with a message: the one error bad input gets. */
export function invalidArgument(message: string): VoiceSDKError {
  return new VoiceSDKError('invalid-argument', message);
}

/**
 * Any value as a message shows it, without calling anything on it (a hostile
 * `toString` must not throw out of a check): strings quoted and cut at 64.
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

/**
 * RFC 3261 `token` (§25.1): alphanum and `-.!%*_+`'~`. What header names
 * and our header prefix are made of. (RFC 7230's `^` and `|` are not SIP.)
 */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** The characters of a token, for messages. */
export const TOKEN_CHARACTERS = "letters, digits and -.!%*_+`'~";

/**
 * Characters that never go into a SIP message: C0 controls but horizontal
 * tab (which is linear white space in SIP) — CR and LF above all —, DEL, C1
 * controls (U+0085 NEL included) and the Unicode line and paragraph
 * separators, which some parsers treat as line breaks.
 */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_GLOBAL = new RegExp(CONTROL.source, 'g');

/** E.164: `+`, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9][0-9]{1,14}$/;

/** SIP `user` (§25.1): unreserved, escaped and user-unreserved characters. */
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const IPV6_REFERENCE = /^\[[0-9A-Fa-f:.]+\]$/;
/** A URI parameter: `;name` or `;name=value`, no white space, no `;`, `?` or `@`. */
const URI_PARAMS = /^(?:;[^\s;?@]+)*$/;

/** Whether `value` is an RFC 3261 token (header name, prefix). */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/** Whether `value` holds a character that must never reach a SIP message. */
export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

/** `value` without the characters `hasControlCharacters` finds. */
export function withoutControlCharacters(value: string): string {
  return value.replace(CONTROL_GLOBAL, '');
}

/** Whether `value` is an E.164 number: `+4930123456`. */
export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}

/** Whether `value` can be the user part of a SIP URI as it is (`bob`, `+4930123456`, `1002`, `a%20b`). */
export function isSipUser(value: unknown): value is string {
  return typeof value === 'string' && USER.test(value);
}

/** One character a SIP user part may hold as it is (unreserved and user-unreserved). */
const USER_CHARACTER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]$/;

/**
 * A user part with its escapes decoded, as SIP.js gives it: `a%20b` → `a b`,
 * `%2B4930123456` → `+4930123456`. Escapes that are not UTF-8 stay as they are.
 */
export function unescapeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/** A decoded user part escaped for a URI again: `a b` → `a%20b`, `a\r\nb` → `a%0D%0Ab`; `unescapeUser`'s inverse. */
export function escapeUser(user: string): string {
  let escaped = '';
  for (const character of user) {
    escaped += USER_CHARACTER.test(character)
      ? character
      : [...new TextEncoder().encode(character)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return escaped;
}

/** Whether `value` is a host with an optional port: `example.com`, `10.0.0.1:5060`, `[::1]:5061`. */
export function isHostPort(value: string): boolean {
  return hostPortParts(value) !== undefined;
}

/** A SIP or SIPS URI with a user part, split into its parts. */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string;
  /** Host name, IPv4 address or bracketed IPv6 reference. */
  host: string;
  port?: number;
  /** The URI parameters as written, with their leading `;` (`;transport=ws`), or ''. */
  params: string;
}

function hostPortParts(value: string): { host: string; port?: number } | undefined {
  const colon = value.lastIndexOf(':');
  const hasPort = colon !== -1 && !value.endsWith(']') && (value.startsWith('[') || value.indexOf(':') === colon);
  const host = hasPort ? value.slice(0, colon) : value;
  const portText = hasPort ? value.slice(colon + 1) : undefined;
  if (!HOSTNAME.test(host) && !IPV6_REFERENCE.test(host)) return undefined;
  if (portText === undefined) return { host };
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port <= 65535 ? { host, port } : undefined;
}

/**
 * `sip:user@host[:port][;params]` (or `sips:`) split into its parts;
 * `undefined` for anything else (no user, a password, headers, white space,
 * control characters). Never throws.
 */
export function sipUriParts(value: unknown): SipUri | undefined {
  if (typeof value !== 'string' || hasControlCharacters(value)) return undefined;
  const match = /^(sips?):([^@]+)@([^;]+)(.*)$/i.exec(value.trim());
  if (!match) return undefined;
  const [, scheme = '', user = '', hostPort = '', params = ''] = match;
  if (!isSipUser(user) || !URI_PARAMS.test(params)) return undefined;
  const parts = hostPortParts(hostPort);
  if (!parts) return undefined;
  return { scheme: scheme.toLowerCase() as 'sip' | 'sips', user, ...parts, params };
}

/**
 * The scheme, user part (as written) and `host[:port]` of a SIP or SIPS URI
 * that was checked already (`sip:user@host[:port][;params]`), without
 * checking the rest of its syntax again: what the fake network routes and
 * names a far end by. `undefined` when there is no user part. Never throws.
 */
export function splitSipUri(value: string): { scheme: string; user: string; hostPort: string } | undefined {
  const match = /^(sips?):([^@]+)@([^;?]+)/i.exec(value.trim());
  return match ? { scheme: match[1]!, user: match[2]!, hostPort: match[3]! } : undefined;
}

/** Parses a SIP or SIPS URI with a user part (an address of record, a target). */
export function parseSipUri(value: unknown, what = 'SIP URI'): SipUri {
  if (typeof value !== 'string' || hasControlCharacters(value)) {
    throw invalidArgument(`${what} must be a string like sip:alice@example.com`);
  }
  const parts = sipUriParts(value);
  if (!parts) throw invalidArgument(`${what} "${value}" is not a SIP URI like sip:alice@example.com`);
  return parts;
}

/** A SIP URI as text, without parameters: `sip:alice@example.com:5060`; scheme and host lower-cased (they are case-insensitive). */
export function formatSipUri(uri: { scheme?: string; user?: string; host: string; port?: number }): string {
  const scheme = (uri.scheme ?? 'sip').toLowerCase();
  const host = uri.port === undefined ? uri.host.toLowerCase() : `${uri.host.toLowerCase()}:${uri.port}`;
  return uri.user ? `${scheme}:${uri.user}@${host}` : `${scheme}:${host}`;
}

/**
 * The number of a global TEL URI (RFC 3966), visual separators removed:
 * `tel:+1-555-123-4567;ext=9` → `+15551234567`. `undefined` for anything
 * that is not a global number of E.164 length (local numbers need a
 * phone-context we cannot route). Never throws.
 */
export function telUriNumber(value: unknown): string | undefined {
  if (typeof value !== 'string' || hasControlCharacters(value)) return undefined;
  const match = /^tel:(\+[0-9\-.()]+)((?:;[^\s;?@]+)*)$/i.exec(value.trim());
  if (!match) return undefined;
  const digits = (match[1] ?? '').replace(/[\-.()]/g, '');
  return isE164(digits) ? digits : undefined;
}

/** Whether `value` starts like a URI of one of our schemes (`sip:`, `sips:`, `tel:`). */
export function hasUriScheme(value: string): boolean {
  return /^(?:sips?|tel):/i.test(value);
}

/** Longest display name we put in a From header. */
export const MAX_DISPLAY_NAME_LENGTH = 128;

/**
 * Whether `value` can go between the quotes of a From display name as it is:
 * no `"`, no `\` (which would need escaping), no control characters, at most
 * `MAX_DISPLAY_NAME_LENGTH`. Never throws.
 */
export function isDisplayName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DISPLAY_NAME_LENGTH && !/["\\]/.test(value) && !hasControlCharacters(value);
}
