/**
 * The resilience options as a whole: the client's, `configure()`'s and a
 * request's. Each feature resolves its own section (`retry/retry-options`,
 * `time/time-budget`, `breaker/breaker-options`, `gates/gate-options`); this
 * module composes them. Resolved options keep the user's keys, complete and
 * frozen; a feature that is off reads `false`.
 */
import { DEFAULT_BREAKER, resolveBreaker } from './breaker/breaker-options.js';
import type { CircuitBreakerOptions, ResolvedBreaker } from './breaker/breaker-options.js';
import { ConfigError } from './common/config-error.js';
import * as v from './common/validate.js';
import { DEFAULT_RETRY_BUDGET, DEFAULT_THROTTLE, resolveConcurrency, resolveRetryBudget, resolveThrottle } from './gates/gate-options.js';
import type {
  AdaptiveThrottleOptions, ConcurrencyOptions, ResolvedConcurrency, ResolvedRetryBudget, ResolvedThrottle, RetryBudgetOptions,
} from './gates/gate-options.js';
import { checkHedgeRoom, resolveHedge } from './hedge/hedge-options.js';
import type { HedgeOptions, ResolvedHedge } from './hedge/hedge-options.js';
import { DEFAULT_REDACTION, resolveRedaction } from './report/redaction.js';
import type { Redaction } from './report/redaction.js';
import { DEFAULT_IDEMPOTENCY_HEADER, DEFAULT_RETRY, resolveRetry } from './retry/retry-options.js';
import type { ResolvedRetry, RetryOptions } from './retry/retry-options.js';
import { DEFAULT_TIME_BUDGET, resolveTimeBudget } from './time/time-budget.js';
import type { ResolvedTimeBudget, TimeBudgetOptions } from './time/time-budget.js';

/** The resilience settings of a client. */
export interface ResilienceOptions {
  /** `false` never retries. */
  retry?: RetryOptions | boolean;
  /** Deadline for the whole call (`totalMs`) and limit for each attempt (`attemptMs`), in ms. @default { totalMs: 30_000 } and a per-attempt limit of 10_000 ms (or axios `timeout`) */
  timeBudget?: TimeBudgetOptions;
  /** `false` disables it. */
  circuitBreaker?: CircuitBreakerOptions | boolean;
  /** `false` disables it. @default { type: 'tokens', capacity: 500, retryCost: 5, timeoutCost: 10, successRefund: 1 } */
  retryBudget?: RetryBudgetOptions | boolean;
  /** Bulkhead; off by default. */
  concurrency?: ConcurrencyOptions | false;
  /** Adaptive throttling; off by default (`true` for its defaults). */
  adaptiveThrottle?: AdaptiveThrottleOptions | boolean;
  /**
   * Hedged requests: a second copy of a slow idempotent request after `delayMs`, the first answer wins.
   * Off by default; `delayMs` is required to turn it on. Hedges count against `retry.maxAttempts`.
   */
  hedge?: HedgeOptions | false;
  /** Extra header names (any case) whose values never reach a log, on top of `SENSITIVE_HEADERS`. */
  redactHeaders?: readonly string[];
  /** Extra URL query parameter names (any case) whose values never reach a log, on top of `SENSITIVE_QUERY`. */
  redactQuery?: readonly string[];
}

/** Per-request overrides under the `resilience` key of an axios request config. */
export interface RequestResilience {
  /** Partial retry options merged over the client's, or `false` for no retry. */
  retry?: RetryOptions | boolean;
  /** Merged field by field over the client's time budget, for this call only. */
  timeBudget?: TimeBudgetOptions;
  /** `false` bypasses the breaker for this call. */
  circuitBreaker?: false;
  /** A key string (also makes this POST/PATCH retryable), `true` for a generated key, `false` for none. */
  idempotencyKey?: string | boolean;
  /** Partial hedge options merged over the client's, or `false`: no hedge for this call (nor with `retry: false`). */
  hedge?: HedgeOptions | false;
}

/** Every resilience setting, resolved: the user's keys, complete; `false` for a feature that is off. */
export interface ResolvedOptions {
  /** `retry`, complete; `false` when retry is off. */
  readonly retry: ResolvedRetry | false;
  /** `timeBudget`, complete. */
  readonly timeBudget: ResolvedTimeBudget;
  /** `circuitBreaker`, complete; `false` when breakers are off. */
  readonly circuitBreaker: ResolvedBreaker | false;
  /** `retryBudget`, complete and tagged by `type`; `false` when it is off. */
  readonly retryBudget: ResolvedRetryBudget | false;
  /** `concurrency` (the bulkhead), complete; `false` when it is off. */
  readonly concurrency: ResolvedConcurrency | false;
  /** `adaptiveThrottle`, complete; `false` when it is off. */
  readonly adaptiveThrottle: ResolvedThrottle | false;
  /** `hedge`, complete; `false` when hedging is off. */
  readonly hedge: ResolvedHedge | false;
  /**
   * What never reaches a log: the default and `redactHeaders` header names, the default and `redactQuery` parameters.
   * @inlineType Redaction
   */
  readonly redaction: Redaction;
}

/** What a request's `resilience` field resolves to: the options for that call, and what is the call's own. */
export interface RequestSettings {
  readonly options: ResolvedOptions;
  /** The idempotency key value the request fixed (`resilience.idempotencyKey: 'order-42'`). */
  readonly idempotencyValue: string | undefined;
  /** `resilience.circuitBreaker: false`: this call neither asks nor feeds the breaker. */
  readonly bypassBreaker: boolean;
}

/** The settings a client has when given nothing. */
export const DEFAULTS: ResolvedOptions = Object.freeze({
  retry: DEFAULT_RETRY,
  timeBudget: DEFAULT_TIME_BUDGET,
  circuitBreaker: DEFAULT_BREAKER,
  retryBudget: DEFAULT_RETRY_BUDGET,
  concurrency: false,
  adaptiveThrottle: false,
  hedge: false,
  redaction: DEFAULT_REDACTION,
});

/** The resilience keys of a client config (everything else goes to axios). */
export const CLIENT_KEYS = [
  'retry', 'timeBudget', 'circuitBreaker', 'retryBudget', 'concurrency', 'adaptiveThrottle', 'hedge', 'redactHeaders', 'redactQuery',
] as const;
const REQUEST_KEYS = ['retry', 'timeBudget', 'circuitBreaker', 'idempotencyKey', 'hedge'] as const;

/** How each client section resolves over the one in force (over its defaults when it was off). */
const CLIENT_SECTIONS: v.Fields<Omit<ResolvedOptions, 'redaction'>> = {
  retry: (p, x, b) => resolveRetry(p, x, b || DEFAULT_RETRY),
  timeBudget: resolveTimeBudget,
  circuitBreaker: (p, x, b) => resolveBreaker(p, x, b || DEFAULT_BREAKER),
  retryBudget: (p, x, b) => resolveRetryBudget(p, x, b || DEFAULT_RETRY_BUDGET),
  concurrency: resolveConcurrency,
  adaptiveThrottle: (p, x, b) => resolveThrottle(p, x, b || DEFAULT_THROTTLE),
  hedge: resolveHedge,
};

/**
 * Resolves client-level options over `base` (the defaults, or the current
 * settings for `configure()`).
 * @throws {ConfigError} naming the first invalid field.
 */
export function resolveOptions(given: Partial<Record<(typeof CLIENT_KEYS)[number], unknown>>, base: ResolvedOptions = DEFAULTS): ResolvedOptions {
  const raw = v.record('options', given, CLIENT_KEYS); // own properties only
  const sections = v.fill('', raw, CLIENT_SECTIONS, base);
  checkHedgeRoom('', sections.hedge, sections.retry, raw.retry === undefined);
  return Object.freeze({ ...sections, redaction: resolveRedaction(raw.redactHeaders, raw.redactQuery, base.redaction) });
}

/** Validates `configure()` input: only resilience fields are accepted. */
export function resolveConfigure(raw: unknown, base: ResolvedOptions): ResolvedOptions {
  return resolveOptions(v.record('configure', raw, CLIENT_KEYS), base);
}

/**
 * Resolves a request's `resilience` field over the client's settings.
 * @throws {ConfigError} with paths under `resilience.`.
 */
export function resolveRequestOptions(raw: unknown, base: ResolvedOptions): RequestSettings {
  const r = v.record('resilience', raw, REQUEST_KEYS);
  let retry = r.retry === undefined ? base.retry : resolveRetry('resilience.retry', r.retry, base.retry || DEFAULT_RETRY);
  let idempotencyValue: string | undefined;
  const key = r.idempotencyKey;
  if (key !== undefined) {
    if (typeof key !== 'boolean') {
      if (typeof key !== 'string' || key.length === 0) throw new ConfigError('resilience.idempotencyKey', key, 'a non-empty key string or a boolean');
      idempotencyValue = key;
    }
    if (retry !== false) {
      retry = Object.freeze({ ...retry, idempotencyKey: key === false ? false : (retry.idempotencyKey || DEFAULT_IDEMPOTENCY_HEADER) });
    }
  }
  if (r.circuitBreaker !== undefined && r.circuitBreaker !== false) {
    throw new ConfigError('resilience.circuitBreaker', r.circuitBreaker, 'false (per-request breaker settings are not supported; set them on the client)');
  }
  let hedge = r.hedge === undefined ? base.hedge : resolveHedge('resilience.hedge', r.hedge, base.hedge);
  if (retry === false && r.hedge === undefined) hedge = false; // "send this once"
  checkHedgeRoom('resilience.', hedge, retry, r.retry === undefined);
  const options = retry === base.retry && hedge === base.hedge && r.timeBudget === undefined ? base : Object.freeze({
    ...base,
    retry,
    hedge,
    timeBudget: r.timeBudget === undefined ? base.timeBudget : resolveTimeBudget('resilience.timeBudget', r.timeBudget, base.timeBudget),
  });
  return { options, idempotencyValue, bypassBreaker: r.circuitBreaker === false };
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Per-request resilience overrides (resilient-axios). */
    resilience?: RequestResilience;
  }
}
