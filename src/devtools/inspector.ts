/**
 * The sending side for a viewer in another window: a function for the
 * Device's `inspect` option that turns inspection events into scrubbed
 * messages and posts them on a BroadcastChannel or to a window.
 */
import type { InspectionEvent } from 'xstate';
import { VIEWER_HELLO, toMessage, type ActorMessage, type InspectorMessage } from './protocol';

/** The BroadcastChannel both sides use unless told otherwise. */
export const DEFAULT_CHANNEL = 'callchart-devtools';

/** Where {@link createInspector} sends: a BroadcastChannel (the default) or one window. */
export interface InspectorOptions {
  /** BroadcastChannel name (same-origin windows and tabs). @default 'callchart-devtools' */
  channel?: string;
  /** Post to this window instead (a popup or iframe with `mountViewer(…, { window })`). */
  target?: { postMessage(message: unknown, targetOrigin: string): void };
  /** `targetOrigin` for `target.postMessage`. @default the page's own origin */
  targetOrigin?: string;
}

/**
 * What `createInspector()` returns (`callchart/devtools`): a function to pass
 * as the Device's `inspect` option, which sends each inspection event to a
 * viewer in another window, and `close()`, which stops sending. Not the type
 * of that option: the one of the same name in `callchart`,
 * {@link index!Inspector}, is any function or observer of inspection events
 * (this one is one of them).
 */
export type Inspector = ((event: InspectionEvent) => void) & { close(): void };

const ENDED = new Set(['done', 'error', 'stopped']);
/** Live actors remembered for replay. */
const MAX_LIVE = 1000;

/**
 * `new Device({ …, inspect: createInspector() })` and, in another window,
 * `mountViewer(element, { channel: DEFAULT_CHANNEL })`. A viewer that opens
 * later is sent the live actors and their current state.
 */
export function createInspector(options: InspectorOptions = {}): Inspector {
  const channel = options.target
    ? undefined
    : typeof BroadcastChannel === 'function'
      ? new BroadcastChannel(options.channel ?? DEFAULT_CHANNEL)
      : undefined;
  const targetOrigin = options.targetOrigin ?? (typeof location === 'undefined' ? '*' : location.origin);
  /** Live actors by session id: their announcement and last snapshot, for a viewer that starts late. */
  const live = new Map<string, { actor: ActorMessage; last?: InspectorMessage }>();
  let closed = false;

  const post = (message: InspectorMessage): void => {
    if (options.target) options.target.postMessage(message, targetOrigin);
    else channel?.postMessage(message);
  };

  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      if ((event.data as { type?: unknown } | null)?.type !== VIEWER_HELLO) return;
      for (const { actor, last } of live.values()) {
        post(actor);
        if (last) post(last);
      }
    };
  }

  const inspect = (event: InspectionEvent): void => {
    if (closed) return;
    try {
      const message = toMessage(event);
      if (!message) return;
      if (message.type === '@xstate.actor') {
        live.set(message.sessionId, { actor: message });
        // Stopped actors leave with their last snapshot; the bound is for actors that never say so.
        if (live.size > MAX_LIVE) live.delete(live.keys().next().value!);
      }
      if (message.type === '@xstate.snapshot') {
        const entry = live.get(message.sessionId);
        if (entry && message.snapshot.status && ENDED.has(message.snapshot.status)) live.delete(message.sessionId);
        else if (entry) entry.last = message;
      }
      post(message);
    } catch {
      // Inspection must never break the app it inspects (a closed channel, a message that cannot be cloned).
    }
  };
  return Object.assign(inspect, {
    close() {
      closed = true;
      live.clear();
      channel?.close();
    },
  });
}
