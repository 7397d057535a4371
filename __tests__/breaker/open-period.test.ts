import fc from 'fast-check';
import { openPeriodMs } from '../../lib/breaker/open-period.js';

const DEFAULTS = { openMs: 5_000, maxOpenMs: 60_000, openJitter: 0.2 };

describe('openPeriodMs', () => {
  it('doubles per failed trial up to maxOpenMs (no jitter at draw 0.5)', () => {
    const periods = [0, 1, 2, 3, 4, 5, 6].map((k) => openPeriodMs(DEFAULTS, k, 0.5));
    expect(periods).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  });

  it('jitters after the cap: 0.8 x at draw 0, towards 1.2 x at draw -> 1', () => {
    expect(openPeriodMs(DEFAULTS, 0, 0)).toBe(4_000);
    expect(openPeriodMs(DEFAULTS, 10, 0)).toBe(48_000);
    expect(openPeriodMs(DEFAULTS, 10, 0.75)).toBeCloseTo(66_000, 9);
  });

  it('openJitter 0 ignores the draw', () => {
    const fixed = { ...DEFAULTS, openJitter: 0 };
    expect([0, 0.3, 0.9999].map((d) => openPeriodMs(fixed, 1, d))).toEqual([10_000, 10_000, 10_000]);
  });

  it('for every valid input: within [1 - f, 1 + f) x min(openMs x 2^k, maxOpenMs), finite, > 0, growing with k', () => {
    const optionsArb = fc
      .record({
        openMs: fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
        extra: fc.double({ min: 1, max: 1e3, noNaN: true }),
        openJitter: fc.double({ min: 0, max: 0.999, noNaN: true }),
      })
      .map(({ openMs, extra, openJitter }) => ({ openMs, maxOpenMs: openMs * extra, openJitter }));
    fc.assert(
      fc.property(optionsArb, fc.nat(5_000), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (o, k, draw) => {
        const capped = Math.min(o.openMs * 2 ** k, o.maxOpenMs);
        const period = openPeriodMs(o, k, draw);
        const eps = capped * 1e-12;
        return (
          Number.isFinite(period) &&
          period > 0 &&
          period >= capped * (1 - o.openJitter) - eps &&
          period <= capped * (1 + o.openJitter) + eps &&
          openPeriodMs(o, k + 1, draw) >= period
        );
      }),
      { seed: 0x0be7, numRuns: 2_000 },
    );
  });
});
