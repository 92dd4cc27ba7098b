/**
 * A tiny typed event emitter for the facades. `EventMap` maps each event name
 * to the tuple of its handler's arguments, so an unknown name or a handler
 * with the wrong payload type does not compile.
 */
export type EventMap = Record<string, unknown[]>;
export type Handler<Args extends unknown[]> = (...args: Args) => void;
type AnyHandler = (...args: unknown[]) => void;

export class TypedEmitter<Events extends EventMap> {
  readonly #handlers = new Map<keyof Events, Set<AnyHandler>>();

  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof Events & string>(name: K, handler: Handler<Events[K]>): () => void {
    let set = this.#handlers.get(name);
    if (!set) this.#handlers.set(name, (set = new Set()));
    set.add(handler as unknown as AnyHandler);
    return () => this.off(name, handler);
  }

  /** Adds a handler that runs once. */
  once<K extends keyof Events & string>(name: K, handler: Handler<Events[K]>): () => void {
    const wrapper: Handler<Events[K]> = (...args) => {
      this.off(name, wrapper);
      handler(...args);
    };
    return this.on(name, wrapper);
  }

  /** Removes a handler added with `on` or `once`. */
  off<K extends keyof Events & string>(name: K, handler: Handler<Events[K]>): void {
    this.#handlers.get(name)?.delete(handler as unknown as AnyHandler);
  }

  /** Removes every handler. */
  removeAllListeners(): void {
    this.#handlers.clear();
  }

  protected emit<K extends keyof Events & string>(name: K, ...args: Events[K]): void {
    for (const handler of [...(this.#handlers.get(name) ?? [])]) {
      try {
        handler(...args);
      } catch (error) {
        // One app handler throwing must not break the SDK or the other handlers.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
