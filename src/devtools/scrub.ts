/**
 * Payloads made safe to show: credentials removed, everything turned into
 * bounded plain JSON (no functions, cycles, class instances or huge strings).
 */

/** What a credential is replaced with. */
export const REDACTED = '[redacted]';

/** A key whose value is a credential, whatever its type. */
const SECRET_KEY = /passw(or)?d|passphrase|secret|token|authori[sz]ation|credential|api[-_]?key|^pass$|^pwd$|^ha1$/i;
/** `Authorization:` / `Proxy-Authorization:` lines of SIP or HTTP text. */
const AUTH_LINE = /^([ \t]*(?:proxy-)?authorization[ \t]*:)[^\r\n]*/gim;
/** A password in a URI's user info (`sip:alice:secret@host`). */
const URI_PASSWORD = /\b((?:sips?|wss?|https?):(?:\/\/)?[^\s:@/]+:)[^\s@/]+@/gi;

/** Bounds of {@link scrub}'s copy, so that a huge or deep payload stays cheap to send and show. */
export interface ScrubLimits {
  /** Nesting below which objects are summarised. @default 6 */
  depth?: number;
  /** Characters kept of a string. @default 2000 */
  stringLength?: number;
  /** Items kept of an array and keys of an object. @default 50 */
  items?: number;
}

/** Removes credentials from text: Authorization lines and passwords in URIs. */
export function scrubText(text: string): string {
  return text.replace(AUTH_LINE, `$1 ${REDACTED}`).replace(URI_PASSWORD, `$1${REDACTED}@`);
}

/** True for a key whose value must never be shown. */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/** An actor ref (has a session id and send): shown by its id. */
const isActorRef = (value: object): value is { id: string; sessionId: string } =>
  typeof (value as { sessionId?: unknown }).sessionId === 'string' && typeof (value as { send?: unknown }).send === 'function';

/**
 * A JSON-safe copy of `value` without credentials: values under secret keys
 * become `[redacted]`, text loses Authorization lines and URI passwords,
 * errors keep name/message/code, actor refs and other class instances become
 * `[Name]`. Never throws (a getter that throws becomes `[unreadable]`).
 */
export function scrub(value: unknown, limits: ScrubLimits = {}): unknown {
  const maxDepth = limits.depth ?? 6;
  const maxString = limits.stringLength ?? 2000;
  const maxItems = limits.items ?? 50;
  const seen = new WeakSet<object>();

  const visit = (current: unknown, depth: number): unknown => {
    switch (typeof current) {
      case 'string': {
        const clean = scrubText(current);
        return clean.length > maxString ? `${clean.slice(0, maxString)}… (${clean.length} chars)` : clean;
      }
      case 'number':
        return Number.isFinite(current) ? current : String(current);
      case 'boolean':
        return current;
      case 'bigint':
        return `${current}n`;
      case 'undefined':
        return undefined;
      case 'symbol':
        return String(current);
      case 'function':
        return '[function]';
    }
    if (current === null) return null;
    const object = current as object;
    if (seen.has(object)) return '[circular]';
    if (isActorRef(object)) return `[actor ${scrubText(String(object.id))}]`;
    if (object instanceof Error) {
      const code = (object as { code?: unknown }).code;
      return {
        name: object.name,
        message: visit(object.message, depth + 1),
        ...(typeof code === 'string' ? { code } : {}),
      };
    }
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (depth >= maxDepth) return Array.isArray(object) ? `[array(${object.length})]` : '[object]';
    seen.add(object);
    try {
      if (Array.isArray(object)) {
        const items = object.slice(0, maxItems).map((item) => visit(item, depth + 1));
        if (object.length > maxItems) items.push(`… ${object.length - maxItems} more`);
        return items;
      }
      if (!isPlainObject(object)) {
        const name = (Object.getPrototypeOf(object) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
        return `[${typeof name === 'string' && name !== '' ? name : 'object'}]`;
      }
      // No prototype: a key named `__proto__` stays a key.
      const out = Object.create(null) as Record<string, unknown>;
      const keys = Object.keys(object);
      for (const key of keys.slice(0, maxItems)) {
        let item: unknown;
        try {
          item = (object as Record<string, unknown>)[key];
        } catch {
          out[key] = '[unreadable]';
          continue;
        }
        out[key] = isSecretKey(key) ? REDACTED : visit(item, depth + 1);
      }
      if (keys.length > maxItems) out['…'] = `${keys.length - maxItems} more keys`;
      return out;
    } catch {
      return '[unreadable]';
    } finally {
      seen.delete(object);
    }
  };
  return visit(value, 0);
}
