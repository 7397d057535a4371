import fc from 'fast-check';
import { SlidingCounts } from '../../lib/common/sliding-counts.js';

describe('SlidingCounts', () => {
  it('keeps counts for one window and drops them bucket by bucket', () => {
    const c = new SlidingCounts(1_000); // buckets of 100 ms
    c.addA(0, 3);
    c.addB(50);
    c.addA(450);
    expect([c.totalA, c.totalB]).toEqual([4, 1]);
    c.advance(999);
    expect([c.totalA, c.totalB]).toEqual([4, 1]);
    c.advance(1_000); // the bucket of t=0..99 expires
    expect([c.totalA, c.totalB]).toEqual([1, 0]);
    c.advance(1_450);
    expect(c.totalA).toBe(0);
  });

  it('clears everything on a jump longer than the window', () => {
    const c = new SlidingCounts(1_000);
    for (let t = 0; t < 1_000; t += 10) c.addA(t);
    c.advance(50_000);
    expect([c.totalA, c.totalB]).toEqual([0, 0]);
  });

  it('clone() carries the counts and then diverges', () => {
    const c = new SlidingCounts(1_000);
    c.addA(0, 2);
    const d = c.clone();
    d.addB(10);
    expect([c.totalA, c.totalB, d.totalA, d.totalB]).toEqual([2, 0, 2, 1]);
  });

  it('equals a brute-force window for any sequence of updates (bucket-aligned expiry)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), { maxLength: 80 }), (steps) => {
        const c = new SlidingCounts(1_000);
        const seen: Array<[number, boolean]> = [];
        let t = 0;
        for (const [dt, isA] of steps) {
          t += dt;
          if (isA) c.addA(t);
          else c.addB(t);
          seen.push([t, isA]);
          // An update at u is counted while floor(t/100) - floor(u/100) < 10.
          const live = seen.filter(([u]) => Math.floor(t / 100) - Math.floor(u / 100) < 10);
          expect(c.totalA).toBe(live.filter(([, a]) => a).length);
          expect(c.totalB).toBe(live.filter(([, a]) => !a).length);
        }
      }),
    );
  });

  describe('never spins, whatever the window (validation lives elsewhere)', () => {
    /**
     * Makes every read or write of a bucket count, and throw past a bound far above what
     * any test here needs, so a runaway loop over buckets fails the test at once instead
     * of hanging it (a synchronous loop cannot be interrupted by a test timeout).
     */
    /** A bucket access: any key that is not a typed-array member (`'3'`, also `'NaN'`, `'-1'`). */
    const isSlot = (prop: string | symbol): boolean => typeof prop === 'string' && !(prop in Float64Array.prototype);

    function bounded(c: SlidingCounts): () => number {
      let touches = 0;
      const limit = 100_000;
      const internals = c as unknown as { a: Float64Array; b: Float64Array };
      for (const key of ['a', 'b'] as const) {
        const target = internals[key];
        internals[key] = new Proxy(target, {
          get(t, prop) {
            if (isSlot(prop) && ++touches > limit) throw new Error('spinning');
            const value: unknown = Reflect.get(t, prop, t);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
          },
          set(t, prop, value) {
            if (isSlot(prop) && ++touches > limit) throw new Error('spinning');
            return Reflect.set(t, prop, value, t);
          },
        });
      }
      return () => touches;
    }

    it.each([5e-324, 1e-300, 1e-320, 0, -0, NaN])('new SlidingCounts(%p): updates and advances terminate', (windowMs) => {
      const c = new SlidingCounts(windowMs);
      bounded(c);
      for (const now of [0, 1, 1, 2.5, 1e9, 1e9, 1e300, Infinity, -5, 3]) {
        c.addA(now);
        c.addB(now, 2);
        c.advance(now);
        expect(Number.isFinite(c.totalA) && c.totalA >= 0).toBe(true);
        expect(Number.isFinite(c.totalB) && c.totalB >= 0).toBe(true);
      }
    });

    it('keeps what was counted at the same now, and drops it at any later now, for a tiny window', () => {
      const c = new SlidingCounts(1e-300);
      bounded(c);
      c.addA(1_000, 3);
      c.addB(1_000);
      c.advance(1_000);
      expect([c.totalA, c.totalB]).toEqual([3, 1]);
      c.advance(1_001);
      expect([c.totalA, c.totalB]).toEqual([0, 0]);
      c.addA(1_001);
      expect(c.totalA).toBe(1);
    });

    it('treats a non-finite now like a jump past the window, and recovers after it', () => {
      const c = new SlidingCounts(1_000);
      bounded(c);
      c.addA(100, 2);
      c.advance(NaN);
      expect(c.totalA).toBe(0);
      c.addA(Infinity);
      c.advance(Infinity);
      c.addA(200);
      expect(c.totalA).toBe(1);
      c.advance(1_250);
      expect(c.totalA).toBe(0);
    });

    it('touches a bounded number of buckets per update for any window and any times', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.double({ min: 0, max: 1e-290, noNaN: true }), fc.double({ min: 1, max: 1e6, noNaN: true })),
          fc.array(fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: 0, max: 10_000 })), { maxLength: 30 }),
          (windowMs, nows) => {
            const c = new SlidingCounts(windowMs);
            const touches = bounded(c);
            let before = 0;
            for (const now of nows) {
              c.addA(now);
              expect(touches() - before).toBeLessThanOrEqual(4 * 10 + 2);
              before = touches();
            }
          },
        ),
      );
    });
  });
});
