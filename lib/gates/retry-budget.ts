/**
 * Finagle's retry budget: over the last `windowMs`, retries may not exceed
 * `ratio` x calls plus a reserve of `minPerSecond` x windowMs/1000. O(1) per
 * call, nothing allocated per call (see {@link SlidingCounts}).
 * @see https://twitter.github.io/finagle/guide/Clients.html#retries
 */
import type { ResolvedRetryBudget } from './gate-options.js';
import { SlidingCounts } from '../common/sliding-counts.js';

export class RetryBudget {
  /** A: calls, B: retries. */
  private counts: SlidingCounts;
  private refused = 0;

  constructor(readonly options: ResolvedRetryBudget) {
    this.counts = new SlidingCounts(options.windowMs);
  }

  /** The same counts under new options (a new window width starts afresh). */
  withOptions(options: ResolvedRetryBudget): RetryBudget {
    const next = new RetryBudget(options);
    if (options.windowMs === this.options.windowMs) next.counts = this.counts.clone();
    next.refused = this.refused;
    return next;
  }

  /** Counts one call started at `now`. */
  recordCall(now: number): void {
    this.counts.addA(now);
  }

  /** Takes one retry from the budget when it allows it: returns what it took (1), or -1 (counted as refused). */
  tryRetry(now: number, _timedOut: boolean): number {
    const c = this.counts;
    c.advance(now);
    const o = this.options;
    const allowed = o.ratio * c.totalA + (o.minPerSecond * o.windowMs) / 1000;
    if (c.totalB + 1 > allowed) {
      this.refused += 1;
      return -1;
    }
    c.addB(now);
    return 1;
  }

  /** A call succeeded (the ratio budget gives nothing back). */
  onSuccess(_now: number, _lastRetryCost: number): void {}

  /** Calls and retries in the window now, and retries refused since the start. */
  stats(now: number): { calls: number; retries: number; refused: number } {
    this.counts.advance(now);
    return { calls: this.counts.totalA, retries: this.counts.totalB, refused: this.refused };
  }
}
