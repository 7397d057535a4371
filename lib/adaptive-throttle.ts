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
import type { RandomSource } from './clock.js';

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

const BUCKETS = 10;

class Window {
  readonly requests = new Float64Array(BUCKETS);
  readonly accepts = new Float64Array(BUCKETS);
  epoch = -Infinity;
  totalRequests = 0;
  totalAccepts = 0;

  /** Clears expired buckets; returns the bucket for `now`. */
  advance(now: number, widthMs: number): number {
    const epoch = Math.floor(now / widthMs);
    if (epoch - this.epoch >= BUCKETS) {
      this.requests.fill(0);
      this.accepts.fill(0);
      this.totalRequests = 0;
      this.totalAccepts = 0;
    } else {
      // The buckets of the epochs just entered held counts from one window ago.
      for (let e = this.epoch + 1; e <= epoch; e++) {
        const slot = ((e % BUCKETS) + BUCKETS) % BUCKETS;
        this.totalRequests -= this.requests[slot];
        this.totalAccepts -= this.accepts[slot];
        this.requests[slot] = 0;
        this.accepts[slot] = 0;
      }
    }
    if (epoch > this.epoch) this.epoch = epoch;
    return ((epoch % BUCKETS) + BUCKETS) % BUCKETS;
  }
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
    w.advance(now, this.options.windowMs / BUCKETS);
    return this.rejectionProbability(w);
  }

  private rejectionProbability(w: Window): number {
    if (w.totalRequests < this.options.minRequests) return 0;
    return Math.max(0, (w.totalRequests - this.options.k * w.totalAccepts) / (w.totalRequests + 1));
  }

  /**
   * Counts one request for `key` and decides whether to reject it locally.
   * Returns the probability used when rejected, or -1 when let through.
   */
  admit(key: string, now: number): number {
    const w = this.window(key);
    const slot = w.advance(now, this.options.windowMs / BUCKETS);
    const p = this.rejectionProbability(w);
    w.requests[slot] += 1;
    w.totalRequests += 1;
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
    const slot = w.advance(now, this.options.windowMs / BUCKETS);
    w.accepts[slot] += 1;
    w.totalAccepts += 1;
  }

  setOptions(options: ThrottleOptions, maxKeys: number): void {
    if (options.windowMs !== this.options.windowMs) this.windows.clear();
    this.options = options;
    this.maxKeys = maxKeys;
  }

  stats(): { readonly keys: number; readonly rejected: number } {
    return { keys: this.windows.size, rejected: this.rejectedCount };
  }

  private window(key: string): Window {
    let w = this.windows.get(key);
    if (w === undefined) {
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      w = new Window();
    } else {
      // Least recently used first, like the breaker registry: a busy key is never the one dropped.
      this.windows.delete(key);
    }
    this.windows.set(key, w);
    return w;
  }
}
