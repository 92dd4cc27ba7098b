/**
 * Who a call goes to and who it is with: the target of `connect({ to })`,
 * the caller ID of `from`, and the far end's identity as `remoteIdentity`
 * shows it. One copy for the facade and both adapters.
 */
import {
  escapeUser,
  formatSipUri,
  hasControlCharacters,
  hasUriScheme,
  invalidArgument,
  isE164,
  isSipUser,
  parseSipUri,
  splitSipUri,
  telUriNumber,
  unescapeUser,
  withoutControlCharacters,
} from './grammar';

/**
 * Turns a `to` into the SIP URI the INVITE goes to:
 * - a SIP/SIPS URI stays itself (scheme lower-cased, white space trimmed);
 * - an E.164 number (`+15551234567`), a global TEL URI (`tel:+1-555-123-4567`)
 *   or a bare user (`bob`, `1002`) becomes `sip:<user>@<domain>`.
 *
 * Idempotent: a normalised target normalises to itself.
 * @throws VoiceSDKError `invalid-argument` for anything else.
 */
export function normalizeTarget(to: unknown, domain: string): string {
  if (typeof to !== 'string' || to.trim() === '') {
    throw invalidArgument('`to` must be a non-empty string: an E.164 number, a user or a SIP URI');
  }
  if (hasControlCharacters(to)) throw invalidArgument('`to` must not contain CR, LF or other control characters');
  const value = to.trim();
  if (/^tel:/i.test(value)) {
    const number = telUriNumber(value);
    if (number === undefined) throw invalidArgument(`\`to\` "${to}" is not a global TEL URI like tel:+15551234567`);
    return `sip:${number}@${domain}`;
  }
  if (hasUriScheme(value)) {
    const uri = parseSipUri(value, '`to`');
    return `${formatSipUri(uri)}${uri.params}`;
  }
  if (value.startsWith('+')) {
    if (!isE164(value)) throw invalidArgument(`\`to\` "${to}" is not an E.164 number like +15551234567`);
    return `sip:${value}@${domain}`;
  }
  if (!isSipUser(value)) throw invalidArgument(`\`to\` "${to}" is neither an E.164 number, a SIP user nor a SIP URI`);
  return `sip:${value}@${domain}`;
}

/**
 * The caller ID `from` for the user part of the From header: an E.164 number
 * or a plain SIP user.
 * @throws VoiceSDKError `invalid-argument` otherwise.
 */
export function parseCallerId(from: unknown): string {
  if (typeof from !== 'string' || from === '') throw invalidArgument('`from` must be a non-empty string');
  if (from.startsWith('+') ? !isE164(from) : !isSipUser(from)) {
    throw invalidArgument(`\`from\` "${from}" is not an E.164 number or SIP user`);
  }
  return from;
}

/** The parts of a URI `remoteIdentity` needs; SIP.js's `URI` has them. */
export interface UriLike {
  scheme?: string;
  user?: string;
  host: string;
  port?: number;
}

/** Longest identity we report; the rest of a hostile From is cut. */
export const MAX_IDENTITY_LENGTH = 256;

/**
 * The far end as `remoteIdentity` shows it, one rule for both directions and
 * both adapters:
 * - the user part is an E.164 number (`sip:+4930123456@pbx`, `tel:+4930123456`)
 *   → that number, `+4930123456`;
 * - anything else → the SIP URI without parameters: `sip:alice@example.com`,
 *   and an extension that is not E.164 keeps its domain: `sip:1002@pbx.example.com`
 *   (the same digits mean different phones on different servers).
 *
 * The far end's From is untrusted input: control characters are dropped and
 * the result is at most `MAX_IDENTITY_LENGTH` characters. Never throws.
 */
export function remoteIdentity(uri: string | UriLike): string {
  return typeof uri === 'string' ? bounded(identityOfText(uri)) : remoteIdentityOfUri(uri);
}

/** `remoteIdentity` of a parsed URI (SIP.js's): the SIP.js adapter's entry, which leaves the text parsing out of its bundle. */
export function remoteIdentityOfUri(uri: UriLike): string {
  return bounded(identityOfParts(uri));
}

function bounded(identity: string): string {
  return withoutControlCharacters(identity).slice(0, MAX_IDENTITY_LENGTH);
}

/** From SIP.js's parsed URI: its user part is decoded already (`%2B49…` → `+49…`, `a%0D%0Ab` → `a\r\nb`). */
function identityOfParts(uri: UriLike): string {
  const user = typeof uri.user === 'string' ? uri.user : '';
  if (isE164(user)) return user;
  const host = typeof uri.host === 'string' ? uri.host : '';
  const port = typeof uri.port === 'number' && Number.isInteger(uri.port) ? uri.port : undefined;
  const scheme = typeof uri.scheme === 'string' ? { scheme: uri.scheme } : {};
  return formatSipUri({ ...scheme, user: escapeUser(user), host, ...(port === undefined ? {} : { port }) });
}

/**
 * From a URI as text (the fake network): decoded the way SIP.js decodes it,
 * then the same rule. The URIs the fake network meets are valid already (a
 * normalised target, an AOR, a checked Refer-To), so this reads only
 * `scheme:user@host[:port]` and leaves the rest of a URI's syntax alone.
 */
function identityOfText(text: string): string {
  const number = telUriNumber(text);
  if (number !== undefined) return number;
  const uri = splitSipUri(text);
  return uri && isSipUser(uri.user) ? identityOfParts({ scheme: uri.scheme, user: unescapeUser(uri.user), host: uri.hostPort }) : text.trim();
}

/** The longest Refer-To URI a transfer request may carry. */
const MAX_REFER_TARGET_LENGTH = 1024;

/**
 * Whether a REFER's Refer-To (untrusted input) names something a transfer
 * could go to: a `sip:`, `sips:` or `tel:` URI (in angle brackets, with a display name or not), no
 * CR / LF or other control characters, at most 1024 characters. Anything else
 * is answered 400 Bad Request. Never throws.
 */
export function isUsableReferTarget(referTo: unknown): boolean {
  if (typeof referTo !== 'string' || referTo.length > MAX_REFER_TARGET_LENGTH || hasControlCharacters(referTo)) return false;
  // A name-addr (`"Carol" <sip:carol@pbx>`, as attended transfers send) or a bare URI.
  const bracketed = /^\s*(?:"[^"]*"|[^"<>]*)\s*<([^<>]*)>\s*$/.exec(referTo);
  const uri = bracketed ? bracketed[1]! : referTo.trim();
  return /^(sips?|tel):\S+$/i.test(uri);
}
