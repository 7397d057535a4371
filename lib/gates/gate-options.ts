/**
 * Options of the overload gates: the retry budget, the bulkhead
 * (`concurrency`) and adaptive throttling. Types, defaults and resolvers.
 */
import { ConfigError } from '../common/config-error.js';
import * as v from '../common/validate.js';

/**
 * The AWS SDKs' standard retry quota (the default budget): a bucket that starts full; each
 * retry takes `retryCost` tokens (`timeoutCost` after an attempt that timed out); a call that
 * succeeds on its first attempt returns `successRefund`, one that succeeds after retries
 * returns what its last retry took; never above `capacity`. Random failure keeps the bucket
 * full; a dead backend empties it after `capacity / retryCost` retries (100 by default), then
 * nothing is retried until calls succeed again. The bound is per client, whatever its traffic.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @inline
 */
export interface TokenBudgetOptions {
  /** Without `type`, the fields decide: none of the ratio fields means `'tokens'`. */
  type?: 'tokens';
  /** Tokens the bucket holds, and starts with (> 0). @default 500 */
  capacity?: number;
  /** Tokens a retry takes (> 0). @default 5 */
  retryCost?: number;
  /** Tokens a retry takes when the failed attempt timed out (> 0). @default 10 */
  timeoutCost?: number;
  /** Tokens a call that succeeds on its first attempt returns (>= 0). @default 1 */
  successRefund?: number;
  /** A field of the ratio budget: not allowed beside token fields. */
  ratio?: never;
  /** A field of the ratio budget: not allowed beside token fields. */
  minPerSecond?: never;
  /** A field of the ratio budget: not allowed beside token fields. */
  windowMs?: never;
}

/**
 * Finagle's retry budget: over the last `windowMs`, retries may not exceed `ratio` x calls plus
 * `minPerSecond` x windowMs/1000. The reserve is per client, so a quiet client (or a fleet of
 * them) may retry most failures even in an outage.
 * @see https://twitter.github.io/finagle/guide/Clients.html#retries
 * @inline
 */
export interface RatioBudgetOptions {
  /** Without `type`, any of the ratio fields means `'ratio'` (0.1.0 configs keep working). */
  type?: 'ratio';
  /** Retries allowed per call in the window (>= 0). @default 0.2 */
  ratio?: number;
  /** Reserve of retries per second, always allowed (>= 0). @default 10 */
  minPerSecond?: number;
  /** Window over which calls and retries are counted, in ms (>= 1). @default 10_000 */
  windowMs?: number;
  /** A field of the token quota: not allowed beside ratio fields. */
  capacity?: never;
  /** A field of the token quota: not allowed beside ratio fields. */
  retryCost?: never;
  /** A field of the token quota: not allowed beside ratio fields. */
  timeoutCost?: never;
  /** A field of the token quota: not allowed beside ratio fields. */
  successRefund?: never;
}

/**
 * `retryBudget`: a token quota (the default: the AWS SDKs' standard retry quota) or a ratio of
 * calls (Finagle's budget). Fields of both kinds together are a `ConfigError`.
 */
export type RetryBudgetOptions = TokenBudgetOptions | RatioBudgetOptions;

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
 * A token quota after defaults and validation (see {@link TokenBudgetOptions}).
 * @inline
 */
export interface ResolvedTokenBudget {
  /** A token quota. */
  readonly type: 'tokens';
  /** Tokens the bucket holds, and starts with. */
  readonly capacity: number;
  /** Tokens a retry takes. */
  readonly retryCost: number;
  /** Tokens a retry takes when the failed attempt timed out. */
  readonly timeoutCost: number;
  /** Tokens returned by a call that succeeded on its first attempt. */
  readonly successRefund: number;
}

/**
 * A ratio budget after defaults and validation (see {@link RatioBudgetOptions}).
 * @inline
 */
export interface ResolvedRatioBudget {
  /** A ratio budget. */
  readonly type: 'ratio';
  /** Retries allowed per call in the window. */
  readonly ratio: number;
  /** Reserve of retries per second. */
  readonly minPerSecond: number;
  /** Window over which calls and retries are counted, in ms. */
  readonly windowMs: number;
}

/** `retryBudget` after defaults and validation, tagged by `type`. */
export type ResolvedRetryBudget = ResolvedTokenBudget | ResolvedRatioBudget;

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

/** The default `retryBudget`: the AWS SDKs' standard quota. */
export const DEFAULT_RETRY_BUDGET: ResolvedTokenBudget = Object.freeze({
  type: 'tokens', capacity: 500, retryCost: 5, timeoutCost: 10, successRefund: 1,
});
/** A `retryBudget` of type `'ratio'` starts from these (Finagle's and Linkerd's). */
export const DEFAULT_RATIO_BUDGET: ResolvedRatioBudget = Object.freeze({ type: 'ratio', ratio: 0.2, minPerSecond: 10, windowMs: 10_000 });
export const DEFAULT_THROTTLE: ResolvedThrottle = Object.freeze({ k: 2, windowMs: 120_000, minRequests: 10 });

const positive = v.num(0, { exclusiveMin: true });
const TOKEN_FIELDS: v.Fields<ResolvedTokenBudget> = {
  type: () => 'tokens', capacity: positive, retryCost: positive, timeoutCost: positive, successRefund: v.num(0),
};
const RATIO_FIELDS: v.Fields<ResolvedRatioBudget> = {
  type: () => 'ratio',
  ratio: v.num(0),
  minPerSecond: v.num(0),
  // >= 1 ms: a window like 5e-324 would make every bucket of the sliding counts a sliver of time.
  windowMs: v.num(1),
};
/** Each type's own fields, `type` left out. */
const TOKEN_KEYS = Object.keys(TOKEN_FIELDS).slice(1);
const RATIO_KEYS = Object.keys(RATIO_FIELDS).slice(1);
const SHAPES = "{ type: 'tokens', capacity, retryCost, timeoutCost, successRefund } or { type: 'ratio', ratio, minPerSecond, windowMs }";

/**
 * Resolves `retryBudget` (an object, or a boolean) over `base`. The type is `type` when given,
 * else the type whose fields are given, else `base`'s (so `true` and `{}` keep `base`: the token
 * default in a constructor). Fields default from `base` when it has the same type, else from
 * that type's defaults, so `configure()` can switch types.
 * @throws {ConfigError} naming the first invalid field: fields of both types, or of the other type than `type`, included.
 */
export function resolveRetryBudget(path: string, raw: unknown, base: ResolvedRetryBudget): ResolvedRetryBudget | false {
  if (raw === false) return false;
  if (raw === true) return base;
  const r = v.record(path, raw, ['type', ...TOKEN_KEYS, ...RATIO_KEYS], 'an object or a boolean');
  const given = (fields: readonly string[]): string | undefined => fields.find((f) => r[f] !== undefined);
  const token = given(TOKEN_KEYS);
  const ratio = given(RATIO_KEYS);
  let type: ResolvedRetryBudget['type'];
  if (r.type !== undefined) type = v.oneOf(`${path}.type`, r.type, ['tokens', 'ratio'] as const);
  else if (token !== undefined && ratio !== undefined) {
    throw new ConfigError(`${path}.${token}`, r[token], `left out beside ratio fields (${ratio}); a budget is ${SHAPES}`);
  } else type = token !== undefined ? 'tokens' : ratio !== undefined ? 'ratio' : base.type;
  const other = type === 'tokens' ? ratio : token;
  if (other !== undefined) throw new ConfigError(`${path}.${other}`, r[other], `left out of a '${type}' budget; a budget is ${SHAPES}`);
  if (type === 'tokens') return v.fill(path, r, TOKEN_FIELDS, base.type === 'tokens' ? base : DEFAULT_RETRY_BUDGET);
  return v.fill(path, r, RATIO_FIELDS, base.type === 'ratio' ? base : DEFAULT_RATIO_BUDGET);
}

const CONCURRENCY_FIELDS: v.Fields<ResolvedConcurrency> = { max: v.int(1), queue: v.int(0) };

/**
 * Resolves `concurrency` (an object, or false) over `base`.
 * @throws {ConfigError} naming the first invalid field.
 */
export function resolveConcurrency(path: string, raw: unknown, base: ResolvedConcurrency | false): ResolvedConcurrency | false {
  if (raw === false) return false;
  const r = v.record(path, raw, Object.keys(CONCURRENCY_FIELDS), 'an object or false');
  // Turned on without a base: `max` is required (checked here, so undefined is refused too).
  return v.fill(path, r, CONCURRENCY_FIELDS, base || { max: v.integer(`${path}.max`, r.max, 1), queue: 0 });
}

const THROTTLE_FIELDS: v.Fields<ResolvedThrottle> = { k: v.num(1), windowMs: v.num(1), minRequests: v.int(0) };

/**
 * Resolves `adaptiveThrottle` (an object, or a boolean) over `base`.
 * @throws {ConfigError} naming the first invalid field.
 */
export function resolveThrottle(path: string, raw: unknown, base: ResolvedThrottle): ResolvedThrottle | false {
  if (raw === false) return false;
  if (raw === true) return base;
  return v.section(path, raw, THROTTLE_FIELDS, base, 'an object or a boolean');
}
