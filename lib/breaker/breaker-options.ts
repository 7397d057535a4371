/**
 * `circuitBreaker` options: types, defaults and the resolver. The only place
 * breaker options are validated; the breaker, its trip rules and the registry
 * take them resolved.
 */
import type { InternalAxiosRequestConfig } from 'axios';
import { ConfigError } from '../common/config-error.js';
import * as v from '../common/validate.js';
import type { BreakerOptions } from './circuit-breaker.js';
import type { TripRuleOptions } from './trip-rules.js';

/** How the breaker key of a request is chosen. */
export type BreakerKey = 'origin' | 'client' | ((config: InternalAxiosRequestConfig) => string);

/** Circuit breaker settings. */
export interface CircuitBreakerOptions {
  /** One breaker per scheme+host+port, one per client, or a custom key. @default 'origin' */
  key?: BreakerKey;
  /**
   * When CLOSED turns OPEN, counted in attempts (retries included). A rule is given whole: a
   * `rate` rule without `consecutive` has no run clause.
   * @default { type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000, consecutive: 10 }
   */
  trip?: TripRuleOptions;
  /** Time OPEN before HALF_OPEN after the first trip, in ms (> 0). @default 5_000 */
  openMs?: number;
  /**
   * Cap on the open period, in ms (>= openMs): each failed trial doubles it (5, 10, 20, 40,
   * 60, 60 ... s by default); closing resets it to `openMs`. Left out, it is 60_000 or
   * `openMs` when that is longer (so a 0.1.0 config with a long `openMs` keeps a fixed period).
   * @default 60_000
   */
  maxOpenMs?: number;
  /**
   * Each open period (after doubling and the `maxOpenMs` cap) is multiplied by U(1 - f, 1 + f)
   * drawn from the client's `random`, so a fleet's trials spread out. A number in [0, 1).
   * @default 0.2
   */
  openJitter?: number;
  /** Trial calls let through in HALF_OPEN (integer >= 1). @default 1 */
  halfOpenMaxCalls?: number;
  /** Trial successes that close it (integer >= 1). @default 1 */
  successThreshold?: number;
  /** Breakers kept; the least recently used CLOSED one is dropped past it (integer >= 1). @default 1_000 */
  maxKeys?: number;
}

/**
 * `circuitBreaker` after defaults and validation (`false` in the resolved options when off).
 * What `new CircuitBreaker(...)` and `new BreakerRegistry(...)` take.
 * @inline
 */
export interface ResolvedBreaker extends BreakerOptions {
  /** How a request's breaker key is chosen. */
  readonly key: BreakerKey;
  /** Breakers kept (also caps adaptive-throttle keys); past it the least recently used CLOSED one is dropped. */
  readonly maxKeys: number;
}

export const DEFAULT_BREAKER: ResolvedBreaker = Object.freeze({
  key: 'origin',
  trip: Object.freeze({ type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000, consecutive: 10 }),
  openMs: 5_000,
  maxOpenMs: 60_000,
  openJitter: 0.2,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
  maxKeys: 1_000,
});

const BREAKER_FIELDS: v.Fields<ResolvedBreaker> = {
  key: v.choice<'origin' | 'client', BreakerKey>(['origin', 'client'], true),
  trip: (p, x) => resolveTrip(p, x),
  openMs: v.num(0, { exclusiveMin: true }),
  maxOpenMs: v.num(0, { exclusiveMin: true }),
  openJitter: fraction,
  halfOpenMaxCalls: v.int(1),
  successThreshold: v.int(1),
  maxKeys: v.int(1),
};

/**
 * Resolves `circuitBreaker` (an object, or a boolean) over `base`.
 * @throws {ConfigError} naming the first invalid field under `path`.
 */
export function resolveBreaker(path: string, raw: unknown, base: ResolvedBreaker): ResolvedBreaker | false {
  if (raw === false) return false;
  if (raw === true) return base;
  const r = v.record(path, raw, Object.keys(BREAKER_FIELDS), 'an object or a boolean');
  const b = v.fill(path, r, BREAKER_FIELDS, base);
  if (b.maxOpenMs >= b.openMs) return b;
  if (r.maxOpenMs !== undefined) throw new ConfigError(`${path}.maxOpenMs`, b.maxOpenMs, `a finite number >= openMs (${b.openMs})`);
  return Object.freeze({ ...b, maxOpenMs: b.openMs }); // left out: at least openMs
}

/** A number in [0, 1). */
function fraction(path: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ConfigError(path, value, 'a number >= 0 and < 1');
  return value;
}

/**
 * Resolves a trip rule (complete: no defaults inside a rule).
 * @throws {ConfigError} naming the first invalid field under `path`.
 */
export function resolveTrip(path: string, raw: unknown): TripRuleOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(path, raw, "an object such as { type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000 }");
  }
  const type = v.oneOf(`${path}.type`, (raw as { type?: unknown }).type, ['consecutive', 'rate'] as const);
  if (type === 'consecutive') {
    const r = v.record(path, raw, ['type', 'failures']);
    return Object.freeze({ type, failures: v.integer(`${path}.failures`, r.failures, 1) });
  }
  const r = v.record(path, raw, ['type', 'threshold', 'minimumCalls', 'windowMs', 'consecutive']);
  const rule = {
    type,
    threshold: v.number(`${path}.threshold`, r.threshold, 0, { exclusiveMin: true, max: 1 }),
    minimumCalls: v.integer(`${path}.minimumCalls`, r.minimumCalls, 1),
    windowMs: v.number(`${path}.windowMs`, r.windowMs, 1),
  };
  if (r.consecutive === undefined) return Object.freeze(rule);
  return Object.freeze({ ...rule, consecutive: v.integer(`${path}.consecutive`, r.consecutive, 1) });
}
