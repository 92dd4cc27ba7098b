/**
 * README.md is the package page on npm too, where only absolute links work (the
 * tarball holds dist/, README, CHANGELOG and LICENSE, and the package names no
 * repository to resolve relative links against): every link and image is
 * http(s), mailto or an anchor of one of the README's own headings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** GitHub's (and npm's) heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

describe.each(['README.md', 'CHANGELOG.md'])('%s links work from the package page', (file) => {
  const text = readFileSync(path.join(root, file), 'utf8');
  // Links outside code: fenced blocks and inline code are not links.
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]!);
  const anchors = new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1]!)));

  it('no relative link or image', () => {
    expect(targets.filter((target) => !/^(https?:\/\/|mailto:|#)/.test(target))).toEqual([]);
  });

  it('every #anchor names one of its headings', () => {
    expect(targets.filter((target) => target.startsWith('#') && !anchors.has(target.slice(1)))).toEqual([]);
  });
});
