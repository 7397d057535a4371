/**
 * Event listeners added to a client by a telemetry entry point, removed
 * together when it is switched off: exactly those, never a user's.
 */
import type { ResilientClient, ResilientEvents } from '../index.js';

export class Listeners {
  private readonly added: Array<() => void> = [];

  constructor(private readonly client: ResilientClient) {}

  /** Adds `fn` for `event`, to be removed by {@link removeAll}. */
  on<K extends keyof ResilientEvents>(event: K, fn: ResilientEvents[K]): this {
    const client = this.client as unknown as { on(e: K, f: ResilientEvents[K]): void; off(e: K, f: ResilientEvents[K]): void };
    client.on(event, fn);
    this.added.push(() => client.off(event, fn));
    return this;
  }

  /** Removes every listener added here. */
  removeAll(): void {
    for (const remove of this.added.splice(0)) remove();
  }
}
