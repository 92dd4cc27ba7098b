/**
 * Transfers (RFC 3515, RFC 3891): what a REFER's Refer-To names and what a
 * NOTIFY's sipfrag body (RFC 3420) tells about the referred call. Pure string
 * functions over untrusted input: they never throw.
 */
import { hasControlCharacters } from './grammar';

/** What a (usable) Refer-To asks for. */
export interface ReferTarget {
  /** The URI to call: angle brackets, display name and `?headers` taken off. */
  target: string;
  /** The Refer-To carries a Replaces header (an attended transfer). */
  replaces: boolean;
}

/** The URI inside a Refer-To value: `"Carol" <sip:carol@x?Replaces=…>` → `sip:carol@x?Replaces=…`. */
function uriOf(referTo: string): string {
  const bracketed = /<([^<>]*)>/.exec(referTo);
  return (bracketed ? bracketed[1]! : referTo).trim();
}

/** What a Refer-To names: the URI to call (without its headers) and whether it asks to replace a dialog. */
export function referTargetOf(referTo: string): ReferTarget {
  const uri = uriOf(referTo);
  const question = uri.indexOf('?');
  const target = question < 0 ? uri : uri.slice(0, question);
  const headers = question < 0 ? '' : uri.slice(question + 1);
  return { target, replaces: headers.split('&').some((header) => /^replaces=/i.test(header)) };
}

/** The longest sipfrag status line we read. */
const MAX_SIPFRAG_LENGTH = 256;

/**
 * The status of a NOTIFY's sipfrag body (`SIP/2.0 180 Ringing`), or undefined
 * when the body is not one (control characters, too long, no status line).
 */
export function sipfragStatus(body: unknown): number | undefined {
  if (typeof body !== 'string') return undefined;
  const line = body.split(/\r?\n/, 1)[0]!.trim();
  if (line.length > MAX_SIPFRAG_LENGTH || hasControlCharacters(line)) return undefined;
  const match = /^SIP\/2\.0\s+([1-6][0-9]{2})(?:\s|$)/i.exec(line);
  return match ? Number(match[1]) : undefined;
}

/** Whether a NOTIFY's Event header is the implicit subscription of a REFER (`refer`, `refer;id=17`). */
export function isReferEvent(event: unknown): boolean {
  return typeof event === 'string' && /^\s*refer\s*(;|$)/i.test(event);
}

/** What the transfer event says for a sipfrag status: trying (100), ringing (18x), or an outcome. */
export type ReferProgress = 'trying' | 'ringing' | 'succeeded' | 'failed' | 'other';

/** The meaning of a referred call's status for the transferor. */
export function referProgressOf(status: number): ReferProgress {
  if (status === 100) return 'trying';
  if (status === 180 || status === 183) return 'ringing';
  if (status >= 200 && status < 300) return 'succeeded';
  if (status >= 300) return 'failed';
  return 'other';
}

/** The sipfrag body a referred call's response is NOTIFYed with. */
export function sipfragOf(status: number, reasonPhrase: string): string {
  return `SIP/2.0 ${status} ${reasonPhrase}`.trim();
}
