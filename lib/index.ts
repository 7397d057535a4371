/**
 * resilient-axios: an axios client that survives bad networks and bad servers.
 * Public exports only.
 */
export { ResilientClient } from './resilient-client.js';
export type { ResilientClientConfig, CircuitView, ClientStats } from './resilient-client.js';
export type {
  ResilienceOptions,
  RequestResilience,
  RetryOptions,
  BackoffOptions,
  RetryAfterOptions,
  TimeBudgetOptions,
  CircuitBreakerOptions,
  RetryBudgetOptions,
  ConcurrencyOptions,
  AdaptiveThrottleOptions,
  BreakerKey,
  RetryIf,
  RetryOutcome,
  ResolvedOptions,
} from './options.js';
export type { BackoffType, BackoffFunction, Jitter } from './retry/backoff.js';
export type { TripRuleOptions } from './breaker/trip-rules.js';
export type { CircuitState, BreakerStats } from './breaker/circuit-breaker.js';
export type { Clock, AbortSignalLike, RandomSource } from './time/clock.js';
export { systemClock } from './time/clock.js';
export { ConfigError } from './common/config-error.js';
export {
  CircuitOpenError,
  DeadlineExceededError,
  BulkheadFullError,
  ThrottledError,
  ResilientAxiosError,
  isCircuitOpenError,
  isDeadlineExceededError,
  isBulkheadFullError,
  isThrottledError,
  resilienceOf,
  ERR_CIRCUIT_OPEN,
  ERR_DEADLINE_EXCEEDED,
  ERR_BULKHEAD_FULL,
  ERR_THROTTLED,
} from './report/errors.js';
export type { FailureReason, ResilienceInfo, WithResilience } from './report/errors.js';
export type {
  ResilientEvents,
  AttemptEvent,
  RetryEvent,
  SuccessEvent,
  FailureEvent,
  CircuitOpenEvent,
  CircuitHalfOpenEvent,
  CircuitCloseEvent,
  CircuitRejectEvent,
  ListenerErrorEvent,
  RetryBudgetExhaustedEvent,
  BulkheadRejectEvent,
  ThrottleEvent,
} from './report/events.js';
