/**
 * Chart → Mermaid `stateDiagram-v2` (rendered by GitHub).
 *
 * Mermaid's cluster layout cannot draw an edge between a composite state and
 * one of its own descendants: it pulls the inner state out of its box. So:
 * - a transition declared on a composite state (or the machine root) that
 *   targets a state inside it is drawn from a dashed "any state in X" node
 *   placed beside X;
 * - a transition from inside a composite state to that state itself
 *   (re-entering it) is written as text on the source state;
 * - composite states cannot carry description lines, so their invokes and
 *   target-less transitions go into a note.
 */
import { type Chart, type ChartState, type ChartTransition, commonAncestor, isWithin } from './chart';

const INDENT = '  ';

interface Edge {
  from: string;
  to: string;
  label: string;
  /** State id of the block the edge is written in (root id = top level). */
  blockId: string;
}

function isComposite(state: ChartState): boolean {
  return state.type === 'compound' || state.type === 'parallel';
}

/** Mermaid ids: machine key + path, `_`-joined, made unique. */
function assignIds(chart: Chart): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const state of chart.states.values()) {
    const base = [chart.root.key, ...state.path].join('_').replace(/[^A-Za-z0-9_]/g, '_');
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(state.id, id);
  }
  return ids;
}

/** Quoted state labels: Mermaid has no backslash escapes, only entity codes. */
function quoteLabel(text: string): string {
  return `"${escapeText(text).replace(/"/g, '#quot;')}"`;
}

/** Free text after `:` (transition labels, descriptions, notes). */
function escapeText(text: string): string {
  return text.replace(/[#;]/g, (c) => (c === '#' ? '#35;' : '#59;'));
}

/**
 * The block an edge between a and b is written in: the innermost compound
 * state containing both, or the root. Not a parallel state: text after its
 * last `--` belongs to its last region.
 */
function blockFor(chart: Chart, a: string, b: string): string {
  let state = chart.states.get(commonAncestor(chart, a, b));
  while (state && state.parentId !== undefined && state.type !== 'compound') state = chart.states.get(state.parentId);
  return state?.id ?? chart.root.id;
}

export function toMermaid(chart: Chart): string {
  const ids = assignIds(chart);
  const mid = (stateId: string): string => ids.get(stateId) ?? stateId;
  const anyNodes = new Map<string, string>(); // composite state id → mermaid id of its "any state" node
  const textOn = new Map<string, string[]>(); // state id → extra description/note lines
  const edges: Edge[] = [];

  const addText = (stateId: string, line: string): void => {
    const lines = textOn.get(stateId) ?? [];
    lines.push(line);
    textOn.set(stateId, lines);
  };
  const anyNode = (state: ChartState): string => {
    let id = anyNodes.get(state.id);
    if (!id) {
      id = `${mid(state.id)}__any`;
      anyNodes.set(state.id, id);
    }
    return id;
  };

  const root = chart.root;
  for (const state of chart.states.values()) {
    for (const inv of state.invokes) addText(state.id, inv.id === inv.src ? `invoke ${inv.id}` : `invoke ${inv.id} (${inv.src})`);
    for (const line of state.internal) addText(state.id, line);
  }

  for (const t of chart.transitions) addEdges(t);

  function addEdges(t: ChartTransition): void {
    const source = chart.states.get(t.sourceId);
    if (!source) return;
    for (const targetId of t.targetIds) {
      const target = chart.states.get(targetId);
      if (!target) continue;
      const sourceIsContainer = isComposite(source) || source === root;
      if (sourceIsContainer && targetId !== source.id && isWithin(chart, targetId, source.id)) {
        // Declared on a composite, goes inside it: "from any state in X".
        edges.push({ from: anyNode(source), to: mid(targetId), label: t.label, blockId: blockFor(chart, source.parentId ?? root.id, targetId) });
      } else if (targetId !== source.id && isWithin(chart, source.id, targetId)) {
        addText(source.id, `${t.label} → ${target.key} (re-enter)`);
      } else if (source === root) {
        addText(source.id, `${t.label} → ${target.key}`);
      } else {
        edges.push({ from: mid(source.id), to: mid(targetId), label: t.label, blockId: blockFor(chart, source.id, targetId) });
      }
    }
  }

  // The root's own invokes and target-less transitions live on its "any state" node.
  if ((textOn.get(root.id) ?? []).length > 0 || root.description) anyNode(root);

  const out: string[] = ['stateDiagram-v2'];
  if (anyNodes.size > 0) out.push(`${INDENT}classDef anyState fill:none,stroke-dasharray:4 4`);

  const writeAnyNode = (state: ChartState, depth: number): void => {
    const id = anyNodes.get(state.id);
    if (!id) return;
    const pad = INDENT.repeat(depth);
    out.push(`${pad}state ${quoteLabel(state === root ? 'any state' : `any state in ${state.key}`)} as ${id}`);
    if (state === root) {
      const lines = [...(root.description ? [root.description] : []), ...(textOn.get(root.id) ?? [])];
      for (const line of lines) out.push(`${pad}${id} : ${escapeText(line)}`);
    }
  };

  const writeState = (state: ChartState, depth: number): void => {
    const pad = INDENT.repeat(depth);
    const id = mid(state.id);
    // The root's lines are written on its "any state" node instead.
    const text = state === root ? [] : [...(state.description ? [state.description] : []), ...(textOn.get(state.id) ?? [])];
    if (isComposite(state)) {
      out.push(`${pad}state ${quoteLabel(state.key)} as ${id} {`);
      writeBlockBody(state, depth + 1);
      out.push(`${pad}}`);
      if (text.length > 0) {
        out.push(`${pad}note right of ${id}`);
        for (const line of text) out.push(`${pad}${INDENT}${escapeText(line)}`);
        out.push(`${pad}end note`);
      }
    } else {
      const label = state.type === 'history' ? `${state.key} (${state.history === 'deep' ? 'H*' : 'H'})` : state.key;
      out.push(`${pad}state ${quoteLabel(label)} as ${id}`);
      for (const line of text) out.push(`${pad}${id} : ${escapeText(line)}`);
    }
    writeAnyNode(state, depth);
  };

  function writeBlockBody(state: ChartState, depth: number): void {
    const pad = INDENT.repeat(depth);
    if (state.type === 'parallel') {
      state.children.forEach((child, i) => {
        if (i > 0) out.push(`${pad}--`);
        writeState(child, depth);
      });
      return;
    }
    for (const child of state.children) writeState(child, depth);
    for (const initial of state.initial) out.push(`${pad}[*] --> ${mid(initial)}`);
    for (const edge of edges) {
      if (edge.blockId === state.id) out.push(`${pad}${edge.from} --> ${edge.to} : ${escapeText(edge.label)}`);
    }
    for (const child of state.children) if (child.type === 'final') out.push(`${pad}${mid(child.id)} --> [*]`);
  }

  if (root.type === 'compound') {
    writeAnyNode(root, 1);
    writeBlockBody(root, 1);
  } else {
    // A parallel (or atomic) root is drawn as one state; edges between its
    // regions are written at the top level.
    writeState(root, 1);
    if (root.type === 'parallel') out.push(`${INDENT}[*] --> ${mid(root.id)}`);
    for (const edge of edges) {
      if (edge.blockId === root.id) out.push(`${INDENT}${edge.from} --> ${edge.to} : ${escapeText(edge.label)}`);
    }
  }
  if (anyNodes.size > 0) out.push(`${INDENT}class ${[...anyNodes.values()].join(',')} anyState`);
  return out.join('\n') + '\n';
}
