/**
 * Time, injected. Every module that needs "now" or a wait takes a {@link Clock},
 * so tests drive time by hand instead of sleeping or patching globals.
 */

/** Something that can be told to stop: a real `AbortSignal` or anything shaped like one. */
export interface AbortSignalLike {
  /** True once the signal has aborted. */
  readonly aborted: boolean;
  /** Why it aborted (e.g. what `abort(reason)` was given); undefined before. */
  readonly reason?: unknown;
  /** Calls `listener` when the signal aborts. */
  addEventListener(type: 'abort', listener: () => void): void;
  /** Removes a listener added with `addEventListener`. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A source of time. */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. When `signal` aborts first, rejects with the
   * signal's `reason` and leaves no timer behind.
   */
  sleep(ms: number, signal?: AbortSignalLike): Promise<void>;
}

/** A source of randomness: uniform in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * The largest delay `setTimeout` honours: 2^31 - 1 ms (about 24.8 days). Browsers and
 * Node fire a longer timer after about 1 ms instead, so longer waits chain timers.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** A handle returned by the global `setTimeout` (a number in browsers, an object in Node). */
export type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * Starts a timer with the global `setTimeout` as it is at this moment, so fake timers
 * installed after import (`jest.useFakeTimers()`, sinon) drive it. `ms` must be at most
 * {@link MAX_TIMER_MS}.
 */
export function startTimer(callback: () => void, ms: number): TimerHandle {
  return globalThis.setTimeout(callback, ms);
}

/** Stops a timer with the global `clearTimeout` as it is at this moment. */
export function stopTimer(timer: TimerHandle): void {
  globalThis.clearTimeout(timer);
}

/**
 * Monotonic ms from the global `performance.now()`, or `Date.now()` where there is none,
 * both read at each call: never a copy taken at import, which fake timers would not reach.
 */
function readNow(): number {
  const perf = (globalThis as { performance?: { now?: unknown } | null }).performance;
  return typeof perf?.now === 'function' ? (perf as { now(): number }).now() : Date.now();
}

function abortReason(signal: AbortSignalLike): unknown {
  return signal.reason === undefined ? new Error('aborted') : signal.reason;
}

/**
 * The real clock: `performance.now()` and `setTimeout`, looked up on the global object each
 * time they are needed, so `jest.useFakeTimers()` and sinon's fake timers drive it.
 * A wait longer than 2^31 - 1 ms (about 24.8 days, `setTimeout`'s limit) chains timers (and stays abortable).
 */
export const systemClock: Clock = {
  now: readNow,
  sleep(ms: number, signal?: AbortSignalLike): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal === undefined && !(ms > MAX_TIMER_MS)) {
        startTimer(resolve, ms);
        return;
      }
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      let leftMs = ms;
      let timer: TimerHandle; // set by step() below, before the abort listener is added
      const onAbort = (): void => {
        stopTimer(timer);
        reject(abortReason(signal as AbortSignalLike));
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      // NaN and negative waits take one step, like setTimeout; Infinity never ends.
      const step = (): void => {
        const stepMs = Math.min(leftMs, MAX_TIMER_MS);
        leftMs -= stepMs;
        timer = startTimer(leftMs > 0 ? step : done, stepMs);
      };
      step();
      signal?.addEventListener('abort', onAbort);
    });
  },
};
