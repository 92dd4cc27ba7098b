/**
 * The SIP rules have one copy, src/sip. This fails when a copy of a rule's pattern appears anywhere
 * else under src/, which is how the fake network and the SIP.js adapter
 * drifted apart before.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** Text that only a copy of a src/sip rule would contain. */
const RULE_PATTERNS: Array<[string, RegExp]> = [
  ['E.164 pattern', /\\\+\[1-9\]/],
  ['SIP URI scheme pattern', /sips\?\)?:/i],
  ['token character class', /!%\*_\+`'~|!%'\*\+/],
  ['control character class', /\\u0000-\\u0008/i],
  ['DTMF alphabet', /0-9\*#A-D|0-9A-Da-d\*#|\[0-9\*#/],
  ['SIP user character class', /&=\+\$,;\?\//],
  ['dtmf-relay body', /Signal=\$\{/],
  ['ringing status pair', /=== 180 \|\| \w+ === 183/],
  ['Reason cause=200', /cause\\s\*=\\s\*200/],
  ['prefix comparison', /[pP]refix\.toLowerCase\(\)/],
];

/** Files allowed to hold a copy for now (none: keep it that way). */
const PENDING: Record<string, string[]> = {};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('one copy of each SIP rule', () => {
  const files = sources(join(ROOT, 'src'))
    .map((path) => relative(ROOT, path))
    .filter((path) => !path.startsWith('src/sip/'));

  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files)('%s holds no copy of a src/sip rule', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const found = RULE_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
    expect(found).toEqual(PENDING[file] ?? []);
  });

  // A pattern that matches nothing could never fail: each must find its rule in src/sip or in a pending file.
  it('each pattern finds the rule it stands for', () => {
    const sip = sources(join(ROOT, 'src/sip')).map((path) => readFileSync(path, 'utf8'));
    const pending = Object.keys(PENDING).map((file) => readFileSync(join(ROOT, file), 'utf8'));
    const dead = RULE_PATTERNS.filter(([, pattern]) => ![...sip, ...pending].some((text) => pattern.test(text)));
    expect(dead.map(([name]) => name)).toEqual([]);
  });
});
