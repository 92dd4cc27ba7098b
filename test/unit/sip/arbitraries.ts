/** fast-check arbitraries for the SIP rules' property tests, and a check that only VoiceSDKErrors are thrown. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { VoiceSDKError } from '../../../src/errors';

// The properties hunt for hostile input: more runs than fast-check's 100 (each is cheap).
fc.configureGlobal({ numRuns: 500 });

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~".split('');
const USER_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()&=+$,;?/".split('');

/** A string of RFC 3261 token characters. */
export const token = (maxLength = 20): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength });

/** A SIP user part (unescaped characters only). */
export const sipUser = fc.string({ unit: fc.constantFrom(...USER_CHARS), minLength: 1, maxLength: 20 });

/** An E.164 number. */
export const e164 = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 14 }))
  .map(([first, rest]) => `+${first}${rest}`);

/** A DNS host name, optionally with a port. */
export const hostPort = fc
  .tuple(fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([host, port]) => (port === undefined ? host : `${host}:${port}`));

/** Every character a hostile peer or a careless app could send: controls, separators, Unicode line breaks, astral characters. */
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({
    unit: fc.constantFrom('\r', '\n', '\u0000', '\u0085', '\u2028', '\u2029', '\u007f', '\t', ' ', ':', ';', '@', '"', '\\', '<', '>', 'a', 'Z', '1', '+', '%'),
    maxLength: 40,
  }),
);

/** An object nearly every operation on which throws (not `in`, which fast-check itself uses). */
const throwingProxy = (): unknown =>
  new Proxy(
    {},
    Object.fromEntries(
      ['get', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf'].map((trap) => [trap, () => { throw new Error(`${trap} trap`); }]),
    ),
  );

/** Values whose conversion to text or whose reading throws. */
const trickyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({ toString: '' }),
  fc.constant({ toString: () => { throw new Error('toString'); } }),
  fc.constant(Object.create(null)),
  fc.constant(Symbol('s')),
  fc.bigInt(),
  fc.integer().map(() => throwingProxy()),
  fc.constant(() => 'function'),
);

/** Any JavaScript value an untyped caller could pass. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, fc.anything(), trickyValue);


/** Characters that must never reach a SIP message. */
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029]/;

/** Runs `fn`; passes when it returns or throws a VoiceSDKError('invalid-argument'), fails on anything else thrown. */
export function throwsOnlyInvalidArgument(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VoiceSDKError);
    expect((error as VoiceSDKError).code).toBe('invalid-argument');
  }
}
