import fc from 'fast-check';
import { DEFAULT_ATTEMPT_MS, DEFAULT_TIME_BUDGET, attemptLimitMs, resolveTimeBudget } from '../../lib/time/time-budget.js';
import type { ResolvedTimeBudget } from '../../lib/time/time-budget.js';
import { configError } from '../helpers/engine-harness.js';

describe('resolveTimeBudget', () => {
  it('gives the defaults for an empty object', () => {
    const t = resolveTimeBudget('timeBudget', {}, DEFAULT_TIME_BUDGET);
    expect(t).toEqual({ totalMs: 30_000, attemptMs: undefined, propagateHeader: undefined });
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TIME_BUDGET)).toBe(true);
    expect(DEFAULT_ATTEMPT_MS).toBe(10_000);
  });

  it('resolves every field', () => {
    expect(resolveTimeBudget('timeBudget', { totalMs: 5, attemptMs: 2, propagateHeader: 'X-Deadline-Ms' }, DEFAULT_TIME_BUDGET))
      .toEqual({ totalMs: 5, attemptMs: 2, propagateHeader: 'X-Deadline-Ms' });
    expect(resolveTimeBudget('timeBudget', { totalMs: Infinity, attemptMs: Infinity }, DEFAULT_TIME_BUDGET))
      .toEqual({ totalMs: Infinity, attemptMs: Infinity, propagateHeader: undefined });
    expect(resolveTimeBudget('timeBudget', { totalMs: 0.5 }, DEFAULT_TIME_BUDGET).totalMs).toBe(0.5);
  });

  it('keeps the fields of the base it is not given', () => {
    const base = resolveTimeBudget('timeBudget', { attemptMs: 250, propagateHeader: 'X-Left' }, DEFAULT_TIME_BUDGET);
    expect(resolveTimeBudget('timeBudget', { totalMs: 1_000 }, base)).toEqual({ totalMs: 1_000, attemptMs: 250, propagateHeader: 'X-Left' });
    expect(resolveTimeBudget('timeBudget', { totalMs: undefined }, base)).toEqual(base);
  });

  it.each<[unknown, string, string]>([
    [5, 'timeBudget', 'timeBudget must be an object, got 5'],
    [null, 'timeBudget', 'timeBudget must be an object, got null'],
    [[], 'timeBudget', 'timeBudget must be an object, got an array of 0'],
    [{ totalMs: 0 }, 'timeBudget.totalMs', 'timeBudget.totalMs must be a number > 0, got 0'],
    [{ totalMs: -1 }, 'timeBudget.totalMs', 'timeBudget.totalMs must be a number > 0, got -1'],
    [{ totalMs: NaN }, 'timeBudget.totalMs', 'timeBudget.totalMs must be a number > 0, got NaN'],
    [{ totalMs: '5' }, 'timeBudget.totalMs', 'timeBudget.totalMs must be a number > 0, got "5"'],
    [{ attemptMs: 0 }, 'timeBudget.attemptMs', 'timeBudget.attemptMs must be a number > 0, got 0'],
    [{ attemptMs: -Infinity }, 'timeBudget.attemptMs', 'timeBudget.attemptMs must be a number > 0, got -Infinity'],
    [{ propagateHeader: '' }, 'timeBudget.propagateHeader', 'timeBudget.propagateHeader must be a valid HTTP header name, got ""'],
    [{ propagateHeader: 'a b' }, 'timeBudget.propagateHeader', 'timeBudget.propagateHeader must be a valid HTTP header name, got "a b"'],
    [{ total: 5 }, 'timeBudget.total', 'timeBudget.total must be one of the known options (totalMs, attemptMs, propagateHeader), got 5'],
  ])('rejects %p at %s', (raw, path, message) => {
    const err = configError(() => resolveTimeBudget('timeBudget', raw, DEFAULT_TIME_BUDGET));
    expect(err.path).toBe(path);
    expect(err.message).toBe(message);
  });

  it('names its errors under the path it is given', () => {
    expect(configError(() => resolveTimeBudget('resilience.timeBudget', { attemptMs: 0 }, DEFAULT_TIME_BUDGET)).path).toBe('resilience.timeBudget.attemptMs');
    expect(configError(() => resolveTimeBudget('resilience.timeBudget', 'x', DEFAULT_TIME_BUDGET)).message).toBe('resilience.timeBudget must be an object, got "x"');
  });
});

describe('attemptLimitMs', () => {
  const withAttempt = (attemptMs: number | undefined): ResolvedTimeBudget => ({ ...DEFAULT_TIME_BUDGET, attemptMs });

  it('gives an explicit attemptMs, whatever the axios timeout', () => {
    expect(attemptLimitMs(withAttempt(250), undefined)).toBe(250);
    expect(attemptLimitMs(withAttempt(250), 1_000)).toBe(250);
    expect(attemptLimitMs(withAttempt(250), 0)).toBe(250);
    expect(attemptLimitMs(withAttempt(Infinity), 1_000)).toBe(Infinity);
  });

  it('gives the axios timeout when one was given and attemptMs was not', () => {
    expect(attemptLimitMs(DEFAULT_TIME_BUDGET, 1_500)).toBe(1_500);
    expect(attemptLimitMs(DEFAULT_TIME_BUDGET, 50_000)).toBe(50_000);
  });

  it('reads an axios timeout of 0 as no per-attempt limit, as axios does', () => {
    expect(attemptLimitMs(DEFAULT_TIME_BUDGET, 0)).toBe(Infinity);
  });

  it('defaults to 10 s with neither', () => {
    expect(attemptLimitMs(DEFAULT_TIME_BUDGET, undefined)).toBe(10_000);
  });

  it('property: attemptMs wins, else a positive timeout, else Infinity for 0, else the default', () => {
    fc.assert(fc.property(
      fc.option(fc.double({ min: 1e-3, max: 1e9, noNaN: true }), { nil: undefined }),
      fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e9 })), { nil: undefined }),
      (attemptMs, timeout) => {
        const expected = attemptMs ?? (timeout === undefined ? DEFAULT_ATTEMPT_MS : timeout === 0 ? Infinity : timeout);
        return attemptLimitMs(withAttempt(attemptMs), timeout) === expected;
      },
    ));
  });
});
