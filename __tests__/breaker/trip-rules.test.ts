import fc from 'fast-check';
import { DEFAULT_BREAKER } from '../../lib/breaker/breaker-options.js';
import { createTripRule, RATE_RULE_BUCKETS, sameTripRule } from '../../lib/breaker/trip-rules.js';
import type { TripRuleOptions } from '../../lib/breaker/trip-rules.js';

describe('consecutive rule', () => {
  it('opens on the n-th failure in a row', () => {
    const rule = createTripRule({ type: 'consecutive', failures: 3 });
    expect(rule.record(true, 0)).toBe(false);
    expect(rule.record(true, 0)).toBe(false);
    expect(rule.failures(0)).toBe(2);
    expect(rule.record(true, 0)).toBe(true);
    expect(rule.failures(0)).toBe(3);
  });

  it('a success resets the run', () => {
    const rule = createTripRule({ type: 'consecutive', failures: 2 });
    expect(rule.record(true, 0)).toBe(false);
    expect(rule.record(false, 0)).toBe(false);
    expect(rule.failures(0)).toBe(0);
    expect(rule.record(true, 0)).toBe(false);
    expect(rule.record(true, 0)).toBe(true);
  });

  it('failures: 1 opens on the first failure; reset() forgets the run', () => {
    const rule = createTripRule({ type: 'consecutive', failures: 1 });
    expect(rule.record(false, 0)).toBe(false);
    expect(rule.record(true, 0)).toBe(true);
    rule.reset();
    expect(rule.failures(0)).toBe(0);
  });
});

describe('rate rule', () => {
  const rate = (threshold: number, minimumCalls: number, windowMs: number): TripRuleOptions => ({
    type: 'rate',
    threshold,
    minimumCalls,
    windowMs,
  });

  it('never trips below minimumCalls, even at 100% failures', () => {
    const rule = createTripRule(rate(0.5, 5, 1000));
    for (let i = 0; i < 4; i++) expect(rule.record(true, i)).toBe(false);
    expect(rule.failures(4)).toBe(4);
    expect(rule.record(true, 5)).toBe(true);
  });

  it('trips when the threshold is exactly reached', () => {
    const rule = createTripRule(rate(0.3, 10, 1000));
    for (let i = 0; i < 7; i++) expect(rule.record(false, 10)).toBe(false);
    expect(rule.record(true, 10)).toBe(false);
    expect(rule.record(true, 10)).toBe(false); // 2/9 < 0.3
    expect(rule.record(true, 10)).toBe(true); // 3/10 === 0.3
  });

  it('a success never trips, even when it reaches minimumCalls above the threshold', () => {
    const rule = createTripRule(rate(0.5, 4, 1000));
    for (let i = 0; i < 3; i++) expect(rule.record(true, 0)).toBe(false);
    expect(rule.record(false, 0)).toBe(false); // 3/4 failed, but a success
    expect(rule.record(true, 0)).toBe(true); // 4/5
  });

  it('threshold 1 needs every call in the window to fail', () => {
    const rule = createTripRule(rate(1, 2, 1000));
    expect(rule.record(false, 0)).toBe(false);
    expect(rule.record(true, 0)).toBe(false);
    expect(rule.record(true, 0)).toBe(false); // 2/3
    expect(rule.record(true, 1000)).toBe(false); // all expired: 1 call, below minimumCalls
    expect(rule.record(true, 1001)).toBe(true); // 2/2
  });

  it('outcomes expire as the window slides (bucket by bucket)', () => {
    // 10 buckets of 100 ms.
    const rule = createTripRule(rate(0.5, 2, 1000));
    expect(rule.record(true, 50)).toBe(false); // bucket 0
    expect(rule.failures(950)).toBe(1); // still in the window
    expect(rule.failures(999)).toBe(1);
    expect(rule.failures(1000)).toBe(0); // bucket 0 left: 950 ms after it was recorded
    expect(rule.record(true, 1000)).toBe(false); // only 1 call in the window
    expect(rule.record(true, 1050)).toBe(true);
  });

  it('an outcome expires between windowMs*(1-1/buckets) and windowMs after it was recorded', () => {
    const windowMs = 1000;
    const width = windowMs / RATE_RULE_BUCKETS;
    for (const at of [0, 1, 37, 99.5, 100, 12345.6]) {
      const rule = createTripRule(rate(1, 1, windowMs));
      rule.record(true, at);
      let k = 0;
      while (k < 4000 && rule.failures(at + k * 0.5) === 1) k++;
      expect(k * 0.5).toBeGreaterThan(windowMs - width - 0.5);
      expect(k * 0.5).toBeLessThanOrEqual(windowMs);
    }
  });

  it('a jump longer than the whole window clears everything', () => {
    const rule = createTripRule(rate(0.5, 3, 1000));
    rule.record(true, 0);
    rule.record(true, 500);
    rule.record(false, 900);
    expect(rule.failures(900)).toBe(2);
    expect(rule.failures(1_000_000_000)).toBe(0);
    expect(rule.record(true, 1_000_000_000)).toBe(false); // 1 call: below minimumCalls
    expect(rule.record(true, 1_000_000_001)).toBe(false);
    expect(rule.record(true, 1_000_000_002)).toBe(true);
  });

  it('a partial jump clears only the buckets that left the window', () => {
    const rule = createTripRule(rate(0.5, 1, 1000));
    rule.record(true, 0); // bucket 0
    rule.record(true, 450); // bucket 4
    rule.record(true, 850); // bucket 8
    expect(rule.failures(1300)).toBe(2); // buckets 0..3 gone
    expect(rule.failures(1700)).toBe(1); // bucket 4..7 gone
    expect(rule.failures(1850)).toBe(0);
  });

  it('a clock that goes backwards counts in the newest bucket', () => {
    const rule = createTripRule(rate(0.5, 2, 1000));
    rule.record(true, 5000);
    expect(rule.record(true, 4000)).toBe(true);
    expect(rule.failures(5999)).toBe(2);
    expect(rule.failures(6000)).toBe(0);
  });

  it('works with negative clock values (and across zero)', () => {
    const rule = createTripRule(rate(1, 1, 1000));
    expect(rule.record(true, -950)).toBe(true); // bucket -10
    expect(rule.record(true, -50)).toBe(true); // bucket -1
    expect(rule.failures(-1)).toBe(2);
    expect(rule.failures(150)).toBe(1); // bucket 1: -10 left, -1 stays
    expect(rule.failures(900)).toBe(0);
  });

  it('a tiny window gets fewer (>= 1 ms) buckets; a sub-millisecond one gets one bucket', () => {
    const small = createTripRule(rate(1, 1, 3));
    small.record(true, 0);
    expect(small.failures(2.5)).toBe(1);
    expect(small.failures(3)).toBe(0);
    const tiny = createTripRule(rate(1, 1, 0.5));
    tiny.record(true, 0.1);
    expect(tiny.failures(0.49)).toBe(1);
    expect(tiny.failures(0.5)).toBe(0);
  });

  it('reset() forgets everything', () => {
    const rule = createTripRule(rate(0.5, 2, 1000));
    rule.record(true, 0);
    rule.reset();
    expect(rule.failures(0)).toBe(0);
    expect(rule.record(true, 1)).toBe(false);
  });
});

describe('rate rule with consecutive (the default rule)', () => {
  const DEFAULT_TRIP = DEFAULT_BREAKER.trip;

  it('is the rate 0.5 over >= 40 attempts in 10 s, or 10 failures in a row', () => {
    expect(DEFAULT_TRIP).toEqual({ type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000, consecutive: 10 });
  });

  it('9 failed attempts in a row never open it, the 10th does', () => {
    const rule = createTripRule(DEFAULT_TRIP);
    for (let i = 0; i < 100; i++) rule.record(false, i); // a window the rate part cannot trip on
    for (let i = 0; i < 9; i++) expect(rule.record(true, 100 + i)).toBe(false);
    expect(rule.record(false, 110)).toBe(false);
    for (let i = 0; i < 9; i++) expect(rule.record(true, 200 + i)).toBe(false);
    expect(rule.record(true, 300)).toBe(true);
    expect(rule.failures(300)).toBe(19);
  });

  it('39 attempts at a 0.5 failure ratio (no run of 10) never open it, a failing 40th does', () => {
    const rule = createTripRule(DEFAULT_TRIP);
    // F S F S ...: 20 failures in 39 attempts (above 0.5 from the first), runs of 1.
    for (let i = 0; i < 39; i++) expect(rule.record(i % 2 === 0, i * 10)).toBe(false);
    expect(rule.failures(390)).toBe(20);
    expect(rule.record(true, 390)).toBe(true); // 21 / 40
  });

  it('a successful 40th attempt does not open it; the next failure does', () => {
    const rule = createTripRule(DEFAULT_TRIP);
    for (let i = 0; i < 39; i++) rule.record(i % 2 === 0, i * 10);
    expect(rule.record(false, 390)).toBe(false); // 20 / 40, but a success never trips
    expect(rule.record(true, 400)).toBe(true); // 21 / 41
  });

  it('a run of 10 opens it even when it is spread over more than the window', () => {
    const rule = createTripRule({ type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 1000, consecutive: 10 });
    for (let i = 0; i < 9; i++) expect(rule.record(true, i * 500)).toBe(false);
    expect(rule.record(true, 4500)).toBe(true);
    expect(rule.failures(4500)).toBe(10); // the run, longer than the 2 failures left in the window
  });

  it('reset() forgets the run too', () => {
    const rule = createTripRule({ type: 'rate', threshold: 1, minimumCalls: 100, windowMs: 1000, consecutive: 3 });
    rule.record(true, 0);
    rule.record(true, 0);
    rule.reset();
    expect(rule.record(true, 0)).toBe(false);
    expect(rule.record(true, 0)).toBe(false);
    expect(rule.record(true, 0)).toBe(true);
  });

  it('for every sequence within one window: opens exactly at the first failure that ends a run of 10 or meets the rate', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 200 }), (outcomes) => {
        const rule = createTripRule(DEFAULT_TRIP);
        let calls = 0;
        let failures = 0;
        let run = 0;
        for (const [i, failed] of outcomes.entries()) {
          calls++;
          failures += failed ? 1 : 0;
          run = failed ? run + 1 : 0;
          const expected = failed && (run >= 10 || (calls >= 40 && failures / calls >= 0.5));
          if (rule.record(failed, i) !== expected) return false;
          if (expected) return true;
        }
        return true;
      }),
      { seed: 0x7219, numRuns: 2_000 },
    );
  });
});

describe('options', () => {
  it('sameTripRule compares type and every field', () => {
    const c3: TripRuleOptions = { type: 'consecutive', failures: 3 };
    const r: TripRuleOptions = { type: 'rate', threshold: 0.5, minimumCalls: 5, windowMs: 1000 };
    expect(sameTripRule(c3, { type: 'consecutive', failures: 3 })).toBe(true);
    expect(sameTripRule(c3, { type: 'consecutive', failures: 4 })).toBe(false);
    expect(sameTripRule(c3, r)).toBe(false);
    expect(sameTripRule(r, c3)).toBe(false);
    expect(sameTripRule(r, { ...r })).toBe(true);
    expect(sameTripRule(r, { ...r, threshold: 0.6 })).toBe(false);
    expect(sameTripRule(r, { ...r, minimumCalls: 6 })).toBe(false);
    expect(sameTripRule(r, { ...r, windowMs: 999 })).toBe(false);
    expect(sameTripRule(r, { ...r, consecutive: 10 })).toBe(false);
    expect(sameTripRule({ ...r, consecutive: 10 }, { ...r, consecutive: 10 })).toBe(true);
    expect(sameTripRule({ ...r, consecutive: 10 }, { ...r, consecutive: 9 })).toBe(false);
  });
});
