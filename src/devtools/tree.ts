/**
 * A statechart's shape, read from its definition at runtime: the machine
 * config (`actorRef.logic.config`, or the JSON `definition` that
 * `@statelyai/inspect` sends). Nothing here knows the names of our states.
 */

/** The kind of a state, as XState names it (`compound` and `atomic` inferred when the config does not say). */
export type ChartNodeType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** One state of a chart, with its children: what the viewer draws as a box. */
export interface ChartNode {
  /** The state's key (`on`), '' for the root. */
  key: string;
  /** Dotted path from the root (`accepted.hold.on`), '' for the root. */
  path: string;
  /** Atomic, compound, parallel (children drawn side by side), final or history. */
  type: ChartNodeType;
  /** What the state reacts to: `EVENT`, `after(delay)`, `always`, `onDone(id)` / `onError(id)` of its invokes. */
  events: string[];
  /** Ids of the actors invoked while the state is active. */
  invokes: string[];
  /** The initial child of a compound state. */
  initial?: string;
  /** Its child states, in declaration order; empty for a leaf. */
  children: ChartNode[];
}

/** The machine config reduced to what a chart needs: JSON-safe and free of actions, guards and context. */
export interface ChartDefinition {
  /** The machine's id (`device`, `call`), on the root; a state's own id below it. */
  id?: string;
  /** `parallel`, `final`, `history`, … as in the config. */
  type?: string;
  /** The initial child's key. */
  initial?: string;
  /** The events the state handles, each mapped to `true` (the transitions themselves are left out). */
  on?: Record<string, unknown>;
  /** The state's delays (`ringTimeout`, or a number of ms), each mapped to `true`. */
  after?: Record<string, unknown>;
  /** `true` when the state has eventless (`always`) transitions. */
  always?: unknown;
  /** Its invokes as `{ id, onDone?: true, onError?: true }`. */
  invoke?: unknown;
  /** Its child states, by key. */
  states?: Record<string, ChartDefinition>;
}

/** Bounds for definitions that come from another window (untrusted JSON). */
const MAX_DEPTH = 16;
const MAX_NODES = 2000;
const MAX_KEY_LENGTH = 120;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const NODE_TYPES: readonly string[] = ['atomic', 'compound', 'parallel', 'final', 'history'];

const short = (text: string): string => (text.length > MAX_KEY_LENGTH ? `${text.slice(0, MAX_KEY_LENGTH)}…` : text);

function invokesOf(config: Record<string, unknown>): Record<string, unknown>[] {
  const invoke = config['invoke'];
  const list = Array.isArray(invoke) ? invoke : invoke === undefined ? [] : [invoke];
  return list.filter(isRecord);
}

function invokeId(invoke: Record<string, unknown>, index: number): string {
  const id = invoke['id'];
  if (typeof id === 'string') return short(id);
  const src = invoke['src'];
  return typeof src === 'string' ? short(src) : `invoke ${index}`;
}

/**
 * The tree of states of a machine config (or of its JSON), children in
 * declaration order. Accepts anything: what is not a config gives a root
 * without children.
 */
export function chartTree(definition: unknown): ChartNode {
  let budget = MAX_NODES;
  const build = (config: unknown, key: string, path: string, depth: number): ChartNode => {
    budget -= 1;
    const node = isRecord(config) ? config : {};
    const states = isRecord(node['states']) && depth < MAX_DEPTH ? node['states'] : {};
    const children: ChartNode[] = [];
    for (const [childKey, childConfig] of Object.entries(states)) {
      if (budget <= 0) break;
      const name = short(childKey);
      children.push(build(childConfig, name, path === '' ? name : `${path}.${name}`, depth + 1));
    }
    const declared = node['type'];
    const type: ChartNodeType =
      typeof declared === 'string' && NODE_TYPES.includes(declared)
        ? (declared as ChartNodeType)
        : children.length > 0
          ? 'compound'
          : 'atomic';
    const events = isRecord(node['on']) ? Object.keys(node['on']).map(short) : [];
    if (isRecord(node['after'])) events.push(...Object.keys(node['after']).map((delay) => `after(${short(delay)})`));
    if (node['always'] !== undefined) events.push('always');
    const invokes = invokesOf(node).map(invokeId);
    invokesOf(node).forEach((invoke, index) => {
      if (invoke['onDone'] !== undefined) events.push(`onDone(${invokeId(invoke, index)})`);
      if (invoke['onError'] !== undefined) events.push(`onError(${invokeId(invoke, index)})`);
    });
    const initial = typeof node['initial'] === 'string' ? short(node['initial']) : undefined;
    return { key, path, type, events, invokes, ...(initial === undefined ? {} : { initial }), children };
  };
  return build(definition, '', '', 0);
}

/**
 * The parts of a machine config a chart needs, as plain JSON (actions, guards,
 * context and functions left out): what the inspector sends to another window.
 */
export function chartDefinition(config: unknown, depth = 0): ChartDefinition {
  if (!isRecord(config) || depth > MAX_DEPTH) return {};
  const out: ChartDefinition = {};
  if (typeof config['id'] === 'string') out.id = config['id'];
  if (typeof config['type'] === 'string') out.type = config['type'];
  if (typeof config['initial'] === 'string') out.initial = config['initial'];
  const keysOnly = (value: unknown): Record<string, unknown> | undefined =>
    isRecord(value) ? Object.fromEntries(Object.keys(value).map((k) => [k, true])) : undefined;
  const on = keysOnly(config['on']);
  if (on) out.on = on;
  const after = keysOnly(config['after']);
  if (after) out.after = after;
  if (config['always'] !== undefined) out.always = true;
  const invokes = invokesOf(config).map((invoke, index) => ({
    id: invokeId(invoke, index),
    ...(invoke['onDone'] === undefined ? {} : { onDone: true }),
    ...(invoke['onError'] === undefined ? {} : { onError: true }),
  }));
  if (invokes.length > 0) out.invoke = invokes;
  if (isRecord(config['states'])) {
    out.states = Object.fromEntries(Object.entries(config['states']).map(([k, v]) => [k, chartDefinition(v, depth + 1)]));
  }
  return out;
}

/**
 * Every active state path of a state value, ancestors included:
 * `{ accepted: { hold: 'on' } }` → `accepted`, `accepted.hold`, `accepted.hold.on`.
 */
export function activePaths(value: unknown): Set<string> {
  const paths = new Set<string>();
  const walk = (current: unknown, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof current === 'string') {
      paths.add(prefix === '' ? current : `${prefix}.${current}`);
      return;
    }
    if (!isRecord(current)) return;
    for (const [key, child] of Object.entries(current)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      paths.add(path);
      walk(child, path, depth + 1);
    }
  };
  walk(value, '', 0);
  return paths;
}
