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
import { type Chart, type ChartState, isWithin } from './chart';

const FONT = 'Helvetica';
const DETAIL_COLOR = '#555555';

function isCluster(state: ChartState): boolean {
  return state.type === 'compound' || state.type === 'parallel';
}

/** A DOT double-quoted string. */
function q(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function detailLines(state: ChartState): string[] {
  return [
    ...(state.description ? [state.description] : []),
    ...state.invokes.map((inv) => (inv.id === inv.src ? `invoke ${inv.id}` : `invoke ${inv.id} (${inv.src})`)),
    ...state.internal,
  ];
}

/** HTML-like label: the name, then smaller detail lines. */
function stateLabel(title: string, details: string[], bold: boolean): string {
  const head = bold ? `<B>${html(title)}</B>` : html(title);
  const rest = details.map((line) => `<BR/><FONT POINT-SIZE="9" COLOR="${DETAIL_COLOR}">${html(line)}</FONT>`).join('');
  return `<${head}${rest}>`;
}

const anchorId = (stateId: string): string => `${stateId}#anchor`;
const initialId = (stateId: string): string => `${stateId}#initial`;
const anyId = (stateId: string): string => `${stateId}#any`;
const clusterId = (stateId: string): string => `cluster_${stateId}`;

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
  const edgeLines: string[] = [];

  const entryOf = (state: ChartState): string => {
    if (state.type === 'compound' && state.initial.length > 0) return initialId(state.id);
    needsAnchor.add(state.id);
    return anchorId(state.id);
  };

  // Initial transitions first, then the chart's transitions in document order.
  for (const state of chart.states.values()) {
    for (const initial of state.initial) {
      const target = byId(initial);
      const head = isCluster(target) ? entryOf(target) : target.id;
      const lhead = isCluster(target) ? ` [lhead=${q(clusterId(target.id))}]` : '';
      edgeLines.push(`  ${q(initialId(state.id))} -> ${q(head)}${lhead};`);
    }
  }
  for (const t of chart.transitions) {
    const source = byId(t.sourceId);
    for (const targetId of t.targetIds) {
      const target = byId(targetId);
      const attrs: string[] = [`label=${q(t.label)}`];
      let tail = source.id;
      let head = target.id;
      if (isCluster(source)) {
        if (isWithin(chart, target.id, source.id)) {
          needsAny.add(source.id);
          tail = anyId(source.id);
        } else {
          needsAnchor.add(source.id);
          tail = anchorId(source.id);
          attrs.push(`ltail=${q(clusterId(source.id))}`);
        }
      }
      if (isCluster(target)) {
        head = entryOf(target);
        if (!isWithin(chart, source.id, target.id)) attrs.push(`lhead=${q(clusterId(target.id))}`);
      }
      if (t.kind === 'always') attrs.push('style=dashed');
      edgeLines.push(`  ${q(tail)} -> ${q(head)} [${attrs.join(', ')}];`);
    }
  }

  const out: string[] = [
    `digraph ${q(chart.name)} {`,
    `  graph [compound=true, rankdir=TB, newrank=true, nodesep=0.35, ranksep=0.4, fontname=${q(FONT)}, fontsize=11, pad=0.2];`,
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
