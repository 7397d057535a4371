/**
 * Error classes, codes and guards. Every rejection is an `AxiosError` (or the
 * caller's own `CanceledError`); our subclasses cover only conditions we create
 * (an open breaker, a spent budget, a local refusal). Making a rejection safe
 * to log is `./safe-error.ts`'s concern.
 */
import { AxiosError, isAxiosError } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { RetryStopReason } from '../retry/retry-policy.js';
import { compactToJSON, define, hideRequestData } from './log-form.js';

/**
 * Why a call failed; also in `failure` events: why the retry decision said no
 * (`'not-retryable'`, `'exhausted'`, `'retry-after-too-long'`, `'deadline'`,
 * `'circuit-open'`), or the caller's abort, or a local refusal.
 */
export type FailureReason = RetryStopReason | 'aborted' | 'retry-budget' | 'bulkhead-full' | 'throttled';

/** Attached to every rejection as `err.resilience`. */
export interface ResilienceInfo {
  /** Attempts sent (refused ones not counted). */
  readonly attempts: number;
  /** From the start of the call to its rejection, in ms (client clock). */
  readonly elapsedMs: number;
  /** Why the call failed. */
  readonly reason: FailureReason;
}

/**
 * An error as a `ResilientClient` rejects with it: `err.resilience` says how
 * the call went; an AxiosError also carries the request's upper-case `method`
 * and its redacted `url` (see `protectError`).
 */
export type WithResilience<E = AxiosError> = E & {
  /** How the call went: attempts, elapsed time, reason. */
  resilience?: ResilienceInfo;
  /** The request's method, upper case (AxiosErrors only). */
  method?: string;
  /** The request's full URL (`baseURL` and `params` included), secrets redacted (AxiosErrors only). */
  url?: string
};

/** `err.resilience` when `err` came from a `ResilientClient`, else undefined. */
export function resilienceOf(err: unknown): ResilienceInfo | undefined {
  return (err as WithResilience<object> | null)?.resilience;
}

/** `code` of a {@link CircuitOpenError}. */
export const ERR_CIRCUIT_OPEN = 'ERR_CIRCUIT_OPEN';
/** `code` of a {@link DeadlineExceededError}. */
export const ERR_DEADLINE_EXCEEDED = 'ERR_DEADLINE_EXCEEDED';
/** `code` of a {@link BulkheadFullError}. */
export const ERR_BULKHEAD_FULL = 'ERR_BULKHEAD_FULL';
/** `code` of a {@link ThrottledError}. */
export const ERR_THROTTLED = 'ERR_THROTTLED';

/**
 * Base of the errors this library creates: literal `name` and `code`; safe to
 * log from birth (`config`, `request` and `response` non-enumerable, a compact
 * `toJSON` without config or body).
 */
export abstract class ResilientAxiosError extends AxiosError {
  constructor(message?: string, code?: string, config?: InternalAxiosRequestConfig, request?: unknown, response?: AxiosResponse) {
    super(message, code, config, request, response);
    const hidden = Object.create(null) as PropertyDescriptorMap;
    hideRequestData(this, hidden);
    Object.defineProperties(this, hidden);
  }
}
Object.defineProperty(ResilientAxiosError.prototype, 'toJSON', { value: compactToJSON, configurable: true, writable: true });

/** A breaker is OPEN (or HALF_OPEN with every trial in flight): nothing was sent. */
export class CircuitOpenError extends ResilientAxiosError {
  /** Always `'CircuitOpenError'`. */
  override readonly name = 'CircuitOpenError';
  /** Always `'ERR_CIRCUIT_OPEN'` ({@link ERR_CIRCUIT_OPEN}). */
  declare readonly code: typeof ERR_CIRCUIT_OPEN;
  /** The breaker's key. */
  readonly key: string;
  /** ms until a trial call is let through; 0 when HALF_OPEN's trials are all in flight. */
  readonly remainingMs: number;

  constructor(key: string, remainingMs: number, config?: InternalAxiosRequestConfig) {
    super(`Circuit open for ${key}: retry in ${Math.ceil(remainingMs)} ms`, ERR_CIRCUIT_OPEN, config);
    this.key = key;
    this.remainingMs = remainingMs;
  }
}

/** The call's time budget (`timeBudget.totalMs`) ran out, during an attempt or before a wait. */
export class DeadlineExceededError extends ResilientAxiosError {
  /** Always `'DeadlineExceededError'`. */
  override readonly name = 'DeadlineExceededError';
  /** Always `'ERR_DEADLINE_EXCEEDED'` ({@link ERR_DEADLINE_EXCEEDED}). */
  declare readonly code: typeof ERR_DEADLINE_EXCEEDED;
  /** The budget that was exceeded, in ms. */
  readonly totalMs: number;

  constructor(totalMs: number, config?: InternalAxiosRequestConfig, cause?: unknown, response?: AxiosResponse) {
    super(`Deadline of ${totalMs} ms exceeded`, ERR_DEADLINE_EXCEEDED, config, undefined, response);
    this.totalMs = totalMs;
    if (cause !== undefined) define(this, 'cause', cause, false);
  }
}

/** The bulkhead's slots and queue are full: nothing was sent. */
export class BulkheadFullError extends ResilientAxiosError {
  /** Always `'BulkheadFullError'`. */
  override readonly name = 'BulkheadFullError';
  /** Always `'ERR_BULKHEAD_FULL'` ({@link ERR_BULKHEAD_FULL}). */
  declare readonly code: typeof ERR_BULKHEAD_FULL;

  /** Calls allowed in flight. */
  readonly max: number;
  /** Calls allowed to wait. */
  readonly queue: number;

  constructor(max: number, queue: number, config?: InternalAxiosRequestConfig) {
    super(`Bulkhead full: ${max} calls in flight and ${queue} waiting`, ERR_BULKHEAD_FULL, config);
    this.max = max;
    this.queue = queue;
  }
}

/** Adaptive throttling refused the call locally: nothing was sent. */
export class ThrottledError extends ResilientAxiosError {
  /** Always `'ThrottledError'`. */
  override readonly name = 'ThrottledError';
  /** Always `'ERR_THROTTLED'` ({@link ERR_THROTTLED}). */
  declare readonly code: typeof ERR_THROTTLED;

  /** The backend key (as the breaker's). */
  readonly key: string;
  /** The rejection probability that applied. */
  readonly probability: number;

  constructor(key: string, probability: number, config?: InternalAxiosRequestConfig) {
    super(`Throttled locally: ${key} is rejecting requests (p=${probability.toFixed(2)})`, ERR_THROTTLED, config);
    this.key = key;
    this.probability = probability;
  }
}

function hasCode(err: unknown, code: string): boolean {
  return isAxiosError(err) && err.code === code;
}

/** True for a {@link CircuitOpenError}, from either module build (checks `code`, not `instanceof`). */
export const isCircuitOpenError = (err: unknown): err is CircuitOpenError => hasCode(err, ERR_CIRCUIT_OPEN);
/** True for a {@link DeadlineExceededError}, from either module build. */
export const isDeadlineExceededError = (err: unknown): err is DeadlineExceededError => hasCode(err, ERR_DEADLINE_EXCEEDED);
/** True for a {@link BulkheadFullError}, from either module build. */
export const isBulkheadFullError = (err: unknown): err is BulkheadFullError => hasCode(err, ERR_BULKHEAD_FULL);
/** True for a {@link ThrottledError}, from either module build. */
export const isThrottledError = (err: unknown): err is ThrottledError => hasCode(err, ERR_THROTTLED);
