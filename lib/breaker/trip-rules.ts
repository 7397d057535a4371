/**
 * "When to open": the small pluggable strategy a CLOSED circuit breaker feeds with
 * every outcome. Two rules exist: a run of consecutive failures, and a failure rate
 * over a sliding time window (optionally with a run of failures as a second way to
 * open). Both do O(1) work and allocate nothing per record.
 */

/**
 * How a breaker decides to open. Outcomes are attempts (retries count), from every
 * concurrent call through the breaker.
 * - `consecutive`: opens after `failures` (integer >= 1) failures in a row; any success resets the run.
 * - `rate`: opens when, within the last `windowMs` (>= 1) milliseconds, at least `minimumCalls`
 *   (integer >= 1) outcomes were recorded and the share of failures is >= `threshold` (in (0, 1]);
 *   with `consecutive` (integer >= 1), that many failures in a row also open it, so a dead
 *   backend is cut off at once even where the window needs seconds to fill.
 *
 * A busy client should prefer `rate`: the chance of a run of k failures among random ones
 * grows with traffic (at 20% random failure, a run of 5 comes every ~3,900 attempts, 39 s at
 * 100 attempts/s; a run of 10 every ~12 M).
 */
export type TripRuleOptions =
  | {
      /** Opens after a run of failures; any success resets the run. */
      readonly type: 'consecutive';
      /** Failed attempts in a row that open it (integer >= 1). */
      readonly failures: number
    }
  | {
      /** Opens on the failure rate over a sliding window. */
      readonly type: 'rate';
      /** Share of failed attempts in the window that opens it (in (0, 1]). */
      readonly threshold: number;
      /** Attempts the window must hold before the rate is judged (integer >= 1). */
      readonly minimumCalls: number;
      /** Length of the sliding window, in ms (>= 1). */
      readonly windowMs: number;
      /** Failed attempts in a row that also open it (integer >= 1); left out, no run clause. */
      readonly consecutive?: number;
    };

/** A strategy deciding when CLOSED turns OPEN. */
export interface TripRule {
  /** Records one outcome at time `now` (clock ms); returns true when the breaker should open now. */
  record(failed: boolean, now: number): boolean;
  /** Failures currently counted (consecutive failures, or failures in the window): reported in the circuit-open event. */
  failures(now: number): number;
  /** Forget everything (on close/reset). */
  reset(): void;
  /**
   * False when `record()` and `failures()` ignore `now`: the breaker then skips reading the
   * clock on the hot path (a clock read can cost more than the rest of acquire + release).
   */
  readonly usesTime: boolean;
}

/**
 * Most buckets the rate rule splits its window into. More buckets expire outcomes more
 * precisely but cost more on a long idle jump (O(buckets)).
 * @default 10
 */
export const RATE_RULE_BUCKETS = 10;

/**
 * Hoisted: on the hot path, where inside jest's vm contexts (in which users test code that
 * uses this client) each lookup of the global `Math` costs about a microsecond.
 */
const floor = Math.floor;

/** Builds the rule described by `options` (resolved and validated in `breaker-options.ts`). */
export function createTripRule(options: TripRuleOptions): TripRule {
  return options.type === 'consecutive'
    ? new ConsecutiveRule(options.failures)
    : new RateRule(options.threshold, options.minimumCalls, options.windowMs, options.consecutive ?? Infinity);
}

/** True when both describe the same rule (so a breaker can keep its history across `setOptions`). */
export function sameTripRule(a: TripRuleOptions, b: TripRuleOptions): boolean {
  if (a.type === 'consecutive') return b.type === 'consecutive' && a.failures === b.failures;
  return (
    b.type === 'rate' && a.threshold === b.threshold && a.minimumCalls === b.minimumCalls && a.windowMs === b.windowMs &&
    a.consecutive === b.consecutive
  );
}

/** Opens after `limit` failures in a row. */
class ConsecutiveRule implements TripRule {
  readonly usesTime = false;
  private run = 0;

  constructor(private readonly limit: number) {}

  record(failed: boolean): boolean {
    if (!failed) {
      this.run = 0;
      return false;
    }
    this.run++;
    return this.run >= this.limit;
  }

  failures(): number {
    return this.run;
  }

  reset(): void {
    this.run = 0;
  }
}

/**
 * Failure rate over a sliding window, approximated by a fixed ring of time buckets of
 * width `windowMs / buckets`. An outcome lands in the bucket covering its time and leaves
 * the window when that whole bucket does, so it expires between `windowMs * (1 - 1/buckets)`
 * and `windowMs` after it was recorded. Only a failure can trip the rule: a success never
 * opens the breaker, even if it brings the call count up to `minimumCalls`. Beside the
 * window it keeps the current run of failures, which opens it at `consecutive` whatever
 * the window holds.
 */
class RateRule implements TripRule {
  readonly usesTime = true;
  private readonly buckets: number;
  private readonly widthMs: number;
  private readonly calls: Float64Array;
  private readonly failed: Float64Array;
  /** Absolute number (time / width) of the newest bucket; -Infinity when empty. */
  private head = -Infinity;
  private totalCalls = 0;
  private totalFailures = 0;
  /** Failures in a row (ignores the window: a run may be older than it). */
  private run = 0;

  constructor(
    private readonly threshold: number,
    private readonly minimumCalls: number,
    windowMs: number,
    /** Failures in a row that open it; Infinity when only the rate counts. */
    private readonly consecutive: number,
  ) {
    // Buckets at least 1 ms wide: a tiny window gets fewer buckets.
    this.buckets = Math.max(1, Math.min(RATE_RULE_BUCKETS, Math.floor(windowMs)));
    this.widthMs = windowMs / this.buckets;
    this.calls = new Float64Array(this.buckets);
    this.failed = new Float64Array(this.buckets);
  }

  record(failed: boolean, now: number): boolean {
    const slot = this.advance(now);
    this.calls[slot]++;
    this.totalCalls++;
    if (!failed) {
      this.run = 0;
      return false;
    }
    this.failed[slot]++;
    this.totalFailures++;
    return (
      ++this.run >= this.consecutive ||
      (this.totalCalls >= this.minimumCalls && this.totalFailures / this.totalCalls >= this.threshold)
    );
  }

  /** Failures in the window; once the run has reached `consecutive`, the run when it is longer (partly expired). */
  failures(now: number): number {
    this.advance(now);
    return this.run >= this.consecutive ? Math.max(this.totalFailures, this.run) : this.totalFailures;
  }

  reset(): void {
    this.run = 0;
    this.clearWindow();
  }

  private clearWindow(): void {
    this.calls.fill(0);
    this.failed.fill(0);
    this.head = -Infinity;
    this.totalCalls = 0;
    this.totalFailures = 0;
  }

  /** Expires the buckets that left the window by `now`; returns the ring index for `now`. */
  private advance(now: number): number {
    const n = floor(now / this.widthMs);
    if (n > this.head) {
      const elapsed = n - this.head;
      if (elapsed >= this.buckets) {
        this.clearWindow();
      } else {
        for (let b = this.head + 1; b <= n; b++) this.clear(this.index(b));
      }
      this.head = n;
    }
    // A clock that went backwards keeps counting in the newest bucket.
    return this.index(this.head);
  }

  private clear(slot: number): void {
    this.totalCalls -= this.calls[slot];
    this.totalFailures -= this.failed[slot];
    this.calls[slot] = 0;
    this.failed[slot] = 0;
  }

  private index(bucket: number): number {
    const i = bucket % this.buckets;
    return i < 0 ? i + this.buckets : i;
  }
}
