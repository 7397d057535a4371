/**
 * resilient-axios: an axios client that survives bad networks and bad servers.
 * Public exports only.
 */
export { ResilientClient } from './resilient-client.js';
export type { ResilientClientConfig, CircuitView, ClientStats } from './resilient-client.js';
export type { ResilienceOptions, RequestResilience, ResolvedOptions } from './options.js';
export type { RetryOptions, BackoffOptions, RetryAfterOptions, RetryIf, ValidateResponse, RetryOutcome, ResolvedRetry } from './retry/retry-options.js';
export type { TimeBudgetOptions, ResolvedTimeBudget } from './time/time-budget.js';
export type { HedgeOptions, ResolvedHedge } from './hedge/hedge-options.js';
export type { HedgeStats } from './call/hedge-race.js';
export type { CircuitBreakerOptions, BreakerKey, ResolvedBreaker } from './breaker/breaker-options.js';
export type {
  RetryBudgetOptions, ConcurrencyOptions, AdaptiveThrottleOptions, ResolvedRetryBudget, ResolvedConcurrency, ResolvedThrottle,
} from './gates/gate-options.js';
export type { BackoffType, BackoffFunction, Jitter } from './retry/backoff.js';
export type { TripRuleOptions } from './breaker/trip-rules.js';
export type { CircuitState, BreakerStats } from './breaker/circuit-breaker.js';
export type { Clock, AbortSignalLike, RandomSource } from './time/clock.js';
export type { FleetLink, FleetChange, FleetAdopt, TrialLease } from './fleet/fleet-link.js';
export { systemClock } from './time/clock.js';
export { attemptOf } from './call/call.js';
export type { AttemptInfo } from './call/call.js';
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
export { ERR_BAD_RESPONSE_BODY } from './report/failures.js';
export type { FailureReason, ResilienceInfo, WithResilience } from './report/errors.js';
export type { CallCounters } from './report/reporter.js';
export type {
  ResilientEvents,
  CallEventBase,
  AttemptEvent,
  AttemptEndEvent,
  RetryEvent,
  HedgeEvent,
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
