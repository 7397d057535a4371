/** The pure hedging rules: how a failure weighs in a race, what is pushback, when one more copy may go. */
import { failureWeight, hedgeRoom, isPushback } from '../../lib/hedge/hedge-policy.js';
import { DEFAULT_RETRY } from '../../lib/retry/retry-options.js';
import type { AttemptEnd } from '../../lib/retry/retry-policy.js';

const response = (status: number, retryAfter?: string): AttemptEnd => ({ kind: 'response', status, retryAfter, date: undefined });

describe('failureWeight', () => {
  test('a listed failure is retryable: the next copy may go at once', () => {
    expect(failureWeight(DEFAULT_RETRY, response(502), true)).toBe('retryable');
    expect(failureWeight(DEFAULT_RETRY, { kind: 'error', code: 'ECONNRESET' }, true)).toBe('retryable');
    expect(failureWeight(DEFAULT_RETRY, { kind: 'invalid-response' }, true)).toBe('retryable');
  });

  test('an unlisted failure is final, unless retryIf may still call it retryable', () => {
    expect(failureWeight(DEFAULT_RETRY, response(404), true)).toBe('final');
    expect(failureWeight(DEFAULT_RETRY, { kind: 'error', code: 'ERR_BAD_OPTION' }, true)).toBe('final');
    expect(failureWeight(DEFAULT_RETRY, response(502), false)).toBe('final');
    expect(failureWeight({ ...DEFAULT_RETRY, retryIf: () => true }, response(404), true)).toBe('undecided');
  });
});

describe('isPushback', () => {
  test('429, 503 and any Retry-After', () => {
    expect(isPushback(response(429))).toBe(true);
    expect(isPushback(response(503))).toBe(true);
    expect(isPushback(response(500, '2'))).toBe(true);
    expect(isPushback(response(500))).toBe(false);
    expect(isPushback(response(502, undefined))).toBe(false);
    expect(isPushback({ kind: 'error', code: 'ETIMEDOUT' })).toBe(false);
    expect(isPushback({ kind: 'invalid-response' })).toBe(false);
  });
});

describe('hedgeRoom', () => {
  const room = { hedges: 0, maxHedges: 1, attempts: 1, maxAttempts: 3, pushback: false, remainingMs: 1_000 };
  test('hedges, attempts and time left, no pushback', () => {
    expect(hedgeRoom(room)).toBe(true);
    expect(hedgeRoom({ ...room, hedges: 1 })).toBe(false);
    expect(hedgeRoom({ ...room, attempts: 3 })).toBe(false);
    expect(hedgeRoom({ ...room, pushback: true })).toBe(false);
    expect(hedgeRoom({ ...room, remainingMs: 0 })).toBe(false);
  });
});
