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
});
