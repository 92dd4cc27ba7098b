/**
 * Chart → Mermaid `stateDiagram-v2` (rendered by GitHub).
 *
 * Mermaid's cluster layout is fragile, and these rules keep it drawable:
 * - every state is declared first (nested `state X { }` blocks, `--` between
 *   the regions of a parallel state), every transition afterwards at the top
 *   level: an edge written inside a block pulls the states it names into
 *   that block;
 * - no edge joins a composite state and one of its own descendants (Mermaid
 *   pulls the inner state out of the box): a transition declared on a
 *   composite state (or the machine root) that stays inside it starts at a
 *   dashed "any state in X" node beside X; one from inside a composite state
 *   to that state itself is written as text on the source;
 * - composite states cannot carry description lines and notes on nested
 *   composites land far away, so a composite's invokes go into its title.
 * Target-less transitions are not drawn; the Markdown lists them in a table.
 */
import { type Chart, type ChartState, invokeLine, isWithin } from './chart';

const INDENT = '  ';

interface Edge {
  from: string;
  to: string;
  label: string;
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

/** Mermaid has no backslash escapes, only entity codes; `<br/>` is added after escaping. */
function escapeText(text: string): string {
  return text.replace(/[#;<>"]/g, (c) => ({ '#': '#35;', ';': '#59;', '<': '#lt;', '>': '#gt;', '"': '#quot;' })[c] ?? c);
}

export function toMermaid(chart: Chart): string {
  const root = chart.root;
  const ids = assignIds(chart);
  const mid = (stateId: string): string => ids.get(stateId) ?? stateId;
  const anyNodes = new Map<string, string>(); // container state id → mermaid id of its "any state" node
  const notes = new Map<string, string[]>(); // state id → lines shown on the state
  const edges: Edge[] = [];

  const addNote = (stateId: string, line: string): void => {
    notes.set(stateId, [...(notes.get(stateId) ?? []), line]);
  };
  const anyNode = (state: ChartState): string => {
    let id = anyNodes.get(state.id);
    if (!id) {
      id = `${mid(state.id)}__any`;
      anyNodes.set(state.id, id);
    }
    return id;
  };

  for (const state of chart.states.values()) {
    for (const inv of state.invokes) addNote(state.id, invokeLine(inv));
  }

  for (const t of chart.transitions) {
    const source = chart.states.get(t.sourceId);
    if (!source) continue;
    for (const targetId of t.targetIds) {
      const target = chart.states.get(targetId);
      if (!target) continue;
      const sourceIsContainer = isComposite(source) || source === root;
      if (sourceIsContainer && targetId !== source.id && isWithin(chart, targetId, source.id)) {
        edges.push({ from: anyNode(source), to: mid(targetId), label: t.label });
      } else if ((targetId !== source.id && isWithin(chart, source.id, targetId)) || source === root) {
        addNote(source.id, `${t.label} → ${target.key}`);
      } else {
        edges.push({ from: mid(source.id), to: mid(targetId), label: t.label });
      }
    }
  }
  // The root has no box of its own: its invokes are written on its "any state" node.
  if ((notes.get(root.id) ?? []).length > 0) anyNode(root);

  const out: string[] = ['stateDiagram-v2'];
  if (anyNodes.size > 0) out.push(`${INDENT}classDef anyState fill:none,stroke-dasharray:4 4`);

  const writeAnyNode = (state: ChartState, pad: string): void => {
    const id = anyNodes.get(state.id);
    if (!id) return;
    out.push(`${pad}state "${state === root ? 'any state' : `any state in ${escapeText(state.key)}`}" as ${id}`);
    if (state === root) for (const line of notes.get(root.id) ?? []) out.push(`${pad}${id} : ${escapeText(line)}`);
  };

  const writeState = (state: ChartState, depth: number): void => {
    const pad = INDENT.repeat(depth);
    const id = mid(state.id);
    const lines = state === root ? [] : (notes.get(state.id) ?? []).map(escapeText);
    if (isComposite(state)) {
      // A parallel state's title must stay one line: its regions are drawn over a taller one.
      const title = [escapeText(state.key), ...lines].join(state.type === 'parallel' ? ' · ' : '<br/>');
      out.push(`${pad}state "${title}" as ${id} {`);
      writeBlockBody(state, depth + 1);
      out.push(`${pad}}`);
    } else {
      const label = state.type === 'history' ? `${state.key} (${state.history === 'deep' ? 'H*' : 'H'})` : state.key;
      out.push(`${pad}state "${escapeText(label)}" as ${id}`);
      for (const line of lines) out.push(`${pad}${id} : ${line}`);
    }
    writeAnyNode(state, pad);
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
    for (const child of state.children) if (child.type === 'final') out.push(`${pad}${mid(child.id)} --> [*]`);
  }

  if (root.type === 'compound') {
    writeAnyNode(root, INDENT);
    writeBlockBody(root, 1);
  } else {
    // A parallel (or atomic) root is drawn as one state.
    writeState(root, 1);
    out.push(`${INDENT}[*] --> ${mid(root.id)}`);
  }

  // Transitions between the same two states share one arrow, one label line each.
  const merged = new Map<string, string[]>();
  for (const edge of edges) {
    const arrow = `${edge.from} --> ${edge.to}`;
    merged.set(arrow, [...(merged.get(arrow) ?? []), escapeText(edge.label)]);
  }
  for (const [arrow, labels] of merged) out.push(`${INDENT}${arrow} : ${labels.join('<br/>')}`);

  if (anyNodes.size > 0) out.push(`${INDENT}class ${[...anyNodes.values()].join(',')} anyState`);
  return out.join('\n') + '\n';
}
