/**
 * The README's `callchart/testing` example, run as written (its code block is
 * extracted from README.md), once with real and once with fake timers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it, vi } from 'vitest';
import type { Call } from '../../../src/index';
import type { FakeNetwork, RemoteCall } from '../../../src/testing';
import { readmeExample } from '../../readme-blocks.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface ExampleWorld {
  network: FakeNetwork;
  call: Call;
  far: RemoteCall;
}

/** Writes the README block as a module importing the sources, and runs it (its top-level awaits included). */
async function runReadmeExample(name: string): Promise<ExampleWorld> {
  const code = readmeExample('callchart/testing')
    .replace("from 'callchart/testing'", `from ${JSON.stringify(path.join(root, 'src/testing.ts'))}`)
    .replace("from 'callchart'", `from ${JSON.stringify(path.join(root, 'src/index.ts'))}`);
  const dir = path.join(root, '.tmp', 'readme-examples');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, `${code}\nexport { network, call, far };\n`);
  return (await import(/* @vite-ignore */ file)) as ExampleWorld;
}

function expectTheStoryTheExampleTells({ network, call, far }: ExampleWorld): void {
  // bob answered, the scripted 488 refused the hold, destroy() hung up.
  expect(call.getReport().setupTimeMs).toBeGreaterThanOrEqual(0);
  expect(call.isOnHold()).toBe(false);
  expect(far.heldByDevice).toBe(false);
  expect(call.getStatus()).toBe('disconnected');
  expect(far.endedBy).toBe('remote-bye');
  expect(network.openMediaCount).toBe(0);
}

afterEach(() => {
  vi.useRealTimers();
});

it('the README testing example runs as written with real timers', async () => {
  expectTheStoryTheExampleTells(await runReadmeExample('real-timers'));
});

it('the README testing example runs as written with fake timers', async () => {
  vi.useFakeTimers();
  expectTheStoryTheExampleTells(await runReadmeExample('fake-timers'));
});
