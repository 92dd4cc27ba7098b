/**
 * Who the far end says it is: `call.info` from the headers that name it —
 * the From (or To) display name and URI, P-Asserted-Identity (RFC 3325) and
 * Remote-Party-ID (draft-ietf-sip-privacy-04). Every value is untrusted
 * network input: parsed leniently, control characters dropped, lengths
 * bounded; nothing here throws. One copy for both adapters and the chart.
 */
import { MAX_DISPLAY_NAME_LENGTH, sipUriParts, telUriNumber, unescapeUser, withoutControlCharacters } from './grammar';
import type { RemoteParty as PartyHeaders } from '../adapters/adapter';

/** The far end, as `call.info` shows it; the app may add its own fields (`call.setInfo`). */
export interface CallInfo {
  /** The far end's SIP URI without parameters (or its E.164 number, as `remoteIdentity`). */
  uri: string;
  /** Its display name, cleaned (at most 128 characters). */
  displayName?: string;
  /** Its number or extension (`+15551234567`, `1002`), when its identity's user part is one. */
  number?: string;
  /** An avatar URL (set by the app). */
  avatar?: string;
  /** A company name (set by the app). */
  company?: string;
  /** More fields of the app's own. */
  [key: string]: string | undefined;
}

/** The longest number kept. */
const MAX_NUMBER_LENGTH = 32;
/** Header values longer than this are cut before they are parsed. */
const MAX_HEADER_LENGTH = 2048;

/** One name-addr (or addr-spec) of a header value: its display name and URI. */
export interface NameAddr {
  displayName?: string;
  uri: string;
}

/**
 * The first name-addr of a header value: `"Name" <uri>;params`, `Name <uri>`
 * or a bare `uri;params`. Quoted names may hold commas and escaped quotes.
 * Undefined when there is no URI in it.
 */
export function firstNameAddr(value: string | undefined): NameAddr | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.slice(0, MAX_HEADER_LENGTH).trim();
  let index = 0;
  let displayName: string | undefined;
  if (text.startsWith('"')) {
    let name = '';
    index = 1;
    while (index < text.length && text[index] !== '"') {
      if (text[index] === '\\' && index + 1 < text.length) index++;
      name += text[index];
      index++;
    }
    displayName = name;
    index++;
  }
  const open = text.indexOf('<', index);
  if (open >= 0) {
    const close = text.indexOf('>', open);
    if (close < 0) return undefined;
    if (displayName === undefined) displayName = text.slice(index, open).trim() || undefined;
    const uri = text.slice(open + 1, close).trim();
    return uri === '' ? undefined : { ...(displayName === undefined ? {} : { displayName }), uri };
  }
  if (displayName !== undefined) return undefined; // a quoted name needs <uri>
  const uri = text.split(/[;,]/)[0]!.trim();
  return uri === '' || /\s/.test(uri) ? undefined : { uri };
}

/**
 * A quoted display name's text with its quoted-pairs undone (RFC 3261
 * §25.1: `\"` is `"`, `\\` is `\`), for parsers that strip the quotes but
 * keep the escapes (SIP.js's From / To `displayName`).
 */
export const unescapeQuotedPairs = (value: string): string => value.replace(/\\([\s\S])/g, '$1');

/** A display name fit to show: control characters gone, white space collapsed, bounded; undefined when empty. */
export function cleanDisplayName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = withoutControlCharacters(value.slice(0, MAX_HEADER_LENGTH)).replace(/\s+/g, ' ').trim();
  return cleaned === '' ? undefined : cleaned.slice(0, MAX_DISPLAY_NAME_LENGTH);
}

/** The number (or extension) a URI names: a TEL URI's number, or a SIP URI's user part when it is dialable. */
export function numberOfUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const tel = telUriNumber(uri);
  const user = tel ?? userOf(uri);
  if (user === undefined) return undefined;
  const digits = user.replace(/[-.() ]/g, '');
  return /^\+?[0-9*#]+$/.test(digits) && digits.length <= MAX_NUMBER_LENGTH ? digits : undefined;
}

function userOf(uri: string): string | undefined {
  const parts = sipUriParts(uri.split(';')[0]!.trim());
  if (parts === undefined || parts.user === undefined) return undefined;
  return withoutControlCharacters(unescapeUser(parts.user));
}

/**
 * The far end's info from what its headers said: the asserted identity
 * (P-Asserted-Identity, else Remote-Party-ID, else the From/To) gives the
 * number and, when it has one, the display name; the From/To display name
 * otherwise. `uri` is the port's `remoteIdentity` (it does not change in a
 * dialog). Never throws.
 */
export function callInfoOf(party: PartyHeaders, uri: string): CallInfo {
  const asserted = firstNameAddr(party.assertedIdentity) ?? firstNameAddr(party.remotePartyId);
  const displayName = cleanDisplayName(asserted?.displayName) ?? cleanDisplayName(party.displayName);
  const number = numberOfUri(asserted?.uri) ?? numberOfUri(typeof party.uri === 'string' ? party.uri : undefined);
  return {
    uri,
    ...(displayName === undefined ? {} : { displayName }),
    ...(number === undefined ? {} : { number }),
  };
}

/** Keys an app may set with `setInfo` (not `uri`, which is the far end's). */
const INFO_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** The longest value `setInfo` takes, in characters. */
export const MAX_INFO_VALUE_LENGTH = 1024;
/** At most this many fields in `call.info`. */
export const MAX_INFO_FIELDS = 32;

/**
 * Checks the app's `setInfo` fields: an object of string values (or
 * `undefined`, which removes the field), keys like identifiers, no `uri`,
 * values at most 1 KB without CR / LF. Returns a copy.
 * @throws VoiceSDKError `invalid-argument`
 */
export function parseInfoPartial(partial: unknown, invalid: (message: string) => Error): Record<string, string | undefined> {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw invalid('setInfo() takes an object of string fields');
  }
  const entries = Object.entries(partial as Record<string, unknown>);
  if (entries.length > MAX_INFO_FIELDS) throw invalid(`setInfo() takes at most ${MAX_INFO_FIELDS} fields`);
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of entries) {
    if (!INFO_KEY.test(key)) throw invalid(`setInfo(): "${key.slice(0, 64)}" is not a field name (letters, digits, - and _)`);
    if (key === 'uri') throw invalid('setInfo(): `uri` is the far end\'s and cannot be set');
    if (value === undefined) {
      out[key] = undefined;
      continue;
    }
    if (typeof value !== 'string') throw invalid(`setInfo(): ${key} must be a string`);
    if (value.length > MAX_INFO_VALUE_LENGTH) throw invalid(`setInfo(): ${key} is longer than ${MAX_INFO_VALUE_LENGTH} characters`);
    if (/[\r\n\0]/.test(value)) throw invalid(`setInfo(): ${key} must not contain CR, LF or NUL`);
    out[key] = value;
  }
  return out;
}

/** Whether two infos hold the same fields and values. */
export function infoEquals(a: Readonly<CallInfo>, b: Readonly<CallInfo>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

/**
 * `current` with the far end's new identity applied, except for the fields
 * the app locked (`setInfo(…, { lock: true })`): those keep the app's value.
 * Fields the network does not provide (avatar, company, the app's own) stay.
 */
export function withNetworkInfo(current: Readonly<CallInfo>, network: CallInfo, locked: readonly string[]): CallInfo {
  const next: CallInfo = { ...current };
  for (const key of ['uri', 'displayName', 'number'] as const) {
    if (locked.includes(key)) continue;
    if (network[key] === undefined) delete next[key];
    else next[key] = network[key];
  }
  return next;
}

/** `current` with the app's fields applied (`undefined` removes one). */
export function withAppInfo(current: Readonly<CallInfo>, partial: Readonly<Record<string, string | undefined>>): CallInfo {
  const next: CallInfo = { ...current };
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}
