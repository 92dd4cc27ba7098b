/**
 * SIP header text for SIP.js: the `extraHeaders` lines of an INVITE and log
 * lines with credentials removed. The rules themselves (names, values,
 * prefixes, bounds) live in `src/sip/headers.ts`.
 */
import { headerLine } from '../../sip/headers';

/**
 * Turns the request's headers into SIP.js `extraHeaders` lines (`Name: value`).
 * The facade has encoded them already; `headerLine` refuses anything that
 * could inject a header line all the same.
 */
export function toExtraHeaderLines(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers).map(([name, value]) => headerLine(name, value));
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
