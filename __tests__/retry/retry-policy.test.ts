import { backoffDelay } from '../../lib/retry/backoff.js';
import type { FailureReason } from '../../lib/report/errors.js';
import { resolveOptions } from '../../lib/options.js';
import type { ResolvedRetry, RetryOptions, RetryOutcome } from '../../lib/options.js';
import { decideRetry } from '../../lib/retry/retry-policy.js';
import type { AttemptEnd, Decision, DecisionInput } from '../../lib/retry/retry-policy.js';
import { seededRandom } from '../helpers/fake-clock.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);

function retryWith(options: RetryOptions = {}): ResolvedRetry {
  const r = resolveOptions({ retry: { backoff: { jitter: 'none' }, ...options } }).retry;
  if (r === undefined) throw new Error('retry off');
  return r;
}

const RETRY = retryWith();

const response = (status: number, retryAfter?: unknown, date?: unknown): AttemptEnd => ({ kind: 'response', status, retryAfter, date });
const error = (code: string | undefined): AttemptEnd => ({ kind: 'error', code });

function input(over: Partial<DecisionInput> = {}, outcome: Partial<RetryOutcome> = {}): DecisionInput {
  return {
    retry: RETRY,
    end: response(503),
    outcome: { method: 'GET', url: 'https://api.example/x', attempt: 1, ...outcome },
    idempotent: true,
    replayable: true,
    remainingMs: 1_000_000,
    nowEpochMs: NOW,
    carry: 0,
    random: () => {
      throw new Error('random() must not be called');
    },
    ...over,
  };
}

const stop = (reason: FailureReason): Decision => ({ retry: false, reason });
const go = (delayMs: number, retryAfterMs?: number, carry = 0): Decision => ({ retry: true, delayMs, retryAfterMs, carry });

describe('decideRetry', () => {
  describe('1. final ends pass their reason through', () => {
    it.each<FailureReason>(['aborted', 'circuit-open', 'bulkhead-full', 'throttled', 'deadline', 'retry-budget'])('%s', (reason) => {
      const retryIf = jest.fn(() => true);
      const end: AttemptEnd = { kind: 'final', reason };
      expect(decideRetry(input({ end, retry: retryWith({ retryIf }) }))).toEqual(stop(reason));
      expect(decideRetry(input({ end, retry: undefined, replayable: false }))).toEqual(stop(reason));
      expect(retryIf).not.toHaveBeenCalled();
    });
  });

  describe('2. retry off or a body that cannot be replayed', () => {
    it('never retries when retry is undefined', () => {
      expect(decideRetry(input({ retry: undefined }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry: undefined, end: error('ECONNRESET') }))).toEqual(stop('not-retryable'));
    });

    it('never re-sends a non-replayable body, whatever retryIf says', () => {
      const retryIf = jest.fn(() => true);
      expect(decideRetry(input({ replayable: false, retry: retryWith({ retryIf }) }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ replayable: false }, { attempt: 3 }))).toEqual(stop('not-retryable'));
      expect(retryIf).not.toHaveBeenCalled();
    });
  });

  describe('3. the last attempt', () => {
    it('is exhausted when the outcome would have been retried', () => {
      expect(decideRetry(input({}, { attempt: 3 }))).toEqual(stop('exhausted'));
      expect(decideRetry(input({ end: error('ETIMEDOUT') }, { attempt: 3 }))).toEqual(stop('exhausted'));
      expect(decideRetry(input({ retry: retryWith({ maxAttempts: 1 }) }))).toEqual(stop('exhausted'));
    });

    it('is not-retryable when the outcome is not retried anyway', () => {
      expect(decideRetry(input({ end: response(400) }, { attempt: 3 }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ end: error('EFOO') }, { attempt: 3 }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ idempotent: false }, { attempt: 3 }))).toEqual(stop('not-retryable'));
    });

    it('is exhausted when retryIf made an unlisted outcome retryable', () => {
      const retry = retryWith({ retryIf: () => true });
      expect(decideRetry(input({ retry, end: response(400) }, { attempt: 2 }))).toEqual(go(200));
      // the same outcome, attempts used up: the call was retried and ran out of attempts
      expect(decideRetry(input({ retry, end: response(400) }, { attempt: 3 }))).toEqual(stop('exhausted'));
    });

    it('is not-retryable when retryIf refused a listed outcome', () => {
      const retry = retryWith({ retryIf: () => false });
      expect(decideRetry(input({ retry }, { attempt: 1 }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry }, { attempt: 3 }))).toEqual(stop('not-retryable'));
    });
  });

  describe('4. method, status and error code lists', () => {
    it('does not retry a non-idempotent request', () => {
      expect(decideRetry(input({ idempotent: false }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ idempotent: false, end: error('ECONNRESET') }))).toEqual(stop('not-retryable'));
    });

    it.each([408, 429, 500, 502, 503, 504])('retries status %d by default', (status) => {
      expect(decideRetry(input({ end: response(status) }))).toEqual(go(100));
    });

    it.each([200, 400, 401, 404, 409, 501, 505])('does not retry status %d by default', (status) => {
      expect(decideRetry(input({ end: response(status) }))).toEqual(stop('not-retryable'));
    });

    it.each(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_NETWORK'])(
      'retries error code %s by default', (code) => {
        expect(decideRetry(input({ end: error(code) }))).toEqual(go(100));
      });

    it('does not retry an unlisted or missing error code', () => {
      expect(decideRetry(input({ end: error('ERR_BAD_REQUEST') }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ end: error(undefined) }))).toEqual(stop('not-retryable'));
    });

    it('uses the configured lists', () => {
      const retry = retryWith({ statusCodes: [418], errorCodes: ['ECUSTOM'] });
      expect(decideRetry(input({ retry, end: response(418) }))).toEqual(go(100));
      expect(decideRetry(input({ retry, end: response(503) }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry, end: error('ECUSTOM') }))).toEqual(go(100));
      expect(decideRetry(input({ retry, end: error('ECONNRESET') }))).toEqual(stop('not-retryable'));
    });
  });

  describe('5. retryIf', () => {
    it('true retries an unlisted outcome, even a non-idempotent one', () => {
      const retry = retryWith({ retryIf: () => true });
      expect(decideRetry(input({ retry, end: response(400) }))).toEqual(go(100));
      expect(decideRetry(input({ retry, idempotent: false }))).toEqual(go(100));
      expect(decideRetry(input({ retry, end: error(undefined) }))).toEqual(go(100));
    });

    it('false refuses a listed outcome', () => {
      const retry = retryWith({ retryIf: () => false });
      expect(decideRetry(input({ retry }))).toEqual(stop('not-retryable'));
      expect(decideRetry(input({ retry, end: error('ECONNRESET') }))).toEqual(stop('not-retryable'));
    });

    it('undefined keeps the built-in decision', () => {
      const retry = retryWith({ retryIf: () => undefined });
      expect(decideRetry(input({ retry }))).toEqual(go(100));
      expect(decideRetry(input({ retry, end: response(400) }))).toEqual(stop('not-retryable'));
    });

    it('receives the outcome', () => {
      const retryIf = jest.fn(() => undefined);
      const i = input({ retry: retryWith({ retryIf }) }, { method: 'PUT', attempt: 2 });
      decideRetry(i);
      expect(retryIf).toHaveBeenCalledTimes(1);
      expect(retryIf).toHaveBeenCalledWith(i.outcome);
    });
  });

  describe('6. the delay: Retry-After over backoff', () => {
    it('uses backoff when there is no Retry-After', () => {
      expect(decideRetry(input({}, { attempt: 1 }))).toEqual(go(100));
      expect(decideRetry(input({}, { attempt: 2 }))).toEqual(go(200));
      const full = resolveOptions({ retry: {} }).retry!;
      expect(decideRetry(input({ retry: full, random: () => 0.5 }, { attempt: 2 }))).toEqual(go(100));
    });

    it('waits the delta-seconds of Retry-After, keeping the carry', () => {
      expect(decideRetry(input({ end: response(503, '3'), carry: 42 }))).toEqual(go(3_000, 3_000, 42));
      expect(decideRetry(input({ end: response(429, '0') }))).toEqual(go(0, 0));
      expect(decideRetry(input({ end: response(503, ['2', '9']) }))).toEqual(go(2_000, 2_000));
    });

    it('waits until the HTTP-date of Retry-After, measured against the Date header when present', () => {
      const at = new Date(NOW + 5_000).toUTCString();
      expect(decideRetry(input({ end: response(503, at) }))).toEqual(go(5_000, 5_000));
      const serverNow = new Date(NOW + 2_000).toUTCString();
      expect(decideRetry(input({ end: response(503, at, serverNow) }))).toEqual(go(3_000, 3_000));
    });

    it.each<[string, unknown]>([
      ['a past date', new Date(NOW - 5_000).toUTCString()],
      ['a negative delta', '-3'],
      ['garbage', 'soon'],
      ['an empty value', ''],
      ['no header', undefined],
    ])('falls back to backoff for %s', (_name, value) => {
      expect(decideRetry(input({ end: response(503, value) }, { attempt: 2 }))).toEqual(go(200));
    });

    it("fails at once with 'retry-after-too-long' past retryAfter.maxMs", () => {
      expect(decideRetry(input({ end: response(503, '61') }))).toEqual(stop('retry-after-too-long'));
      expect(decideRetry(input({ end: response(503, '60') }))).toEqual(go(60_000, 60_000));
      const retry = retryWith({ retryAfter: { maxMs: 500 } });
      expect(decideRetry(input({ retry, end: response(503, '1') }))).toEqual(stop('retry-after-too-long'));
    });

    it('checks retryAfter.maxMs before the time budget', () => {
      expect(decideRetry(input({ end: response(503, '120'), remainingMs: 10 }))).toEqual(stop('retry-after-too-long'));
    });

    it('ignores Retry-After when respect is false', () => {
      const retry = retryWith({ retryAfter: { respect: false } });
      expect(decideRetry(input({ retry, end: response(503, '3') }))).toEqual(go(100));
      expect(decideRetry(input({ retry, end: response(503, '3600') }))).toEqual(go(100));
    });

    it('only applies to responses', () => {
      expect(decideRetry(input({ end: error('ECONNRESET') }, { attempt: 3 }))).toEqual(stop('exhausted'));
      expect(decideRetry(input({ end: error('ECONNRESET') }, { attempt: 2 }))).toEqual(go(200));
    });

    it('calls a custom backoff with the attempt and the outcome', () => {
      const type = jest.fn((attempt: number) => attempt * 7);
      const i = input({ retry: retryWith({ backoff: { type } }) }, { attempt: 2 });
      expect(decideRetry(i)).toEqual(go(14));
      expect(type).toHaveBeenCalledWith(2, i.outcome);
    });

    it('threads the carry through decorrelated backoff', () => {
      const retry = retryWith({ backoff: { type: 'decorrelated', baseMs: 100, maxMs: 1e9 } });
      const rnd = seededRandom(7);
      const expectRnd = seededRandom(7);
      let carry = 0;
      let expectedCarry = 0;
      // maxAttempts is 3: attempts 1 and 2 may be retried; the carry still moves on each call
      for (const attempt of [1, 2, 2, 2]) {
        const i = input({ retry, random: rnd, carry }, { attempt });
        const d = decideRetry(i);
        const [delayMs, next] = backoffDelay(retry.backoff, attempt, expectedCarry, expectRnd, i.outcome);
        expect(d).toEqual(go(delayMs, undefined, next));
        expect(next).not.toBe(expectedCarry);
        if (!d.retry) throw new Error('expected a retry');
        carry = d.carry;
        expectedCarry = next;
      }
    });
  });

  describe('7. the time budget', () => {
    it("stops with 'deadline' when the wait would use up the time left", () => {
      expect(decideRetry(input({ remainingMs: 100 }))).toEqual(stop('deadline'));
      expect(decideRetry(input({ remainingMs: 99 }))).toEqual(stop('deadline'));
      expect(decideRetry(input({ remainingMs: 101 }))).toEqual(go(100));
      expect(decideRetry(input({ remainingMs: -5 }))).toEqual(stop('deadline'));
    });

    it('applies to a Retry-After wait too', () => {
      expect(decideRetry(input({ end: response(503, '2'), remainingMs: 1_500 }))).toEqual(stop('deadline'));
      expect(decideRetry(input({ end: response(503, '2'), remainingMs: 2_001 }))).toEqual(go(2_000, 2_000));
    });

    it('never retries with a zero delay and no time left', () => {
      expect(decideRetry(input({ end: response(503, '0'), remainingMs: 0 }))).toEqual(stop('deadline'));
    });
  });
});
