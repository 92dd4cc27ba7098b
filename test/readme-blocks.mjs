/**
 * The README's TypeScript code blocks, for the tests that compile them
 * (test/types/check-types.mjs) and run them (test/unit/core/readme-example.test.ts).
 * A block counts as an example when it starts with an `import`; the others
 * are fragments (a function to paste, a table of options).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every ```ts block of README.md that starts with an import, in order. */
export function readmeExamples() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  return blocks.filter((code) => /^import /.test(code));
}

/** The example that imports `from` (e.g. 'callchart/testing'); throws when there is none or several. */
export function readmeExample(from) {
  const found = readmeExamples().filter((code) => code.includes(`from '${from}'`));
  if (found.length !== 1) throw new Error(`README.md has ${found.length} examples importing '${from}', expected 1`);
  return found[0];
}
