/**
 * What travels between the inspected page and a viewer in another window:
 * the shape `@statelyai/inspect` sends (`@xstate.actor` with a JSON
 * `definition`, `@xstate.snapshot`, `@xstate.event`, keyed by session id),
 * reduced to what a chart needs and scrubbed of credentials.
 */
import type { InspectionEvent } from 'xstate';
import { chartDefinition } from './tree';
import { scrub } from './scrub';

/** Sent on a channel by a viewer that starts late; the inspector replays the live actors. */
export const VIEWER_HELLO = '@callchart.viewer-ready';

export interface ActorMessage {
  type: '@xstate.actor';
  sessionId: string;
  parentId?: string;
  rootId?: string;
  /** The actor's id (`call-…`), or the machine's id. */
  name: string;
  /** JSON of the machine config (ours: {@link chartDefinition}); absent for actors that are not machines. */
  definition?: string;
  snapshot?: { status?: string; value?: unknown };
  createdAt?: string | number;
}

export interface SnapshotMessage {
  type: '@xstate.snapshot';
  sessionId: string;
  event?: unknown;
  snapshot: { status?: string; value?: unknown };
  /** True for an intermediate snapshot of a microstep. */
  microstep?: boolean;
  createdAt?: string | number;
}

export interface EventMessage {
  type: '@xstate.event';
  sessionId: string;
  sourceId?: string;
  event: unknown;
  createdAt?: string | number;
}

export type InspectorMessage = ActorMessage | SnapshotMessage | EventMessage;

/** Only what the viewer shows of a snapshot: never the context (it holds adapters, peer connections, options). */
const snapshotSummary = (snapshot: unknown): { status?: string; value?: unknown } => {
  const s = (typeof snapshot === 'object' && snapshot !== null ? snapshot : {}) as { status?: unknown; value?: unknown };
  return {
    ...(typeof s.status === 'string' ? { status: s.status } : {}),
    ...(s.value === undefined ? {} : { value: scrub(s.value) }),
  };
};

type ActorLike = { sessionId: string; id?: string; _parent?: { sessionId?: string }; logic?: { config?: unknown }; getSnapshot?: () => unknown };

/** A raw XState inspection event as a message for another window; undefined for the kinds a viewer does not use. */
export function toMessage(event: InspectionEvent): InspectorMessage | undefined {
  const actor = event.actorRef as unknown as ActorLike;
  const createdAt = Date.now();
  switch (event.type) {
    case '@xstate.actor': {
      const config = actor.logic?.config;
      const isMachine = typeof config === 'object' && config !== null && 'states' in config;
      const machineId = isMachine ? (config as { id?: unknown }).id : undefined;
      const name = actor.id && actor.id !== actor.sessionId ? actor.id : typeof machineId === 'string' ? machineId : actor.sessionId;
      const parentId = actor._parent?.sessionId;
      return {
        type: '@xstate.actor',
        sessionId: actor.sessionId,
        ...(parentId === undefined ? {} : { parentId }),
        rootId: event.rootId,
        name: String(name),
        ...(isMachine ? { definition: JSON.stringify(chartDefinition(config)) } : {}),
        // The snapshot cannot be read while the actor initialises; the first @xstate.snapshot brings it.
        createdAt,
      };
    }
    case '@xstate.snapshot':
    case '@xstate.microstep':
      return {
        type: '@xstate.snapshot',
        sessionId: actor.sessionId,
        event: scrub(event.event),
        snapshot: snapshotSummary(event.snapshot),
        ...(event.type === '@xstate.microstep' ? { microstep: true } : {}),
        createdAt,
      };
    case '@xstate.event': {
      const sourceId = (event.sourceRef as unknown as ActorLike | undefined)?.sessionId;
      return {
        type: '@xstate.event',
        sessionId: actor.sessionId,
        ...(sourceId === undefined ? {} : { sourceId }),
        event: scrub(event.event),
        createdAt,
      };
    }
    default:
      return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * A message from another window, checked: ours or `@statelyai/inspect`'s;
 * anything else is undefined. Its payloads are scrubbed again on arrival.
 */
export function parseMessage(data: unknown): InspectorMessage | undefined {
  if (!isRecord(data) || typeof data['sessionId'] !== 'string') return undefined;
  const sessionId = data['sessionId'];
  const createdAt = typeof data['createdAt'] === 'string' || typeof data['createdAt'] === 'number' ? data['createdAt'] : undefined;
  const when = createdAt === undefined ? {} : { createdAt };
  switch (data['type']) {
    case '@xstate.actor':
      return {
        type: '@xstate.actor',
        sessionId,
        ...(typeof data['parentId'] === 'string' ? { parentId: data['parentId'] } : {}),
        ...(typeof data['rootId'] === 'string' ? { rootId: data['rootId'] } : {}),
        name: typeof data['name'] === 'string' ? data['name'] : sessionId,
        ...(typeof data['definition'] === 'string' ? { definition: data['definition'] } : {}),
        ...(isRecord(data['snapshot']) ? { snapshot: snapshotSummary(data['snapshot']) } : {}),
        ...when,
      };
    case '@xstate.snapshot':
      return {
        type: '@xstate.snapshot',
        sessionId,
        event: scrub(data['event']),
        snapshot: snapshotSummary(data['snapshot']),
        ...(data['microstep'] === true ? { microstep: true } : {}),
        ...when,
      };
    case '@xstate.event':
      return {
        type: '@xstate.event',
        sessionId,
        ...(typeof data['sourceId'] === 'string' ? { sourceId: data['sourceId'] } : {}),
        event: scrub(data['event']),
        ...when,
      };
    default:
      return undefined;
  }
}
