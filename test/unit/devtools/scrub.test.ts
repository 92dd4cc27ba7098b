import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, scrub, scrubText } from '../../../src/devtools';

/** A credential no other generated text can contain by chance. */
const secretArb = fc.string({ minLength: 4, maxLength: 12, unit: fc.constantFrom(...'abcdefXYZ0123456789') }).map((s) => `S3cr3t${s}`);
const secretKeyArb = fc.constantFrom('password', 'Password', 'userPassword', 'secret', 'clientSecret', 'token', 'accessToken', 'authorization', 'apiKey', 'credentials');
const plainKeyArb = fc.constantFrom('user', 'uri', 'type', 'headers', 'body', 'params', 'value', 'server');
const jsonArb = fc.jsonValue({ maxDepth: 3 }).filter((value) => !JSON.stringify(value).includes('S3cr3t'));

/** Puts `secret` under a secret key somewhere inside `value`. */
const withSecret = (value: unknown, path: string[], key: string, secret: string): unknown => {
  let container: Record<string, unknown> = { value };
  const root = container;
  for (const step of path) container = (container[step] = { ...(container[step] as object) }) as Record<string, unknown>;
  container[key] = secret;
  return root;
};

describe('scrub', () => {
  it('never lets a value under a secret key through, at any depth, whatever else is there', () => {
    fc.assert(
      fc.property(jsonArb, fc.array(plainKeyArb, { maxLength: 4 }), secretKeyArb, secretArb, (value, path, key, secret) => {
        const text = JSON.stringify(scrub(withSecret(value, path, key, secret)));
        expect(text).not.toContain(secret);
        expect(text).toContain(REDACTED);
      }),
    );
  });

  it('redacts objects and arrays under a secret key too', () => {
    expect(scrub({ credentials: { user: 'alice', pass: 'x' }, tokens: ['a', 'b'] })).toEqual({ credentials: REDACTED, tokens: REDACTED });
  });

  it('keeps what is not a credential', () => {
    fc.assert(
      fc.property(jsonArb, (value) => {
        const clean = scrub(value, { depth: 10, items: 1000, stringLength: 100_000 });
        expect(JSON.stringify(clean ?? null)).toEqual(JSON.stringify(value ?? null));
      }),
      { numRuns: 2000 },
    );
    expect(JSON.stringify(scrub(JSON.parse('{"__proto__":{"a":1}}')))).toBe('{"__proto__":{"a":1}}');
  });

  it('removes Authorization and Proxy-Authorization lines of SIP text, whatever their case', () => {
    fc.assert(
      fc.property(fc.constantFrom('Authorization', 'Proxy-Authorization', 'authorization', 'PROXY-AUTHORIZATION'), secretArb, (header, secret) => {
        const sip = `INVITE sip:bob@example.com SIP/2.0\r\n${header}: Digest username="alice", response="${secret}"\r\nCSeq: 2 INVITE\r\n\r\n`;
        const clean = scrubText(sip);
        expect(clean).not.toContain(secret);
        expect(clean).toContain(`${header}: ${REDACTED}`);
        expect(clean).toContain('CSeq: 2 INVITE');
        expect(JSON.stringify(scrub({ message: sip }))).not.toContain(secret);
      }),
    );
  });

  it('removes the password of a URI with user info', () => {
    expect(scrubText('connecting to wss://alice:hunter2@pbx.example.com/ws')).toBe(`connecting to wss://alice:${REDACTED}@pbx.example.com/ws`);
    expect(scrubText('sip:alice:hunter2@example.com')).toBe(`sip:alice:${REDACTED}@example.com`);
    expect(scrubText('sip:alice@example.com;transport=ws')).toBe('sip:alice@example.com;transport=ws');
  });

  it('turns cycles, functions, errors, class instances and actor refs into plain JSON', () => {
    const cyclic: Record<string, unknown> = { type: 'X' };
    cyclic['self'] = cyclic;
    class PeerConnection {}
    const error = Object.assign(new Error('no answer'), { code: 'timeout', password: 'p' });
    const actor = { id: 'call-1', sessionId: 'x:3', send() {} };
    const out = scrub({ cyclic, fn: () => 1, error, pc: new PeerConnection(), actor, when: new Date(0), n: Number.NaN, big: 10n }) as Record<string, unknown>;
    expect(out).toEqual({
      cyclic: { type: 'X', self: '[circular]' },
      fn: '[function]',
      error: { name: 'Error', message: 'no answer', code: 'timeout' },
      pc: '[PeerConnection]',
      actor: '[actor call-1]',
      when: '1970-01-01T00:00:00.000Z',
      n: 'NaN',
      big: '10n',
    });
    // A shared (not cyclic) object is shown each time.
    const shared = { a: 1 };
    expect(scrub({ x: shared, y: shared })).toEqual({ x: { a: 1 }, y: { a: 1 } });
  });

  it('survives getters that throw and bounds depth, strings and sizes', () => {
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(scrub({ hostile })).toEqual({ hostile: { boom: '[unreadable]' } });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 50; i++) deep = { deep };
    expect(JSON.stringify(scrub(deep)).length).toBeLessThan(200);
    expect((scrub('x'.repeat(10_000)) as string).length).toBeLessThan(2100);
    expect((scrub(Array.from({ length: 1000 }, (_, i) => i)) as unknown[]).length).toBe(51);
  });
});
