/**
 * Real sockets with a fake clock. The client's waits (backoff, Retry-After,
 * open periods, attempt limits, deadlines) run on a FakeClock, while the
 * sockets run on Node's event loop: these helpers let real I/O happen and move
 * the fake clock only when the test says so, or when the client is asleep.
 */
import type { ResilientClient } from '../../lib/resilient-client.js';
import type { FakeClock } from './fake-clock.js';

/** One real turn of the event loop (sockets, server callbacks), about 1 ms. */
export function realTick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

/** Waits in real time until `condition()` holds; fails after `withinMs` (real ms). */
export async function eventually(condition: () => boolean, what = 'the condition', withinMs = 5_000): Promise<void> {
  const until = performance.now() + withinMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`${what} did not hold within ${withinMs} ms`);
    await realTick();
  }
}

/**
 * Settles `p`, calls of `client` on real sockets with `client` on `clock`:
 * while an attempt is in flight, real time passes for its socket and the fake
 * clock stands still (no attempt limit or deadline fires); when none is and the
 * client sleeps (backoff, Retry-After), the clock jumps to the next wake-up.
 * Fails after `withinMs` of real time.
 */
export async function settleOnSockets<T>(clock: FakeClock, client: ResilientClient, p: Promise<T>, withinMs = 5_000): Promise<T> {
  let settled = false;
  const done = p.then(
    (v) => {
      settled = true;
      return v;
    },
    (e: unknown) => {
      settled = true;
      throw e;
    },
  );
  done.catch(() => undefined);
  const until = performance.now() + withinMs;
  while (!settled) {
    if (performance.now() > until) throw new Error(`the call did not settle within ${withinMs} ms (real)`);
    await realTick();
    if (!settled && client.stats().inFlight === 0) await clock.advanceToNext();
  }
  return done;
}
