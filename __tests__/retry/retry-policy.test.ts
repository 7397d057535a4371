import fc from 'fast-check';
import { backoffDelay } from '../../lib/retry/backoff.js';
import { jitterRetryAfter } from '../../lib/retry/retry-after.js';
import { DEFAULT_RETRY, resolveRetry } from '../../lib/retry/retry-options.js';
import type { ResolvedRetry, RetryOptions, RetryOutcome } from '../../lib/retry/retry-options.js';
import { NEVER_SENT_CODES, decideRetry, isListed, shouldAskRetryIf } from '../../lib/retry/retry-policy.js';
import type { AttemptEnd, Decision, DecisionInput, RetryStopReason } from '../../lib/retry/retry-policy.js';
import { seededRandom } from '../helpers/fake-clock.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);

/** Retry options over the defaults, with no jitter on backoff unless asked: delays are exact. */
function retryWith(options: RetryOptions = {}): ResolvedRetry {
  const r = resolveRetry('retry', { ...options, backoff: { jitter: 'none', ...options.backoff } }, DEFAULT_RETRY);
  if (r === false) throw new Error('retry off');
  return r;
}

const RETRY = retryWith();

const response = (status: number, retryAfter?: unknown, date?: unknown): AttemptEnd => ({ kind: 'response', status, retryAfter, date });
const error = (code: string | undefined): AttemptEnd => ({ kind: 'error', code });
const INVALID: AttemptEnd = { kind: 'invalid-response' };

const noRandom = (): number => {
  throw new Error('random() must not be called');
};
const zero = (): number => 0;

function input(over: Partial<DecisionInput> = {}, outcome: Partial<RetryOutcome> = {}): DecisionInput {
  return {
    retry: RETRY,
    end: response(503),
    outcome: { callId: 'c1', method: 'GET', url: 'https://api.example/x', attempt: 1, ...outcome },
    idempotent: true,
    replayable: true,
    remainingMs: 1_000_000,
    nowEpochMs: NOW,
    breakerOpenMs: 0,
    backoffState: 0,
    random: noRandom,
    ...over,
  };
}

const stop = (reason: RetryStopReason): Decision => ({ retry: false, reason });
const go = (delayMs: number, retryAfterMs?: number, backoffState = 0): Decision => ({ retry: true, delayMs, retryAfterMs, backoffState });

describe('decideRetry, row by row in the order of the module comment', () => {
  describe('1. retry off, or a body that cannot be sent again: not-retryable', () => {
    it('never retries when retry is off, whatever the outcome or the verdict', () => {
      expect(decideRetry(input({ retry: false }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry: false, end: error('ECONNRESET') }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry: false, end: INVALID }), true)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry: false }, { attempt: 9 }), undefined)).toEqual(stop('not-retryable'));
    });

    it('never re-sends a body that cannot be sent again, even when retryIf says yes', () => {
      const retry = retryWith({ retryIf: () => true });
      expect(decideRetry(input({ replayable: false, retry }), true)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ replayable: false }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ replayable: false, end: error('ECONNREFUSED') }, { method: 'POST' }), undefined)).toEqual(stop('not-retryable'));
    });

    it('comes before row 2: a non-replayable body on the last attempt is not-retryable, not exhausted', () => {
      expect(decideRetry(input({ replayable: false }, { attempt: 3 }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ replayable: false, retry: retryWith({ retryIf: () => true }) }, { attempt: 3 }), undefined)).toEqual(stop('not-retryable'));
    });
  });

  describe('2. no attempt left: exhausted, or not-retryable for an outcome row 3 would refuse', () => {
    it('is exhausted for a listed outcome', () => {
      expect(decideRetry(input({}, { attempt: 3 }), undefined)).toEqual(stop('exhausted'));
      expect(decideRetry(input({ end: error('ETIMEDOUT') }, { attempt: 3 }), undefined)).toEqual(stop('exhausted'));
      expect(decideRetry(input({ end: INVALID }, { attempt: 3 }), undefined)).toEqual(stop('exhausted'));
      expect(decideRetry(input({ retry: retryWith({ maxAttempts: 1 }) }), undefined)).toEqual(stop('exhausted'));
    });

    it('is exhausted past maxAttempts too (the options may have shrunk)', () => {
      expect(decideRetry(input({}, { attempt: 4 }), undefined)).toEqual(stop('exhausted'));
    });

    it('is not-retryable for an unlisted outcome when there is no retryIf', () => {
      expect(decideRetry(input({ end: response(400) }, { attempt: 3 }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ end: error('EFOO') }, { attempt: 3 }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ end: error(undefined) }, { attempt: 3 }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ idempotent: false }, { attempt: 3 }), undefined)).toEqual(stop('not-retryable'));
    });

    it('is exhausted whenever a retryIf exists, listed or not (it is not asked on the last attempt)', () => {
      const yes = retryWith({ retryIf: () => true });
      expect(decideRetry(input({ retry: yes, end: response(400) }, { attempt: 2 }), true)).toEqual(go(200));
      expect(decideRetry(input({ retry: yes, end: response(400) }, { attempt: 3 }), undefined)).toEqual(stop('exhausted'));
      const no = retryWith({ retryIf: () => false });
      expect(decideRetry(input({ retry: no, idempotent: false, end: error('EFOO') }, { attempt: 3 }), undefined)).toEqual(stop('exhausted'));
    });

    it('does not consult a verdict on the last attempt', () => {
      expect(decideRetry(input({}, { attempt: 3 }), false)).toEqual(stop('exhausted'));
      expect(decideRetry(input({ end: response(400) }, { attempt: 3 }), true)).toEqual(stop('not-retryable'));
    });

    it('comes before rows 4, 5 and 6', () => {
      const everythingElseFails = { remainingMs: 0, breakerOpenMs: 1e9, end: response(503, '3600') };
      expect(decideRetry(input(everythingElseFails, { attempt: 3 }), undefined)).toEqual(stop('exhausted'));
    });
  });

  describe('3. the outcome is retryable: listed for a retryable method, unless retryIf says otherwise', () => {
    it.each([408, 429, 500, 502, 503, 504])('retries status %d by default', (status) => {
      expect(decideRetry(input({ end: response(status) }), undefined)).toEqual(go(100));
    });

    it.each([200, 400, 401, 404, 409, 501, 505])('does not retry status %d by default', (status) => {
      expect(decideRetry(input({ end: response(status) }), undefined)).toEqual(stop('not-retryable'));
    });

    it.each(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_NETWORK'])(
      'retries error code %s by default', (code) => {
        expect(decideRetry(input({ end: error(code) }), undefined)).toEqual(go(100));
      });

    it('does not retry an unlisted or missing error code', () => {
      expect(decideRetry(input({ end: error('ERR_BAD_REQUEST') }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ end: error(undefined) }), undefined)).toEqual(stop('not-retryable'));
    });

    it('uses the configured lists', () => {
      const retry = retryWith({ statusCodes: [418], errorCodes: ['ECUSTOM'] });
      expect(decideRetry(input({ retry, end: response(418) }), undefined)).toEqual(go(100));
      expect(decideRetry(input({ retry, end: response(503) }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry, end: error('ECUSTOM') }), undefined)).toEqual(go(100));
      expect(decideRetry(input({ retry, end: error('ECONNRESET') }), undefined)).toEqual(stop('not-retryable'));
    });

    it('does not retry a listed outcome of a request that is not idempotent', () => {
      expect(decideRetry(input({ idempotent: false }, { method: 'POST' }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ idempotent: false, end: error('ECONNRESET') }, { method: 'POST' }), undefined)).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ idempotent: false, end: error('ETIMEDOUT') }, { method: 'POST' }), undefined)).toEqual(stop('not-retryable'));
    });

    describe('a request that never left the client (NEVER_SENT_CODES)', () => {
      it('lists the connection-refused and name-resolution codes', () => {
        expect([...NEVER_SENT_CODES].sort()).toEqual(['EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'ECONNREFUSED', 'ENOTFOUND']);
      });

      it.each(['ECONNREFUSED', 'EAI_AGAIN'])('retries a POST that failed with %s (listed by default)', (code) => {
        expect(decideRetry(input({ idempotent: false, end: error(code) }, { method: 'POST' }), undefined)).toEqual(go(100));
        expect(decideRetry(input({ idempotent: false, end: error(code) }, { method: 'POST', attempt: 3 }), undefined)).toEqual(stop('exhausted'));
      });

      it.each(['ENOTFOUND', 'EAI_FAIL', 'EAI_NODATA'])('retries a POST that failed with %s only once it is in errorCodes', (code) => {
        expect(decideRetry(input({ idempotent: false, end: error(code) }, { method: 'POST' }), undefined)).toEqual(stop('not-retryable'));
        const retry = retryWith({ errorCodes: [code] });
        expect(decideRetry(input({ retry, idempotent: false, end: error(code) }, { method: 'PATCH' }), undefined)).toEqual(go(100));
      });

      it('does not retry a never-sent code that was taken out of errorCodes, whatever the method', () => {
        const retry = retryWith({ errorCodes: ['ECONNRESET'] });
        expect(decideRetry(input({ retry, idempotent: false, end: error('ECONNREFUSED') }, { method: 'POST' }), undefined)).toEqual(stop('not-retryable'));
        expect(decideRetry(input({ retry, end: error('ECONNREFUSED') }), undefined)).toEqual(stop('not-retryable'));
      });
    });

    describe('an invalid response (validateResponse said no)', () => {
      it('is retried like a listed status, whatever the status lists say', () => {
        expect(decideRetry(input({ end: INVALID }), undefined)).toEqual(go(100));
        expect(decideRetry(input({ retry: retryWith({ statusCodes: [] }), end: INVALID }, { attempt: 2 }), undefined)).toEqual(go(200));
      });

      it('is not retried for a request that is not idempotent', () => {
        expect(decideRetry(input({ end: INVALID, idempotent: false }, { method: 'POST' }), undefined)).toEqual(stop('not-retryable'));
        expect(decideRetry(input({ end: INVALID, idempotent: false }, { method: 'POST', attempt: 3 }), undefined)).toEqual(stop('not-retryable'));
      });

      it('is refused by a retryIf that says no', () => {
        expect(decideRetry(input({ end: INVALID, retry: retryWith({ retryIf: () => false }) }), false)).toEqual(stop('not-retryable'));
      });
    });

    describe('the verdict of retryIf', () => {
      const retry = retryWith({ retryIf: () => undefined });

      it('true retries an unlisted outcome, even of a request that is not idempotent', () => {
        expect(decideRetry(input({ retry, end: response(400) }), true)).toEqual(go(100));
        expect(decideRetry(input({ retry, idempotent: false }), true)).toEqual(go(100));
        expect(decideRetry(input({ retry, end: error(undefined) }), true)).toEqual(go(100));
      });

      it('false refuses a listed outcome', () => {
        expect(decideRetry(input({ retry }), false)).toEqual(stop('not-retryable'));
        expect(decideRetry(input({ retry, end: error('ECONNRESET') }), false)).toEqual(stop('not-retryable'));
      });

      it('undefined (not asked, or no opinion) keeps the built-in decision', () => {
        expect(decideRetry(input({ retry }), undefined)).toEqual(go(100));
        expect(decideRetry(input({ retry, end: response(400) }), undefined)).toEqual(stop('not-retryable'));
      });
    });

    it('comes before row 4: an unlisted outcome with a long Retry-After is not-retryable', () => {
      expect(decideRetry(input({ end: response(400, '3600') }), undefined)).toEqual(stop('not-retryable'));
    });

    it('isListed agrees with the rows above', () => {
      expect(isListed(RETRY, response(503), true)).toBe(true);
      expect(isListed(RETRY, response(503), false)).toBe(false);
      expect(isListed(RETRY, INVALID, true)).toBe(true);
      expect(isListed(RETRY, INVALID, false)).toBe(false);
      expect(isListed(RETRY, error('ECONNREFUSED'), false)).toBe(true);
      expect(isListed(RETRY, error('ECONNRESET'), false)).toBe(false);
      expect(isListed(RETRY, error(undefined), true)).toBe(false);
    });
  });

  describe('4. the delay: Retry-After (with its jitter) over backoff', () => {
    it('uses backoff when there is no Retry-After', () => {
      expect(decideRetry(input({}, { attempt: 1 }), undefined)).toEqual(go(100));
      expect(decideRetry(input({}, { attempt: 2 }), undefined)).toEqual(go(200));
      const full = resolveRetry('retry', {}, DEFAULT_RETRY) as ResolvedRetry;
      expect(decideRetry(input({ retry: full, random: () => 0.5 }, { attempt: 2 }), undefined)).toEqual(go(100));
    });

    it('waits the delta-seconds of Retry-After, keeping the backoff state and reporting the value before jitter', () => {
      expect(decideRetry(input({ end: response(503, '3'), backoffState: 42, random: zero }), undefined)).toEqual(go(3_000, 3_000, 42));
      expect(decideRetry(input({ end: response(429, '0'), random: zero }), undefined)).toEqual(go(0, 0));
      expect(decideRetry(input({ end: response(503, ['2', '9']), random: zero }), undefined)).toEqual(go(2_000, 2_000));
      expect(decideRetry(input({ end: response(503, '3'), random: () => 0.5 }), undefined)).toEqual(go(3_150, 3_000));
    });

    it('waits until the HTTP-date of Retry-After, measured against the Date header when present', () => {
      const at = new Date(NOW + 5_000).toUTCString();
      expect(decideRetry(input({ end: response(503, at), random: zero }), undefined)).toEqual(go(5_000, 5_000));
      const serverNow = new Date(NOW + 2_000).toUTCString();
      expect(decideRetry(input({ end: response(503, at, serverNow), random: zero }), undefined)).toEqual(go(3_000, 3_000));
    });

    it.each<[string, unknown]>([
      ['a past date', new Date(NOW - 5_000).toUTCString()],
      ['a negative delta', '-3'],
      ['garbage', 'soon'],
      ['an empty value', ''],
      ['no header', undefined],
    ])('falls back to backoff for %s', (_name, value) => {
      expect(decideRetry(input({ end: response(503, value) }, { attempt: 2 }), undefined)).toEqual(go(200));
    });

    it('does not call the backoff function when Retry-After decides the wait', () => {
      const type = jest.fn((attempt: number) => attempt * 7);
      expect(decideRetry(input({ retry: retryWith({ backoff: { type } }), end: response(503, '1'), random: zero }), undefined)).toEqual(go(1_000, 1_000));
      expect(type).not.toHaveBeenCalled();
    });

    describe('the jitter of Retry-After', () => {
      it('adds random() x min(10% of the value, 1 s), drawing random() once', () => {
        for (const [header, ms, cap] of [['3', 3_000, 300], ['30', 30_000, 1_000], ['0', 0, 0], ['0.5', 500, 50]] as const) {
          const random = jest.fn(seededRandom(7));
          const expected = ms + seededRandom(7)() * cap;
          const d = decideRetry(input({ end: response(503, header), random }), undefined);
          expect(d).toEqual(go(expected, ms));
          expect(random).toHaveBeenCalledTimes(1);
          expect(jitterRetryAfter(ms, seededRandom(7))).toBe(expected);
        }
      });

      it('stays within [value, value + min(10%, 1 s)) for every draw', () => {
        const random = seededRandom(1234);
        for (let i = 0; i < 500; i++) {
          const seconds = i % 50;
          const ms = seconds * 1_000;
          const d = decideRetry(input({ end: response(503, String(seconds)), random }), undefined);
          if (!d.retry) throw new Error(`expected a retry for ${seconds}s`);
          expect(d.retryAfterMs).toBe(ms);
          expect(d.delayMs).toBeGreaterThanOrEqual(ms);
          if (ms > 0) expect(d.delayMs).toBeLessThan(ms + Math.min(ms * 0.1, 1_000));
          else expect(d.delayMs).toBe(0);
        }
      });

      it('spreads clients told the same value', () => {
        const delays = new Set<number>();
        const random = seededRandom(99);
        for (let i = 0; i < 20; i++) {
          const d = decideRetry(input({ end: response(503, '10'), random }), undefined);
          if (d.retry) delays.add(d.delayMs);
        }
        expect(delays.size).toBe(20);
      });
    });

    describe("'retry-after-too-long'", () => {
      it('fails at once past retryAfter.maxMs, comparing the value before jitter', () => {
        expect(decideRetry(input({ end: response(503, '61'), random: zero }), undefined)).toEqual(stop('retry-after-too-long'));
        expect(decideRetry(input({ end: response(503, '60'), random: () => 0.99 }), undefined)).toEqual(go(60_990, 60_000));
        const retry = retryWith({ retryAfter: { maxMs: 500 } });
        expect(decideRetry(input({ retry, end: response(503, '1'), random: zero }), undefined)).toEqual(stop('retry-after-too-long'));
        expect(decideRetry(input({ retry, end: response(503, '0.5'), random: zero }), undefined)).toEqual(go(500, 500));
      });

      it('is never hit with retryAfter.maxMs: Infinity', () => {
        const retry = retryWith({ retryAfter: { maxMs: Infinity } });
        expect(decideRetry(input({ retry, end: response(503, '86400'), random: zero, remainingMs: Infinity }), undefined)).toEqual(go(86_400_000, 86_400_000));
      });

      it('comes before row 5: a long Retry-After with little time left is too long, not a deadline', () => {
        expect(decideRetry(input({ end: response(503, '120'), remainingMs: 10 }), undefined)).toEqual(stop('retry-after-too-long'));
      });
    });

    it('ignores Retry-After when respect is false', () => {
      const retry = retryWith({ retryAfter: { respect: false } });
      expect(decideRetry(input({ retry, end: response(503, '3') }), undefined)).toEqual(go(100));
      expect(decideRetry(input({ retry, end: response(503, '3600') }), undefined)).toEqual(go(100));
    });

    it('only reads Retry-After on responses', () => {
      expect(decideRetry(input({ end: error('ECONNRESET') }, { attempt: 2 }), undefined)).toEqual(go(200));
      expect(decideRetry(input({ end: INVALID }, { attempt: 2 }), undefined)).toEqual(go(200));
    });

    it('calls a custom backoff with the attempt and the outcome', () => {
      const type = jest.fn((attempt: number) => attempt * 7);
      const i = input({ retry: retryWith({ backoff: { type } }) }, { attempt: 2 });
      expect(decideRetry(i, undefined)).toEqual(go(14));
      expect(type).toHaveBeenCalledWith(2, i.outcome);
    });

    it('threads the backoff state through decorrelated backoff', () => {
      const retry = retryWith({ maxAttempts: 9, backoff: { type: 'decorrelated', baseMs: 100, maxMs: 1e9 } });
      const rnd = seededRandom(7);
      const expectRnd = seededRandom(7);
      let state = 0;
      let expectedState = 0;
      for (const attempt of [1, 2, 3, 4]) {
        const i = input({ retry, random: rnd, backoffState: state }, { attempt });
        const d = decideRetry(i, undefined);
        const [delayMs, next] = backoffDelay(retry.backoff, attempt, expectedState, expectRnd, i.outcome);
        expect(d).toEqual(go(delayMs, undefined, next));
        expect(next).not.toBe(expectedState);
        if (!d.retry) throw new Error('expected a retry');
        state = d.backoffState;
        expectedState = next;
      }
    });
  });

  describe("5. the wait ends before the deadline, else 'deadline'", () => {
    it('stops when the wait would use up the time left', () => {
      expect(decideRetry(input({ remainingMs: 100 }), undefined)).toEqual(stop('deadline'));
      expect(decideRetry(input({ remainingMs: 99 }), undefined)).toEqual(stop('deadline'));
      expect(decideRetry(input({ remainingMs: 101 }), undefined)).toEqual(go(100));
      expect(decideRetry(input({ remainingMs: -5 }), undefined)).toEqual(stop('deadline'));
    });

    it('applies to a Retry-After wait, its jitter included', () => {
      expect(decideRetry(input({ end: response(503, '2'), remainingMs: 1_500, random: zero }), undefined)).toEqual(stop('deadline'));
      expect(decideRetry(input({ end: response(503, '2'), remainingMs: 2_001, random: zero }), undefined)).toEqual(go(2_000, 2_000));
      // 2000 + 0.5 x 200 = 2100 does not fit in 2001 ms
      expect(decideRetry(input({ end: response(503, '2'), remainingMs: 2_001, random: () => 0.5 }), undefined)).toEqual(stop('deadline'));
    });

    it('never retries with a zero delay and no time left', () => {
      expect(decideRetry(input({ end: response(503, '0'), remainingMs: 0, random: zero }), undefined)).toEqual(stop('deadline'));
    });

    it('comes before row 6: an open breaker and no time left is a deadline', () => {
      expect(decideRetry(input({ remainingMs: 50, breakerOpenMs: 10_000 }), undefined)).toEqual(stop('deadline'));
    });
  });

  describe("6. the breaker lets a trial through by the end of the wait, else 'circuit-open'", () => {
    it('fails when the breaker stays open longer than the wait', () => {
      expect(decideRetry(input({ breakerOpenMs: 101 }), undefined)).toEqual(stop('circuit-open'));
      expect(decideRetry(input({ breakerOpenMs: 30_000 }, { attempt: 2 }), undefined)).toEqual(stop('circuit-open'));
    });

    it('retries when the breaker opens up by the end of the wait', () => {
      expect(decideRetry(input({ breakerOpenMs: 100 }), undefined)).toEqual(go(100));
      expect(decideRetry(input({ breakerOpenMs: 99 }), undefined)).toEqual(go(100));
      expect(decideRetry(input({ breakerOpenMs: 0 }), undefined)).toEqual(go(100));
    });

    it('counts a Retry-After wait, its jitter included', () => {
      expect(decideRetry(input({ end: response(503, '5'), breakerOpenMs: 5_000, random: zero }), undefined)).toEqual(go(5_000, 5_000));
      expect(decideRetry(input({ end: response(503, '5'), breakerOpenMs: 5_200, random: () => 0.5 }), undefined)).toEqual(go(5_250, 5_000));
      expect(decideRetry(input({ end: response(503, '5'), breakerOpenMs: 5_300, random: () => 0.5 }), undefined)).toEqual(stop('circuit-open'));
    });
  });
});

describe('decideRetry: properties', () => {
  const STATUSES = [200, 204, 301, 400, 404, 408, 409, 418, 429, 500, 501, 502, 503, 504];
  const CODES = [undefined, 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_NETWORK', 'ERR_CANCELED', 'EFOO'];
  const RETRY_AFTER = [undefined, '0', '1', '2.5', '30', '61', '3600', 'soon', new Date(NOW + 4_000).toUTCString()];

  const end: fc.Arbitrary<AttemptEnd> = fc.oneof(
    fc.record({ status: fc.constantFrom(...STATUSES), retryAfter: fc.constantFrom<unknown>(...RETRY_AFTER) })
      .map(({ status, retryAfter }) => response(status, retryAfter)),
    fc.constantFrom(...CODES).map(error),
    fc.constant(INVALID),
  );

  const retry: fc.Arbitrary<ResolvedRetry | false> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<false>(false) },
    {
      weight: 6,
      arbitrary: fc.record({
        maxAttempts: fc.integer({ min: 1, max: 5 }),
        withRetryIf: fc.boolean(),
        type: fc.constantFrom('exponential', 'linear', 'constant', 'fibonacci', 'decorrelated'),
        baseMs: fc.integer({ min: 0, max: 5_000 }),
        maxMs: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.constant(Infinity)),
        jitter: fc.constantFrom<'none' | 'full' | 'equal' | number>('none', 'full', 'equal', 0.5),
        respect: fc.boolean(),
        retryAfterMax: fc.constantFrom(0, 1_000, 60_000, Infinity),
      }).map((o) => resolveRetry('retry', {
        maxAttempts: o.maxAttempts,
        ...(o.withRetryIf ? { retryIf: () => undefined } : {}),
        backoff: { type: o.type, baseMs: o.baseMs, maxMs: o.maxMs, jitter: o.jitter },
        retryAfter: { respect: o.respect, maxMs: o.retryAfterMax },
      }, DEFAULT_RETRY)),
    },
  );

  const scenario = fc.record({
    retry,
    end,
    attempt: fc.integer({ min: 1, max: 7 }),
    method: fc.constantFrom('GET', 'PUT', 'POST', 'PATCH'),
    idempotent: fc.boolean(),
    replayable: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    remainingMs: fc.oneof(fc.integer({ min: -100, max: 100_000 }), fc.constant(Infinity)),
    breakerOpenMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
    backoffState: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })),
    seed: fc.integer(),
    verdict: fc.constantFrom(true, false, undefined),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function build(s: Scenario): DecisionInput {
    return input({
      retry: s.retry, end: s.end, idempotent: s.idempotent, replayable: s.replayable,
      remainingMs: s.remainingMs, breakerOpenMs: s.breakerOpenMs, backoffState: s.backoffState, random: seededRandom(s.seed),
    }, { method: s.method, attempt: s.attempt });
  }

  it('never retries when no attempt is left', () => {
    fc.assert(fc.property(scenario, (s) => {
      fc.pre(s.retry !== false && s.attempt >= s.retry.maxAttempts);
      const d = decideRetry(build(s), s.verdict);
      return !d.retry && (d.reason === 'exhausted' || d.reason === 'not-retryable');
    }), { numRuns: 500 });
  });

  it('retries only with a delay >= 0 that ends before the deadline and after the breaker opens up', () => {
    fc.assert(fc.property(scenario, (s) => {
      const d = decideRetry(build(s), s.verdict);
      if (!d.retry) return true;
      return s.retry !== false && s.replayable && s.attempt < s.retry.maxAttempts && s.verdict !== false
        && d.delayMs >= 0 && d.delayMs < s.remainingMs && s.breakerOpenMs <= d.delayMs;
    }), { numRuns: 1_000 });
  });

  it('says not-retryable whenever retry is off or the body cannot be sent again', () => {
    fc.assert(fc.property(scenario, (s) => {
      fc.pre(s.retry === false || !s.replayable);
      expect(decideRetry(build(s), s.verdict)).toEqual(stop('not-retryable'));
    }), { numRuns: 300 });
  });

  it('puts a Retry-After wait within [value, value + min(10%, 1 s)] and never past retryAfter.maxMs', () => {
    fc.assert(fc.property(scenario, (s) => {
      const d = decideRetry(build(s), s.verdict);
      if (!d.retry || d.retryAfterMs === undefined) return true;
      const ms = d.retryAfterMs;
      return s.retry !== false && s.retry.retryAfter.respect && ms <= s.retry.retryAfter.maxMs
        && d.delayMs >= ms && d.delayMs <= ms + Math.min(ms * 0.1, 1_000);
    }), { numRuns: 1_000 });
  });

  it('is pure: the same input and the same random draws give the same decision', () => {
    fc.assert(fc.property(scenario, (s) => {
      expect(decideRetry(build(s), s.verdict)).toEqual(decideRetry(build(s), s.verdict));
    }), { numRuns: 300 });
  });

  it('a verdict of false never retries, and true retries whatever the lists when nothing else stops it', () => {
    fc.assert(fc.property(scenario, (s) => {
      fc.pre(s.retry !== false && s.replayable && s.attempt < s.retry.maxAttempts);
      const no = decideRetry(build(s), false);
      const yes = decideRetry(build({ ...s, remainingMs: Infinity, breakerOpenMs: 0 }), true);
      const retryAfterTooLong = !yes.retry && yes.reason === 'retry-after-too-long';
      return !no.retry && no.reason === 'not-retryable' && (yes.retry || retryAfterTooLong);
    }), { numRuns: 500 });
  });
});

describe('shouldAskRetryIf', () => {
  const retryIf = (): undefined => undefined;
  const withIf = retryWith({ retryIf });

  it('asks when retry is on, a predicate is set, the body can be sent again and an attempt is left', () => {
    expect(shouldAskRetryIf(input({ retry: withIf }))).toBe(true);
    expect(shouldAskRetryIf(input({ retry: withIf }, { attempt: 2 }))).toBe(true);
  });

  it('asks whatever the outcome: listed, unlisted, invalid, or a request that is not idempotent', () => {
    for (const end of [response(503), response(400), error('EFOO'), error(undefined), INVALID]) {
      expect(shouldAskRetryIf(input({ retry: withIf, end }))).toBe(true);
      expect(shouldAskRetryIf(input({ retry: withIf, end, idempotent: false }, { method: 'POST' }))).toBe(true);
    }
  });

  it('asks whatever the time left and the breaker say (the runner asks before deciding)', () => {
    expect(shouldAskRetryIf(input({ retry: withIf, remainingMs: 0, breakerOpenMs: 1e9 }))).toBe(true);
  });

  it.each<[string, DecisionInput]>([
    ['retry is off', input({ retry: false })],
    ['no predicate is set', input({ retry: RETRY })],
    ['the body cannot be sent again', input({ retry: withIf, replayable: false })],
    ['the last attempt ended', input({ retry: withIf }, { attempt: 3 })],
    ['an attempt past maxAttempts ended', input({ retry: withIf }, { attempt: 4 })],
    ['the only attempt ended', input({ retry: retryWith({ retryIf, maxAttempts: 1 }) })],
  ])('does not ask when %s', (_name, i) => {
    expect(shouldAskRetryIf(i)).toBe(false);
  });
});
