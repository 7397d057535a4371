/**
 * Option types, their defaults, and the one resolver every entry point uses
 * (constructor, `configure()`, per-request `resilience`): defaults merged,
 * each field validated with a {@link ConfigError} naming its path, then frozen.
 */
import type { AxiosRequestConfig, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ThrottleOptions } from './gates/adaptive-throttle.js';
import type { BackoffFunction, BackoffType, Jitter, ResolvedBackoff } from './retry/backoff.js';
import type { BulkheadOptions } from './gates/bulkhead.js';
import type { BreakerOptions } from './breaker/circuit-breaker.js';
import type { Clock, RandomSource } from './time/clock.js';
import type { TripRuleOptions } from './breaker/trip-rules.js';
import { ConfigError } from './common/config-error.js';
import * as v from './common/validate.js';

/** What an attempt produced, as given to `retryIf` and custom backoff functions. */
export interface RetryOutcome {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The request URL (passwords redacted). */
  readonly url: string;
  /** The attempt that just ended; the first attempt is 1. */
  readonly attempt: number;
  readonly response?: AxiosResponse;
  readonly error?: unknown;
}

/** Decides retry by itself when it returns a boolean; `undefined` keeps the built-in decision. */
export type RetryIf = (outcome: RetryOutcome) => boolean | undefined;

/** How long to wait between attempts. */
export interface BackoffOptions {
  /** Delay strategy, or `(attempt, outcome) => ms`. @default 'exponential' */
  type?: BackoffType | BackoffFunction<RetryOutcome>;
  /** First delay in ms. @default 100 */
  baseMs?: number;
  /** Exponential multiplier (>= 1). @default 2 */
  factor?: number;
  /** Cap on any single delay in ms. @default 20_000 */
  maxMs?: number;
  /** 'full': U(0, d); 'equal': d/2 + U(0, d/2); a number f in (0, 1]: d x U(1-f, 1+f). @default 'full' */
  jitter?: Jitter;
}

/** `Retry-After` handling. */
export interface RetryAfterOptions {
  /** Honour `Retry-After` on retried responses. @default true */
  respect?: boolean;
  /** A longer `Retry-After` fails the call at once (`reason: 'retry-after-too-long'`). @default 60_000 */
  maxMs?: number;
}

/** Which failures are retried, how often and how far apart. */
export interface RetryOptions {
  /** Total attempts, the first included (integer >= 1). @default 3 */
  maxAttempts?: number;
  /** Methods that may be retried. @default RFC 9110 idempotent methods: GET HEAD OPTIONS PUT DELETE TRACE */
  methods?: readonly string[];
  /** Response statuses that are retried. @default 408 429 500 502 503 504 */
  statusCodes?: readonly number[];
  /** Error codes (no response) that are retried; attempt timeouts have code `ETIMEDOUT`. */
  errorCodes?: readonly string[];
  /** Overrides the decision when it returns a boolean. */
  retryIf?: RetryIf;
  backoff?: BackoffOptions;
  retryAfter?: RetryAfterOptions;
  /**
   * POST and PATCH carry an idempotency key header (`true`: `Idempotency-Key`; a
   * string: that header name), one value per call reused on every attempt, and
   * become retryable. A key the caller set is kept. @default false
   */
  idempotencyKey?: boolean | string;
}

/** Deadlines for the whole call and for one attempt. */
export interface TimeBudgetOptions {
  /** Deadline for the whole call in ms: attempts and waits. `Infinity` disables it. @default 30_000 */
  totalMs?: number;
  /**
   * Limit for one attempt in ms; the effective limit is min(attemptMs, time left).
   * @default 10_000, or axios `timeout` when given (`timeout: 0`: no per-attempt limit)
   */
  attemptMs?: number;
  /** When set, every attempt carries this header with the milliseconds left. */
  propagateHeader?: string;
}

/** How the breaker key of a request is chosen. */
export type BreakerKey = 'origin' | 'client' | ((config: InternalAxiosRequestConfig) => string);

/** Circuit breaker settings. */
export interface CircuitBreakerOptions {
  /** One breaker per scheme+host+port, one per client, or a custom key. @default 'origin' */
  key?: BreakerKey;
  /** When CLOSED turns OPEN. @default { type: 'consecutive', failures: 5 } */
  trip?: TripRuleOptions;
  /** Time OPEN before HALF_OPEN, in ms. @default 30_000 */
  openMs?: number;
  /** Trial calls let through in HALF_OPEN. @default 1 */
  halfOpenMaxCalls?: number;
  /** Trial successes that close it. @default 1 */
  successThreshold?: number;
  /** Breakers kept; the least recently used CLOSED one is dropped past it. @default 1_000 */
  maxKeys?: number;
}

/** Finagle-style cap on retries relative to calls. */
export interface RetryBudgetOptions {
  /** Retries allowed per call in the window. @default 0.1 */
  ratio?: number;
  /** Reserve of retries per second, always allowed. @default 10 */
  minPerSecond?: number;
  /** Window over which calls and retries are counted, in ms. @default 10_000 */
  windowMs?: number;
}

/** A bulkhead: calls in flight and waiting. */
export interface ConcurrencyOptions {
  /** Calls in flight at once (integer >= 1). */
  max: number;
  /** Calls allowed to wait for a slot, within their time budget (integer >= 0). @default 0 */
  queue?: number;
}

/** Client-side adaptive throttling (Google SRE), keyed like the breaker. */
export interface AdaptiveThrottleOptions {
  /** Multiplier of accepts (>= 1). @default 2 */
  k?: number;
  /** Window over which requests and accepts are counted, in ms. @default 120_000 */
  windowMs?: number;
  /** No throttling until the window holds this many requests (integer >= 0). @default 10 */
  minRequests?: number;
}

/** The resilience settings of a client. */
export interface ResilienceOptions {
  /** `false` never retries. */
  retry?: RetryOptions | boolean;
  timeBudget?: TimeBudgetOptions;
  /** `false` disables it. */
  circuitBreaker?: CircuitBreakerOptions | boolean;
  /** `false` disables it. @default { ratio: 0.1, minPerSecond: 10, windowMs: 10_000 } */
  retryBudget?: RetryBudgetOptions | boolean;
  /** Bulkhead; off by default. */
  concurrency?: ConcurrencyOptions | false;
  /** Adaptive throttling; off by default (`true` for its defaults). */
  adaptiveThrottle?: AdaptiveThrottleOptions | boolean;
  /** Extra header names (case-insensitive) whose values are redacted from events and serialized errors. */
  redactHeaders?: readonly string[];
}

/** Per-request overrides under the `resilience` key of an axios request config. */
export interface RequestResilience {
  /** Partial retry options merged over the client's, or `false` for no retry. */
  retry?: RetryOptions | boolean;
  timeBudget?: TimeBudgetOptions;
  /** `false` bypasses the breaker for this call. */
  circuitBreaker?: false;
  /** A key string (also makes this POST/PATCH retryable), `true` for a generated key, `false` for none. */
  idempotencyKey?: string | boolean;
}

/**
 * `retry` after defaults and validation (`undefined` in {@link ResolvedOptions} when off).
 * @inline
 */
export interface ResolvedRetry {
  readonly maxAttempts: number;
  readonly methods: ReadonlySet<string>;
  readonly statusCodes: ReadonlySet<number>;
  readonly errorCodes: ReadonlySet<string>;
  readonly retryIf: RetryIf | undefined;
  readonly backoff: ResolvedBackoff<RetryOutcome>;
  readonly retryAfterRespect: boolean;
  readonly retryAfterMaxMs: number;
  /** Header that carries the idempotency key, or undefined when off. */
  readonly idempotencyHeader: string | undefined;
}

/**
 * `timeBudget` after defaults and validation.
 * @inline
 */
export interface ResolvedTimeBudget {
  readonly totalMs: number;
  /** 0: no per-attempt limit. */
  readonly attemptMs: number;
  /** Whether attemptMs was set explicitly (it then wins over an axios `timeout`). */
  readonly attemptExplicit: boolean;
  readonly propagateHeader: string | undefined;
}

/**
 * `circuitBreaker` after defaults and validation (`undefined` in {@link ResolvedOptions} when off).
 * @inline
 */
export interface ResolvedBreaker {
  readonly key: BreakerKey;
  readonly options: BreakerOptions;
  readonly maxKeys: number;
}

/**
 * `retryBudget` after defaults and validation (`undefined` in {@link ResolvedOptions} when off).
 * @inline
 */
export interface ResolvedRetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
}

/** Everything resolved: what one call runs with. */
export interface ResolvedOptions {
  /** `undefined`: retry disabled. */
  readonly retry: ResolvedRetry | undefined;
  readonly timeBudget: ResolvedTimeBudget;
  readonly breaker: ResolvedBreaker | undefined;
  readonly retryBudget: ResolvedRetryBudget | undefined;
  readonly concurrency: BulkheadOptions | undefined;
  readonly throttle: ThrottleOptions | undefined;
  readonly redactHeaders: ReadonlySet<string>;
  /** Idempotency key value fixed by a per-request option. */
  readonly idempotencyValue: string | undefined;
}

/** Client-only fields: not valid per request. */
export interface ClientOnlyOptions {
  /** Time source. @default the system clock */
  clock?: Clock;
  /** Uniform [0, 1) random source for jitter. @default Math.random */
  random?: RandomSource;
}

export const DEFAULT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'] as const;
export const DEFAULT_STATUS_CODES = [408, 429, 500, 502, 503, 504] as const;
export const DEFAULT_ERROR_CODES = [
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN',
  'ENETUNREACH', 'EHOSTUNREACH', 'ERR_NETWORK',
] as const;
export const DEFAULT_IDEMPOTENCY_HEADER = 'Idempotency-Key';
const SENSITIVE_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  maxAttempts: 3,
  methods: new Set<string>(DEFAULT_METHODS),
  statusCodes: new Set<number>(DEFAULT_STATUS_CODES),
  errorCodes: new Set<string>(DEFAULT_ERROR_CODES),
  retryIf: undefined,
  backoff: Object.freeze({ type: 'exponential', baseMs: 100, factor: 2, maxMs: 20_000, jitter: 'full' }),
  retryAfterRespect: true,
  retryAfterMaxMs: 60_000,
  idempotencyHeader: undefined,
});

const DEFAULT_BREAKER: ResolvedBreaker = Object.freeze({
  key: 'origin',
  options: Object.freeze({
    trip: Object.freeze({ type: 'consecutive', failures: 5 }),
    openMs: 30_000,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
  }),
  maxKeys: 1_000,
});

const DEFAULT_RETRY_BUDGET: ResolvedRetryBudget = Object.freeze({ ratio: 0.1, minPerSecond: 10, windowMs: 10_000 });

/** The settings a client has when given nothing. */
export const DEFAULTS: ResolvedOptions = Object.freeze({
  retry: DEFAULT_RETRY,
  timeBudget: Object.freeze({ totalMs: 30_000, attemptMs: 10_000, attemptExplicit: false, propagateHeader: undefined }),
  breaker: DEFAULT_BREAKER,
  retryBudget: DEFAULT_RETRY_BUDGET,
  concurrency: undefined,
  throttle: undefined,
  redactHeaders: new Set(SENSITIVE_HEADERS),
  idempotencyValue: undefined,
});

const CLIENT_KEYS = ['retry', 'timeBudget', 'circuitBreaker', 'retryBudget', 'concurrency', 'adaptiveThrottle', 'redactHeaders'] as const;
const DEFAULT_THROTTLE: ThrottleOptions = Object.freeze({ k: 2, windowMs: 120_000, minRequests: 10 });
const REQUEST_KEYS = ['retry', 'timeBudget', 'circuitBreaker', 'idempotencyKey'] as const;

/**
 * Resolves client-level options over `base` (the defaults, or the current
 * settings for `configure()`).
 * @throws {ConfigError} naming the first invalid field.
 */
export function resolveOptions(raw: Partial<Record<(typeof CLIENT_KEYS)[number], unknown>>, base: ResolvedOptions = DEFAULTS): ResolvedOptions {
  return Object.freeze({
    retry: raw.retry === undefined ? base.retry : resolveRetry('retry', raw.retry, base.retry ?? DEFAULT_RETRY),
    timeBudget: raw.timeBudget === undefined ? base.timeBudget : resolveTimeBudget('timeBudget', raw.timeBudget, base.timeBudget),
    breaker: raw.circuitBreaker === undefined ? base.breaker : resolveBreaker(raw.circuitBreaker, base.breaker ?? DEFAULT_BREAKER),
    retryBudget: raw.retryBudget === undefined ? base.retryBudget : resolveRetryBudget(raw.retryBudget, base.retryBudget ?? DEFAULT_RETRY_BUDGET),
    concurrency: raw.concurrency === undefined ? base.concurrency : resolveConcurrency(raw.concurrency, base.concurrency),
    throttle: raw.adaptiveThrottle === undefined ? base.throttle : resolveThrottle(raw.adaptiveThrottle, base.throttle ?? DEFAULT_THROTTLE),
    redactHeaders: raw.redactHeaders === undefined ? base.redactHeaders : resolveRedact(raw.redactHeaders),
    idempotencyValue: undefined,
  });
}

/** Validates `configure()` input: only resilience fields are accepted. */
export function resolveConfigure(raw: unknown, base: ResolvedOptions): ResolvedOptions {
  return resolveOptions(v.record('configure', raw, CLIENT_KEYS), base);
}

/**
 * Resolves a request's `resilience` field over the client's settings.
 * @throws {ConfigError} with paths under `resilience.`.
 */
export function resolveRequestOptions(raw: unknown, base: ResolvedOptions): ResolvedOptions {
  const r = v.record('resilience', raw, REQUEST_KEYS);
  let retry = r.retry === undefined ? base.retry : resolveRetry('resilience.retry', r.retry, base.retry ?? DEFAULT_RETRY);
  let idempotencyValue: string | undefined;
  if (r.idempotencyKey !== undefined) {
    const key = r.idempotencyKey;
    if (typeof key !== 'boolean') {
      if (typeof key !== 'string' || key.length === 0) throw new ConfigError('resilience.idempotencyKey', key, 'a non-empty key string or a boolean');
      idempotencyValue = key;
    }
    if (retry !== undefined) {
      const header = key === false ? undefined : (retry.idempotencyHeader ?? DEFAULT_IDEMPOTENCY_HEADER);
      retry = Object.freeze({ ...retry, idempotencyHeader: header });
    }
  }
  if (r.circuitBreaker !== undefined && r.circuitBreaker !== false) {
    throw new ConfigError('resilience.circuitBreaker', r.circuitBreaker, 'false (per-request breaker settings are not supported; set them on the client)');
  }
  return Object.freeze({
    retry,
    timeBudget: r.timeBudget === undefined ? base.timeBudget : resolveTimeBudget('resilience.timeBudget', r.timeBudget, base.timeBudget),
    breaker: r.circuitBreaker === false ? undefined : base.breaker,
    retryBudget: base.retryBudget,
    concurrency: base.concurrency,
    throttle: base.throttle,
    redactHeaders: base.redactHeaders,
    idempotencyValue,
  });
}

const RETRY_KEYS = ['maxAttempts', 'methods', 'statusCodes', 'errorCodes', 'retryIf', 'backoff', 'retryAfter', 'idempotencyKey'] as const;
const BACKOFF_TYPES = ['exponential', 'linear', 'constant', 'fibonacci', 'decorrelated'] as const;

function resolveRetry(path: string, raw: unknown, base: ResolvedRetry): ResolvedRetry | undefined {
  if (raw === false) return undefined;
  if (raw === true) return base;
  const r = v.record(path, raw, RETRY_KEYS);
  return Object.freeze({
    maxAttempts: r.maxAttempts === undefined ? base.maxAttempts : v.integer(`${path}.maxAttempts`, r.maxAttempts, 1),
    methods: r.methods === undefined ? base.methods
      : new Set(v.arrayOf(`${path}.methods`, r.methods, (p, m) => v.string(p, m).toUpperCase())),
    statusCodes: r.statusCodes === undefined ? base.statusCodes
      : new Set(v.arrayOf(`${path}.statusCodes`, r.statusCodes, (p, s) => statusCode(p, s))),
    errorCodes: r.errorCodes === undefined ? base.errorCodes
      : new Set(v.arrayOf(`${path}.errorCodes`, r.errorCodes, (p, c) => v.string(p, c))),
    retryIf: r.retryIf === undefined ? base.retryIf : v.func<RetryIf>(`${path}.retryIf`, r.retryIf),
    backoff: r.backoff === undefined ? base.backoff : resolveBackoff(`${path}.backoff`, r.backoff, base.backoff),
    ...resolveRetryAfter(`${path}.retryAfter`, r.retryAfter, base),
    idempotencyHeader: r.idempotencyKey === undefined ? base.idempotencyHeader : idempotencyHeader(`${path}.idempotencyKey`, r.idempotencyKey),
  });
}

function statusCode(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
    throw new ConfigError(path, value, 'an HTTP status code (an integer from 100 to 599)');
  }
  return value;
}

function idempotencyHeader(path: string, value: unknown): string | undefined {
  if (value === false) return undefined;
  if (value === true) return DEFAULT_IDEMPOTENCY_HEADER;
  if (typeof value === 'string') return v.string(path, value, true);
  throw new ConfigError(path, value, 'a boolean or a header name');
}

function resolveRetryAfter(path: string, raw: unknown, base: ResolvedRetry): Pick<ResolvedRetry, 'retryAfterRespect' | 'retryAfterMaxMs'> {
  if (raw === undefined) return { retryAfterRespect: base.retryAfterRespect, retryAfterMaxMs: base.retryAfterMaxMs };
  const r = v.record(path, raw, ['respect', 'maxMs']);
  return {
    retryAfterRespect: r.respect === undefined ? base.retryAfterRespect : v.boolean(`${path}.respect`, r.respect),
    retryAfterMaxMs: r.maxMs === undefined ? base.retryAfterMaxMs : v.number(`${path}.maxMs`, r.maxMs, 0, { allowInfinity: true }),
  };
}

function resolveBackoff(path: string, raw: unknown, base: ResolvedBackoff<RetryOutcome>): ResolvedBackoff<RetryOutcome> {
  const r = v.record(path, raw, ['type', 'baseMs', 'factor', 'maxMs', 'jitter']);
  return Object.freeze({
    type: r.type === undefined ? base.type
      : typeof r.type === 'function' ? (r.type as BackoffFunction<RetryOutcome>) : v.oneOf(`${path}.type`, r.type, BACKOFF_TYPES),
    baseMs: r.baseMs === undefined ? base.baseMs : v.number(`${path}.baseMs`, r.baseMs, 0),
    factor: r.factor === undefined ? base.factor : v.number(`${path}.factor`, r.factor, 1),
    maxMs: r.maxMs === undefined ? base.maxMs : v.number(`${path}.maxMs`, r.maxMs, 0),
    jitter: r.jitter === undefined ? base.jitter : jitter(`${path}.jitter`, r.jitter),
  });
}

function jitter(path: string, value: unknown): Jitter {
  if (typeof value === 'number') return v.number(path, value, 0, { exclusiveMin: true, max: 1 });
  if (value === 'none' || value === 'full' || value === 'equal') return value;
  throw new ConfigError(path, value, "'none', 'full', 'equal' or a number in (0, 1]");
}

function resolveTimeBudget(path: string, raw: unknown, base: ResolvedTimeBudget): ResolvedTimeBudget {
  const r = v.record(path, raw, ['totalMs', 'attemptMs', 'propagateHeader']);
  const attemptGiven = r.attemptMs !== undefined;
  return Object.freeze({
    totalMs: r.totalMs === undefined ? base.totalMs : v.number(`${path}.totalMs`, r.totalMs, 0, { exclusiveMin: true, allowInfinity: true }),
    attemptMs: attemptGiven ? v.number(`${path}.attemptMs`, r.attemptMs, 0, { exclusiveMin: true, allowInfinity: true }) : base.attemptMs,
    attemptExplicit: attemptGiven || base.attemptExplicit,
    propagateHeader: r.propagateHeader === undefined ? base.propagateHeader : v.string(`${path}.propagateHeader`, r.propagateHeader, true),
  });
}

const BREAKER_KEYS = ['key', 'trip', 'openMs', 'halfOpenMaxCalls', 'successThreshold', 'maxKeys'] as const;

function resolveBreaker(raw: unknown, base: ResolvedBreaker): ResolvedBreaker | undefined {
  if (raw === false) return undefined;
  if (raw === true) return base;
  const p = 'circuitBreaker';
  const r = v.record(p, raw, BREAKER_KEYS);
  const o = base.options;
  return Object.freeze({
    key: r.key === undefined ? base.key : typeof r.key === 'function' ? (r.key as BreakerKey) : v.oneOf(`${p}.key`, r.key, ['origin', 'client'] as const),
    options: Object.freeze({
      trip: r.trip === undefined ? o.trip : resolveTrip(`${p}.trip`, r.trip),
      openMs: r.openMs === undefined ? o.openMs : v.number(`${p}.openMs`, r.openMs, 0, { exclusiveMin: true }),
      halfOpenMaxCalls: r.halfOpenMaxCalls === undefined ? o.halfOpenMaxCalls : v.integer(`${p}.halfOpenMaxCalls`, r.halfOpenMaxCalls, 1),
      successThreshold: r.successThreshold === undefined ? o.successThreshold : v.integer(`${p}.successThreshold`, r.successThreshold, 1),
    }),
    maxKeys: r.maxKeys === undefined ? base.maxKeys : v.integer(`${p}.maxKeys`, r.maxKeys, 1),
  });
}

function resolveTrip(path: string, raw: unknown): TripRuleOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, raw, "an object such as { type: 'consecutive', failures: 5 }");
  const type = v.oneOf(`${path}.type`, (raw as { type?: unknown } | null)?.type, ['consecutive', 'rate'] as const);
  if (type === 'consecutive') {
    const r = v.record(path, raw, ['type', 'failures']);
    return Object.freeze({ type, failures: v.integer(`${path}.failures`, r.failures, 1) });
  }
  const r = v.record(path, raw, ['type', 'threshold', 'minimumCalls', 'windowMs']);
  return Object.freeze({
    type,
    threshold: v.number(`${path}.threshold`, r.threshold, 0, { exclusiveMin: true, max: 1 }),
    minimumCalls: v.integer(`${path}.minimumCalls`, r.minimumCalls, 1),
    windowMs: v.number(`${path}.windowMs`, r.windowMs, 0, { exclusiveMin: true }),
  });
}

function resolveRetryBudget(raw: unknown, base: ResolvedRetryBudget): ResolvedRetryBudget | undefined {
  if (raw === false) return undefined;
  if (raw === true) return base;
  const p = 'retryBudget';
  const r = v.record(p, raw, ['ratio', 'minPerSecond', 'windowMs']);
  return Object.freeze({
    ratio: r.ratio === undefined ? base.ratio : v.number(`${p}.ratio`, r.ratio, 0),
    minPerSecond: r.minPerSecond === undefined ? base.minPerSecond : v.number(`${p}.minPerSecond`, r.minPerSecond, 0),
    windowMs: r.windowMs === undefined ? base.windowMs : v.number(`${p}.windowMs`, r.windowMs, 0, { exclusiveMin: true }),
  });
}

function resolveConcurrency(raw: unknown, base: BulkheadOptions | undefined): BulkheadOptions | undefined {
  if (raw === false) return undefined;
  const r = v.record('concurrency', raw, ['max', 'queue']);
  return Object.freeze({
    max: r.max === undefined && base !== undefined ? base.max : v.integer('concurrency.max', r.max, 1),
    queue: r.queue === undefined ? (base?.queue ?? 0) : v.integer('concurrency.queue', r.queue, 0),
  });
}

function resolveThrottle(raw: unknown, base: ThrottleOptions): ThrottleOptions | undefined {
  if (raw === false) return undefined;
  if (raw === true) return base;
  const p = 'adaptiveThrottle';
  const r = v.record(p, raw, ['k', 'windowMs', 'minRequests']);
  return Object.freeze({
    k: r.k === undefined ? base.k : v.number(`${p}.k`, r.k, 1),
    windowMs: r.windowMs === undefined ? base.windowMs : v.number(`${p}.windowMs`, r.windowMs, 0, { exclusiveMin: true }),
    minRequests: r.minRequests === undefined ? base.minRequests : v.integer(`${p}.minRequests`, r.minRequests, 0),
  });
}

function resolveRedact(raw: unknown): ReadonlySet<string> {
  const extra = v.arrayOf('redactHeaders', raw, (p, h) => v.string(p, h, true).toLowerCase());
  return new Set([...SENSITIVE_HEADERS, ...extra]);
}

/** Splits a client config into axios fields and resilience fields. */
export function splitClientConfig<C extends Record<string, unknown>>(config: C): { axios: AxiosRequestConfig; resilience: Record<string, unknown> } {
  const axiosConfig: Record<string, unknown> = {};
  const resilience: Record<string, unknown> = {};
  for (const key of Object.keys(config)) {
    if ((CLIENT_KEYS as readonly string[]).includes(key) || key === 'clock' || key === 'random' || key === 'axios') {
      resilience[key] = config[key];
    } else {
      axiosConfig[key] = config[key];
    }
  }
  return { axios: axiosConfig, resilience };
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Per-request resilience overrides (resilient-axios). */
    resilience?: RequestResilience;
  }
}
