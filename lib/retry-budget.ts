/**
 * Finagle's retry budget: over the last `windowMs`, retries may not exceed
 * `ratio` x calls plus a reserve of `minPerSecond` x windowMs/1000. Counts live
 * in a fixed ring of time buckets: O(1) per call, nothing allocated per call.
 * @see https://twitter.github.io/finagle/guide/Clients.html#retries
 */
import type { ResolvedRetryBudget } from './options.js';

const BUCKETS = 10;

export class RetryBudget {
  private readonly calls = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private readonly widthMs: number;
  /** Index of the bucket that holds `epoch`. */
  private epoch = -Infinity;
  private totalCalls = 0;
  private totalRetries = 0;
  private refused = 0;

  constructor(readonly options: ResolvedRetryBudget) {
    this.widthMs = options.windowMs / BUCKETS;
  }

  /** The same counts under new options (a new window width starts afresh). */
  withOptions(options: ResolvedRetryBudget): RetryBudget {
    if (options.windowMs !== this.options.windowMs) return new RetryBudget(options);
    const next = new RetryBudget(options);
    next.calls.set(this.calls);
    next.retries.set(this.retries);
    next.epoch = this.epoch;
    next.totalCalls = this.totalCalls;
    next.totalRetries = this.totalRetries;
    next.refused = this.refused;
    return next;
  }

  /** Counts one call started at `now`. */
  recordCall(now: number): void {
    this.calls[this.advance(now)] += 1;
    this.totalCalls += 1;
  }

  /** Takes one retry from the budget when it allows it; false (and counted as refused) when it does not. */
  tryRetry(now: number): boolean {
    const slot = this.advance(now);
    const o = this.options;
    const allowed = o.ratio * this.totalCalls + (o.minPerSecond * o.windowMs) / 1000;
    if (this.totalRetries + 1 > allowed) {
      this.refused += 1;
      return false;
    }
    this.retries[slot] += 1;
    this.totalRetries += 1;
    return true;
  }

  /** Calls and retries in the window now, and retries refused since the start. */
  stats(now: number): { calls: number; retries: number; refused: number } {
    this.advance(now);
    return { calls: this.totalCalls, retries: this.totalRetries, refused: this.refused };
  }

  /** Clears buckets that fell out of the window; returns the bucket index for `now`. */
  private advance(now: number): number {
    const epoch = Math.floor(now / this.widthMs);
    const steps = epoch - this.epoch;
    if (steps >= BUCKETS) {
      this.calls.fill(0);
      this.retries.fill(0);
      this.totalCalls = 0;
      this.totalRetries = 0;
      this.epoch = epoch;
    } else if (steps > 0) {
      // The buckets of the epochs just entered held counts from one window ago.
      for (let e = this.epoch + 1; e <= epoch; e++) {
        const slot = ((e % BUCKETS) + BUCKETS) % BUCKETS;
        this.totalCalls -= this.calls[slot];
        this.totalRetries -= this.retries[slot];
        this.calls[slot] = 0;
        this.retries[slot] = 0;
      }
      this.epoch = epoch;
    }
    return ((epoch % BUCKETS) + BUCKETS) % BUCKETS;
  }
}
