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

/** An actor was created: its name and, for a machine, its chart. Sent once per actor, and again to a viewer that starts late. */
export interface ActorMessage {
  /** The kind of message. */
  type: '@xstate.actor';
  /** The actor's session id, unique in the inspected page: what later messages refer to. */
  sessionId: string;
  /** Session id of the actor that spawned or invoked it; absent for a root (the device). */
  parentId?: string;
  /** Session id of its root actor. */
  rootId?: string;
  /** The actor's id (`call-…`), or the machine's id. */
  name: string;
  /** JSON of the machine config (ours: {@link chartDefinition}); absent for actors that are not machines. */
  definition?: string;
  /** Its status and state value when the sender knew them (ours never do: the first {@link SnapshotMessage} brings them). */
  snapshot?: { status?: string; value?: unknown };
  /** When it was sent: ms since the epoch (or a date string), from the sending page. */
  createdAt?: string | number;
}

/** An actor's new state, after the event that caused it. */
export interface SnapshotMessage {
  /** The kind of message (`@xstate.microstep` arrives as this, with {@link SnapshotMessage.microstep}). */
  type: '@xstate.snapshot';
  /** Session id of the actor whose state changed. */
  sessionId: string;
  /** The event that caused the change, scrubbed. */
  event?: unknown;
  /** Status (`active`, `done`, `error`, `stopped`) and state value only: never the context, which holds adapters, peer connections and options. */
  snapshot: { status?: string; value?: unknown };
  /** True for an intermediate snapshot of a microstep. */
  microstep?: boolean;
  /** When it was sent: ms since the epoch (or a date string), from the sending page. */
  createdAt?: string | number;
}

/** An event an actor received: one entry of the viewer's timeline. */
export interface EventMessage {
  /** The kind of message. */
  type: '@xstate.event';
  /** Session id of the actor that received the event. */
  sessionId: string;
  /** Session id of the actor that sent it; absent for events from outside (the facades, the app). */
  sourceId?: string;
  /** The event, scrubbed. */
  event: unknown;
  /** When it was sent: ms since the epoch (or a date string), from the sending page. */
  createdAt?: string | number;
}

/** One message of the inspector protocol: what {@link toMessage} makes, {@link parseMessage} accepts and a viewer draws. */
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
