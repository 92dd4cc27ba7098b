/**
 * The defaults of `new Device()` are written once, in `DEFAULTS`
 * (src/options.ts). The README's option table, its warning table and the
 * TSDoc `@default` tags restate them for readers; this test fails the moment
 * one of them says something else.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/options';
import { DEFAULT_QUALITY_THRESHOLDS } from '../../../src/quality/warnings';
import type { WarningName } from '../../../src/quality/quality.types';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** `@default` tags of an interface's properties, by property name. */
function defaultTags(file: string, interfaceName: string): Map<string, string | undefined> {
  const path = new URL(`../../../${file}`, import.meta.url);
  const source = ts.createSourceFile(file, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const tags = new Map<string, string | undefined>();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === interfaceName) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
        const comment = tag === undefined ? undefined : ts.getTextOfJSDocComment(tag.comment)?.trim();
        tags.set(member.name.getText(source), comment);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (tags.size === 0) throw new Error(`No interface ${interfaceName} in ${file}`);
  return tags;
}

/** A default as TypeScript source: `'all'`, `500`, `[]`, `{ a: 1, b: 'x' }`; the threshold table by its name. */
function literal(value: unknown): string {
  if (value === DEFAULT_QUALITY_THRESHOLDS) return 'DEFAULT_QUALITY_THRESHOLDS';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }`;
  }
  return String(value);
}

/** A default as the README's option table writes it: values only, in backticks (`'rfc2833', 100, 70`). */
function readmeCell(value: unknown): string {
  const values = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.values(value) : [value];
  return `\`${values.map(literal).join(', ')}\``;
}

/** The cells of the README table row that starts with `` | `name` | ``. */
function readmeRow(name: string, section = README): string[] {
  const line = section.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
  if (line === undefined) throw new Error(`README has no table row for \`${name}\``);
  return line.split(' | ').map((cell) => cell.replace(/^\| |\|$/g, '').trim());
}

const OPTION_TABLE = README.slice(README.indexOf('### `new Device(options: DeviceOptions)`'), README.indexOf('Bad options throw'));
const DEVICE_TAGS = defaultTags('src/options.ts', 'DeviceOptions');
/** Options whose default is not a value (it depends on another option, or is code). */
const DERIVED = new Map([
  ['authorizationUsername', 'the user part of `uri`'],
  ['adapter', 'the SIP.js adapter'],
]);

describe('DEFAULTS, README and TSDoc agree', () => {
  it('every option has a README row and every README row is an option', () => {
    const rows = [...OPTION_TABLE.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...DEVICE_TAGS.keys()].sort());
  });

  it.each(Object.keys(DEFAULTS).filter((k) => k !== 'qualityWarnings'))('README states the default of %s', (name) => {
    expect(readmeRow(name, OPTION_TABLE)[2]).toBe(readmeCell(DEFAULTS[name as keyof typeof DEFAULTS]));
  });

  it.each(Object.keys(DEFAULTS))('the @default tag of %s is DEFAULTS', (name) => {
    expect(DEVICE_TAGS.get(name)).toBe(literal(DEFAULTS[name as keyof typeof DEFAULTS]));
  });

  it('the @default tags of ReconnectPolicy are DEFAULTS.reconnect', () => {
    const tags = defaultTags('src/machines/device.types.ts', 'ReconnectPolicy');
    expect(Object.fromEntries(tags)).toEqual(Object.fromEntries(Object.entries(DEFAULTS.reconnect).map(([k, v]) => [k, literal(v)])));
  });

  it('options without a value default say what they default to, and nothing else has a @default', () => {
    for (const [name, tag] of DEVICE_TAGS) {
      if (name in DEFAULTS) continue;
      expect(tag, `@default of ${name}`).toBe(DERIVED.get(name));
    }
  });

  it('the grace period of the quality warnings is the same in README, QualityWarningOptions and DEFAULTS', () => {
    const grace = DEFAULTS.qualityWarnings.gracePeriodMs;
    expect(readmeRow('qualityWarnings', OPTION_TABLE)[3]).toContain(`\`gracePeriodMs\` (${grace})`);
    expect(README).toContain(`first \`gracePeriodMs\` (${grace / 1000} s)`);
    expect(defaultTags('src/quality/quality.types.ts', 'QualityWarningOptions').get('gracePeriodMs')).toBe(String(grace));
  });

  it('the README warning table states the default thresholds and rules', () => {
    const table = README.slice(README.indexOf('| warning | bad when (default)'));
    const thresholds = DEFAULTS.qualityWarnings.thresholds;
    for (const [name, rule] of Object.entries(thresholds) as Array<[WarningName, (typeof thresholds)[WarningName]]>) {
      const [, badWhen = '', clearsAt = '', raise = ''] = readmeRow(name, table);
      expect(raise, name).toBe(`${rule.raise.samples} of ${rule.raise.window}`);
      // Numeric thresholds are printed; the energy and ICE ones are described in words.
      if (/[<>] [0-9.]+/.test(badWhen)) {
        expect(badWhen, name).toMatch(new RegExp(`[<>] ${rule.threshold}\\b`));
        expect(clearsAt, name).toMatch(new RegExp(`[≤≥] ${rule.clearThreshold}\\b`));
      }
    }
    const clears = Object.entries(thresholds).filter(([, rule]) => rule.clear.samples !== 3).map(([name, rule]) => `\`${name}\` (${rule.clear.samples})`);
    expect(README).toContain(`All but ${clears.join(', ')} clear after 3 good samples.`);
  });

  it('DEFAULTS cannot be changed at run time', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    for (const value of Object.values(DEFAULTS)) if (typeof value === 'object') expect(Object.isFrozen(value)).toBe(true);
  });
});
