/**
 * The one listener set of the adapters: `add` returns the unsubscribe
 * function the port promises, `emit` calls every listener and keeps a
 * throwing listener from breaking the caller (SIP.js's callback chain, the
 * fake network's delivery) by rethrowing it on its own.
 */
import type { Unsubscribe } from './adapter';

export class ListenerSet<T> {
  readonly #listeners = new Set<(value: T) => void>();

  get size(): number {
    return this.#listeners.size;
  }

  add(listener: (value: T) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
