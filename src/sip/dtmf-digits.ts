/**
 * The DTMF alphabet, one copy for the facade and both adapters: the sixteen
 * tones `0-9 * # A-D` (RFC 4733 events 0–15) and `,`, a pause of
 * `DTMF_PAUSE_MS` (what `RTCDTMFSender.insertDTMF` does with it; the SIP.js
 * adapter waits as long between SIP INFOs).
 */
import { invalidArgument, shown } from './grammar';

/** The tones, in RFC 4733 event order. */
export const DTMF_TONES = '0123456789*#ABCD';

/** The character that stands for a pause. */
export const DTMF_PAUSE = ',';

/** The pause a `,` stands for, in ms (what `RTCDTMFSender` uses). */
export const DTMF_PAUSE_MS = 2000;

/** Lower-case `a-d` are accepted and upper-cased. */
const DTMF_DIGITS = /^[0-9*#A-Da-d,]+$/;

/** Whether `value` is a non-empty string of tones and pauses. Never throws. */
export function isDtmfDigits(value: unknown): value is string {
  return typeof value === 'string' && DTMF_DIGITS.test(value);
}

/** Whether `value` is one tone (not a pause), upper-case. */
export function isDtmfTone(value: unknown): value is string {
  return typeof value === 'string' && value.length === 1 && DTMF_TONES.includes(value);
}

/**
 * `digits` checked and upper-cased: `'12a#,5'` → `'12A#,5'`.
 * @throws VoiceSDKError `invalid-argument` for anything but one or more of `0-9 * # A-D ,`.
 */
export function parseDtmfDigits(digits: unknown): string {
  if (!isDtmfDigits(digits)) {
    throw invalidArgument(`DTMF digits must be one or more of 0-9 * # A-D and , (a pause), got ${shown(digits)}`);
  }
  return digits.toUpperCase();
}

/** The body of a SIP INFO that carries one tone (`application/dtmf-relay`). */
export function dtmfRelayBody(tone: string, durationMs: number): string {
  return `Signal=${tone}\r\nDuration=${Math.max(1, Math.round(durationMs))}`;
}

/**
 * The tone of an `application/dtmf-relay` body (`Signal=5\r\nDuration=160`),
 * or of an `application/dtmf` body (`5`); `undefined` for anything else
 * (untrusted input: never throws).
 */
export function toneOfInfoBody(body: string, contentType: string): string | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  const text = body.slice(0, 1024);
  const signal = type === 'application/dtmf-relay' ? /^\s*signal\s*=\s*(\S+)\s*$/im.exec(text)?.[1] : type === 'application/dtmf' ? text.trim() : undefined;
  const tone = signal?.toUpperCase();
  return isDtmfTone(tone) ? tone : undefined;
}

/** The longest tone duration an INFO may claim, in ms; longer values are left out as implausible. */
const MAX_INFO_DURATION_MS = 60_000;

/**
 * A digit received by SIP INFO: the tone and, for `application/dtmf-relay`,
 * its `Duration` in ms when it is a plausible whole number (1–60000).
 * `undefined` when the body carries no tone (untrusted input: never throws).
 */
export function dtmfOfInfo(body: string, contentType: string): { digit: string; durationMs?: number } | undefined {
  const digit = toneOfInfoBody(body, contentType);
  if (digit === undefined) return undefined;
  const duration = /^\s*duration\s*=\s*(\d{1,6})\s*$/im.exec(body.slice(0, 1024))?.[1];
  const durationMs = duration === undefined ? undefined : Number(duration);
  return durationMs !== undefined && durationMs >= 1 && durationMs <= MAX_INFO_DURATION_MS ? { digit, durationMs } : { digit };
}
