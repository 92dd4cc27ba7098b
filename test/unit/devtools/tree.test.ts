// The chart tree is read from a machine's definition at runtime: checked
// against XState's own resolved state nodes, never against a list of names.
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { callMachine, deviceMachine, warningMachine } from '../../../src/index';
import { activePaths, chartDefinition, chartTree, type ChartNode } from '../../../src/devtools';

interface ResolvedNode {
  key: string;
  path: string[];
  type: string;
  config: { on?: object; after?: object };
  states: Record<string, ResolvedNode>;
}

const flatten = (node: ChartNode): ChartNode[] => [node, ...node.children.flatMap(flatten)];
const resolvedNodes = (node: ResolvedNode): ResolvedNode[] => [node, ...Object.values(node.states).flatMap(resolvedNodes)];

describe.each([
  ['device', deviceMachine],
  ['call', callMachine],
  ['warning', warningMachine],
] as [string, AnyStateMachine][])('chartTree(%s machine config)', (_name, machine) => {
  const root = machine.root as unknown as ResolvedNode;

  it('has one node per state of the machine, with its path and type', () => {
    const tree = flatten(chartTree(machine.config));
    const expected = resolvedNodes(root).map((node) => [node.path.join('.'), node.type]);
    expect(tree.map((node) => [node.path, node.type])).toEqual(expected);
    expect(tree.length).toBeGreaterThan(3);
  });

  it('lists the events each state declares, and its delays', () => {
    const byPath = new Map(flatten(chartTree(machine.config)).map((node) => [node.path, node]));
    for (const node of resolvedNodes(root)) {
      const drawn = byPath.get(node.path.join('.'))!;
      for (const event of Object.keys(node.config.on ?? {})) expect(drawn.events).toContain(event);
      for (const delay of Object.keys(node.config.after ?? {})) expect(drawn.events).toContain(`after(${delay})`);
    }
  });

  it('gives the same tree from the reduced JSON definition the inspector sends', () => {
    const sent = JSON.parse(JSON.stringify(chartDefinition(machine.config)));
    expect(chartTree(sent)).toEqual(chartTree(machine.config));
  });
});

const valueOf = (path: string): unknown =>
  path.split('.').reduceRight<unknown>((inner, key) => (inner === undefined ? key : { [key]: inner }), undefined);

describe.each([
  ['device', deviceMachine],
  ['call', callMachine],
  ['warning', warningMachine],
] as [string, AnyStateMachine][])('activePaths on %s snapshots', (_name, machine) => {
  it('marks a state active exactly when the snapshot matches it, in every leaf state', () => {
    const nodes = flatten(chartTree(machine.config)).filter((node) => node.path !== '');
    for (const leaf of nodes.filter((node) => node.children.length === 0)) {
      // XState fills in the other regions of parallel states with their initial states.
      const snapshot = machine.resolveState({ value: valueOf(leaf.path) as never, context: {} as never });
      const active = activePaths(snapshot.value);
      expect(active.has(leaf.path)).toBe(true);
      for (const node of nodes) expect(active.has(node.path), node.path).toBe(snapshot.matches(valueOf(node.path) as never));
    }
  });
});

describe('activePaths', () => {
  it('takes anything without throwing', () => {
    for (const value of [undefined, null, 42, [], { a: null }, { a: { b: 7 } }]) expect(() => activePaths(value)).not.toThrow();
    expect([...activePaths({ a: { b: 'c' } })]).toEqual(['a', 'a.b', 'a.b.c']);
  });
});

describe('chartTree on hostile definitions', () => {
  it('gives a root without children for what is not a config', () => {
    for (const value of [undefined, null, 'x', 3, [], { states: 'nope' }]) expect(chartTree(value).children).toEqual([]);
  });

  it('bounds the depth of a deeply nested definition', () => {
    let config: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) config = { states: { deeper: config } };
    const depth = (node: ChartNode): number => 1 + Math.max(0, ...node.children.map(depth));
    expect(depth(chartTree(config))).toBeLessThanOrEqual(17);
  });
});
