/**
 * The retry decision: one ordered, total function from what an attempt
 * produced to `{ retry: true, delayMs }` or `{ retry: false, reason }`. Every
 * row that can stop a retry is here, in this order:
 *
 * 1. retry off, or a body that cannot be sent again: `not-retryable`;
 * 2. an attempt is left: `exhausted` (or `not-retryable` for an outcome
 *    row 3 would refuse anyway: not listed, and no `retryIf` to ask);
 * 3. the outcome is retryable: a listed status or error code (an invalid
 *    response included) for a method that may be retried (or a request that
 *    never left the client, whatever its method), unless `retryIf` says
 *    otherwise: `not-retryable`;
 * 4. the delay: `Retry-After` (with its jitter) over backoff; a `Retry-After`
 *    past `retryAfter.maxMs`: `retry-after-too-long`;
 * 5. the wait ends before the deadline: `deadline`;
 * 6. the breaker lets a trial through by the end of the wait: `circuit-open`.
 *
 * The retry budget comes last, in the runner (it takes a token). The caller's
 * abort and local refusals never reach the decision: they end the call first.
 * `retryIf` may return a promise, so it is asked by the runner, and only when
 * {@link shouldAskRetryIf} says an answer could matter (never when no attempt
 * is left: a predicate may have side effects).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2 (idempotent methods)
 */
import { backoffDelay } from './backoff.js';
import { jitterRetryAfter, parseRetryAfter } from './retry-after.js';
import type { ResolvedRetry, RetryOutcome } from './retry-options.js';

/** Why the decision says no; the runner adds its own reasons for the call's failure. */
export type RetryStopReason = 'not-retryable' | 'exhausted' | 'retry-after-too-long' | 'deadline' | 'circuit-open';

/** What kind of end a failed attempt had, as far as retrying is concerned. */
export type AttemptEnd =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter: unknown; readonly date: unknown }
  | { readonly kind: 'error'; readonly code: string | undefined }
  /** `retry.validateResponse` said no: retried like a listed status. */
  | { readonly kind: 'invalid-response' };

export interface DecisionInput {
  readonly retry: ResolvedRetry | false;
  readonly end: AttemptEnd;
  /** What the attempt produced (given to custom backoff functions); `outcome.attempt` is the attempt that ended. */
  readonly outcome: RetryOutcome;
  /** Method in `retry.methods`, or POST/PATCH carrying an idempotency key. */
  readonly idempotent: boolean;
  /** The request body can be sent again. */
  readonly replayable: boolean;
  /** Time left in the call's budget, in ms. */
  readonly remainingMs: number;
  /** Wall-clock now, for `Retry-After` dates. */
  readonly nowEpochMs: number;
  /** ms until the call's breaker lets a trial through (0 when it would now). */
  readonly breakerOpenMs: number;
  /** Backoff state from the previous decision (0 at first). */
  readonly backoffState: number;
  readonly random: () => number;
}

export type Decision =
  | { readonly retry: true; readonly delayMs: number; readonly retryAfterMs: number | undefined; readonly backoffState: number }
  | { readonly retry: false; readonly reason: RetryStopReason };

/**
 * Error codes of a request that never left the client (refused connection,
 * failed DNS lookup): retried whatever the method, when they are in
 * `retry.errorCodes`, since the server saw nothing.
 */
export const NEVER_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EAI_FAIL', 'EAI_NODATA']);

const STOP = {
  'not-retryable': { retry: false, reason: 'not-retryable' },
  exhausted: { retry: false, reason: 'exhausted' },
  'retry-after-too-long': { retry: false, reason: 'retry-after-too-long' },
  deadline: { retry: false, reason: 'deadline' },
  'circuit-open': { retry: false, reason: 'circuit-open' },
} as const satisfies Record<RetryStopReason, Decision>;

/** Row 2 without `retryIf`: the lists say this outcome may be retried. */
export function isListed(retry: ResolvedRetry, end: AttemptEnd, idempotent: boolean): boolean {
  if (end.kind === 'response') return idempotent && retry.statusCodes.has(end.status);
  if (end.kind === 'invalid-response') return idempotent;
  const code = end.code;
  return code !== undefined && retry.errorCodes.has(code) && (idempotent || NEVER_SENT_CODES.has(code));
}

/** Whether `retryIf` is to be asked: retry on, a replayable body, an attempt left, and a predicate set. */
export function shouldAskRetryIf(input: DecisionInput): boolean {
  const retry = input.retry;
  return retry !== false && retry.retryIf !== undefined && input.replayable && input.outcome.attempt < retry.maxAttempts;
}

/**
 * Decides whether to retry and after how long. Pure.
 * @param verdict what `retryIf` answered (awaited), or undefined when not asked or it had no opinion.
 */
export function decideRetry(input: DecisionInput, verdict: boolean | undefined): Decision {
  const { retry, end, outcome } = input;
  if (retry === false || !input.replayable) return STOP['not-retryable'];
  const listed = isListed(retry, end, input.idempotent);
  if (outcome.attempt >= retry.maxAttempts) {
    // `retryIf` is not asked when no attempt is left: with one, the attempts ran out.
    return listed || retry.retryIf !== undefined ? STOP.exhausted : STOP['not-retryable'];
  }
  if (!(verdict ?? listed)) return STOP['not-retryable'];

  let retryAfterMs: number | undefined;
  if (retry.retryAfter.respect && end.kind === 'response') {
    retryAfterMs = parseRetryAfter(end.retryAfter, input.nowEpochMs, end.date);
    if (retryAfterMs !== undefined && (retryAfterMs > retry.retryAfter.maxMs || retryAfterMs === Infinity)) return STOP['retry-after-too-long'];
  }
  let delayMs: number;
  let backoffState = input.backoffState;
  if (retryAfterMs !== undefined) delayMs = jitterRetryAfter(retryAfterMs, input.random);
  else [delayMs, backoffState] = backoffDelay(retry.backoff, outcome.attempt, backoffState, input.random, outcome);
  if (delayMs >= input.remainingMs) return STOP.deadline;
  if (input.breakerOpenMs > delayMs) return STOP['circuit-open'];
  return { retry: true, delayMs, retryAfterMs, backoffState };
}
