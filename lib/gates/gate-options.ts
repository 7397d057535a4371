/**
 * Options of the overload gates: the retry budget, the bulkhead
 * (`concurrency`) and adaptive throttling. Types, defaults and resolvers.
 */
import * as v from '../common/validate.js';

/** Finagle-style cap on retries relative to calls. */
export interface RetryBudgetOptions {
  /** Retries allowed per call in the window. @default 0.1 */
  ratio?: number;
  /** Reserve of retries per second, always allowed. @default 10 */
  minPerSecond?: number;
  /** Window over which calls and retries are counted, in ms (>= 1). @default 10_000 */
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
  /** Window over which requests and accepts are counted, in ms (>= 1). @default 120_000 */
  windowMs?: number;
  /** No throttling until the window holds this many requests (integer >= 0). @default 10 */
  minRequests?: number;
}

/**
 * `retryBudget` after defaults and validation.
 * @inline
 */
export interface ResolvedRetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
}

/**
 * `concurrency` after defaults and validation.
 * @inline
 */
export interface ResolvedConcurrency {
  /** Calls in flight at once. */
  readonly max: number;
  /** Calls allowed to wait for a slot. */
  readonly queue: number;
}

/**
 * `adaptiveThrottle` after defaults and validation.
 * @inline
 */
export interface ResolvedThrottle {
  /** Multiplier of accepts: 2 lets through about twice what the backend accepts. */
  readonly k: number;
  /** Window over which requests and accepts are counted, in ms. */
  readonly windowMs: number;
  /** No throttling until the window holds this many requests. */
  readonly minRequests: number;
}

export const DEFAULT_RETRY_BUDGET: ResolvedRetryBudget = Object.freeze({ ratio: 0.1, minPerSecond: 10, windowMs: 10_000 });
export const DEFAULT_THROTTLE: ResolvedThrottle = Object.freeze({ k: 2, windowMs: 120_000, minRequests: 10 });

/**
 * Resolves `retryBudget` (an object, or a boolean) over `base`.
 * @throws {ConfigError} naming the first invalid field.
 */
export function resolveRetryBudget(path: string, raw: unknown, base: ResolvedRetryBudget): ResolvedRetryBudget | false {
  if (raw === false) return false;
  if (raw === true) return base;
  const r = v.record(path, raw, ['ratio', 'minPerSecond', 'windowMs'], 'an object or a boolean');
  return Object.freeze({
    ratio: r.ratio === undefined ? base.ratio : v.number(`${path}.ratio`, r.ratio, 0),
    minPerSecond: r.minPerSecond === undefined ? base.minPerSecond : v.number(`${path}.minPerSecond`, r.minPerSecond, 0),
    windowMs: r.windowMs === undefined ? base.windowMs : v.number(`${path}.windowMs`, r.windowMs, 1),
  });
}

/**
 * Resolves `concurrency` (an object, or false) over `base`.
 * @throws {ConfigError} naming the first invalid field.
 */
export function resolveConcurrency(path: string, raw: unknown, base: ResolvedConcurrency | false): ResolvedConcurrency | false {
  if (raw === false) return false;
  const r = v.record(path, raw, ['max', 'queue'], 'an object or false');
  return Object.freeze({
    max: r.max === undefined && base !== false ? base.max : v.integer(`${path}.max`, r.max, 1),
    queue: r.queue === undefined ? (base === false ? 0 : base.queue) : v.integer(`${path}.queue`, r.queue, 0),
  });
}

/**
 * Resolves `adaptiveThrottle` (an object, or a boolean) over `base`.
 * @throws {ConfigError} naming the first invalid field.
 */
export function resolveThrottle(path: string, raw: unknown, base: ResolvedThrottle): ResolvedThrottle | false {
  if (raw === false) return false;
  if (raw === true) return base;
  const r = v.record(path, raw, ['k', 'windowMs', 'minRequests'], 'an object or a boolean');
  return Object.freeze({
    k: r.k === undefined ? base.k : v.number(`${path}.k`, r.k, 1),
    windowMs: r.windowMs === undefined ? base.windowMs : v.number(`${path}.windowMs`, r.windowMs, 1),
    minRequests: r.minRequests === undefined ? base.minRequests : v.integer(`${path}.minRequests`, r.minRequests, 0),
  });
}
