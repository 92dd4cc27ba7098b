/**
 * The live statechart viewer: plain DOM. Each machine actor (the device,
 * every call) is drawn from its definition as nested boxes (parallel regions
 * side by side); active states get `is-active`; a timeline lists the events
 * with their payloads, scrubbed of credentials.
 */
import type { InspectionEvent } from 'xstate';
import { VIEWER_HELLO, parseMessage, toMessage, type InspectorMessage } from './protocol';
import { InspectionStore, type InspectedActor, type StoreOptions, type TimelineEntry } from './store';
import { VIEWER_CSS } from './styles';
import { activePaths, type ChartNode } from './tree';

/** Where a viewer listens (besides its own `inspect`) and what it keeps. */
export interface ViewerOptions extends StoreOptions {
  /** Listen on this BroadcastChannel for a page that uses `createInspector({ channel })` (another window or tab of the same origin). */
  channel?: string;
  /**
   * Listen for `postMessage` messages on this window (`createInspector({ target })`,
   * or `@statelyai/inspect`'s `createBrowserInspector({ url })` opening this page);
   * the viewer tells its opener or parent it is ready (`@statelyai.connected`).
   */
  window?: Window;
  /** Origins accepted from `postMessage`. @default [the viewer's own origin] */
  origins?: readonly string[];
  /** Ended charts (calls that are over) kept on screen. @default 3 */
  keepEnded?: number;
}

/** A mounted viewer panel: {@link mountViewer} or {@link openViewerWindow}. */
export interface Viewer {
  /** Pass as the Device's `inspect` option when the viewer is in the same page. */
  readonly inspect: (event: InspectionEvent) => void;
  /** Feeds one message of the inspector protocol (what `createInspector` sends). */
  receive(message: unknown): void;
  /** Forgets every chart and event. */
  clear(): void;
  /** Stops listening and removes the panel. */
  destroy(): void;
  /** The panel's root element (`div.cc-devtools`), inside the element it was mounted in. */
  readonly element: HTMLElement;
}

const ENDED = new Set(['done', 'error', 'stopped']);

const domId = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_');

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

const json = (value: unknown, indent?: number): string => {
  try {
    return JSON.stringify(value, undefined, indent) ?? String(value);
  } catch {
    return String(value);
  }
};

/** Mounts the viewer panel inside `element` (appended; nothing else of it is touched). */
export function mountViewer(element: HTMLElement, options: ViewerOptions = {}): Viewer {
  const doc = element.ownerDocument;
  const store = new InspectionStore(options);
  const keepEnded = options.keepEnded ?? 3;
  const root = el(doc, 'div', 'cc-devtools');
  root.dataset['testid'] = 'devtools';
  const style = el(doc, 'style', undefined, VIEWER_CSS);
  const charts = el(doc, 'div', 'cc-charts');
  const empty = el(doc, 'p', 'cc-empty', 'Waiting for inspection events (pass the viewer’s inspect to the Device).');
  charts.append(empty);
  const timelineBox = el(doc, 'section', 'cc-timeline-box');
  const timelineHeader = el(doc, 'header');
  const filter = el(doc, 'input');
  filter.type = 'search';
  filter.placeholder = 'filter: HOLD, call-…, -QUALITY';
  filter.setAttribute('aria-label', 'Filter events');
  const timeline = el(doc, 'ol', 'cc-timeline');
  timeline.dataset['testid'] = 'devtools-timeline';
  timelineHeader.append(el(doc, 'h3', undefined, 'Events'), filter);
  timelineBox.append(timelineHeader, timeline);
  root.append(style, charts, timelineBox);
  element.append(root);

  /** Per shown actor: its section and its state boxes by path. */
  const drawn = new Map<string, { section: HTMLElement; nodes: Map<string, HTMLElement>; status: HTMLElement }>();
  const entries = new Map<number, HTMLLIElement>();
  let firstTime: number | undefined;

  const drawNode = (node: ChartNode, chartId: string, nodes: Map<string, HTMLElement>): HTMLElement => {
    const box = el(doc, 'div', `cc-node cc-${node.type}${node.path === '' ? ' cc-root' : ''}${node.children.length === 0 ? ' cc-leaf' : ''}`);
    box.dataset['statePath'] = node.path;
    // The state path itself, dots kept (`cc-chart-x_3--accepted.hold.on`): stable per chart and state.
    box.id = `${chartId}--${node.path.replace(/[^A-Za-z0-9_.-]/g, '_') || 'root'}`;
    const head = el(doc, 'div', 'cc-head');
    if (node.path !== '') head.append(el(doc, 'span', 'cc-key', node.key));
    if (node.invokes.length > 0) head.append(el(doc, 'span', 'cc-invokes', `⚙ ${node.invokes.join(', ')}`));
    if (node.events.length > 0) {
      const list = el(doc, 'ul', 'cc-events');
      list.setAttribute('aria-label', 'accepts');
      for (const event of node.events) list.append(el(doc, 'li', undefined, event));
      head.append(list);
    }
    if (head.childElementCount > 0) box.append(head);
    if (node.children.length > 0) {
      const kids = el(doc, 'div', 'cc-kids');
      for (const child of node.children) kids.append(drawNode(child, chartId, nodes));
      box.append(kids);
    }
    nodes.set(node.path, box);
    return box;
  };

  const drawActor = (actor: InspectedActor & { chart: ChartNode }): void => {
    drawn.get(actor.sessionId)?.section.remove();
    const chartId = `cc-chart-${domId(actor.sessionId)}`;
    const section = el(doc, 'section', 'cc-chart');
    section.id = chartId;
    section.dataset['sessionId'] = actor.sessionId;
    section.dataset['actor'] = actor.name;
    if (actor.machineId) section.dataset['machine'] = actor.machineId;
    const title = el(doc, 'h3', undefined, actor.name);
    const status = el(doc, 'small');
    title.append(status);
    const nodes = new Map<string, HTMLElement>();
    section.append(title, drawNode(actor.chart, chartId, nodes));
    empty.remove();
    charts.append(section);
    drawn.set(actor.sessionId, { section, nodes, status });
    paint(actor);
  };

  const paint = (actor: InspectedActor): void => {
    const chart = drawn.get(actor.sessionId);
    if (!chart) return;
    const active = activePaths(actor.value);
    for (const [path, box] of chart.nodes) box.classList.toggle('is-active', path !== '' && active.has(path));
    chart.section.dataset['status'] = actor.status;
    chart.status.textContent = `${actor.machineId && actor.machineId !== actor.name ? `${actor.machineId} · ` : ''}${actor.status}`;
    if (ENDED.has(actor.status)) pruneEnded();
  };

  /** Keeps the newest `keepEnded` ended charts. */
  const pruneEnded = (): void => {
    const ended = [...drawn.entries()].filter(([, chart]) => ENDED.has(chart.section.dataset['status'] ?? ''));
    for (const [sessionId, chart] of ended.slice(0, Math.max(0, ended.length - keepEnded))) {
      chart.section.remove();
      drawn.delete(sessionId);
      store.remove(sessionId);
    }
  };

  const matchesFilter = (entry: TimelineEntry): boolean => {
    const words = filter.value.trim().split(/\s+/).filter(Boolean);
    const text = `${entry.type} ${entry.target}`;
    return words.every((word) => (word.startsWith('-') && word.length > 1 ? !text.includes(word.slice(1)) : text.includes(word)));
  };

  const drawEntry = (entry: TimelineEntry): void => {
    firstTime ??= entry.time;
    const item = el(doc, 'li', 'cc-entry');
    item.dataset['seq'] = String(entry.seq);
    item.dataset['eventType'] = entry.type;
    item.dataset['target'] = entry.target;
    const source = store.nameOf(entry.sourceId);
    item.append(
      el(doc, 'time', undefined, `+${((entry.time - firstTime) / 1000).toFixed(3)} s`),
      el(doc, 'span', 'cc-target', `${source ? `${source} → ` : ''}${entry.target}`),
      el(doc, 'span', 'cc-type', entry.type),
    );
    const details = el(doc, 'details');
    details.append(el(doc, 'summary', undefined, json(entry.payload)), el(doc, 'pre', undefined, json(entry.payload, 2)));
    item.append(details);
    item.hidden = !matchesFilter(entry);
    const atBottom = timeline.scrollTop + timeline.clientHeight >= timeline.scrollHeight - 4;
    timeline.append(item);
    entries.set(entry.seq, item);
    if (atBottom) timeline.scrollTop = timeline.scrollHeight;
  };

  filter.addEventListener('input', () => {
    for (const entry of store.timeline) {
      const item = entries.get(entry.seq);
      if (item) item.hidden = !matchesFilter(entry);
    }
  });

  const apply = (message: InspectorMessage | undefined): void => {
    if (!message) return;
    const change = store.receive(message);
    if (!change) return;
    if (change.kind === 'actor') {
      if (store.shows(change.actor)) drawActor(change.actor);
    } else if (change.kind === 'state') {
      paint(change.actor);
    } else {
      drawEntry(change.entry);
      if (change.dropped) {
        entries.get(change.dropped.seq)?.remove();
        entries.delete(change.dropped.seq);
      }
    }
  };

  const inspect = (event: InspectionEvent): void => {
    try {
      apply(toMessage(event));
    } catch {
      // The viewer must never break the app it inspects.
    }
  };
  const receive = (message: unknown): void => apply(parseMessage(message));

  const cleanups: (() => void)[] = [];
  if (options.channel !== undefined && typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel(options.channel);
    channel.onmessage = (event: MessageEvent) => receive(event.data);
    channel.postMessage({ type: VIEWER_HELLO });
    cleanups.push(() => channel.close());
  }
  if (options.window) {
    const win = options.window;
    const origins = options.origins ?? [win.location.origin];
    const onMessage = (event: MessageEvent): void => {
      if (origins.includes('*') || origins.includes(event.origin)) receive(event.data);
    };
    win.addEventListener('message', onMessage);
    cleanups.push(() => win.removeEventListener('message', onMessage));
    const opener = (win.opener as Window | null) ?? (win.parent === win ? null : win.parent);
    opener?.postMessage({ type: '@statelyai.connected' }, origins.includes('*') ? '*' : (origins[0] ?? '*'));
  }

  return {
    inspect,
    receive,
    element: root,
    clear() {
      store.clear();
      drawn.clear();
      entries.clear();
      firstTime = undefined;
      charts.replaceChildren(empty);
      timeline.replaceChildren();
    },
    destroy() {
      cleanups.forEach((cleanup) => cleanup());
      root.remove();
    },
  };
}

/** {@link ViewerOptions} and how the popup is opened. */
export interface ViewerWindowOptions extends ViewerOptions {
  /** `window.open` target name. @default 'callchart-devtools' */
  name?: string;
  /** `window.open` features. @default 'popup,width=960,height=900' */
  features?: string;
}

/**
 * Opens an empty popup (no URL: nothing is loaded) and mounts the viewer in
 * it, drawn from this page; pass its `inspect` to the Device. Call it from a
 * click (popup blockers); undefined when the popup was blocked.
 */
export function openViewerWindow(options: ViewerWindowOptions = {}): Viewer | undefined {
  const popup = globalThis.open?.('', options.name ?? 'callchart-devtools', options.features ?? 'popup,width=960,height=900');
  if (!popup) return undefined;
  popup.document.title = 'callchart devtools';
  popup.document.body.replaceChildren();
  return mountViewer(popup.document.body, options);
}
