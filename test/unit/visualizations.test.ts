import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { findStale, machines, outputDir, renderAll } from '../../scripts/visualize';

interface StateInfo {
  id: string;
  key: string;
  path: string[];
}

interface StateNodeLike {
  id: string;
  key: string;
  path: string[];
  states: Record<string, StateNodeLike>;
}

/** Every state node of the machine, root first, walked independently of the script. */
function allStates(machine: AnyStateMachine): StateInfo[] {
  const out: StateInfo[] = [];
  const visit = (node: StateNodeLike): void => {
    out.push({ id: node.id, key: node.key, path: [...node.path] });
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root as unknown as StateNodeLike);
  return out;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('generated statechart diagrams', () => {
  let rendered: Map<string, string>;

  beforeAll(async () => {
    // Needs Graphviz `dot` on PATH (Debian: apt-get install -y graphviz).
    rendered = await renderAll();
  }, 60_000);

  it('committed visualizations match the machines (else run `npm run visualize` and commit)', async () => {
    expect(await findStale(rendered)).toEqual([]);
  });

  it('renders the same bytes twice', async () => {
    expect(await renderAll()).toEqual(rendered);
  });

  describe.each(machines.map((entry) => [entry.name, entry] as const))('%s machine', (name, entry) => {
    const states = allStates(entry.machine);

    it('has at least one state below the root', () => {
      expect(states.length).toBeGreaterThan(1);
    });

    it('the Mermaid diagram declares every state under a unique id', () => {
      const md = rendered.get(`${outputDir}/${name}.md`) ?? '';
      expect(md).toContain('```mermaid\nstateDiagram-v2\n');
      const declared = [...md.matchAll(/^\s*state "[^"]*" as (\w+)/gm)].map((m) => m[1]);
      expect(new Set(declared).size).toBe(declared.length);
      for (const state of states.slice(1)) {
        const mermaidId = [entry.machine.root.key, ...state.path].join('_').replace(/[^A-Za-z0-9_]/g, '_');
        expect(md, `state #${state.id}`).toMatch(
          new RegExp(`^\\s*state "${escapeRegExp(state.key)}[^"]*" as ${escapeRegExp(mermaidId)}\\b`, 'm'),
        );
      }
    });

    it('the SVG draws every state', () => {
      const svg = rendered.get(`${outputDir}/${name}.svg`) ?? '';
      expect(svg).toMatch(/^<\?xml/);
      for (const state of states) {
        expect(svg, `state #${state.id}`).toContain(`id="state:${state.id}"`);
      }
    });
  });
});
