/**
 * Two counters over a sliding time window, kept as a fixed ring of buckets:
 * O(1) per update, nothing allocated per update, and a clock jump longer than
 * the window clears everything in O(buckets). An update expires between
 * windowMs x (1 - 1/buckets) and windowMs after it was counted.
 * Shared by the retry budget (calls, retries) and adaptive throttling
 * (requests, accepts). Safe by itself with any window, even one that options
 * validation refuses (0, 5e-324, NaN): no update ever loops past the buckets.
 */

const BUCKETS = 10;

export class SlidingCounts {
  private readonly a = new Float64Array(BUCKETS);
  private readonly b = new Float64Array(BUCKETS);
  private readonly widthMs: number;
  private epoch = -Infinity;
  /** Sum of the first counter over the window (after the last `advance`). */
  totalA = 0;
  /** Sum of the second counter over the window (after the last `advance`). */
  totalB = 0;

  constructor(readonly windowMs: number) {
    this.widthMs = windowMs / BUCKETS;
  }

  /** Adds `n` to the first counter at `now`. */
  addA(now: number, n = 1): void {
    this.a[this.advance(now)] += n;
    this.totalA += n;
  }

  /** Adds `n` to the second counter at `now`. */
  addB(now: number, n = 1): void {
    this.b[this.advance(now)] += n;
    this.totalB += n;
  }

  /**
   * Drops what fell out of the window by `now`; returns the bucket for `now`. At most
   * one pass over the buckets, whatever the inputs: when the epoch (`now` in bucket
   * widths) cannot be stepped through one by one (not finite, or past 2^53, as with a
   * window of 1e-300 ms or one whose width underflows to 0), any change of epoch clears
   * everything and restarts the ring there, as a jump past the window does.
   */
  advance(now: number): number {
    const epoch = Math.floor(now / this.widthMs);
    const steps = epoch - this.epoch;
    if (steps >= BUCKETS || (steps !== 0 && !(Number.isSafeInteger(epoch) && Number.isSafeInteger(this.epoch)))) {
      this.a.fill(0);
      this.b.fill(0);
      this.totalA = 0;
      this.totalB = 0;
      this.epoch = epoch;
    } else if (steps > 0) {
      // The buckets of the epochs just entered held counts from one window ago
      // (both epochs are safe integers here, so `e++` reaches `epoch`).
      for (let e = this.epoch + 1; e <= epoch; e++) {
        const slot = ((e % BUCKETS) + BUCKETS) % BUCKETS;
        this.totalA -= this.a[slot];
        this.totalB -= this.b[slot];
        this.a[slot] = 0;
        this.b[slot] = 0;
      }
      this.epoch = epoch;
    }
    return Number.isFinite(epoch) ? ((epoch % BUCKETS) + BUCKETS) % BUCKETS : 0;
  }

  /** A copy with the same counts (for a change of options with the same window). */
  clone(): SlidingCounts {
    const c = new SlidingCounts(this.windowMs);
    c.a.set(this.a);
    c.b.set(this.b);
    c.epoch = this.epoch;
    c.totalA = this.totalA;
    c.totalB = this.totalB;
    return c;
  }
}
