/**
 * `circuitBreaker` options: types, defaults and the resolver. The only place
 * breaker options are validated; the breaker, its trip rules and the registry
 * take them resolved.
 */
import type { InternalAxiosRequestConfig } from 'axios';
import { ConfigError } from '../common/config-error.js';
import * as v from '../common/validate.js';
import type { TripRuleOptions } from './trip-rules.js';

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

/**
 * `circuitBreaker` after defaults and validation (`false` in the resolved options when off).
 * @inline
 */
export interface ResolvedBreaker {
  readonly key: BreakerKey;
  readonly trip: TripRuleOptions;
  readonly openMs: number;
  readonly halfOpenMaxCalls: number;
  readonly successThreshold: number;
  readonly maxKeys: number;
}

export const DEFAULT_BREAKER: ResolvedBreaker = Object.freeze({
  key: 'origin',
  trip: Object.freeze({ type: 'consecutive', failures: 5 }),
  openMs: 30_000,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
  maxKeys: 1_000,
});

const BREAKER_KEYS = ['key', 'trip', 'openMs', 'halfOpenMaxCalls', 'successThreshold', 'maxKeys'] as const;

/**
 * Resolves `circuitBreaker` (an object, or a boolean) over `base`.
 * @throws {ConfigError} naming the first invalid field under `path`.
 */
export function resolveBreaker(path: string, raw: unknown, base: ResolvedBreaker): ResolvedBreaker | false {
  if (raw === false) return false;
  if (raw === true) return base;
  const r = v.record(path, raw, BREAKER_KEYS, 'an object or a boolean');
  return Object.freeze({
    key: r.key === undefined ? base.key : typeof r.key === 'function' ? (r.key as BreakerKey) : v.oneOf(`${path}.key`, r.key, ['origin', 'client'] as const),
    trip: r.trip === undefined ? base.trip : resolveTrip(`${path}.trip`, r.trip),
    openMs: r.openMs === undefined ? base.openMs : v.number(`${path}.openMs`, r.openMs, 0, { exclusiveMin: true }),
    halfOpenMaxCalls: r.halfOpenMaxCalls === undefined ? base.halfOpenMaxCalls : v.integer(`${path}.halfOpenMaxCalls`, r.halfOpenMaxCalls, 1),
    successThreshold: r.successThreshold === undefined ? base.successThreshold : v.integer(`${path}.successThreshold`, r.successThreshold, 1),
    maxKeys: r.maxKeys === undefined ? base.maxKeys : v.integer(`${path}.maxKeys`, r.maxKeys, 1),
  });
}

/**
 * Resolves a trip rule (complete: no defaults inside a rule).
 * @throws {ConfigError} naming the first invalid field under `path`.
 */
export function resolveTrip(path: string, raw: unknown): TripRuleOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, raw, "an object such as { type: 'consecutive', failures: 5 }");
  const type = v.oneOf(`${path}.type`, (raw as { type?: unknown }).type, ['consecutive', 'rate'] as const);
  if (type === 'consecutive') {
    const r = v.record(path, raw, ['type', 'failures']);
    return Object.freeze({ type, failures: v.integer(`${path}.failures`, r.failures, 1) });
  }
  const r = v.record(path, raw, ['type', 'threshold', 'minimumCalls', 'windowMs']);
  return Object.freeze({
    type,
    threshold: v.number(`${path}.threshold`, r.threshold, 0, { exclusiveMin: true, max: 1 }),
    minimumCalls: v.integer(`${path}.minimumCalls`, r.minimumCalls, 1),
    windowMs: v.number(`${path}.windowMs`, r.windowMs, 1),
  });
}
