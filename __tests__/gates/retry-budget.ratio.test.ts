/** The ratio budget (Finagle's), through the interface the call runner uses. */
import { createRetryBudget, RETRY_REFUSED } from '../../lib/gates/retry-budget.js';
import type { RatioBudgetStats, RetryBudget } from '../../lib/gates/retry-budget.js';
import type { ResolvedRatioBudget } from '../../lib/gates/gate-options.js';

type RatioFields = Omit<ResolvedRatioBudget, 'type'>;

const resolved = (options: Partial<RatioFields> = {}): ResolvedRatioBudget => ({
  type: 'ratio', ratio: 0.1, minPerSecond: 10, windowMs: 10_000, ...options,
});

function budget(options: Partial<RatioFields> = {}): RetryBudget {
  return createRetryBudget(resolved(options));
}

/** Asks for one retry at `now`; true when allowed (a ratio budget takes 1). */
function allowed(b: RetryBudget, now: number): boolean {
  const taken = b.tryRetry(now, false);
  expect([1, RETRY_REFUSED]).toContain(taken);
  return taken === 1;
}

function ratioStats(b: RetryBudget, now: number): Omit<RatioBudgetStats, 'type'> {
  const { type, ...rest } = b.stats(now) as RatioBudgetStats;
  expect(type).toBe('ratio');
  return rest;
}

/** Takes retries at `now` until refused; returns how many were allowed. */
function drain(b: RetryBudget, now: number, limit = 10_000): number {
  let n = 0;
  while (n < limit && allowed(b, now)) n++;
  return n;
}

describe('ratio retry budget', () => {
  it('keeps its options', () => {
    const options = resolved({ ratio: 0.2, minPerSecond: 1, windowMs: 500 });
    expect(createRetryBudget(options).options).toBe(options);
  });

  it('counts a timed-out attempt like any other (no timeout cost), and successes change nothing', () => {
    const b = budget({ ratio: 0, minPerSecond: 0.2 }); // two retries per 10 s
    expect(b.tryRetry(0, true)).toBe(1);
    b.onSuccess(0, 1);
    b.onSuccess(0, 0);
    expect(b.tryRetry(0, false)).toBe(1);
    expect(b.tryRetry(0, true)).toBe(RETRY_REFUSED);
    expect(b.stats(0)).toEqual({ type: 'ratio', calls: 0, retries: 2, refused: 1 });
  });

  it('starts empty', () => {
    expect(budget().stats(0)).toEqual({ type: 'ratio', calls: 0, retries: 0, refused: 0 });
  });

  it('allows a reserve of minPerSecond x window seconds without any call (defaults: 100 per 10 s)', () => {
    const b = budget();
    expect(drain(b, 1_000)).toBe(100);
    expect(ratioStats(b, 1_000)).toEqual({ calls: 0, retries: 100, refused: 1 });
  });

  it('scales the reserve with the window', () => {
    expect(drain(budget({ ratio: 0, minPerSecond: 3, windowMs: 2_000 }), 0)).toBe(6);
    expect(drain(budget({ ratio: 0, minPerSecond: 0.5, windowMs: 4_000 }), 0)).toBe(2);
  });

  it('refills by ratio x calls', () => {
    const b = budget({ ratio: 0.1, minPerSecond: 0 });
    expect(allowed(b, 0)).toBe(false);
    for (let i = 0; i < 9; i++) b.recordCall(0);
    expect(allowed(b, 0)).toBe(false);
    b.recordCall(0);
    expect(allowed(b, 0)).toBe(true);
    expect(allowed(b, 0)).toBe(false);
    for (let i = 0; i < 10; i++) b.recordCall(1);
    expect(allowed(b, 1)).toBe(true);
    expect(ratioStats(b, 1)).toEqual({ calls: 20, retries: 2, refused: 3 });
  });

  it('adds the ratio to the reserve', () => {
    const b = budget();
    for (let i = 0; i < 50; i++) b.recordCall(0);
    expect(drain(b, 0)).toBe(105);
  });

  it('never allows a retry with ratio 0 and no reserve', () => {
    const b = budget({ ratio: 0, minPerSecond: 0 });
    for (let i = 0; i < 1_000; i++) b.recordCall(0);
    expect(allowed(b, 0)).toBe(false);
    expect(ratioStats(b, 0).refused).toBe(1);
  });

  it('counts refusals since the start, not per window', () => {
    const b = budget({ ratio: 0, minPerSecond: 0 });
    allowed(b, 0);
    allowed(b, 0);
    expect(ratioStats(b, 0).refused).toBe(2);
    expect(ratioStats(b, 1e6).refused).toBe(2);
    allowed(b, 1e6);
    expect(ratioStats(b, 1e6)).toEqual({ calls: 0, retries: 0, refused: 3 });
  });

  describe('the window', () => {
    it('forgets retries once the window has passed', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.1 }); // one retry per 10 s
      expect(allowed(b, 0)).toBe(true);
      expect(allowed(b, 0)).toBe(false);
      expect(allowed(b, 9_999)).toBe(false);
      expect(allowed(b, 10_000)).toBe(true);
      expect(allowed(b, 10_000)).toBe(false);
    });

    it('counts a call for the whole window when time moves one bucket at a time', () => {
      const b = budget();
      b.recordCall(0);
      for (let t = 1_000; t <= 9_000; t += 1_000) expect({ t, calls: ratioStats(b, t).calls }).toEqual({ t, calls: 1 });
      expect(ratioStats(b, 9_999).calls).toBe(1);
      expect(ratioStats(b, 10_000).calls).toBe(0);
    });

    it('counts a retry for the whole window when time moves one bucket at a time', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.1 });
      expect(allowed(b, 0)).toBe(true);
      for (let t = 1_000; t <= 9_000; t += 1_000) expect({ t, allowed: allowed(b, t) }).toEqual({ t, allowed: false });
      expect(allowed(b, 10_000)).toBe(true);
    });

    it('expires exactly the buckets that left the window on a partial jump', () => {
      const b = budget();
      b.recordCall(0);
      b.recordCall(5_000);
      expect(ratioStats(b, 5_000).calls).toBe(2);
      expect(ratioStats(b, 7_000).calls).toBe(2);
      expect(ratioStats(b, 10_500).calls).toBe(1);
      expect(ratioStats(b, 14_999).calls).toBe(1);
      expect(ratioStats(b, 15_000).calls).toBe(0);
    });

    it('does not keep a stale bucket after a partial jump', () => {
      const b = budget();
      b.recordCall(2_000); // bucket 2
      expect(ratioStats(b, 5_000).calls).toBe(1); // jump of 3 buckets
      b.recordCall(12_000); // bucket 12 reuses slot 2: the call at 2 000 has left the window
      expect(ratioStats(b, 12_000).calls).toBe(1);
      expect(ratioStats(b, 21_999).calls).toBe(1);
      expect(ratioStats(b, 22_000).calls).toBe(0);
    });

    it('clears everything after a jump longer than the window, in O(buckets)', () => {
      const b = budget();
      for (let i = 0; i < 5; i++) b.recordCall(i * 1_000);
      expect(drain(b, 4_000)).toBe(100);
      expect(ratioStats(b, 4_000)).toMatchObject({ calls: 5, retries: 100 });
      // a jump of 10^12 buckets must not loop over them
      expect(ratioStats(b, 1e15)).toEqual({ calls: 0, retries: 0, refused: 1 });
      expect(allowed(b, 1e15)).toBe(true);
    });

    it('works with a window that is not a multiple of the bucket count', () => {
      const b = budget({ ratio: 0, minPerSecond: 1_000, windowMs: 1 }); // one retry per ms
      expect(allowed(b, 0)).toBe(true);
      expect(allowed(b, 0.5)).toBe(false);
      expect(allowed(b, 1)).toBe(true);
    });
  });

  describe('withOptions', () => {
    it('keeps calls, retries and refusals when the window is unchanged', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.2 }); // two retries per 10 s
      b.recordCall(0);
      expect(drain(b, 0)).toBe(2);
      const next = b.withOptions({ type: 'ratio', ratio: 0, minPerSecond: 0.3, windowMs: 10_000 });
      expect(next).not.toBe(b);
      expect(ratioStats(next, 0)).toEqual({ calls: 1, retries: 2, refused: 1 });
      expect(drain(next, 0)).toBe(1);
      // the kept counts still expire with their buckets
      expect(ratioStats(next, 10_000)).toMatchObject({ calls: 0, retries: 0 });
    });

    it('applies a new ratio to the calls already counted', () => {
      const b = budget({ ratio: 0, minPerSecond: 0 });
      for (let i = 0; i < 10; i++) b.recordCall(0);
      expect(allowed(b, 0)).toBe(false);
      const next = b.withOptions({ type: 'ratio', ratio: 0.5, minPerSecond: 0, windowMs: 10_000 });
      expect(drain(next, 0)).toBe(5);
    });

    it('starts afresh when the window changes', () => {
      const b = budget();
      b.recordCall(0);
      allowed(b, 0);
      const next = b.withOptions({ type: 'ratio', ratio: 0.1, minPerSecond: 10, windowMs: 20_000 });
      expect(next.options).toEqual(resolved({ windowMs: 20_000 }));
      expect(ratioStats(next, 0)).toMatchObject({ calls: 0, retries: 0 });
      expect(drain(next, 0)).toBe(200);
    });

    it('leaves the original untouched', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.1 });
      const next = b.withOptions({ type: 'ratio', ratio: 0, minPerSecond: 0.1, windowMs: 10_000 });
      expect(allowed(next, 0)).toBe(true);
      expect(ratioStats(b, 0)).toEqual({ calls: 0, retries: 0, refused: 0 });
      expect(allowed(b, 0)).toBe(true);
    });
  });
});
