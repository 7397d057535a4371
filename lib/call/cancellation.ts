/**
 * What can stop a call from outside: the caller's `AbortSignal` or axios
 * `CancelToken` (one listener for the whole call, removed when it settles),
 * and `dispose()`. Also the call's waits (the backoff between attempts, and an
 * async `retryIf`), which end early on either and never outlive the deadline.
 */
import type { InternalAxiosRequestConfig } from 'axios';
import type { AbortSignalLike, Clock } from '../time/clock.js';
import { LiteSignal } from '../time/lite-signal.js';
import type { Call, CancelTokenLike } from './call.js';

/** Calls waiting between attempts (or on `retryIf`), for `dispose()`. */
export type Waiting = Set<Call>;

/**
 * Listens to the caller's signal / CancelToken for the whole call. The
 * CancelToken is lifted off the config: the attempts see only their own
 * signal (left on, axios would reject with the token's reason, which has no
 * config). Returns the listener to remove at the end, if any.
 */
export function watchCaller(call: Call, config: InternalAxiosRequestConfig, onAbort: (call: Call) => void): (() => void) | undefined {
  const signal = config.signal as AbortSignalLike | undefined;
  const token = config.cancelToken as unknown as CancelTokenLike | undefined;
  if (signal === undefined && token === undefined) return undefined;
  const listener = (): void => onAbort(call);
  if (signal !== undefined) {
    call.callerSignal = signal;
    if (signal.aborted) call.stopped = 'caller';
    else signal.addEventListener('abort', listener);
  }
  if (token !== undefined) {
    call.cancelToken = token;
    config.cancelToken = undefined;
    token.subscribe(listener);
  }
  return listener;
}

/** Removes the caller listener of `watchCaller`. */
export function unwatchCaller(call: Call, listener: () => void): void {
  call.callerSignal?.removeEventListener('abort', listener);
  call.cancelToken?.unsubscribe(listener);
}

/** Waits `ms` between attempts; false when the caller aborted or the client was disposed first. */
export async function waitBetween(call: Call, clock: Clock, ms: number, waiting: Waiting): Promise<boolean> {
  if (call.stopped !== undefined) return false;
  if (ms > 0) {
    const signal = (call.waitSignal = new LiteSignal());
    waiting.add(call);
    try {
      await clock.sleep(ms, signal);
    } catch {
      // aborted: call.stopped says why
    } finally {
      waiting.delete(call);
      call.waitSignal = undefined;
    }
  }
  return call.stopped === undefined;
}

/** How waiting on a promise within the call's budget ended. */
export type Within<T> = { readonly kind: 'value'; readonly value: T } | { readonly kind: 'deadline' } | { readonly kind: 'stopped' };

/**
 * Awaits `promise` (an async `retryIf`) within the call's deadline: the
 * deadline or the caller's abort ends the wait. A rejection is rethrown.
 */
export function awaitWithin<T>(call: Call, clock: Clock, promise: PromiseLike<T>, waiting: Waiting): Promise<Within<T>> {
  const signal = (call.waitSignal = new LiteSignal());
  waiting.add(call);
  const done = (): void => {
    waiting.delete(call);
    if (call.waitSignal === signal) call.waitSignal = undefined;
    signal.abort(undefined);
  };
  return new Promise<Within<T>>((resolve, reject) => {
    clock.sleep(Math.max(0, call.deadline - clock.now()), signal).then(
      () => resolve({ kind: 'deadline' }),
      () => resolve(call.stopped === undefined ? { kind: 'deadline' } : { kind: 'stopped' }),
    );
    promise.then(
      (value) => {
        resolve({ kind: 'value', value });
        done();
      },
      (err: unknown) => {
        reject(err);
        done();
      },
    );
  }).finally(done);
}
