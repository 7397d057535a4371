import fc from 'fast-check';
import { applyJitter, backoffDelay, baseDelay } from '../../lib/retry/backoff.js';
import type { BackoffFunction, BackoffType, Jitter, ResolvedBackoff } from '../../lib/retry/backoff.js';
import { ConfigError } from '../../lib/common/config-error.js';
import { seededRandom } from '../helpers/fake-clock.js';

type DeterministicType = Exclude<BackoffType, 'decorrelated'>;

/** Just below 1: the largest value a `[0, 1)` source can return. */
const ALMOST_ONE = 1 - Number.EPSILON / 2;
/** Relative slack for floating-point rounding in bound checks. */
const EPS = 1e-9;

const constant = (value: number) => (): number => value;
const noRandom = (): number => {
  throw new Error('random() must not be called');
};

function options(overrides: Partial<ResolvedBackoff> = {}): ResolvedBackoff {
  return { type: 'exponential', baseMs: 100, factor: 2, maxMs: 30_000, jitter: 'none', ...overrides };
}

describe('baseDelay', () => {
  it.each<[DeterministicType, number, number, number[]]>([
    ['exponential', 100, 2, [100, 200, 400, 800, 1600, 3200]],
    ['exponential', 100, 1.5, [100, 150, 225, 337.5, 506.25, 759.375]],
    ['exponential', 100, 1, [100, 100, 100, 100, 100, 100]],
    ['linear', 100, 2, [100, 200, 300, 400, 500, 600]],
    ['constant', 100, 2, [100, 100, 100, 100, 100, 100]],
    ['fibonacci', 100, 2, [100, 200, 300, 500, 800, 1300]],
    ['fibonacci', 1, 2, [1, 2, 3, 5, 8, 13]],
  ])('%s(baseMs %d, factor %d) for attempts 1..6', (type, baseMs, factor, expected) => {
    expect(expected.map((_, i) => baseDelay(type, baseMs, factor, i + 1))).toEqual(expected);
  });

  it('continues the Fibonacci sequence', () => {
    expect(baseDelay('fibonacci', 1, 1, 10)).toBe(89);
    expect(baseDelay('fibonacci', 1, 1, 30)).toBe(1_346_269);
  });

  it.each<DeterministicType>(['exponential', 'linear', 'constant', 'fibonacci'])(
    '%s saturates instead of producing NaN for huge attempts',
    (type) => {
      for (const attempt of [1_000, 5_000, 1e6]) {
        const d = baseDelay(type, 100, 10, attempt);
        expect(Number.isNaN(d)).toBe(false);
        expect(d).toBeGreaterThanOrEqual(100);
        expect(baseDelay(type, 0, 10, attempt)).toBe(0);
      }
    },
  );

  it('reaches Infinity (not NaN) when the curve overflows', () => {
    expect(baseDelay('exponential', 1, 2, 5_000)).toBe(Infinity);
    expect(baseDelay('fibonacci', 1, 1, 5_000)).toBe(Infinity);
  });
});

describe('applyJitter', () => {
  it.each<[Jitter, number, number, number]>([
    // jitter, random() value, delay in, delay out
    ['none', 0, 1000, 1000],
    ['none', 0.5, 1000, 1000],
    ['none', ALMOST_ONE, 1000, 1000],
    ['full', 0, 1000, 0],
    ['full', 0.5, 1000, 500],
    ['full', ALMOST_ONE, 1000, 1000 * ALMOST_ONE],
    ['equal', 0, 1000, 500],
    ['equal', 0.5, 1000, 750],
    ['equal', ALMOST_ONE, 1000, 500 + 500 * ALMOST_ONE],
    [0.2, 0, 1000, 800],
    [0.2, 0.5, 1000, 1000],
    [0.2, ALMOST_ONE, 1000, 1000 * (0.8 + 0.4 * ALMOST_ONE)],
    [1, 0, 1000, 0],
    [1, 0.5, 1000, 1000],
    [1, ALMOST_ONE, 1000, 2000 * ALMOST_ONE],
  ])('%s with random() = %d maps %d to %d', (jitter, r, delayMs, expected) => {
    expect(applyJitter(delayMs, jitter, constant(r))).toBeCloseTo(expected, 9);
  });

  it('never exceeds the upper bound for random() just below 1', () => {
    expect(applyJitter(1000, 'full', constant(ALMOST_ONE))).toBeLessThan(1000);
    // d/2 + (1 - 2^-53) * d/2 rounds to d: the bound is inclusive.
    expect(applyJitter(1000, 'equal', constant(ALMOST_ONE))).toBeLessThanOrEqual(1000);
    expect(applyJitter(1000, 0.5, constant(ALMOST_ONE))).toBeLessThanOrEqual(1500);
  });

  it("never passes d with 'equal' jitter, subnormal delays included (the halves round up)", () => {
    const d = 15 * Number.MIN_VALUE; // d/2 rounds up to 8 x MIN_VALUE
    expect(applyJitter(d, 'equal', constant(ALMOST_ONE))).toBeLessThanOrEqual(d);
  });

  it("does not consume randomness for 'none'", () => {
    expect(applyJitter(123, 'none', noRandom)).toBe(123);
  });
});

describe('backoffDelay with deterministic types', () => {
  it.each<[DeterministicType, number[]]>([
    ['exponential', [100, 200, 400, 800, 1000, 1000]],
    ['linear', [100, 200, 300, 400, 500, 600]],
    ['constant', [100, 100, 100, 100, 100, 100]],
    ['fibonacci', [100, 200, 300, 500, 800, 1000]],
  ])("%s with jitter 'none' and maxMs 1000", (type, expected) => {
    const opts = options({ type, maxMs: 1000 });
    const delays = expected.map((_, i) => backoffDelay(opts, i + 1, 0, noRandom, undefined)[0]);
    expect(delays).toEqual(expected);
  });

  it('returns the carry unchanged', () => {
    expect(backoffDelay(options(), 3, 42, noRandom, undefined)).toEqual([400, 42]);
    expect(backoffDelay(options({ jitter: 'full' }), 3, 7.5, constant(0.5), null)).toEqual([200, 7.5]);
  });

  it('caps before jittering: full jitter of a capped exponential is U(0, maxMs)', () => {
    const opts = options({ jitter: 'full', maxMs: 1000 });
    expect(backoffDelay(opts, 20, 0, constant(0.5), undefined)[0]).toBe(500);
    expect(backoffDelay(opts, 20, 0, constant(0), undefined)[0]).toBe(0);
  });

  it('caps after jittering too', () => {
    const opts = options({ jitter: 0.5, maxMs: 1000 });
    expect(backoffDelay(opts, 20, 0, constant(ALMOST_ONE), undefined)[0]).toBe(1000);
    expect(backoffDelay(opts, 20, 0, constant(0), undefined)[0]).toBe(500);
  });

  it('gives maxMs for attempt 5000 of every type, and 0 when baseMs or maxMs is 0', () => {
    for (const type of ['exponential', 'linear', 'fibonacci'] as const) {
      expect(backoffDelay(options({ type, factor: 10 }), 5_000, 0, noRandom, undefined)).toEqual([30_000, 0]);
      expect(backoffDelay(options({ type, baseMs: 0 }), 5_000, 0, constant(0.5), undefined)[0]).toBe(0);
      expect(backoffDelay(options({ type, maxMs: 0, jitter: 1 }), 5_000, 0, constant(0.5), undefined)[0]).toBe(0);
    }
  });

  it('maps a NaN from jitter arithmetic to 0 rather than returning NaN', () => {
    // Only reachable with maxMs = Infinity: full jitter of Infinity with random() = 0.
    const opts = options({ jitter: 'full', maxMs: Infinity });
    expect(backoffDelay(opts, 5_000, 0, constant(0), undefined)[0]).toBe(0);
  });
});

describe('backoffDelay with decorrelated jitter (Polly V2)', () => {
  const decorrelated = (baseMs: number, maxMs: number): ResolvedBackoff =>
    options({ type: 'decorrelated', baseMs, maxMs, jitter: 'full' });

  /** Polly's formula, written out independently. */
  function pollyNext(attempt: number, r: number): number {
    const t = attempt - 1 + r;
    return Math.pow(2, t) * Math.tanh(Math.sqrt(4 * t));
  }

  it('matches the reference formula and threads the carry', () => {
    const opts = decorrelated(1000, 1e12);
    const rs = [0.3, 0.9, 0.1, 0.5];
    let carry = 0;
    rs.forEach((r, i) => {
      const [delayMs, next] = backoffDelay(opts, i + 1, carry, constant(r), undefined);
      expect(next).toBeCloseTo(pollyNext(i + 1, r), 12);
      expect(delayMs).toBeCloseTo(((next - carry) / 1.4) * 1000, 6);
      carry = next;
    });
  });

  it('gives 0 for attempt 1 with random() = 0, and ignores the jitter option', () => {
    expect(backoffDelay(decorrelated(1000, 1e6), 1, 0, constant(0), undefined)).toEqual([0, 0]);
    const none = options({ type: 'decorrelated', baseMs: 1000, maxMs: 1e6, jitter: 'none' });
    expect(backoffDelay(none, 2, 1, constant(0.25), undefined)).toEqual(
      backoffDelay(decorrelated(1000, 1e6), 2, 1, constant(0.25), undefined),
    );
  });

  it('caps at maxMs and never returns NaN once 2^t overflows', () => {
    const opts = decorrelated(100, 5000);
    let carry = 0;
    for (let attempt = 1; attempt <= 1100; attempt++) {
      const [delayMs, next] = backoffDelay(opts, attempt, carry, constant(0.5), undefined);
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(5000);
      if (attempt > 20) expect(delayMs).toBe(5000);
      carry = next;
    }
    expect(carry).toBe(Infinity);
    expect(backoffDelay(opts, 5_000, Infinity, constant(0.5), undefined)).toEqual([5000, Infinity]);
  });

  it('never yields NaN with an infinite carry, even with baseMs 0', () => {
    expect(backoffDelay(decorrelated(0, 5000), 5_000, Infinity, constant(0.5), undefined)).toEqual([0, Infinity]);
    expect(backoffDelay(decorrelated(0, 5000), 3, Infinity, constant(0.5), undefined)[0]).toBe(0);
    expect(backoffDelay(decorrelated(100, 5000), 3, Infinity, constant(0.5), undefined)[0]).toBe(0);
  });

  it('stays finite and within [0, maxMs] over long seeded sequences', () => {
    const outOfRange: string[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed);
      const maxMs = 1000 * seed;
      const opts = decorrelated(10 * seed, maxMs);
      let carry = 0;
      for (let attempt = 1; attempt <= 1200; attempt++) {
        const [delayMs, next] = backoffDelay(opts, attempt, carry, random, undefined);
        if (!(Number.isFinite(delayMs) && delayMs >= 0 && delayMs <= maxMs)) {
          outOfRange.push(`seed ${seed} attempt ${attempt}: ${delayMs}`);
        }
        carry = next;
      }
    }
    expect(outOfRange).toEqual([]);
  });

  it('has a median first delay close to baseMs', () => {
    const baseMs = 1000;
    const opts = decorrelated(baseMs, 1e12);
    const firsts: number[] = [];
    for (let seed = 1; seed <= 2001; seed++) {
      firsts.push(backoffDelay(opts, 1, 0, seededRandom(seed), undefined)[0]);
    }
    firsts.sort((a, b) => a - b);
    const median = firsts[1000];
    expect(median).toBeGreaterThan(0.6 * baseMs);
    expect(median).toBeLessThan(1.6 * baseMs);
  });

  it('has medians near baseMs * 2^(attempt - 2) from the third attempt on (1, 2, 4, 8 s for 1 s)', () => {
    const baseMs = 1000;
    const opts = decorrelated(baseMs, 1e12);
    for (let attempt = 3; attempt <= 6; attempt++) {
      const delays: number[] = [];
      for (let seed = 1; seed <= 501; seed++) {
        const random = seededRandom(seed);
        let carry = 0;
        let delayMs = 0;
        for (let n = 1; n <= attempt; n++) [delayMs, carry] = backoffDelay(opts, n, carry, random, undefined);
        delays.push(delayMs);
      }
      const ratio = delays.sort((a, b) => a - b)[250] / (baseMs * 2 ** (attempt - 2));
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.25);
    }
  });
});

describe('backoffDelay with a custom function', () => {
  const custom = <O>(fn: BackoffFunction<O>, maxMs = 10_000): ResolvedBackoff<O> => ({
    type: fn,
    baseMs: 100,
    factor: 2,
    maxMs,
    jitter: 'full',
  });

  it('passes the attempt and outcome, caps the result, and applies no jitter', () => {
    const calls: [number, string][] = [];
    const fn = (attempt: number, outcome: string): number => {
      calls.push([attempt, outcome]);
      return attempt * 1000;
    };
    expect(backoffDelay(custom(fn), 3, 9, noRandom, 'boom')).toEqual([3000, 9]);
    expect(backoffDelay(custom(fn, 2500), 3, 0, noRandom, 'again')).toEqual([2500, 0]);
    expect(calls).toEqual([
      [3, 'boom'],
      [3, 'again'],
    ]);
  });

  it('accepts 0 and caps Infinity', () => {
    expect(backoffDelay(custom(() => 0), 1, 0, noRandom, undefined)[0]).toBe(0);
    expect(backoffDelay(custom(() => Infinity), 1, 0, noRandom, undefined)[0]).toBe(10_000);
  });

  it.each<[string, unknown, string]>([
    ['NaN', NaN, 'NaN'],
    ['a negative number', -1, '-1'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['a string', '100', '"100"'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an object', { ms: 1 }, 'an object'],
  ])('throws a ConfigError when it returns %s', (_, returned, rendered) => {
    const fn = (() => returned) as BackoffFunction;
    let error: unknown;
    try {
      backoffDelay(custom(fn), 1, 0, noRandom, undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      path: 'retry.backoff.type',
      value: returned,
      message: `retry.backoff.type must be a function returning a number of milliseconds >= 0, got ${rendered}`,
    });
  });

  it("rethrows the function's own error unchanged", () => {
    const boom = new RangeError('user bug');
    const fn: BackoffFunction = () => {
      throw boom;
    };
    expect(() => backoffDelay(custom(fn), 1, 0, noRandom, undefined)).toThrow(boom);
  });
});

describe('backoffDelay properties', () => {
  const deterministicType = fc.constantFrom<DeterministicType>('exponential', 'linear', 'constant', 'fibonacci');
  const jitter = fc.oneof(
    fc.constantFrom<Jitter>('none', 'full', 'equal'),
    fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
  );
  const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  /** The documented jitter bounds around d' = min(d, maxMs), capped at maxMs. */
  function bounds(j: Jitter, capped: number, maxMs: number): [number, number] {
    switch (j) {
      case 'none':
        return [capped, capped];
      case 'full':
        return [0, capped];
      case 'equal':
        return [capped / 2, capped];
      default:
        return [Math.min(maxMs, capped * (1 - j)), Math.min(maxMs, capped * (1 + j))];
    }
  }

  it('is finite, within [0, maxMs] and within the jitter bounds of min(d, maxMs)', () => {
    fc.assert(
      fc.property(
        deterministicType,
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        jitter,
        fc.integer({ min: 1, max: 10_000 }),
        unit,
        (type, baseMs, factor, maxMs, j, attempt, r) => {
          const opts: ResolvedBackoff = { type, baseMs, factor, maxMs, jitter: j };
          const [delayMs, carry] = backoffDelay(opts, attempt, 0, constant(r), undefined);
          const capped = Math.min(baseDelay(type, baseMs, factor, attempt), maxMs);
          const [low, high] = bounds(j, capped, maxMs);
          expect(Number.isFinite(delayMs)).toBe(true);
          expect(delayMs).toBeGreaterThanOrEqual(0);
          expect(delayMs).toBeLessThanOrEqual(maxMs);
          expect(delayMs).toBeGreaterThanOrEqual(low - EPS * low);
          expect(delayMs).toBeLessThanOrEqual(high + EPS * high);
          expect(carry).toBe(0);
        },
      ),
    );
  });

  it('is finite and within [0, maxMs] for decorrelated sequences', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(unit, { minLength: 1, maxLength: 20 }),
        (baseMs, maxMs, start, rs) => {
          const opts: ResolvedBackoff = { type: 'decorrelated', baseMs, factor: 2, maxMs, jitter: 'none' };
          let carry = 0;
          rs.forEach((r, i) => {
            const [delayMs, next] = backoffDelay(opts, start + i, carry, constant(r), undefined);
            expect(Number.isFinite(delayMs)).toBe(true);
            expect(delayMs).toBeGreaterThanOrEqual(0);
            expect(delayMs).toBeLessThanOrEqual(maxMs);
            expect(Number.isNaN(next)).toBe(false);
            carry = next;
          });
        },
      ),
    );
  });

  it('is pure: the same inputs give the same output', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BackoffType>('exponential', 'linear', 'constant', 'fibonacci', 'decorrelated'),
        jitter,
        fc.integer({ min: 1, max: 2_000 }),
        unit,
        (type, j, attempt, r) => {
          const opts = options({ type, jitter: j });
          expect(backoffDelay(opts, attempt, 1, constant(r), undefined)).toEqual(
            backoffDelay(opts, attempt, 1, constant(r), undefined),
          );
        },
      ),
    );
  });
});
