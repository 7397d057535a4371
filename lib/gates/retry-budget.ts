/**
 * The retry budget: caps how many retries a client sends, so that retries cannot
 * multiply the load on a backend that is failing. Two kinds, chosen by
 * `options.type`, behind one interface the call runner uses:
 * - `'tokens'` (default): the AWS SDKs' standard retry quota;
 * - `'ratio'`: Finagle's budget, retries as a share of calls over a sliding window.
 * Both are pure functions of what they are told and `now`: no clock, no timer.
 * O(1) per call; nothing allocated per call.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://twitter.github.io/finagle/guide/Clients.html#retries
 */
import { SlidingCounts } from '../common/sliding-counts.js';
import type { ResolvedRatioBudget, ResolvedRetryBudget, ResolvedTokenBudget } from './gate-options.js';

/** What `tryRetry()` returns when the budget refuses the retry. */
export const RETRY_REFUSED = -1;

/**
 * A token quota's state, for `stats().retryBudget`.
 * @inline
 */
export interface TokenBudgetStats {
  /** A token quota. */
  readonly type: 'tokens';
  /** Tokens in the bucket now: a retry needs `retryCost` of them (`timeoutCost` after a timeout). */
  readonly tokens: number;
  /** Most tokens the bucket holds (it starts full). */
  readonly capacity: number;
  /** Retries refused since the client started (across `configure()` changes). */
  readonly refused: number;
}

/**
 * A ratio budget's state, for `stats().retryBudget`.
 * @inline
 */
export interface RatioBudgetStats {
  /** A ratio budget. */
  readonly type: 'ratio';
  /** Calls started in the last `windowMs`. */
  readonly calls: number;
  /** Retries taken in the last `windowMs`: at most `ratio` x calls + `minPerSecond` x windowMs/1000. */
  readonly retries: number;
  /** Retries refused since the client started (across `configure()` changes). */
  readonly refused: number;
}

/**
 * A retry budget's state, tagged like its options.
 * @inline
 */
export type RetryBudgetStats = TokenBudgetStats | RatioBudgetStats;

/** A retry budget, as the call runner drives it. `now` is clock time in ms. */
export interface RetryBudget {
  /** The options it runs under. */
  readonly options: ResolvedRetryBudget;
  /** A call starts (its first attempt). */
  recordCall(now: number): void;
  /**
   * Asks for one retry (or hedge) after a failed attempt (`timedOut`: the attempt timed out).
   * Returns what it took when allowed (tokens, or 1 for a ratio budget): pass it to `onSuccess`
   * if the call then succeeds. Returns {@link RETRY_REFUSED} (-1), counted as refused, when not.
   */
  tryRetry(now: number, timedOut: boolean): number;
  /** The call succeeded; `lastRetryCost` is what its last retry took, 0 when it succeeded on its first attempt. */
  onSuccess(now: number, lastRetryCost: number): void;
  /** The state now (reading never changes what the budget allows). */
  stats(now: number): RetryBudgetStats;
  /**
   * A budget under `options`. Same type keeps the state (the tokens spent; the ratio's counts
   * when the window is the same); another type starts afresh. Refusals are always kept.
   */
  withOptions(options: ResolvedRetryBudget): RetryBudget;
  /** Token quotas only: the tokens in the bucket now (what a fleet link reconciles). */
  level?(): number;
  /** Token quotas only: puts `tokens` in the bucket, within [0, capacity] (the fleet's bucket, reconciled). */
  setLevel?(tokens: number): void;
}

/** A new budget under `options` (a token quota starts full). */
export function createRetryBudget(options: ResolvedRetryBudget): RetryBudget {
  return options.type === 'tokens' ? new TokenQuota(options, options.capacity, 0) : new RatioBudget(options, undefined, 0);
}

/** The AWS SDKs' standard retry quota. */
class TokenQuota implements RetryBudget {
  constructor(
    readonly options: ResolvedTokenBudget,
    private tokens: number,
    private refused: number,
  ) {}

  recordCall(): void {
    // Only retries and successes move the bucket.
  }

  tryRetry(_now: number, timedOut: boolean): number {
    const cost = timedOut ? this.options.timeoutCost : this.options.retryCost;
    if (this.tokens < cost) {
      this.refused++;
      return RETRY_REFUSED;
    }
    this.tokens -= cost;
    return cost;
  }

  onSuccess(_now: number, lastRetryCost: number): void {
    const refilled = this.tokens + (lastRetryCost > 0 ? lastRetryCost : this.options.successRefund);
    const capacity = this.options.capacity;
    this.tokens = refilled > capacity ? capacity : refilled;
  }

  level(): number {
    return this.tokens;
  }

  setLevel(tokens: number): void {
    const capacity = this.options.capacity;
    this.tokens = tokens < 0 ? 0 : tokens > capacity ? capacity : tokens;
  }

  stats(): TokenBudgetStats {
    return { type: 'tokens', tokens: this.tokens, capacity: this.options.capacity, refused: this.refused };
  }

  withOptions(options: ResolvedRetryBudget): RetryBudget {
    if (options.type !== 'tokens') return new RatioBudget(options, undefined, this.refused);
    // The tokens spent stay spent: a full bucket stays full under a new capacity.
    const spent = this.options.capacity - this.tokens;
    return new TokenQuota(options, Math.max(0, options.capacity - spent), this.refused);
  }
}

/** Finagle's retry budget over a sliding window (see {@link SlidingCounts}; A: calls, B: retries). */
class RatioBudget implements RetryBudget {
  private readonly counts: SlidingCounts;

  constructor(
    readonly options: ResolvedRatioBudget,
    counts: SlidingCounts | undefined,
    private refused: number,
  ) {
    this.counts = counts ?? new SlidingCounts(options.windowMs);
  }

  recordCall(now: number): void {
    this.counts.addA(now);
  }

  tryRetry(now: number): number {
    const c = this.counts;
    c.advance(now);
    const o = this.options;
    if (c.totalB + 1 > o.ratio * c.totalA + (o.minPerSecond * o.windowMs) / 1000) {
      this.refused++;
      return RETRY_REFUSED;
    }
    c.addB(now);
    return 1;
  }

  onSuccess(): void {
    // Successes do not refill a ratio budget: calls do.
  }

  stats(now: number): RatioBudgetStats {
    this.counts.advance(now);
    return { type: 'ratio', calls: this.counts.totalA, retries: this.counts.totalB, refused: this.refused };
  }

  withOptions(options: ResolvedRetryBudget): RetryBudget {
    if (options.type !== 'ratio') return new TokenQuota(options, options.capacity, this.refused);
    const same = options.windowMs === this.options.windowMs;
    return new RatioBudget(options, same ? this.counts.clone() : undefined, this.refused);
  }
}
