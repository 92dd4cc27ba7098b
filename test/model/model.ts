/**
 * Model-based testing helpers: paths over a machine from `xstate/graph`, and
 * coverage measured from XState inspection while the paths run for real
 * through the public API.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyActor, type AnyStateMachine, type AnyStateNode, type AnyTransitionDefinition, type InspectionEvent } from 'xstate';
import { getShortestPaths } from 'xstate/graph';

export interface ModelStep {
  event: { type: string; [key: string]: unknown };
  /** The machine's snapshot after the event, as the model predicts it. */
  state: { value: unknown; context: Record<string, unknown>; matches(value: unknown): boolean };
}

export type ModelPath = ModelStep[];

export function stateNodesOf(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode): void => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      nodes.push(child);
      visit(child);
    }
  };
  visit(machine.root);
  return nodes;
}

export function transitionsOf(machine: AnyStateMachine): AnyTransitionDefinition[] {
  const transitions: AnyTransitionDefinition[] = [];
  for (const node of [machine.root, ...stateNodesOf(machine)]) {
    for (const list of node.transitions.values()) transitions.push(...list);
    transitions.push(...(node.always ?? []));
  }
  return transitions;
}

const label = (t: AnyTransitionDefinition): string =>
  `${t.source.id} --${t.eventType || 'always'}--> ${(t.target ?? []).map((n: AnyStateNode) => n.id).join(',') || '(self)'}`;

/** Counts the states entered and transitions taken, from inspection events. */
export class Coverage {
  readonly name: string;
  readonly #states: Set<AnyStateNode>;
  readonly #transitions: Set<AnyTransitionDefinition>;
  readonly #seenStates = new Set<AnyStateNode>();
  readonly #seenTransitions = new Set<AnyTransitionDefinition>();

  constructor(name: string, machine: AnyStateMachine) {
    this.name = name;
    this.#states = new Set(stateNodesOf(machine));
    this.#transitions = new Set(transitionsOf(machine));
  }

  /** Pass as (part of) the `inspect` option. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.microstep') return;
    for (const transition of event._transitions) {
      if (!this.#transitions.has(transition)) continue;
      this.#seenTransitions.add(transition);
      // A transient state (left by `always` in the same macrostep) shows only as a source.
      for (let node: AnyStateNode | undefined = transition.source; node; node = node.parent) {
        if (this.#states.has(node)) this.#seenStates.add(node);
      }
    }
    const nodes = (event.snapshot as unknown as { _nodes?: AnyStateNode[] })._nodes ?? [];
    for (const node of nodes) if (this.#states.has(node)) this.#seenStates.add(node);
  };

  get line(): string {
    const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)} %`;
    const s = this.#seenStates.size;
    const t = this.#seenTransitions.size;
    return `${this.name}: states ${s}/${this.#states.size} (${pct(s, this.#states.size)}), transitions ${t}/${this.#transitions.size} (${pct(t, this.#transitions.size)})`;
  }

  get missingStates(): string[] {
    return [...this.#states].filter((n) => !this.#seenStates.has(n)).map((n) => n.id);
  }

  get missingTransitions(): string[] {
    return [...this.#transitions].filter((t) => !this.#seenTransitions.has(t)).map(label);
  }
}

/**
 * Prints the coverage once the file has run, and checks in a test of its own
 * that it is complete. Call it last: vitest runs a file's describe blocks in
 * order, so the check runs after the paths.
 */
export function expectFullCoverage(coverage: Coverage): void {
  afterAll(() => {
    console.log(`[model coverage] ${coverage.line}`);
    if (coverage.missingStates.length) console.log(`  states not covered: ${coverage.missingStates.join(', ')}`);
    if (coverage.missingTransitions.length) console.log(`  transitions not covered:\n    ${coverage.missingTransitions.join('\n    ')}`);
  });

  describe(`${coverage.name} coverage`, () => {
    it('covers every state and every transition', () => {
      expect(coverage.missingStates).toEqual([]);
      expect(coverage.missingTransitions).toEqual([]);
    });
  });
}

export interface PathOptions<TInput> {
  input: TInput;
  /** Events the model may send in a state, on the way to the state under test. */
  events: (state: ModelStep['state']) => ModelStep['event'][];
  /** Events tried as the last step out of each state. @default events */
  finalEvents?: (state: ModelStep['state']) => ModelStep['event'][];
  /** What makes two model states the same. */
  serializeState: (state: ModelStep['state']) => string;
}

/** The same inert scope `xstate/graph` uses: pure transitions, no effects run. */
function mockActorScope(): Record<string, unknown> {
  const self = createEmptyActor();
  return {
    self,
    logger: () => undefined,
    id: '',
    sessionId: 'model',
    defer: () => undefined,
    system: self.system,
    stopChild: () => undefined,
    emit: () => undefined,
    actionExecutor: () => undefined,
  };
}

/**
 * One path per enabled (state, event) pair: the shortest path to the state,
 * then the event. Paths that are prefixes of other paths are dropped.
 */
export function transitionPaths<TInput>(machine: AnyStateMachine, options: PathOptions<TInput>): ModelPath[] {
  const shortest = getShortestPaths(machine, {
    input: options.input,
    events: options.events as never,
    serializeState: options.serializeState as never,
  } as never) as unknown as Array<{ steps: ModelPath; state: ModelStep['state'] }>;

  const candidates: ModelPath[] = [];
  for (const path of shortest) {
    // Replay the path: the snapshots xstate/graph hands back may lack their children.
    const scope = mockActorScope();
    let snapshot = machine.getInitialSnapshot(scope as never, options.input) as unknown as ModelStep['state'];
    const steps: ModelPath = [{ event: { type: 'xstate.init' }, state: snapshot }];
    for (const step of path.steps.slice(1)) {
      snapshot = machine.transition(snapshot as never, step.event as never, scope as never) as unknown as ModelStep['state'];
      steps.push({ event: step.event, state: snapshot });
    }
    for (const event of (options.finalEvents ?? options.events)(snapshot)) {
      const live = snapshot as unknown as { can(e: unknown): boolean; status: string };
      if (live.status !== 'active' || !live.can(event)) continue;
      const next = machine.transition(snapshot as never, event as never, scope as never) as unknown as ModelStep['state'];
      candidates.push([...steps, { event, state: next }]);
    }
  }
  const key = (path: ModelPath): string =>
    // The event's payload counts: two REFERs with different targets are different paths.
    path.map((step) => `${JSON.stringify(step.event)}>${options.serializeState(step.state)}`).join('|');
  candidates.sort((a, b) => b.length - a.length);
  const kept: ModelPath[] = [];
  const keptKeys: string[] = [];
  for (const path of candidates) {
    const k = key(path);
    if (keptKeys.some((longer) => longer === k || longer.startsWith(`${k}|`))) continue;
    kept.push(path);
    keptKeys.push(k);
  }
  return kept;
}

export function describePath(path: ModelPath): string {
  return path.map((step) => step.event.type.replace('xstate.', '')).join(' → ');
}
