/**
 * Chart → Graphviz DOT, and DOT → SVG through the `dot` binary.
 *
 * Compound and parallel states are clusters (regions of a parallel state are
 * dashed clusters). Edges to or from a cluster use `compound=true` with
 * `lhead`/`ltail`, attached to a node inside it: the initial point for edges
 * coming in, an invisible anchor for edges going out. A transition declared
 * on a composite state that stays inside it starts at a dashed "any state"
 * node inside the cluster.
 */
import { spawn } from 'node:child_process';
import { type Chart, type ChartState, invokeLine, isWithin } from './chart';

const FONT = 'Helvetica';
const DETAIL_COLOR = '#555555';

function isCluster(state: ChartState): boolean {
  return state.type === 'compound' || state.type === 'parallel';
}

/** A DOT double-quoted string. */
function q(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function detailLines(state: ChartState): string[] {
  return [
    ...(state.description ? [state.description] : []),
    ...state.invokes.map(invokeLine),
    ...state.internal,
  ];
}

/** HTML-like label: the name, then smaller detail lines (left-aligned in cluster titles). */
function stateLabel(title: string, details: string[], cluster: boolean): string {
  const br = cluster ? '<BR ALIGN="LEFT"/>' : '<BR/>';
  const head = cluster ? `<B>${html(title)}</B>` : html(title);
  const rest = details.map((line) => `${br}<FONT POINT-SIZE="9" COLOR="${DETAIL_COLOR}">${html(line)}</FONT>`).join('');
  return `<${head}${rest}${cluster && rest ? br : ''}>`;
}

const anchorId = (stateId: string): string => `${stateId}#anchor`;
const initialId = (stateId: string): string => `${stateId}#initial`;
const anyId = (stateId: string): string => `${stateId}#any`;
const clusterId = (stateId: string): string => `cluster_${stateId}`;

interface Edge {
  tail: string;
  head: string;
  label?: string;
  ltail?: string;
  lhead?: string;
  dashed?: boolean;
}

/**
 * One DOT edge statement. Two dot (2.43) quirks are worked around here:
 * - with newrank, dot routes an edge b→a along an earlier a→b and draws both
 *   labels on top of each other; so b→a is written as a→b with dir=back,
 *   leaving and entering on the east side.
 * - a `label` is placed halfway along the unclipped edge, which for an edge
 *   clipped at a cluster border (lhead/ltail) can be far inside the cluster;
 *   an `xlabel` is placed on the drawn part.
 */
function formatEdge(edge: Edge, earlier: Edge[]): string {
  const reverse = earlier.some((e) => e.tail === edge.head && e.head === edge.tail) && edge.tail !== edge.head;
  const [tail, head] = reverse ? [edge.head, edge.tail] : [edge.tail, edge.head];
  const attrs: string[] = [];
  if (edge.label !== undefined) attrs.push(`${edge.lhead || edge.ltail ? 'xlabel' : 'label'}=${q(edge.label)}`);
  const lhead = reverse ? edge.ltail : edge.lhead;
  const ltail = reverse ? edge.lhead : edge.ltail;
  if (ltail) attrs.push(`ltail=${q(ltail)}`);
  if (lhead) attrs.push(`lhead=${q(lhead)}`);
  if (reverse) attrs.push('dir=back', 'tailport=e', 'headport=e');
  if (edge.dashed) attrs.push('style=dashed');
  return `  ${q(tail)} -> ${q(head)}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`;
}

export function toDot(chart: Chart): string {
  const root = chart.root;
  const byId = (id: string): ChartState => {
    const state = chart.states.get(id);
    if (!state) throw new Error(`visualize: unknown state #${id}`);
    return state;
  };

  // Edges first: they decide which clusters need an anchor / "any state" node.
  const needsAnchor = new Set<string>();
  const needsAny = new Set<string>();
  const edges: Edge[] = [];

  // Edges into a compound cluster end at its initial point (where entering
  // it leads); everything else attaches to an invisible anchor.
  const entryOf = (state: ChartState): string => {
    if (state.type === 'compound' && state.initial.length > 0) return initialId(state.id);
    return exitOf(state);
  };
  const exitOf = (state: ChartState): string => {
    needsAnchor.add(state.id);
    return anchorId(state.id);
  };

  // Initial transitions first, then the chart's transitions in document order.
  for (const state of chart.states.values()) {
    for (const initial of state.initial) {
      const target = byId(initial);
      edges.push({
        tail: initialId(state.id),
        head: isCluster(target) ? entryOf(target) : target.id,
        ...(isCluster(target) ? { lhead: clusterId(target.id) } : {}),
      });
    }
  }
  for (const t of chart.transitions) {
    const source = byId(t.sourceId);
    for (const targetId of t.targetIds) {
      const target = byId(targetId);
      const edge: Edge = { tail: source.id, head: target.id, label: t.label, dashed: t.kind === 'always' };
      if (isCluster(source)) {
        if (isWithin(chart, target.id, source.id)) {
          needsAny.add(source.id);
          edge.tail = anyId(source.id);
        } else {
          edge.tail = exitOf(source);
          edge.ltail = clusterId(source.id);
        }
      }
      if (isCluster(target)) {
        edge.head = entryOf(target);
        if (!isWithin(chart, source.id, target.id)) edge.lhead = clusterId(target.id);
      }
      edges.push(edge);
    }
  }
  // Transitions drawn between the same two points share one edge, one label line each.
  const merged: Edge[] = [];
  for (const edge of edges) {
    const same = merged.find(
      (e) => e.tail === edge.tail && e.head === edge.head && e.ltail === edge.ltail && e.lhead === edge.lhead && e.dashed === edge.dashed,
    );
    if (same && same.label !== undefined && edge.label !== undefined) same.label += `\n${edge.label}`;
    else merged.push({ ...edge });
  }
  const edgeLines = merged.map((edge, i) => formatEdge(edge, merged.slice(0, i)));

  const out: string[] = [
    `digraph ${q(chart.name)} {`,
    `  graph [compound=true, forcelabels=true, rankdir=TB, newrank=true, nodesep=0.35, ranksep=0.4, fontname=${q(FONT)}, fontsize=11, pad=0.2];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#333333", fontname=${q(FONT)}, fontsize=11, height=0.3, margin="0.12,0.04"];`,
    `  edge [fontname=${q(FONT)}, fontsize=9, color="#444444", arrowsize=0.7];`,
  ];

  const writeState = (state: ChartState, depth: number, inParallel: boolean): void => {
    const pad = '  '.repeat(depth);
    const idAttr = `id=${q(`state:${state.id}`)}`;
    if (isCluster(state) || state === root) {
      const style = inParallel ? '"rounded,dashed"' : state.type === 'parallel' ? '"rounded,bold"' : '"rounded"';
      const title = state.type === 'parallel' ? `${state.key} (parallel)` : state.key;
      out.push(`${pad}subgraph ${q(clusterId(state.id))} {`);
      out.push(`${pad}  ${idAttr}; label=${stateLabel(title, detailLines(state), true)}; style=${style}; color=${q(inParallel ? '#777777' : '#333333')}; labeljust=l;`);
      if (state.type === 'compound' && state.initial.length > 0) {
        out.push(`${pad}  ${q(initialId(state.id))} [shape=point, width=0.1, height=0.1, style=filled, fillcolor="#000000", label=""];`);
      }
      if (needsAnchor.has(state.id)) {
        out.push(`${pad}  ${q(anchorId(state.id))} [shape=point, style=invis, width=0.01, height=0.01, label=""];`);
      }
      if (needsAny.has(state.id)) {
        out.push(`${pad}  ${q(anyId(state.id))} [label=${q(state === root ? 'any state' : `any state in ${state.key}`)}, style="rounded,dashed", fontsize=9, fontcolor=${q(DETAIL_COLOR)}, color="#777777"];`);
      }
      for (const child of state.children) writeState(child, depth + 1, state.type === 'parallel');
      out.push(`${pad}}`);
      return;
    }
    const title = state.type === 'history' ? `${state.key} (${state.history === 'deep' ? 'H*' : 'H'})` : state.key;
    const shape = state.type === 'final' ? 'doublecircle' : state.type === 'history' ? 'circle' : 'box';
    const extra = shape === 'box' ? '' : ', margin="0.02"';
    out.push(`${pad}${q(state.id)} [${idAttr}, shape=${shape}, label=${stateLabel(title, detailLines(state), false)}${extra}];`);
  };

  writeState(root, 1, false);

  out.push(...edgeLines);
  out.push('}');
  return out.join('\n') + '\n';
}

/** Runs `dot -Tsvg` on the source. Rejects with a hint when Graphviz is missing. */
export function renderSvg(dotSource: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('dot', ['-Tsvg'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error('visualize: Graphviz `dot` not found on PATH (Debian: apt-get install -y graphviz)', { cause: err })
          : err,
      );
    });
    child.on('close', (code) => {
      const warnings = Buffer.concat(stderr).toString('utf8').trim();
      if (code !== 0) reject(new Error(`visualize: dot exited with ${code}: ${warnings}`));
      else if (warnings) reject(new Error(`visualize: dot warned (fix the generated graph): ${warnings}`));
      else resolve(Buffer.concat(stdout).toString('utf8'));
    });
    child.stdin.end(dotSource, 'utf8');
  });
}
