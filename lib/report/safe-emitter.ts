/**
 * The emitter that isolates listeners: a listener that throws, or returns a
 * promise that rejects, never changes a call's outcome nor stops the other
 * listeners; its error is re-emitted as `listener-error`. `emit` goes through
 * the same path.
 */
import { EventEmitter } from 'eventemitter3';
import type { ResilientEvents } from './events.js';

type Payload<K extends keyof ResilientEvents> = Parameters<ResilientEvents[K]>[0];

/** eventemitter3's key prefix: '~' where `Object.create(null)` is missing, else none (fixed when it loads). */
const PREFIX = typeof EventEmitter.prefixed === 'string' ? EventEmitter.prefixed : '';

interface ListenerSlot {
  fn: (...args: unknown[]) => unknown;
  context: unknown;
  once: boolean;
}

/**
 * eventemitter3 with listeners isolated: a listener that throws, or returns a promise
 * (any thenable) that rejects, never reaches the emitter's caller and never becomes an
 * unhandled rejection; its error is emitted as `listener-error` (`{ event, error }`),
 * after the rejection for an async listener. A failure of a `listener-error` listener
 * itself, sync or async, is ignored. Listeners are not awaited. Both the internal
 * {@link fire} and the public `emit` go this way.
 */
export class SafeEmitter extends EventEmitter<ResilientEvents> {
  /** True when somebody listens to `event` (checked before building a payload). */
  protected listening(event: keyof ResilientEvents): boolean {
    // eventemitter3 keeps one slot per event name, removed when its last listener goes.
    return this.slots(event) !== undefined;
  }

  /**
   * Calls every listener of `event` with `payload`, each isolated (see the class).
   * Walks eventemitter3's listener slots (stable since v1) so `once` listeners
   * are honoured and one throwing listener does not skip the rest. Allocates
   * nothing when nobody listens, nor for listeners that return no thenable.
   * @internal
   */
  protected fire<K extends keyof ResilientEvents>(event: K, payload: Payload<K>): void {
    const slots = this.slots(event);
    if (slots === undefined) return;
    if (!Array.isArray(slots)) {
      this.callSlot(event, slots, payload, undefined);
      return;
    }
    for (const slot of slots) this.callSlot(event, slot, payload, undefined);
  }

  /**
   * eventemitter3's `emit`, through the same isolation as every internal event: a
   * listener that throws or rejects is reported as `listener-error`, never thrown here.
   * @returns true when `event` had listeners, like eventemitter3.
   */
  override emit<T extends EventEmitter.EventNames<ResilientEvents>>(
    event: T,
    ...args: EventEmitter.EventArgs<ResilientEvents, T>
  ): boolean {
    const slots = this.slots(event);
    if (slots === undefined) return false;
    if (!Array.isArray(slots)) {
      this.callSlot(event, slots, undefined, args);
      return true;
    }
    for (const slot of slots) this.callSlot(event, slot, undefined, args);
    return true;
  }

  /** eventemitter3's listener slot(s) for `event` (its internal `_events`, stable since v1). */
  private slots(event: keyof ResilientEvents): ListenerSlot | ListenerSlot[] | undefined {
    return (this as unknown as { _events: Record<string, ListenerSlot | ListenerSlot[] | undefined> })._events[PREFIX === '' ? event : PREFIX + event];
  }

  /** Calls one listener with `payload`, or with `args` when given (from `emit`). */
  private callSlot(event: keyof ResilientEvents, slot: ListenerSlot, payload: unknown, args: unknown[] | undefined): void {
    if (slot.once) this.removeListener(event, slot.fn, undefined, true);
    let result: unknown;
    try {
      result = args === undefined ? slot.fn.call(slot.context, payload) : slot.fn.apply(slot.context, args);
    } catch (error) {
      this.listenerFailed(event, error);
      return;
    }
    if (result !== null && (typeof result === 'object' || typeof result === 'function')) this.watch(event, result);
  }

  /** Attaches a rejection handler when a listener returned a thenable. */
  private watch(event: keyof ResilientEvents, result: object): void {
    try {
      const then: unknown = (result as { then?: unknown }).then;
      if (typeof then !== 'function') return;
      (then as (onFulfilled: undefined, onRejected: (error: unknown) => void) => unknown).call(
        result,
        undefined,
        (error: unknown) => this.listenerFailed(event, error),
      );
    } catch (error) {
      this.listenerFailed(event, error); // a `then` that throws: the listener's fault too
    }
  }

  /** Reports a listener's failure, unless it was a `listener-error` listener (ignored). */
  private listenerFailed(event: keyof ResilientEvents, error: unknown): void {
    if (event !== 'listener-error') this.fire('listener-error', { event, error });
  }
}
