/**
 * A cheap abort signal for one attempt. `new AbortController()` costs ~3 µs in
 * Node 20 (over 10% of a fast axios call); axios's http, xhr and fetch adapters
 * only read `aborted` and call `addEventListener`/`removeEventListener`, which
 * this class provides for a few dozen nanoseconds.
 *
 * Footgun: it is not `instanceof AbortSignal`. A custom adapter that hands
 * `config.signal` to `fetch()` directly must wrap it (see README, "Time budgets").
 */
import type { AbortSignalLike } from './clock.js';

type Listener = (this: LiteSignal, event: { type: 'abort'; target: LiteSignal }) => void;

export class LiteSignal implements AbortSignalLike {
  aborted = false;
  reason: unknown = undefined;
  /** Like `AbortSignal#onabort`. */
  onabort: Listener | null = null;
  // One listener is the common case (the adapter's); more go to `rest`.
  private first: Listener | undefined = undefined;
  private rest: Listener[] | undefined = undefined;

  addEventListener(_type: 'abort', listener: Listener): void {
    if (this.first === listener || (this.rest !== undefined && this.rest.includes(listener))) return;
    if (this.first === undefined) this.first = listener;
    else (this.rest ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: Listener): void {
    if (this.first === listener) this.first = undefined;
    else if (this.rest !== undefined) {
      const i = this.rest.indexOf(listener);
      if (i !== -1) this.rest.splice(i, 1);
    }
  }

  /** Throws `reason` when aborted, like `AbortSignal#throwIfAborted`. */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Aborts once; later calls do nothing. Listeners run with `this` = the signal. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: 'abort' as const, target: this };
    const listeners = [this.onabort, this.first, ...(this.rest ?? [])];
    this.first = undefined;
    this.rest = undefined;
    // Like EventTarget: one throwing listener does not skip the others; the first error is rethrown after.
    let failure: { error: unknown } | undefined;
    for (const l of listeners) {
      try {
        if (l) l.call(this, event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
