/**
 * The errors a call fails with that the library makes itself: built here,
 * without a stack (its frames would all be ours, and capturing them is most of
 * what a local refusal costs; axios appends the caller's frames anyway).
 */
import { AxiosError } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { BulkheadFullError, CircuitOpenError, DeadlineExceededError, ThrottledError } from './errors.js';
import { define } from './log-form.js';

/** `code` of the error a response turns into when `retry.validateResponse` rejects it. */
export const ERR_BAD_RESPONSE_BODY = 'ERR_BAD_RESPONSE_BODY';

function withoutStack<T>(make: () => T): T {
  // V8's knob (Node, Chromium); elsewhere setting it is harmless.
  const E = Error as unknown as { stackTraceLimit: number | undefined };
  const limit = E.stackTraceLimit;
  E.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    E.stackTraceLimit = limit;
  }
}

/** An open breaker refused the attempt; `cause`: the call's last error, if any. */
export function circuitOpenError(key: string, remainingMs: number, config: InternalAxiosRequestConfig | undefined, cause: unknown): CircuitOpenError {
  const err = withoutStack(() => new CircuitOpenError(key, remainingMs, config));
  if (cause !== undefined) define(err, 'cause', cause, false);
  return err;
}

/** The call's time budget ran out; `cause` and `response`: the last attempt's, if any. */
export function deadlineError(
  totalMs: number, config: InternalAxiosRequestConfig | undefined, cause: unknown, response: AxiosResponse | undefined,
): DeadlineExceededError {
  return withoutStack(() => new DeadlineExceededError(totalMs, config, cause, response));
}

/** The bulkhead's slots and queue are full. */
export function bulkheadFullError(max: number, queue: number, config: InternalAxiosRequestConfig | undefined): BulkheadFullError {
  return withoutStack(() => new BulkheadFullError(max, queue, config));
}

/** Adaptive throttling refused the attempt. */
export function throttledError(key: string, probability: number, config: InternalAxiosRequestConfig | undefined): ThrottledError {
  return withoutStack(() => new ThrottledError(key, probability, config));
}

/** An attempt ran past its own limit: what axios itself would raise for its `timeout`. */
export function attemptTimeoutError(timeoutMs: number, config: InternalAxiosRequestConfig | undefined): AxiosError {
  return withoutStack(() => new AxiosError(`timeout of ${timeoutMs}ms exceeded`, AxiosError.ETIMEDOUT, config));
}

/** A response `retry.validateResponse` rejected: a failed attempt carrying the response. */
export function invalidResponseError(response: AxiosResponse): AxiosError {
  return new AxiosError('Response rejected by retry.validateResponse', ERR_BAD_RESPONSE_BODY, response.config, response.request, response);
}

/** The error axios would have raised for `response`, had `validateStatus` not let it through. */
export function statusError(response: AxiosResponse): AxiosError {
  const code = response.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
  return new AxiosError(`Request failed with status code ${response.status}`, code, response.config, response.request, response);
}
