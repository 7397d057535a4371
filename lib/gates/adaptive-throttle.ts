/**
 * Client-side adaptive throttling (Google SRE book, "Handling Overload"): per
 * backend key, over the last `windowMs`, a request is rejected locally with
 * probability max(0, (requests - k x accepts) / (requests + 1)). A backend that
 * accepts everything is never throttled (requests <= k x accepts); as it
 * rejects more, the client drops locally what exceeds k times what it
 * accepts, so a struggling backend is not buried. Counts live in a fixed ring
 * of buckets per key; keys are capped like the breaker registry.
 * @see https://sre.google/sre-book/handling-overload/#eq2101
 */
import type { RandomSource } from '../time/clock.js';
import { SlidingCounts } from '../common/sliding-counts.js';

/** A: requests, B: accepts. */
type Window = SlidingCounts;

/**
 * Adaptive throttling settings (`adaptiveThrottle`).
 * @inline
 */
export interface ThrottleOptions {
  /** Multiplier of accepts (>= 1): 2 lets through about twice what the backend accepts. */
  readonly k: number;
  /** Window over which requests and accepts are counted, in ms. */
  readonly windowMs: number;
  /** No throttling until the window holds this many requests. */
  readonly minRequests: number;
}

export class AdaptiveThrottle {
  private readonly windows = new Map<string, Window>();
  private rejectedCount = 0;

  constructor(
    private options: ThrottleOptions,
    private readonly random: RandomSource,
    private maxKeys: number,
  ) {}

  /** Current rejection probability for `key` (0 when unknown). */
  probability(key: string, now: number): number {
    const w = this.windows.get(key);
    if (w === undefined) return 0;
    w.advance(now);
    return this.rejectionProbability(w);
  }

  private rejectionProbability(w: Window): number {
    const requests = w.totalA;
    if (requests < this.options.minRequests) return 0;
    return Math.max(0, (requests - this.options.k * w.totalB) / (requests + 1));
  }

  /**
   * Counts one request for `key` and decides whether to reject it locally.
   * Returns the probability used when rejected, or -1 when let through.
   */
  admit(key: string, now: number): number {
    const w = this.window(key);
    w.advance(now);
    const p = this.rejectionProbability(w);
    w.addA(now);
    if (p > 0 && this.random() < p) {
      this.rejectedCount += 1;
      return p;
    }
    return -1;
  }

  /** The backend accepted a request for `key`. */
  accept(key: string, now: number): void {
    const w = this.windows.get(key);
    if (w === undefined) return;
    w.addB(now);
  }

  setOptions(options: ThrottleOptions, maxKeys: number): void {
    if (options.windowMs !== this.options.windowMs) this.windows.clear();
    this.options = options;
    this.maxKeys = maxKeys;
  }

  stats(): {
    /** Backend keys tracked now. */
    readonly keys: number;
    /** Attempts refused locally since throttling was turned on. */
    readonly rejected: number
  } {
    return { keys: this.windows.size, rejected: this.rejectedCount };
  }

  private window(key: string): Window {
    let w = this.windows.get(key);
    if (w === undefined) {
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      w = new SlidingCounts(this.options.windowMs);
    } else {
      // Least recently used first, like the breaker registry: a busy key is never the one dropped.
      this.windows.delete(key);
    }
    this.windows.set(key, w);
    return w;
  }
}
