/**
 * The retry decision: one ordered, total, pure function from what an attempt
 * produced to `{ retry: true, delayMs }` or `{ retry: false, reason }`.
 *
 * Order: the caller's abort and local refusals end the call with their own
 * reason; a body that cannot be replayed is never re-sent; then method allowed
 * (or an idempotency key) and outcome retryable (status, error code, attempt
 * timeout), which `retryIf` may override ('not-retryable' when the answer is
 * no); then attempts left ('exhausted'); then the delay (`Retry-After` over
 * backoff), `retryAfter.maxMs`, and last the time budget. `retryIf` is a
 * predicate: it is asked on every failed attempt, the last one included.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2 (idempotent methods)
 */
import { backoffDelay } from './backoff.js';
import type { FailureReason } from '../report/errors.js';
import type { ResolvedRetry, RetryOutcome } from '../options.js';
import { parseRetryAfter } from './retry-after.js';

/** What kind of end an attempt had, as far as retrying is concerned. */
export type AttemptEnd =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter: unknown; readonly date: unknown }
  | { readonly kind: 'error'; readonly code: string | undefined }
  | { readonly kind: 'final'; readonly reason: FailureReason };

export interface DecisionInput {
  /** Resolved retry options; undefined when retry is off. */
  readonly retry: ResolvedRetry | undefined;
  readonly end: AttemptEnd;
  readonly outcome: RetryOutcome;
  /** Method in `retry.methods`, or POST/PATCH carrying an idempotency key. */
  readonly idempotent: boolean;
  /** The request body can be sent again. */
  readonly replayable: boolean;
  /** Time left in the call's budget, in ms. */
  readonly remainingMs: number;
  /** Wall-clock now, for `Retry-After` dates. */
  readonly nowEpochMs: number;
  /** Backoff carry from the previous decision (0 at first). */
  readonly carry: number;
  readonly random: () => number;
}

export type Decision =
  | { readonly retry: true; readonly delayMs: number; readonly retryAfterMs: number | undefined; readonly carry: number }
  | { readonly retry: false; readonly reason: FailureReason };

const stop = (reason: FailureReason): Decision => ({ retry: false, reason });

/** Whether the outcome itself is one the lists say to retry. */
function retryableEnd(retry: ResolvedRetry, end: AttemptEnd): boolean {
  if (end.kind === 'response') return retry.statusCodes.has(end.status);
  if (end.kind === 'error') return end.code !== undefined && retry.errorCodes.has(end.code);
  return false;
}

/** Decides whether to retry and after how long. Pure. */
export function decideRetry(input: DecisionInput): Decision {
  const { retry, end, outcome } = input;
  if (end.kind === 'final') return stop(end.reason);
  if (retry === undefined || !input.replayable) return stop('not-retryable');
  const listed = input.idempotent && retryableEnd(retry, end);
  const verdict = retry.retryIf === undefined ? undefined : retry.retryIf(outcome);
  if (!(typeof verdict === 'boolean' ? verdict : listed)) return stop('not-retryable');
  if (outcome.attempt >= retry.maxAttempts) return stop('exhausted');

  let retryAfterMs: number | undefined;
  if (retry.retryAfterRespect && end.kind === 'response') {
    retryAfterMs = parseRetryAfter(end.retryAfter, input.nowEpochMs, end.date);
    if (retryAfterMs !== undefined && retryAfterMs > retry.retryAfterMaxMs) return stop('retry-after-too-long');
  }
  let delayMs: number;
  let carry = input.carry;
  if (retryAfterMs !== undefined) {
    delayMs = retryAfterMs;
  } else {
    [delayMs, carry] = backoffDelay(retry.backoff, outcome.attempt, input.carry, input.random, outcome);
  }
  if (delayMs >= input.remainingMs) return stop('deadline');
  return { retry: true, delayMs, retryAfterMs, carry };
}
