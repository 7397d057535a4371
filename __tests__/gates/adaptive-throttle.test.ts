/**
 * Adaptive throttling on its own (Google SRE, "Handling Overload"): per key,
 * over the last `windowMs`, a request is rejected locally with probability
 * max(0, (requests - k x accepts) / (requests + 1)), once the window holds
 * `minRequests`; windows expire; keys are capped.
 */
import fc from 'fast-check';
import { AdaptiveThrottle } from '../../lib/gates/adaptive-throttle.js';
import type { ThrottleOptions } from '../../lib/gates/adaptive-throttle.js';
import { seededRandom } from '../helpers/fake-clock.js';

const OPTIONS: ThrottleOptions = { k: 2, windowMs: 10_000, minRequests: 10 };

/** A random source returning `value`, counting its calls. */
function fixedRandom(value: number): (() => number) & { calls: number } {
  const f = Object.assign(() => {
    f.calls++;
    return value;
  }, { calls: 0 });
  return f;
}

/** Feeds `n` requests for `key` at `now` (their outcomes ignored) and `accepts` accepts. */
function feed(t: AdaptiveThrottle, key: string, now: number, n: number, accepts = 0): void {
  for (let i = 0; i < n; i++) t.admit(key, now);
  for (let i = 0; i < accepts; i++) t.accept(key, now);
}

const formula = (requests: number, accepts: number, k: number): number => Math.max(0, (requests - k * accepts) / (requests + 1));

describe('AdaptiveThrottle: the rejection probability', () => {
  test('0 for an unknown key', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    expect(t.probability('nobody', 0)).toBe(0);
    expect(t.stats()).toEqual({ keys: 0, rejected: 0 });
  });

  test('nothing is rejected, and no random number drawn, until the window holds minRequests', () => {
    const random = fixedRandom(0);
    const t = new AdaptiveThrottle(OPTIONS, random, 100);
    for (let i = 0; i < 10; i++) expect(t.admit('a', 0)).toBe(-1);
    expect(random.calls).toBe(0);
    expect(t.probability('a', 0)).toBeCloseTo(10 / 11, 12);
    // The 11th sees 10 requests and no accept: p = 10/11; random 0 < p rejects it.
    expect(t.admit('a', 0)).toBeCloseTo(10 / 11, 12);
    expect(random.calls).toBe(1);
    expect(t.stats()).toEqual({ keys: 1, rejected: 1 });
  });

  test('the request counts before the decision of the next one; a rejected request counts too', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    feed(t, 'a', 0, 10);
    expect(t.admit('a', 0)).toBeCloseTo(10 / 11, 12);
    expect(t.admit('a', 0)).toBeCloseTo(11 / 12, 12);
    expect(t.probability('a', 0)).toBeCloseTo(12 / 13, 12);
  });

  test('a draw at or above p lets the request through', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(10 / 11), 100);
    feed(t, 'a', 0, 10);
    expect(t.admit('a', 0)).toBe(-1);
    expect(t.stats().rejected).toBe(0);
  });

  test('a backend accepting everything is never throttled (requests <= k x accepts)', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    for (let i = 0; i < 1_000; i++) {
      expect(t.admit('a', i)).toBe(-1);
      t.accept('a', i);
    }
    // Accepting half is still within k = 2.
    for (let i = 0; i < 1_000; i++) {
      expect(t.admit('b', i)).toBe(-1);
      if (i % 2 === 0) t.accept('b', i);
    }
    expect(t.probability('a', 1_000)).toBe(0);
    expect(t.probability('b', 1_000)).toBe(0);
    expect(t.stats().rejected).toBe(0);
  });

  test('matches max(0, (requests - k x accepts) / (requests + 1)) for any counts and k', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 50 }),
        (requests, acceptsRaw, k, minRequests) => {
          const accepts = Math.min(acceptsRaw, requests);
          const t = new AdaptiveThrottle({ k, windowMs: 10_000, minRequests }, fixedRandom(0.999_999_999), 10);
          feed(t, 'a', 5_000, requests, accepts);
          const expected = requests < minRequests ? 0 : formula(requests, accepts, k);
          expect(t.probability('a', 5_000)).toBeCloseTo(expected, 12);
        },
      ),
    );
  });

  test('over a seeded run the rejection rate follows the formula', () => {
    const t = new AdaptiveThrottle(OPTIONS, seededRandom(42), 100);
    let expectedSum = 0;
    let rejected = 0;
    for (let i = 0; i < 5_000; i++) {
      const p = t.probability('a', 0);
      expectedSum += p;
      if (t.admit('a', 0) !== -1) rejected++;
      // The backend accepts one request in four of those sent.
      else if (i % 4 === 0) t.accept('a', 0);
    }
    expect(rejected).toBeGreaterThan(1_000);
    expect(Math.abs(rejected - expectedSum)).toBeLessThan(4 * Math.sqrt(expectedSum));
    expect(t.stats().rejected).toBe(rejected);
  });
});

describe('AdaptiveThrottle: the window', () => {
  test('requests leave the window after windowMs: the probability drops back to 0', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    feed(t, 'a', 0, 20);
    expect(t.probability('a', 0)).toBeCloseTo(20 / 21, 12);
    expect(t.probability('a', 8_999)).toBeCloseTo(20 / 21, 12);
    expect(t.probability('a', 10_000)).toBe(0);
    // And the next requests start from an empty window: 10 pass before any rejection.
    for (let i = 0; i < 10; i++) expect(t.admit('a', 10_000)).toBe(-1);
  });

  test('only the old part expires: counts from later in the window stay', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    feed(t, 'a', 0, 20);
    feed(t, 'a', 6_000, 10, 2);
    // 30 requests, 2 accepts.
    expect(t.probability('a', 6_000)).toBeCloseTo(formula(30, 2, 2), 12);
    // The 20 from t=0 are gone; the 10 (2 accepted) from t=6000 remain.
    expect(t.probability('a', 10_000)).toBeCloseTo(formula(10, 2, 2), 12);
    expect(t.probability('a', 15_000)).toBeCloseTo(formula(10, 2, 2), 12);
    expect(t.probability('a', 16_000)).toBe(0);
  });

  test('a long idle gap clears everything, however long', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    feed(t, 'a', 0, 50);
    expect(t.probability('a', 1e12)).toBe(0);
    feed(t, 'a', 1e12, 10);
    expect(t.probability('a', 1e12)).toBeCloseTo(10 / 11, 12);
  });

  test('an accept for an unknown key is ignored (no window created)', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    t.accept('ghost', 0);
    expect(t.stats().keys).toBe(0);
    expect(t.probability('ghost', 0)).toBe(0);
  });

  test('setOptions: the same windowMs keeps the counts under the new k; a new windowMs starts afresh', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    feed(t, 'a', 0, 20, 5);
    expect(t.probability('a', 0)).toBeCloseTo(formula(20, 5, 2), 12);
    t.setOptions({ k: 3, windowMs: 10_000, minRequests: 10 }, 100);
    expect(t.probability('a', 0)).toBeCloseTo(formula(20, 5, 3), 12);
    t.setOptions({ k: 3, windowMs: 20_000, minRequests: 10 }, 100);
    expect(t.probability('a', 0)).toBe(0);
    expect(t.stats().keys).toBe(0);
  });

  test('setOptions: a higher minRequests applies at once', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    feed(t, 'a', 0, 20);
    t.setOptions({ ...OPTIONS, minRequests: 21 }, 100);
    expect(t.probability('a', 0)).toBe(0);
    expect(t.admit('a', 0)).toBe(-1);
    expect(t.admit('a', 0)).toBeCloseTo(21 / 22, 12);
  });
});

describe('AdaptiveThrottle: keys', () => {
  test('each key has its own window', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 100);
    feed(t, 'down', 0, 20);
    feed(t, 'up', 0, 20, 20);
    expect(t.probability('down', 0)).toBeCloseTo(20 / 21, 12);
    expect(t.probability('up', 0)).toBe(0);
    expect(t.admit('up', 0)).toBe(-1);
  });

  test('the number of keys is capped: past maxKeys a key is dropped', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 3);
    for (let i = 0; i < 10; i++) feed(t, `k${i}`, 0, 15);
    expect(t.stats().keys).toBe(3);
    // The first keys were forgotten; the last three are kept.
    expect(t.probability('k0', 0)).toBe(0);
    expect(t.probability('k9', 0)).toBeGreaterThan(0);
    expect(t.probability('k8', 0)).toBeGreaterThan(0);
    expect(t.probability('k7', 0)).toBeGreaterThan(0);
  });

  test('the key cap drops the least recently used key, like the breaker registry (a busy key is kept)', () => {
    const t = new AdaptiveThrottle(OPTIONS, fixedRandom(0), 2);
    // `hot` is the struggling backend being throttled; `cold` was used once.
    feed(t, 'hot', 0, 20);
    feed(t, 'cold', 0, 1);
    // `hot` is used again, after `cold`.
    feed(t, 'hot', 0, 1);
    const before = t.probability('hot', 0);
    expect(before).toBeCloseTo(21 / 22, 12);
    // A third key: the least recently used one (`cold`) should go, not `hot`.
    feed(t, 'new', 0, 1);
    expect(t.stats().keys).toBe(2);
    expect(t.probability('hot', 0)).toBeCloseTo(before, 12);
  });
});
