/**
 * Error classes, codes and guards. Every rejection is an `AxiosError` (or the
 * caller's own `CanceledError`); our subclasses cover only conditions we create
 * (an open breaker, a spent budget, a local refusal). Serialising any of them
 * (`JSON.stringify(err)`, `err.toJSON()`) redacts secrets.
 */
import { AxiosError, isAxiosError } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { SENSITIVE_HEADERS, redactConfig, redactHeaders } from './redact.js';

/** Why a call failed; also in `failure` events. */
export type FailureReason =
  | 'exhausted'
  | 'not-retryable'
  | 'deadline'
  | 'circuit-open'
  | 'aborted'
  | 'retry-after-too-long'
  | 'retry-budget'
  | 'bulkhead-full'
  | 'throttled';

/** Attached to every rejection as `err.resilience`. */
export interface ResilienceInfo {
  /** Attempts sent (refused ones not counted). */
  readonly attempts: number;
  readonly elapsedMs: number;
  readonly reason: FailureReason;
}

/** An error as a `ResilientClient` rejects with it: `err.resilience` says how the call went. */
export type WithResilience<E = AxiosError> = E & { resilience?: ResilienceInfo };

/** `err.resilience` when `err` came from a `ResilientClient`, else undefined. */
export function resilienceOf(err: unknown): ResilienceInfo | undefined {
  return (err as WithResilience<object> | null)?.resilience;
}

export const ERR_CIRCUIT_OPEN = 'ERR_CIRCUIT_OPEN';
export const ERR_DEADLINE_EXCEEDED = 'ERR_DEADLINE_EXCEEDED';
export const ERR_BULKHEAD_FULL = 'ERR_BULKHEAD_FULL';
export const ERR_THROTTLED = 'ERR_THROTTLED';

const DEFAULT_SENSITIVE: ReadonlySet<string> = new Set(SENSITIVE_HEADERS);
const SENSITIVE = Symbol('resilient-axios.sensitive');

type Sensitive = { [SENSITIVE]?: ReadonlySet<string> };

function sensitiveOf(err: object): ReadonlySet<string> {
  return (err as Sensitive)[SENSITIVE] ?? DEFAULT_SENSITIVE;
}

/** The redacted serialisation of an AxiosError (ours or axios's own): its `toJSON`. */
function redactedJSON(this: AxiosError): Record<string, unknown> {
  return toRedactedJSON(this, sensitiveOf(this));
}

function toRedactedJSON(err: AxiosError, sensitive: ReadonlySet<string>): Record<string, unknown> {
  const json = AxiosError.prototype.toJSON.call(err) as Record<string, unknown>;
  json.config = redactConfig(json.config, sensitive);
  if (err.response !== undefined) {
    json.response = { status: err.response.status, statusText: err.response.statusText, headers: redactHeaders(err.response.headers, sensitive) };
  }
  const info = resilienceOf(err);
  if (info !== undefined) json.resilience = info;
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    json.cause = isAxiosError(cause)
      ? toRedactedJSON(cause, (cause as Sensitive)[SENSITIVE] ?? sensitive)
      : { name: cause.name, message: cause.message, code: (cause as { code?: unknown }).code };
  }
  return json;
}

/**
 * Makes `JSON.stringify(err)` / `err.toJSON()` redact secrets, without changing
 * `err.config` (the request really sent them). Returns `err`.
 */
export function protectError<E>(err: E, sensitive: ReadonlySet<string>): E {
  if (isAxiosError(err)) {
    Object.defineProperty(err, SENSITIVE, { value: sensitive, configurable: true, writable: true });
    Object.defineProperty(err, 'toJSON', { value: redactedJSON, configurable: true, writable: true });
  }
  return err;
}

const VIEW_SKIPPED = new Set(['config', 'request', 'response', 'toJSON']);

/**
 * A redacted stand-in for `err` for event payloads: same class (so
 * `instanceof`, `isAxiosError`, `code`, `status` and `response.status` work),
 * with config and headers redacted and the raw request dropped.
 */
export function errorView(err: unknown, sensitive: ReadonlySet<string>): unknown {
  if (!isAxiosError(err)) return err;
  const view = Object.create(Object.getPrototypeOf(err) as object) as Record<string | symbol, unknown>;
  for (const key of Object.keys(err)) {
    if (!VIEW_SKIPPED.has(key)) view[key] = (err as unknown as Record<string, unknown>)[key];
  }
  const hidden = { configurable: true, writable: true, enumerable: false };
  // Formatting a stack is costly: read it from the error only when somebody asks.
  Object.defineProperty(view, 'stack', {
    configurable: true,
    enumerable: false,
    get: () => err.stack,
    set(value: unknown) {
      Object.defineProperty(view, 'stack', { ...hidden, value });
    },
  });
  Object.defineProperty(view, SENSITIVE, { ...hidden, value: sensitive });
  const config = redactConfig(err.config, sensitive);
  view.config = config;
  if (err.response !== undefined) {
    const r = err.response;
    view.response = { status: r.status, statusText: r.statusText, headers: redactHeaders(r.headers, sensitive), data: r.data as unknown, config };
  }
  if (err.cause !== undefined) Object.defineProperty(view, 'cause', { ...hidden, value: errorView(err.cause, sensitive) });
  Object.defineProperty(view, 'toJSON', { ...hidden, value: redactedJSON });
  return view;
}

/** Base of the errors this library creates: literal `name` and `code`, redacting `toJSON`. */
export abstract class ResilientAxiosError extends AxiosError {}
Object.defineProperty(ResilientAxiosError.prototype, 'toJSON', { value: redactedJSON, configurable: true, writable: true });

/** A breaker is OPEN (or HALF_OPEN with every trial in flight): nothing was sent. */
export class CircuitOpenError extends ResilientAxiosError {
  override readonly name = 'CircuitOpenError';
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
  override readonly name = 'DeadlineExceededError';
  declare readonly code: typeof ERR_DEADLINE_EXCEEDED;
  /** The budget that was exceeded, in ms. */
  readonly totalMs: number;

  constructor(totalMs: number, config?: InternalAxiosRequestConfig, cause?: unknown, response?: AxiosResponse) {
    super(`Deadline of ${totalMs} ms exceeded`, ERR_DEADLINE_EXCEEDED, config, undefined, response);
    this.totalMs = totalMs;
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, configurable: true, writable: true, enumerable: false });
  }
}

/** The bulkhead's slots and queue are full: nothing was sent. */
export class BulkheadFullError extends ResilientAxiosError {
  override readonly name = 'BulkheadFullError';
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
  override readonly name = 'ThrottledError';
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
