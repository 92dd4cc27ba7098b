/**
 * Reads an XState v5 machine into a plain chart (states + transitions) that
 * the Mermaid and DOT writers share.
 *
 * Why the StateNode tree and not `machine.definition`: in xstate 5.x the
 * definition object leaves out `always` transitions, strips `onDone`/`onError`
 * from invokes (they only survive as `xstate.done.actor.<id>` entries in `on`)
 * and holds targets as StateNode objects. The StateNode getters
 * (`transitions`, `always`, `invoke`, `initial`) carry everything, in the
 * order the chart declares it.
 */
import type { AnyStateMachine } from 'xstate';

export type ChartStateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartInvoke {
  /** The invoke id (`invoke.id`); XState makes one up when the chart gives none. */
  id: string;
  /** The actor's name in `setup({ actors })`, or `inline` for logic written in the chart. */
  src: string;
}

export interface ChartState {
  /** XState state id, e.g. `call.accepted.hold.off` (or a custom `id:`). */
  id: string;
  key: string;
  /** Keys from the root (exclusive) down to this state; [] for the root. */
  path: string[];
  type: ChartStateType;
  /** `shallow` or `deep` for history states. */
  history?: 'shallow' | 'deep';
  /** Ids of the initial child states (compound states only). */
  initial: string[];
  children: ChartState[];
  invokes: ChartInvoke[];
  /** `description` from the chart, if any. */
  description?: string;
  /** Transitions without a target (handled here, no state change), as `EVENT [guard] / action, …`. */
  internal: string[];
  parentId?: string;
}

export type ChartTransitionKind =
  | 'event'
  | 'always'
  | 'after'
  | 'invoke.done'
  | 'invoke.error'
  | 'invoke.snapshot'
  | 'state.done'
  | 'route';

export interface ChartTransition {
  sourceId: string;
  targetIds: string[];
  kind: ChartTransitionKind;
  /** Readable label: `HOLD`, `HOLD [canHold]`, `after(ringTimeout)`, `onDone(invite)`. */
  label: string;
}

export interface Chart {
  /** Registry name (file name of the outputs). */
  name: string;
  root: ChartState;
  /** Every state by id, in document order (root first). */
  states: Map<string, ChartState>;
  /** Transitions in document order: per state, `always` first, then as XState lists them. */
  transitions: ChartTransition[];
}

// Minimal structural view of the StateNode getters we read (XState's own
// StateNode type is generic over everything and not worth threading here).
interface NodeView {
  id: string;
  key: string;
  path: string[];
  type: ChartStateType;
  history: false | 'shallow' | 'deep';
  states: Record<string, NodeView>;
  config: { target?: unknown; route?: { guard?: unknown } };
  description?: string;
  initial?: { target: NodeView[] };
  transitions: Map<string, TransitionView[]>;
  always?: TransitionView[];
  invoke: Array<{ id: string; src: string; onDone?: unknown; onError?: unknown }>;
  parent?: NodeView;
}

interface TransitionView {
  eventType: string;
  target?: NodeView[];
  guard?: unknown;
  delay?: number | string;
  actions?: unknown[];
}

/** Renders a guard reference: named, parameterised, and/or/not, stateIn, inline. */
export function formatGuard(guard: unknown): string {
  if (guard === undefined || guard === null) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const fn = guard as { name?: string; guards?: unknown[]; stateValue?: unknown; check?: unknown };
    if (fn.check && Array.isArray(fn.guards)) {
      const parts = fn.guards.map((g) => wrapCompound(g));
      if (fn.name === 'not') return `not ${parts[0]}`;
      if (fn.name === 'and' || fn.name === 'or') return parts.join(` ${fn.name} `);
    }
    if (fn.check && fn.stateValue !== undefined) {
      return `in(${typeof fn.stateValue === 'string' ? fn.stateValue : JSON.stringify(fn.stateValue)})`;
    }
    // Inline guards break the "named guards only" convention; show that plainly.
    return fn.name && fn.name !== 'guard' ? `${fn.name} (inline)` : 'inline guard';
  }
  if (typeof guard === 'object' && 'type' in guard && typeof (guard as { type: unknown }).type === 'string') {
    return (guard as { type: string }).type;
  }
  return 'guard';
}

function wrapCompound(guard: unknown): string {
  const text = formatGuard(guard);
  const fn = guard as { name?: string; guards?: unknown[] };
  const isAndOr = typeof guard === 'function' && Array.isArray(fn.guards) && (fn.name === 'and' || fn.name === 'or');
  return isAndOr ? `(${text})` : text;
}

/** Renders an action reference: named, parameterised, built-in (`assign`, `emit`…), inline. */
export function formatAction(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') {
    const type = (action as { type?: unknown }).type;
    if (typeof type === 'string') return type.replace(/^xstate\./, '');
    return 'inline action';
  }
  if (action && typeof action === 'object' && typeof (action as { type?: unknown }).type === 'string') {
    return (action as { type: string }).type;
  }
  return 'action';
}

function formatDelay(delay: number | string): string {
  return typeof delay === 'number' ? `${delay}ms` : delay;
}

function withGuard(label: string, guard: unknown): string {
  const g = formatGuard(guard);
  return g ? `${label} [${g}]` : label;
}

function describeTransition(node: NodeView, t: TransitionView): { kind: ChartTransitionKind; label: string } {
  const type = t.eventType;
  if (t.delay !== undefined) {
    return { kind: 'after', label: withGuard(`after(${formatDelay(t.delay)})`, t.guard) };
  }
  for (const inv of node.invoke) {
    if (type === `xstate.done.actor.${inv.id}`) return { kind: 'invoke.done', label: withGuard(`onDone(${inv.id})`, t.guard) };
    if (type === `xstate.error.actor.${inv.id}`) return { kind: 'invoke.error', label: withGuard(`onError(${inv.id})`, t.guard) };
    if (type === `xstate.snapshot.${inv.id}`) return { kind: 'invoke.snapshot', label: withGuard(`onSnapshot(${inv.id})`, t.guard) };
  }
  if (type === `xstate.done.state.${node.id}`) return { kind: 'state.done', label: withGuard('onDone', t.guard) };
  if (type === 'xstate.route') {
    // XState wraps the user's route guard as and([routeMatches, userGuard]).
    const target = t.target?.[0];
    const userGuard = target?.config.route?.guard;
    return { kind: 'route', label: withGuard(`route(${target ? target.id : '?'})`, userGuard) };
  }
  return { kind: 'event', label: withGuard(type, t.guard) };
}

function invokeSrc(src: string): string {
  // Inline actor logic gets `xstate.invoke.<invokeId>` as its src name.
  return src.startsWith('xstate.invoke.') ? 'inline' : src;
}

/** Walks a machine's StateNode tree into a Chart. */
export function readChart(name: string, machine: AnyStateMachine): Chart {
  const states = new Map<string, ChartState>();
  const transitions: ChartTransition[] = [];

  const visit = (node: NodeView, parentId: string | undefined): ChartState => {
    const state: ChartState = {
      id: node.id,
      key: node.key,
      path: [...node.path],
      type: node.type,
      initial: [],
      children: [],
      invokes: node.invoke.map((inv) => ({ id: inv.id, src: invokeSrc(inv.src) })),
      internal: [],
      ...(node.history ? { history: node.history } : {}),
      ...(node.description ? { description: node.description } : {}),
      ...(parentId !== undefined ? { parentId } : {}),
    };
    states.set(state.id, state);

    if (node.type === 'compound' && node.initial) {
      state.initial = node.initial.target.map((t) => t.id);
    }

    // Candidates for one event are tried in order and the first whose guard
    // passes wins, so when there are several, each label says which one it is.
    const nth = (label: string, i: number, of: number): string => (of > 1 ? `${label} (${i + 1} of ${of})` : label);
    const always = node.always ?? [];
    const own = [
      ...always.map((t, i) => ({ t, kind: 'always' as const, label: nth(withGuard('always', t.guard), i, always.length) })),
      ...[...node.transitions.values()].flatMap((candidates) =>
        candidates.map((t, i) => {
          const { kind, label } = describeTransition(node, t);
          return { t, kind, label: nth(label, i, candidates.length) };
        }),
      ),
    ];
    for (const { t, kind, label } of own) {
      if (!t.target || t.target.length === 0) {
        const actions = (t.actions ?? []).map(formatAction);
        state.internal.push(actions.length > 0 ? `${label} / ${actions.join(', ')}` : label);
        continue;
      }
      transitions.push({ sourceId: node.id, targetIds: t.target.map((n) => n.id), kind, label });
    }

    if (node.type === 'history') {
      // Where a history state goes while there is no history yet.
      const targets = [node.config.target].flat().filter((t) => t !== undefined);
      const resolved = targets.map((t) => resolveHistoryTarget(machine, node, t));
      if (resolved.length > 0 && resolved.every((n) => n !== undefined)) {
        transitions.push({ sourceId: node.id, targetIds: resolved.map((n) => n.id), kind: 'event', label: 'default' });
      }
    }

    for (const child of Object.values(node.states)) {
      state.children.push(visit(child, node.id));
    }
    return state;
  };

  const root = visit(machine.root as unknown as NodeView, undefined);
  return { name, root, states, transitions };
}

/** A history state's `target`: `#id`, or a key (or `.`-path) relative to its parent, like XState. */
function resolveHistoryTarget(machine: AnyStateMachine, node: NodeView, target: unknown): NodeView | undefined {
  if (typeof target !== 'string') return target as NodeView;
  if (target.startsWith('#')) {
    try {
      return machine.getStateNodeById(target) as unknown as NodeView;
    } catch {
      return undefined;
    }
  }
  let current: NodeView | undefined = node.parent;
  for (const key of target.replace(/^\./, '').split('.')) current = current?.states[key];
  return current;
}

/** `invoke id (src)`, or `invoke id` when the id is the actor's name. */
export function invokeLine(inv: ChartInvoke): string {
  return inv.id === inv.src ? `invoke ${inv.id}` : `invoke ${inv.id} (${inv.src})`;
}

/** Ids of `id` and every state above it, nearest first. */
export function ancestry(chart: Chart, id: string): string[] {
  const out: string[] = [];
  let cur = chart.states.get(id);
  while (cur) {
    out.push(cur.id);
    cur = cur.parentId !== undefined ? chart.states.get(cur.parentId) : undefined;
  }
  return out;
}

/** True when `id` is `ancestorId` or lies inside it. */
export function isWithin(chart: Chart, id: string, ancestorId: string): boolean {
  return ancestry(chart, id).includes(ancestorId);
}
