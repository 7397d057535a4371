/**
 * What an attempt's outcome means: a success, a failure the retry decision
 * weighs, or a final end (a refusal, an abort, the deadline, an error from the
 * user's own code). Also what it tells the breaker, and what `attempt-end`
 * reports. Pure over axios's shapes; the runner applies the result.
 */
import { AxiosError, isAxiosError, isCancel } from 'axios';
import type { AxiosResponse } from 'axios';
import type { BreakerOutcome } from '../breaker/circuit-breaker.js';
import type { FailureReason } from '../report/errors.js';
import { invalidResponseError } from '../report/failures.js';
import type { ResolvedRetry } from '../retry/retry-options.js';
import type { AttemptEnd } from '../retry/retry-policy.js';
import type { AbortCause } from './call.js';

/** An attempt's outcome, classified. */
export type Closed =
  | { readonly kind: 'success' }
  | { readonly kind: 'final'; readonly reason: FailureReason; readonly error: unknown }
  | { readonly kind: 'failed'; readonly end: AttemptEnd; readonly error: unknown; readonly response: AxiosResponse | undefined; readonly timedOut: boolean };

/** The one success value (nothing allocated for a successful attempt). */
export const SUCCESS: Closed = Object.freeze({ kind: 'success' });

/** Error codes that describe our own request, not the server's health: the breaker ignores them. */
const CLIENT_SIDE_CODES: ReadonlySet<string> = new Set([
  'ERR_BAD_OPTION_VALUE', 'ERR_BAD_OPTION', 'ERR_INVALID_URL', 'ERR_NOT_SUPPORT', 'ERR_DEPRECATED', 'ERR_CANCELED',
]);

/** 408, 429 and 5xx: the server is struggling. Any other status means it is healthy. */
export function isBreakerFailure(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * A failure after the status line and headers arrived: the connection closed
 * before the whole body, which axios reports as ERR_BAD_RESPONSE 'stream has
 * been aborted' *with* `err.response`. That is a network failure (reported as
 * ECONNRESET), not the status the response announced.
 */
function bodyLost(err: AxiosError): boolean {
  return err.code === AxiosError.ERR_BAD_RESPONSE && err.message === 'stream has been aborted';
}

function headerOf(headers: unknown, name: string): unknown {
  const h = headers as { get?: (n: string) => unknown; [k: string]: unknown } | undefined;
  if (h === undefined || h === null) return undefined;
  return typeof h.get === 'function' ? h.get(name) : h[name];
}

function responseEnd(response: AxiosResponse): AttemptEnd {
  return { kind: 'response', status: response.status, retryAfter: headerOf(response.headers, 'retry-after'), date: headerOf(response.headers, 'date') };
}

/** What the breaker is told about a classified outcome. */
export function breakerOutcomeOf(closed: Closed, response: AxiosResponse | undefined, cause: AbortCause | undefined): BreakerOutcome {
  if (closed.kind === 'success') return response !== undefined && isBreakerFailure(response.status) ? 'failure' : 'success';
  if (closed.kind === 'final') return closed.reason === 'deadline' ? 'failure' : 'ignore';
  if (cause === 'attempt-timeout') return 'failure';
  const end = closed.end;
  if (end.kind === 'response') return isBreakerFailure(end.status) ? 'failure' : 'success';
  if (end.kind === 'invalid-response') return 'failure';
  return end.code !== undefined && CLIENT_SIDE_CODES.has(end.code) ? 'ignore' : 'failure';
}

/**
 * Classifies a response axios resolved with. A listed status that
 * `validateStatus` let through is a failed attempt (the call still resolves
 * with it if no retry follows); `validateResponse` saying no makes one too.
 * @throws what `validateResponse` throws (user code: the call fails with it).
 */
export function classifyResponse(retry: ResolvedRetry | false, response: AxiosResponse): Closed {
  if (retry === false) return SUCCESS;
  if (retry.statusCodes.has(response.status)) return { kind: 'failed', end: responseEnd(response), error: undefined, response, timedOut: false };
  const validate = retry.validateResponse;
  if (validate !== undefined && !validate(response)) {
    return { kind: 'failed', end: { kind: 'invalid-response' }, error: invalidResponseError(response), response: undefined, timedOut: false };
  }
  return SUCCESS;
}

/**
 * Classifies an attempt's rejection. `cause`: why we aborted it, if we did
 * (the error is then ours: a timeout, a deadline or a cancel).
 */
export function classifyError(err: unknown, cause: AbortCause | undefined): Closed {
  if (cause === 'caller' || cause === 'disposed' || cause === 'hedge-lost') return { kind: 'final', reason: 'aborted', error: err };
  if (cause === 'deadline') return { kind: 'final', reason: 'deadline', error: err };
  if (cause === 'attempt-timeout') return { kind: 'failed', end: { kind: 'error', code: AxiosError.ETIMEDOUT }, error: err, response: undefined, timedOut: true };
  if (isCancel(err)) return { kind: 'final', reason: 'aborted', error: err };
  if (!isAxiosError(err)) return { kind: 'final', reason: 'not-retryable', error: err };
  const response = err.response;
  if (response !== undefined && !bodyLost(err)) return { kind: 'failed', end: responseEnd(response), error: err, response: undefined, timedOut: false };
  const code = response !== undefined ? 'ECONNRESET' : err.code;
  return { kind: 'failed', end: { kind: 'error', code }, error: err, response: undefined, timedOut: code === AxiosError.ETIMEDOUT || code === AxiosError.ECONNABORTED };
}

/** `attempt-end`'s `outcome`, `status` and `code` for a classified outcome. */
export function endReport(closed: Closed, response: AxiosResponse | undefined, err: unknown): { outcome: 'response' | 'error' | 'aborted'; status: number | undefined; code: string | undefined } {
  if (response !== undefined) return { outcome: 'response', status: response.status, code: undefined };
  const axiosError = isAxiosError(err) ? err : undefined;
  const aborted = closed.kind === 'final' && (closed.reason === 'aborted' || closed.reason === 'deadline');
  return {
    outcome: aborted ? 'aborted' : axiosError?.response !== undefined ? 'response' : 'error',
    status: axiosError?.response?.status,
    code: closed.kind === 'failed' && closed.end.kind === 'error' ? closed.end.code : axiosError?.code,
  };
}
