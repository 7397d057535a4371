/**
 * The typed event map and every payload type (the emitter that isolates
 * listeners is `safe-emitter.ts`). Attempts are numbered from 1.
 */
import type { FailureReason } from './errors.js';
import type { CircuitState } from '../breaker/circuit-breaker.js';

/** What every event about one call carries. */
export interface CallEventBase {
  /** The call's id: unique within the process, the same on every event of the call. */
  readonly callId: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Request URL, secrets redacted. */
  readonly url: string;
}

/** Before every attempt. */
export interface AttemptEvent extends CallEventBase {
  /** This attempt's number; the first is 1. */
  readonly attempt: number;
  /** This call's maximum number of attempts (`retry.maxAttempts`; 1 when retry is off). */
  readonly maxAttempts: number;
  /** Effective limit of this attempt in ms: min(attemptMs, time left); Infinity when none. */
  readonly timeoutMs: number;
  /** Time left in the call's budget, in ms. */
  readonly remainingMs: number;
  /** A hedged copy (see the `hedge` event), not the first attempt nor a retry after a wait. */
  readonly hedge: boolean;
}

/** Every attempt's outcome, once per attempt. */
export interface AttemptEndEvent extends CallEventBase {
  /** The attempt that ended; the first is 1. */
  readonly attempt: number;
  /** From sending the attempt to its outcome, in ms. */
  readonly durationMs: number;
  /**
   * 'response': the server answered (any status); 'error': no usable answer; 'aborted': cut by the caller,
   * the client or a time limit, or because another attempt of the call won (`code` 'ERR_HEDGE_LOST').
   */
  readonly outcome: 'response' | 'error' | 'aborted';
  /** The response's HTTP status, when the server answered; else undefined. */
  readonly status: number | undefined;
  /** The error code (e.g. `ECONNRESET`, `ETIMEDOUT`, `ERR_BAD_RESPONSE`), when the attempt failed with one; else undefined. */
  readonly code: string | undefined;
}

/** A retry has been scheduled. */
export interface RetryEvent extends CallEventBase {
  /** The attempt that failed. */
  readonly attempt: number;
  /** Wait before the next attempt, in ms. */
  readonly delayMs: number;
  /** The failed attempt's HTTP status, when it got a response; else undefined. */
  readonly status: number | undefined;
  /** The failed attempt's error code (e.g. `ECONNRESET`, `ETIMEDOUT`), if any. */
  readonly code: string | undefined;
  /** The failed attempt's error (a redacted view: safe to log). */
  readonly error: unknown;
  /** The server's `Retry-After`, in ms, when it set the delay. */
  readonly retryAfterMs: number | undefined;
  /** Time left in the call's budget after the wait, in ms. */
  readonly remainingMs: number;
}

/**
 * A hedged attempt was sent: `hedge.delayMs` passed with the earlier ones still
 * in flight, or one failed retryably and the next copy went at once. Fired
 * right after that attempt's `attempt` event.
 */
export interface HedgeEvent extends CallEventBase {
  /** The hedged attempt's number. */
  readonly attempt: number;
  /** Attempts of the call in flight, this one included. */
  readonly inFlight: number;
  /** Since the call started, in ms. */
  readonly elapsedMs: number;
}

/** The call resolved. */
export interface SuccessEvent extends CallEventBase {
  /** Attempts sent, the first included. */
  readonly attempts: number;
  /** From the start of the call to its success, in ms (client clock). */
  readonly elapsedMs: number;
  /** HTTP status of the response the call resolved with. */
  readonly status: number;
}

/** The call rejected. */
export interface FailureEvent extends CallEventBase {
  /** Attempts sent; 0 when the call was refused before its first attempt. */
  readonly attempts: number;
  /** From the start of the call to its rejection, in ms (client clock). */
  readonly elapsedMs: number;
  /** The rejection (a redacted view: safe to log). */
  readonly error: unknown;
  /** Why the call failed (also in `err.resilience.reason`). */
  readonly reason: FailureReason;
  /** The HTTP status of the rejection's response, if it has one; else undefined. */
  readonly status: number | undefined;
  /** The rejection's error code (e.g. `ERR_DEADLINE_EXCEEDED`, `ECONNRESET`), if it is an AxiosError; else undefined. */
  readonly code: string | undefined;
  /** Time left in the call's budget, in ms. */
  readonly remainingMs: number;
}

/** A breaker opened. */
export interface CircuitOpenEvent {
  /** The breaker's key (`scheme://host:port` with per-origin keys). */
  readonly key: string;
  /** Failures counted by the trip rule when it opened. */
  readonly failures: number;
}

/** A breaker lets trial calls through. */
export interface CircuitHalfOpenEvent {
  /** The breaker's key (`scheme://host:port` with per-origin keys). */
  readonly key: string;
}

/** A breaker closed. */
export interface CircuitCloseEvent {
  /** The breaker's key (`scheme://host:port` with per-origin keys). */
  readonly key: string;
}

/** A call was refused by an open breaker. */
export interface CircuitRejectEvent extends CallEventBase {
  /** The breaker's key (`scheme://host:port` with per-origin keys). */
  readonly key: string;
  /** ms until a trial call is let through (0 when HALF_OPEN's trials are in flight). */
  readonly remainingMs: number;
  /** The breaker's state when it refused: OPEN, or HALF_OPEN with every trial in flight. */
  readonly state: CircuitState;
}

/** The retry budget refused a retry: the call fails with its last error. */
export interface RetryBudgetExhaustedEvent extends CallEventBase {
  /** The attempt that failed and would have been retried. */
  readonly attempt: number;
}

/** The bulkhead refused a call: `max` in flight and `queue` waiting. */
export interface BulkheadRejectEvent extends CallEventBase {
  /** Calls allowed in flight (`concurrency.max`). */
  readonly max: number;
  /** Calls allowed to wait for a slot (`concurrency.queue`). */
  readonly queue: number;
}

/** Adaptive throttling refused an attempt locally. */
export interface ThrottleEvent extends CallEventBase {
  /** The backend key (as the breaker's). */
  readonly key: string;
  /** The rejection probability that applied. */
  readonly probability: number;
}

/** A listener threw (or its promise rejected); the call went on regardless. */
export interface ListenerErrorEvent {
  /** The name of the event whose listener failed. */
  readonly event: string;
  /** What the listener threw, or why its promise rejected. */
  readonly error: unknown;
}

/** Every event a `ResilientClient` emits, for eventemitter3's typed API. */
export interface ResilientEvents {
  /** Before every attempt is sent. */
  attempt: (event: AttemptEvent) => void;
  /** Every attempt's outcome, exactly once per attempt sent. */
  'attempt-end': (event: AttemptEndEvent) => void;
  /** A retry is scheduled, before the wait. */
  retry: (event: RetryEvent) => void;
  /** A hedged attempt is sent while earlier ones are still in flight. */
  hedge: (event: HedgeEvent) => void;
  /** The call resolves. */
  success: (event: SuccessEvent) => void;
  /** The call rejects. */
  failure: (event: FailureEvent) => void;
  /** A breaker opens. */
  'circuit-open': (event: CircuitOpenEvent) => void;
  /** A breaker lets trial attempts through (fired when the first call finds it so). */
  'circuit-half-open': (event: CircuitHalfOpenEvent) => void;
  /** A breaker closes. */
  'circuit-close': (event: CircuitCloseEvent) => void;
  /** An open breaker refuses an attempt, or stops a retry. */
  'circuit-reject': (event: CircuitRejectEvent) => void;
  /** The retry budget refuses a retry. */
  'retry-budget-exhausted': (event: RetryBudgetExhaustedEvent) => void;
  /** The bulkhead refuses a call. */
  'bulkhead-reject': (event: BulkheadRejectEvent) => void;
  /** Adaptive throttling refuses an attempt. */
  throttle: (event: ThrottleEvent) => void;
  /** A listener of another event threw, or returned a promise that rejected. */
  'listener-error': (event: ListenerErrorEvent) => void;
}
