import { RetryBudget } from '../../lib/gates/retry-budget.js';
import type { ResolvedRetryBudget } from '../../lib/gates/gate-options.js';

function budget(options: Partial<ResolvedRetryBudget> = {}): RetryBudget {
  return new RetryBudget({ ratio: 0.1, minPerSecond: 10, windowMs: 10_000, ...options });
}

/** Takes retries at `now` until refused; returns how many were allowed. */
function drain(b: RetryBudget, now: number, limit = 10_000): number {
  let n = 0;
  while (n < limit && (b.tryRetry(now, false) !== -1)) n++;
  return n;
}

describe('RetryBudget', () => {
  it('keeps its options', () => {
    const options = { ratio: 0.2, minPerSecond: 1, windowMs: 500 };
    expect(new RetryBudget(options).options).toBe(options);
  });

  it('starts empty', () => {
    expect(budget().stats(0)).toEqual({ calls: 0, retries: 0, refused: 0 });
  });

  it('allows a reserve of minPerSecond x window seconds without any call (defaults: 100 per 10 s)', () => {
    const b = budget();
    expect(drain(b, 1_000)).toBe(100);
    expect(b.stats(1_000)).toEqual({ calls: 0, retries: 100, refused: 1 });
  });

  it('scales the reserve with the window', () => {
    expect(drain(budget({ ratio: 0, minPerSecond: 3, windowMs: 2_000 }), 0)).toBe(6);
    expect(drain(budget({ ratio: 0, minPerSecond: 0.5, windowMs: 4_000 }), 0)).toBe(2);
  });

  it('refills by ratio x calls', () => {
    const b = budget({ ratio: 0.1, minPerSecond: 0 });
    expect((b.tryRetry(0, false) !== -1)).toBe(false);
    for (let i = 0; i < 9; i++) b.recordCall(0);
    expect((b.tryRetry(0, false) !== -1)).toBe(false);
    b.recordCall(0);
    expect((b.tryRetry(0, false) !== -1)).toBe(true);
    expect((b.tryRetry(0, false) !== -1)).toBe(false);
    for (let i = 0; i < 10; i++) b.recordCall(1);
    expect((b.tryRetry(1, false) !== -1)).toBe(true);
    expect(b.stats(1)).toEqual({ calls: 20, retries: 2, refused: 3 });
  });

  it('adds the ratio to the reserve', () => {
    const b = budget();
    for (let i = 0; i < 50; i++) b.recordCall(0);
    expect(drain(b, 0)).toBe(105);
  });

  it('never allows a retry with ratio 0 and no reserve', () => {
    const b = budget({ ratio: 0, minPerSecond: 0 });
    for (let i = 0; i < 1_000; i++) b.recordCall(0);
    expect((b.tryRetry(0, false) !== -1)).toBe(false);
    expect(b.stats(0).refused).toBe(1);
  });

  it('counts refusals since the start, not per window', () => {
    const b = budget({ ratio: 0, minPerSecond: 0 });
    b.tryRetry(0, false);
    b.tryRetry(0, false);
    expect(b.stats(0).refused).toBe(2);
    expect(b.stats(1e6).refused).toBe(2);
    b.tryRetry(1e6, false);
    expect(b.stats(1e6)).toEqual({ calls: 0, retries: 0, refused: 3 });
  });

  describe('the window', () => {
    it('forgets retries once the window has passed', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.1 }); // one retry per 10 s
      expect((b.tryRetry(0, false) !== -1)).toBe(true);
      expect((b.tryRetry(0, false) !== -1)).toBe(false);
      expect((b.tryRetry(9_999, false) !== -1)).toBe(false);
      expect((b.tryRetry(10_000, false) !== -1)).toBe(true);
      expect((b.tryRetry(10_000, false) !== -1)).toBe(false);
    });

    it('counts a call for the whole window when time moves one bucket at a time', () => {
      const b = budget();
      b.recordCall(0);
      for (let t = 1_000; t <= 9_000; t += 1_000) expect({ t, calls: b.stats(t).calls }).toEqual({ t, calls: 1 });
      expect(b.stats(9_999).calls).toBe(1);
      expect(b.stats(10_000).calls).toBe(0);
    });

    it('counts a retry for the whole window when time moves one bucket at a time', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.1 });
      expect((b.tryRetry(0, false) !== -1)).toBe(true);
      for (let t = 1_000; t <= 9_000; t += 1_000) expect({ t, allowed: (b.tryRetry(t, false) !== -1) }).toEqual({ t, allowed: false });
      expect((b.tryRetry(10_000, false) !== -1)).toBe(true);
    });

    it('expires exactly the buckets that left the window on a partial jump', () => {
      const b = budget();
      b.recordCall(0);
      b.recordCall(5_000);
      expect(b.stats(5_000).calls).toBe(2);
      expect(b.stats(7_000).calls).toBe(2);
      expect(b.stats(10_500).calls).toBe(1);
      expect(b.stats(14_999).calls).toBe(1);
      expect(b.stats(15_000).calls).toBe(0);
    });

    it('does not keep a stale bucket after a partial jump', () => {
      const b = budget();
      b.recordCall(2_000); // bucket 2
      expect(b.stats(5_000).calls).toBe(1); // jump of 3 buckets
      b.recordCall(12_000); // bucket 12 reuses slot 2: the call at 2 000 has left the window
      expect(b.stats(12_000).calls).toBe(1);
      expect(b.stats(21_999).calls).toBe(1);
      expect(b.stats(22_000).calls).toBe(0);
    });

    it('clears everything after a jump longer than the window, in O(buckets)', () => {
      const b = budget();
      for (let i = 0; i < 5; i++) b.recordCall(i * 1_000);
      expect(drain(b, 4_000)).toBe(100);
      expect(b.stats(4_000)).toMatchObject({ calls: 5, retries: 100 });
      // a jump of 10^12 buckets must not loop over them
      expect(b.stats(1e15)).toEqual({ calls: 0, retries: 0, refused: 1 });
      expect((b.tryRetry(1e15, false) !== -1)).toBe(true);
    });

    it('works with a window that is not a multiple of the bucket count', () => {
      const b = budget({ ratio: 0, minPerSecond: 1_000, windowMs: 1 }); // one retry per ms
      expect((b.tryRetry(0, false) !== -1)).toBe(true);
      expect((b.tryRetry(0.5, false) !== -1)).toBe(false);
      expect((b.tryRetry(1, false) !== -1)).toBe(true);
    });
  });

  describe('withOptions', () => {
    it('keeps calls, retries and refusals when the window is unchanged', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.2 }); // two retries per 10 s
      b.recordCall(0);
      expect(drain(b, 0)).toBe(2);
      const next = b.withOptions({ ratio: 0, minPerSecond: 0.3, windowMs: 10_000 });
      expect(next).not.toBe(b);
      expect(next.stats(0)).toEqual({ calls: 1, retries: 2, refused: 1 });
      expect(drain(next, 0)).toBe(1);
      // the kept counts still expire with their buckets
      expect(next.stats(10_000)).toMatchObject({ calls: 0, retries: 0 });
    });

    it('applies a new ratio to the calls already counted', () => {
      const b = budget({ ratio: 0, minPerSecond: 0 });
      for (let i = 0; i < 10; i++) b.recordCall(0);
      expect((b.tryRetry(0, false) !== -1)).toBe(false);
      const next = b.withOptions({ ratio: 0.5, minPerSecond: 0, windowMs: 10_000 });
      expect(drain(next, 0)).toBe(5);
    });

    it('starts afresh when the window changes', () => {
      const b = budget();
      b.recordCall(0);
      b.tryRetry(0, false);
      const next = b.withOptions({ ratio: 0.1, minPerSecond: 10, windowMs: 20_000 });
      expect(next.options.windowMs).toBe(20_000);
      expect(next.stats(0)).toMatchObject({ calls: 0, retries: 0 });
      expect(drain(next, 0)).toBe(200);
    });

    it('leaves the original untouched', () => {
      const b = budget({ ratio: 0, minPerSecond: 0.1 });
      const next = b.withOptions({ ratio: 0, minPerSecond: 0.1, windowMs: 10_000 });
      expect((next.tryRetry(0, false) !== -1)).toBe(true);
      expect(b.stats(0)).toEqual({ calls: 0, retries: 0, refused: 0 });
      expect((b.tryRetry(0, false) !== -1)).toBe(true);
    });
  });
});
