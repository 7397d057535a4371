import { DEFAULT_RATIO_BUDGET, DEFAULT_RETRY_BUDGET, resolveRetryBudget } from '../../lib/gates/gate-options.js';
import type { ResolvedRetryBudget, RetryBudgetOptions } from '../../lib/gates/gate-options.js';
import { configError } from '../helpers/engine-harness.js';

const resolve = (raw: unknown, base: ResolvedRetryBudget = DEFAULT_RETRY_BUDGET): ResolvedRetryBudget | false =>
  resolveRetryBudget('retryBudget', raw, base);

const SHAPES = "a budget is { type: 'tokens', capacity, retryCost, timeoutCost, successRefund } or { type: 'ratio', ratio, minPerSecond, windowMs }";

describe('resolveRetryBudget', () => {
  it('has the SPEC defaults: a token quota, and 0.2 / 10 / 10 s for a ratio budget', () => {
    expect(DEFAULT_RETRY_BUDGET).toEqual({ type: 'tokens', capacity: 500, retryCost: 5, timeoutCost: 10, successRefund: 1 });
    expect(DEFAULT_RATIO_BUDGET).toEqual({ type: 'ratio', ratio: 0.2, minPerSecond: 10, windowMs: 10_000 });
    expect(Object.isFrozen(DEFAULT_RETRY_BUDGET) && Object.isFrozen(DEFAULT_RATIO_BUDGET)).toBe(true);
  });

  it('true, {} and only undefined fields give the base (the token default); false is off', () => {
    expect(resolve(true)).toBe(DEFAULT_RETRY_BUDGET);
    expect(resolve({})).toEqual(DEFAULT_RETRY_BUDGET);
    expect(resolve({ ratio: undefined, capacity: undefined })).toEqual(DEFAULT_RETRY_BUDGET);
    expect(resolve(false)).toBe(false);
  });

  it('token fields alone mean tokens, merged over the token defaults, frozen', () => {
    const r = resolve({ capacity: 100, timeoutCost: 20 });
    expect(r).toEqual({ type: 'tokens', capacity: 100, retryCost: 5, timeoutCost: 20, successRefund: 1 });
    expect(Object.isFrozen(r)).toBe(true);
    expect(resolve({ type: 'tokens', successRefund: 0 })).toEqual({ ...DEFAULT_RETRY_BUDGET, successRefund: 0 });
  });

  it('ratio fields alone mean ratio (a 0.1.0 config keeps working), merged over the ratio defaults', () => {
    expect(resolve({ ratio: 0.1, minPerSecond: 10, windowMs: 10_000 })).toEqual({ type: 'ratio', ratio: 0.1, minPerSecond: 10, windowMs: 10_000 });
    expect(resolve({ ratio: 0.5 })).toEqual({ ...DEFAULT_RATIO_BUDGET, ratio: 0.5 });
    expect(resolve({ type: 'ratio' })).toEqual(DEFAULT_RATIO_BUDGET);
  });

  it('over a base of the same type, merges over it; over the other type, switches (configure)', () => {
    const ratio = resolve({ ratio: 0.3, minPerSecond: 1 }) as ResolvedRetryBudget;
    expect(resolve({ windowMs: 5_000 }, ratio)).toEqual({ type: 'ratio', ratio: 0.3, minPerSecond: 1, windowMs: 5_000 });
    expect(resolve({}, ratio)).toEqual(ratio);
    expect(resolve(true, ratio)).toBe(ratio);
    expect(resolve({ capacity: 50 }, ratio)).toEqual({ ...DEFAULT_RETRY_BUDGET, capacity: 50 });
    expect(resolve({ type: 'tokens' }, ratio)).toEqual(DEFAULT_RETRY_BUDGET);
    const tokens = resolve({ capacity: 50 }) as ResolvedRetryBudget;
    expect(resolve({ retryCost: 1 }, tokens)).toEqual({ ...DEFAULT_RETRY_BUDGET, capacity: 50, retryCost: 1 });
    expect(resolve({ minPerSecond: 0 }, tokens)).toEqual({ ...DEFAULT_RATIO_BUDGET, minPerSecond: 0 });
  });

  it('the option types reject what the resolver rejects (checked by tsc)', () => {
    const ok: RetryBudgetOptions[] = [{}, { capacity: 1 }, { type: 'ratio', ratio: 0.1 }, { windowMs: 1_000 }];
    // @ts-expect-error fields of both types
    const mixed: RetryBudgetOptions = { ratio: 0.2, capacity: 5 };
    // @ts-expect-error a ratio field in a token budget
    const other: RetryBudgetOptions = { type: 'tokens', windowMs: 1_000 };
    expect(ok.map((o) => resolve(o) !== false)).toEqual([true, true, true, true]);
    expect([mixed, other].map((o) => configError(() => resolve(o)).path)).toEqual(['retryBudget.capacity', 'retryBudget.windowMs']);
  });

  it.each<[unknown, string, string]>([
    [{ ratio: 0.2, capacity: 500 }, 'retryBudget.capacity', `left out beside ratio fields (ratio); ${SHAPES}, got 500`],
    [{ windowMs: 1_000, successRefund: 1 }, 'retryBudget.successRefund', `left out beside ratio fields (windowMs); ${SHAPES}, got 1`],
    [{ type: 'tokens', ratio: 0.2 }, 'retryBudget.ratio', `left out of a 'tokens' budget; ${SHAPES}, got 0.2`],
    [{ type: 'ratio', retryCost: 5 }, 'retryBudget.retryCost', `left out of a 'ratio' budget; ${SHAPES}, got 5`],
    [{ type: 'bucket' }, 'retryBudget.type', `one of 'tokens', 'ratio', got "bucket"`],
    [{ capacity: 0 }, 'retryBudget.capacity', 'a finite number > 0, got 0'],
    [{ capacity: Infinity }, 'retryBudget.capacity', 'a finite number > 0, got Infinity'],
    [{ retryCost: 0 }, 'retryBudget.retryCost', 'a finite number > 0, got 0'],
    [{ timeoutCost: -1 }, 'retryBudget.timeoutCost', 'a finite number > 0, got -1'],
    [{ successRefund: -1 }, 'retryBudget.successRefund', 'a finite number >= 0, got -1'],
    [{ successRefund: NaN }, 'retryBudget.successRefund', 'a finite number >= 0, got NaN'],
    [{ ratio: -0.1 }, 'retryBudget.ratio', 'a finite number >= 0, got -0.1'],
    [{ minPerSecond: '10' }, 'retryBudget.minPerSecond', 'a finite number >= 0, got "10"'],
    [{ windowMs: 0 }, 'retryBudget.windowMs', 'a finite number >= 1, got 0'],
    [{ windowMs: 5e-324 }, 'retryBudget.windowMs', 'a finite number >= 1, got 5e-324'],
    [{ windowMs: 0.5 }, 'retryBudget.windowMs', 'a finite number >= 1, got 0.5'],
    [{ ratios: 0.1 }, 'retryBudget.ratios', 'one of the known options (type, capacity, retryCost, timeoutCost, successRefund, ratio, minPerSecond, windowMs), got 0.1'],
    [3, 'retryBudget', 'an object or a boolean, got 3'],
  ])('rejects %j at its path', (raw, path, expected) => {
    const err = configError(() => resolve(raw));
    expect(err.path).toBe(path);
    expect(err.message).toBe(`${path} must be ${expected}`);
  });
});
