/**
 * What a viewer knows, built from inspector messages alone (no DOM): the
 * actors with their chart and current state, and the timeline of events.
 */
import type { InspectorMessage } from './protocol';
import { chartTree, type ChartNode } from './tree';

/** An actor as the viewer knows it: its chart and its current state. */
export interface InspectedActor {
  /** Its session id, unique in the inspected page. */
  sessionId: string;
  /** Session id of the actor that spawned or invoked it; absent for a root. */
  parentId?: string;
  /** The actor's id (`call-…`) or its machine's id. */
  name: string;
  /** The machine's id (`device`, `call`), when it is a machine. */
  machineId?: string;
  /** Absent for actors that are not state machines (callbacks, promises). */
  chart?: ChartNode;
  /** The current state value (`{ accepted: { hold: 'on', … } }`); absent until the first snapshot. */
  value?: unknown;
  /** `active`, `done`, `error`, `stopped`. */
  status: string;
  /** 0 for a root actor, 1 for its children, … */
  depth: number;
}

/** One event of the timeline. */
export interface TimelineEntry {
  /** 1, 2, 3, … in order of arrival. */
  seq: number;
  /** ms since the epoch, from the sending page when it said. */
  time: number;
  /** Session id of the actor that received the event. */
  sessionId: string;
  /** Who received the event. */
  target: string;
  /** Session id of the actor that sent it; absent for events from outside. */
  sourceId?: string;
  /** The event's type (`HOLD`, `xstate.done.actor.…`); `(no type)` when it had none. */
  type: string;
  /** The event, scrubbed. */
  payload: unknown;
}

/** What an {@link InspectionStore} (and so a viewer) keeps. */
export interface StoreOptions {
  /** Charts and events of actors up to this depth below a root (0: roots only). @default 1 */
  depth?: number;
  /** Timeline entries kept (the oldest are dropped). @default 500 */
  maxEvents?: number;
}

export type StoreChange =
  | { kind: 'actor'; actor: InspectedActor }
  | { kind: 'state'; actor: InspectedActor }
  | { kind: 'event'; entry: TimelineEntry; dropped?: TimelineEntry };

const timeOf = (createdAt: string | number | undefined): number => {
  const time = Number(createdAt);
  return Number.isFinite(time) && time > 0 ? time : Date.now();
};

const eventType = (event: unknown): string => {
  const type = typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : '(no type)';
};

/**
 * The viewer's model without the DOM: feed it messages with
 * {@link InspectionStore.receive}, read {@link InspectionStore.actors} and
 * {@link InspectionStore.timeline}. For tools of your own (a test that
 * asserts on a chart's states, another renderer). Bounded: actors too deep
 * to show are not kept, and the timeline drops its oldest entries.
 */
export class InspectionStore {
  /** The actors kept, by session id, in order of creation. */
  readonly actors = new Map<string, InspectedActor>();
  /** The events of shown actors, oldest first, at most `maxEvents`. */
  readonly timeline: TimelineEntry[] = [];
  readonly #depth: number;
  readonly #maxEvents: number;
  /** Names of actors not kept (invoked actors that send events: `sessionListener`, `connectActor`), bounded. */
  readonly #names = new Map<string, string>();
  #seq = 0;

  constructor(options: StoreOptions = {}) {
    this.#depth = options.depth ?? 1;
    this.#maxEvents = options.maxEvents ?? 500;
  }

  /** True when the actor's chart is shown (a machine, not too deep). */
  shows(actor: InspectedActor | undefined): actor is InspectedActor & { chart: ChartNode } {
    return actor?.chart !== undefined && actor.depth <= this.#depth;
  }

  /**
   * Applies one message; returns what changed (an actor added, its state, a
   * timeline entry and the one it pushed out), or undefined when nothing
   * shown did (a message about an actor not kept).
   */
  receive(message: InspectorMessage): StoreChange | undefined {
    switch (message.type) {
      case '@xstate.actor': {
        const parent = message.parentId === undefined ? undefined : this.actors.get(message.parentId);
        let definition: unknown;
        try {
          definition = message.definition === undefined ? undefined : JSON.parse(message.definition);
        } catch {
          definition = undefined;
        }
        const machineId = (definition as { id?: unknown } | undefined)?.id;
        const hasStates = typeof definition === 'object' && definition !== null && 'states' in definition;
        const actor: InspectedActor = {
          sessionId: message.sessionId,
          ...(message.parentId === undefined ? {} : { parentId: message.parentId }),
          name: message.name,
          ...(typeof machineId === 'string' ? { machineId } : {}),
          ...(hasStates ? { chart: chartTree(definition) } : {}),
          ...(message.snapshot?.value === undefined ? {} : { value: message.snapshot.value }),
          status: message.snapshot?.status ?? 'active',
          // A parent we never heard of (a viewer that joined late) or did not keep: too deep to show.
          depth: parent ? parent.depth + 1 : message.parentId === undefined ? 0 : Number.POSITIVE_INFINITY,
        };
        // Actors that are not shown and can have no shown children are not kept (request actors, stats…).
        if (!this.shows(actor) && actor.depth >= this.#depth) {
          this.#names.set(actor.sessionId, actor.name);
          if (this.#names.size > 1000) this.#names.delete(this.#names.keys().next().value!);
          return undefined;
        }
        this.actors.set(actor.sessionId, actor);
        return { kind: 'actor', actor };
      }
      case '@xstate.snapshot': {
        const actor = this.actors.get(message.sessionId);
        if (!actor) return undefined;
        if (message.snapshot.value !== undefined) actor.value = message.snapshot.value;
        if (message.snapshot.status !== undefined) actor.status = message.snapshot.status;
        return { kind: 'state', actor };
      }
      case '@xstate.event': {
        const actor = this.actors.get(message.sessionId);
        if (!this.shows(actor)) return undefined;
        this.#seq += 1;
        const entry: TimelineEntry = {
          seq: this.#seq,
          time: timeOf(message.createdAt),
          sessionId: message.sessionId,
          target: actor.name,
          ...(message.sourceId === undefined ? {} : { sourceId: message.sourceId }),
          type: eventType(message.event),
          payload: message.event,
        };
        this.timeline.push(entry);
        const dropped = this.timeline.length > this.#maxEvents ? this.timeline.shift() : undefined;
        return { kind: 'event', entry, ...(dropped ? { dropped } : {}) };
      }
    }
  }

  /** The name shown for an actor's session id (its own name, or the id itself). */
  nameOf(sessionId: string | undefined): string | undefined {
    return sessionId === undefined ? undefined : (this.actors.get(sessionId)?.name ?? this.#names.get(sessionId) ?? sessionId);
  }

  /** Forgets an actor (an ended call the viewer no longer shows). */
  remove(sessionId: string): void {
    this.actors.delete(sessionId);
  }

  /** Forgets every actor and event. */
  clear(): void {
    this.actors.clear();
    this.#names.clear();
    this.timeline.length = 0;
  }
}
