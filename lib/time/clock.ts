/**
 * Time, injected. Every module that needs "now" or a wait takes a {@link Clock},
 * so tests drive time by hand instead of sleeping or patching globals.
 */

/** Something that can be told to stop: a real `AbortSignal` or anything shaped like one. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
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

const perf: { now(): number } =
  typeof performance !== 'undefined' && typeof performance.now === 'function' ? performance : Date;

function abortReason(signal: AbortSignalLike): unknown {
  return signal.reason === undefined ? new Error('aborted') : signal.reason;
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => perf.now(),
  sleep(ms: number, signal?: AbortSignalLike): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal === undefined) {
        setTimeout(resolve, ms);
        return;
      }
      if (signal.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort);
    });
  },
};
