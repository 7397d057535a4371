/** The token quota (the AWS SDKs' standard retry mode), through the interface the call runner uses. */
import fc from 'fast-check';
import { DEFAULT_RETRY_BUDGET } from '../../lib/gates/gate-options.js';
import type { ResolvedRatioBudget, ResolvedTokenBudget } from '../../lib/gates/gate-options.js';
import { createRetryBudget, RETRY_REFUSED } from '../../lib/gates/retry-budget.js';
import type { RetryBudget, TokenBudgetStats } from '../../lib/gates/retry-budget.js';

const quota = (options: Partial<Omit<ResolvedTokenBudget, 'type'>> = {}): ResolvedTokenBudget => ({ ...DEFAULT_RETRY_BUDGET, ...options });

function tokens(b: RetryBudget): number {
  return (b.stats(0) as TokenBudgetStats).tokens;
}

/** Takes retries until refused; returns how many were allowed. */
function drain(b: RetryBudget, timedOut = false): number {
  let n = 0;
  while (n < 100_000 && b.tryRetry(0, timedOut) !== RETRY_REFUSED) n++;
  return n;
}

describe('token retry budget', () => {
  it('starts full, with the SPEC defaults', () => {
    expect(DEFAULT_RETRY_BUDGET).toEqual({ type: 'tokens', capacity: 500, retryCost: 5, timeoutCost: 10, successRefund: 1 });
    const b = createRetryBudget(DEFAULT_RETRY_BUDGET);
    expect(b.options).toBe(DEFAULT_RETRY_BUDGET);
    expect(b.stats(0)).toEqual({ type: 'tokens', tokens: 500, capacity: 500, refused: 0 });
  });

  it('a dead backend empties it after capacity / retryCost retries (100), then refuses every retry', () => {
    const b = createRetryBudget(DEFAULT_RETRY_BUDGET);
    for (let i = 0; i < 1_000; i++) b.recordCall(i);
    expect(drain(b)).toBe(100);
    expect(b.stats(0)).toEqual({ type: 'tokens', tokens: 0, capacity: 500, refused: 1 });
    for (let i = 0; i < 1_000; i++) b.recordCall(i); // calls alone refill nothing
    expect(b.tryRetry(1_000, false)).toBe(RETRY_REFUSED);
    expect((b.stats(0) as TokenBudgetStats).refused).toBe(2);
  });

  it('a retry after a timeout costs timeoutCost (50 of them empty it)', () => {
    const b = createRetryBudget(DEFAULT_RETRY_BUDGET);
    expect(b.tryRetry(0, true)).toBe(10);
    expect(tokens(b)).toBe(490);
    expect(b.tryRetry(0, false)).toBe(5);
    expect(tokens(b)).toBe(485);
    expect(drain(b, true)).toBe(48); // ends with a refusal: 5 left, not enough after a timeout...
    expect(b.stats(0)).toEqual({ type: 'tokens', tokens: 5, capacity: 500, refused: 1 });
    expect(b.tryRetry(0, false)).toBe(5); // ...enough after a fast failure
    expect(b.stats(0)).toEqual({ type: 'tokens', tokens: 0, capacity: 500, refused: 1 });
  });

  it('a first-attempt success returns successRefund, never above capacity', () => {
    const b = createRetryBudget(quota({ capacity: 20 }));
    b.onSuccess(0, 0);
    expect(tokens(b)).toBe(20);
    drain(b);
    expect(tokens(b)).toBe(0);
    for (let i = 0; i < 7; i++) b.onSuccess(0, 0);
    expect(tokens(b)).toBe(7);
    expect(b.tryRetry(0, false)).toBe(5);
    for (let i = 0; i < 100; i++) b.onSuccess(0, 0);
    expect(tokens(b)).toBe(20);
  });

  it('a success after retries returns what its last retry took (not successRefund)', () => {
    const b = createRetryBudget(DEFAULT_RETRY_BUDGET);
    const first = b.tryRetry(0, false);
    const last = b.tryRetry(0, true);
    expect([first, last, tokens(b)]).toEqual([5, 10, 485]);
    b.onSuccess(0, last);
    expect(tokens(b)).toBe(495); // the first retry's 5 stay spent
    b.onSuccess(0, 5);
    expect(tokens(b)).toBe(500);
    b.onSuccess(0, 10);
    expect(tokens(b)).toBe(500);
  });

  it('successRefund 0: only retried successes refill', () => {
    const b = createRetryBudget(quota({ capacity: 10, successRefund: 0 }));
    drain(b);
    b.onSuccess(0, 0);
    expect(tokens(b)).toBe(0);
    b.onSuccess(0, 5);
    expect(tokens(b)).toBe(5);
  });

  it('holds for every sequence: 0 <= tokens <= capacity, a retry is granted iff its cost is in the bucket, refunds as specified', () => {
    type Op = { kind: 'call' } | { kind: 'retry'; timedOut: boolean } | { kind: 'success'; retried: boolean };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ kind: 'call' }),
      fc.boolean().map<Op>((timedOut) => ({ kind: 'retry', timedOut })),
      fc.boolean().map<Op>((retried) => ({ kind: 'success', retried })),
    );
    const optionsArb = fc.record({
      capacity: fc.integer({ min: 1, max: 60 }),
      retryCost: fc.integer({ min: 1, max: 12 }),
      timeoutCost: fc.integer({ min: 1, max: 20 }),
      successRefund: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(optionsArb, fc.array(opArb, { maxLength: 300 }), (o, ops) => {
        const b = createRetryBudget({ type: 'tokens', ...o });
        let model = o.capacity;
        let refused = 0;
        let lastTaken = 0;
        for (const op of ops) {
          if (op.kind === 'call') b.recordCall(0);
          else if (op.kind === 'retry') {
            const cost = op.timedOut ? o.timeoutCost : o.retryCost;
            const taken = b.tryRetry(0, op.timedOut);
            if (model >= cost) {
              if (taken !== cost) return false;
              model -= cost;
              lastTaken = cost;
            } else {
              if (taken !== RETRY_REFUSED) return false;
              refused++;
            }
          } else {
            const last = op.retried ? lastTaken : 0;
            b.onSuccess(0, last);
            model = Math.min(o.capacity, model + (last > 0 ? last : o.successRefund));
          }
          const s = b.stats(0) as TokenBudgetStats;
          if (s.tokens !== model || s.tokens < 0 || s.tokens > o.capacity || s.refused !== refused) return false;
        }
        return true;
      }),
      { seed: 0x70c3, numRuns: 500 },
    );
  });

  describe('withOptions', () => {
    it('keeps the tokens spent and the refusals: a full bucket stays full under a new capacity', () => {
      const b = createRetryBudget(DEFAULT_RETRY_BUDGET);
      expect(createRetryBudget(DEFAULT_RETRY_BUDGET).withOptions(quota({ capacity: 1_000 })).stats(0)).toMatchObject({ tokens: 1_000 });
      drain(b); // ends with a refusal
      b.onSuccess(0, 0); // 1 token
      const bigger = b.withOptions(quota({ capacity: 1_000, retryCost: 1 }));
      expect(bigger).not.toBe(b);
      expect(bigger.stats(0)).toEqual({ type: 'tokens', tokens: 501, capacity: 1_000, refused: 1 });
      expect(bigger.tryRetry(0, false)).toBe(1);
      const smaller = b.withOptions(quota({ capacity: 100 }));
      expect(smaller.stats(0)).toEqual({ type: 'tokens', tokens: 0, capacity: 100, refused: 1 });
      expect(tokens(b)).toBe(1); // the original is untouched
    });

    it('switches to a ratio budget (fresh counts, refusals kept) and back (a full bucket)', () => {
      const b = createRetryBudget(quota({ capacity: 5 }));
      b.tryRetry(0, false);
      b.tryRetry(0, false);
      const ratio: ResolvedRatioBudget = { type: 'ratio', ratio: 0, minPerSecond: 0.1, windowMs: 10_000 };
      const r = b.withOptions(ratio);
      expect(r.options).toBe(ratio);
      expect(r.stats(0)).toEqual({ type: 'ratio', calls: 0, retries: 0, refused: 1 });
      expect(r.tryRetry(0, false)).toBe(1);
      expect(r.tryRetry(0, false)).toBe(RETRY_REFUSED);
      const back = r.withOptions(DEFAULT_RETRY_BUDGET);
      expect(back.stats(0)).toEqual({ type: 'tokens', tokens: 500, capacity: 500, refused: 2 });
    });
  });
});
