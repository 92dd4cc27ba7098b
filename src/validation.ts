/**
 * Input checks at the facade: bad input is refused with `invalid-argument`
 * before any event reaches a machine, so it changes nothing.
 */
import { VoiceSDKError } from './errors';

const invalid = (message: string): VoiceSDKError => new VoiceSDKError('invalid-argument', message);

/** RFC 3261 `token` characters: what a header name may contain. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** Any control character except horizontal tab; CR and LF above all. */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;
const E164 = /^\+[1-9][0-9]{1,14}$/;
/** SIP user part: unreserved, escaped and user-unreserved characters (RFC 3261 25.1). */
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;
const SIP_URI = /^sips?:([^@\s]+)@([^;?\s]+)((?:;[^\s;?]+)*)$/i;
export const DTMF_DIGITS = /^[0-9*#A-Da-d]+$/;
const MAX_HEADER_VALUE = 1024;

export interface ParsedSipUri {
  scheme: 'sip' | 'sips';
  user: string;
  host: string;
}

/** Parses `sip:user@host[:port][;params]`; throws invalid-argument otherwise. */
export function parseSipUri(value: unknown, what = 'SIP URI'): ParsedSipUri {
  if (typeof value !== 'string' || CONTROL.test(value)) throw invalid(`${what} must be a string like sip:alice@example.com`);
  const match = SIP_URI.exec(value.trim());
  if (!match || !USER.test(match[1] ?? '') || !HOST.test(match[2] ?? '')) {
    throw invalid(`${what} "${value}" is not a SIP URI like sip:alice@example.com`);
  }
  return { scheme: value.trim().toLowerCase().startsWith('sips:') ? 'sips' : 'sip', user: match[1]!, host: match[2]! };
}

/**
 * Turns a `to` into a SIP URI: a SIP URI stays as it is, an E.164 number or a
 * bare user becomes `sip:<to>@<domain>`.
 */
export function normalizeTarget(to: unknown, domain: string): string {
  if (typeof to !== 'string' || to.trim() === '') throw invalid('`to` must be a non-empty string: an E.164 number, a user or a SIP URI');
  if (CONTROL.test(to)) throw invalid('`to` must not contain CR, LF or other control characters');
  const value = to.trim();
  if (/^sips?:/i.test(value)) {
    parseSipUri(value, '`to`');
    return value;
  }
  if (value.startsWith('+')) {
    if (!E164.test(value)) throw invalid(`\`to\` "${to}" is not an E.164 number like +15551234567`);
    return `sip:${value}@${domain}`;
  }
  if (CONTROL.test(value) || !USER.test(value)) throw invalid(`\`to\` "${to}" is neither an E.164 number, a SIP user nor a SIP URI`);
  return `sip:${value}@${domain}`;
}

/** Caller ID for the From header's user part: E.164 or a plain SIP user. */
export function validateCallerId(from: unknown): string {
  if (typeof from !== 'string' || from === '') throw invalid('`from` must be a non-empty string');
  if (from.startsWith('+') ? !E164.test(from) : !USER.test(from)) {
    throw invalid(`\`from\` "${from}" is not an E.164 number or SIP user`);
  }
  return from;
}

export function validateHeaderName(name: string): void {
  if (!TOKEN.test(name)) throw invalid(`Header name "${name}" must be a token (letters, digits and -.!%*_+\`'~)`);
}

export function validateHeaderValue(name: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw invalid(`Header ${name} must have a string, number or boolean value`);
  }
  const text = String(value);
  if (CONTROL.test(text)) throw invalid(`Header ${name} must not contain CR, LF or other control characters`);
  if (text.length > MAX_HEADER_VALUE) throw invalid(`Header ${name} is longer than ${MAX_HEADER_VALUE} characters`);
  return text;
}

/** Text that goes into a header as it is (user names, User-Agent): no control characters. */
export function validateIdentityText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || CONTROL.test(value) || value.length > 256) {
    throw invalid(`${what} must be a non-empty string without CR, LF or other control characters`);
  }
  return value;
}

/** A display name goes between quotes in From: no quotes, backslashes or control characters. */
export function validateDisplayName(value: unknown): string {
  if (typeof value !== 'string' || CONTROL.test(value) || /["\\]/.test(value) || value.length > 128) {
    throw invalid('`displayName` must be a string without quotes, backslashes or control characters');
  }
  return value;
}

/** Validates a header prefix such as `X-Callchart-`. */
export function validateHeaderPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !TOKEN.test(prefix)) throw invalid(`headerPrefix "${String(prefix)}" must be a header token such as X-Callchart-`);
  return prefix;
}

/**
 * `params` → `<prefix><Key>` headers. Keys keep their case after the prefix,
 * with the first letter upper-cased: `ticketId` → `X-Callchart-TicketId`.
 */
export function paramsToHeaders(params: unknown, prefix: string): Record<string, string> {
  if (params === undefined) return {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalid('`params` must be an object of header values');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === '') throw invalid('`params` keys must not be empty');
    const name = prefix + key.charAt(0).toUpperCase() + key.slice(1);
    validateHeaderName(name);
    headers[name] = validateHeaderValue(name, value);
  }
  return headers;
}

/** Inbound `<prefix>Key` header names → `key`, the inverse of paramsToHeaders. */
export function headerKeyToParam(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

export function validateDigits(digits: unknown): string {
  if (typeof digits !== 'string' || !DTMF_DIGITS.test(digits)) {
    throw invalid(`DTMF digits must be one or more of 0-9 * # A-D, got ${JSON.stringify(digits)}`);
  }
  return digits.toUpperCase();
}

export function validateStatusCode(code: unknown): number {
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 699) {
    throw invalid(`reject() takes a SIP final failure status 400-699 (486 busy, 603 decline), got ${String(code)}`);
  }
  return code;
}

export function validateDeviceId(id: unknown): string {
  if (typeof id !== 'string' || id === '') throw invalid('A media device id must be a non-empty string');
  return id;
}

export function validateBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw invalid(`${what} takes a boolean`);
  return value;
}
