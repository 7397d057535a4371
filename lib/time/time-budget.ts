/**
 * Time budgets: a deadline for the whole call (`totalMs`) and a limit per
 * attempt (`attemptMs`, or axios's `timeout`). The options, their resolver,
 * and the pure arithmetic of one attempt's limit.
 */
import * as v from '../common/validate.js';

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

/**
 * `timeBudget` after defaults and validation.
 * @inline
 */
export interface ResolvedTimeBudget {
  /** Deadline for the whole call, in ms (`Infinity`: none). */
  readonly totalMs: number;
  /** The per-attempt limit given by the user, in ms; `undefined`: axios's `timeout` when given, else 10_000 ms. */
  readonly attemptMs: number | undefined;
  /** The header that carries the ms left on every attempt; `undefined`: none sent. */
  readonly propagateHeader: string | undefined;
}

/** Per-attempt limit when neither `attemptMs` nor an axios `timeout` is given. */
export const DEFAULT_ATTEMPT_MS = 10_000;

export const DEFAULT_TIME_BUDGET: ResolvedTimeBudget = Object.freeze({ totalMs: 30_000, attemptMs: undefined, propagateHeader: undefined });

const duration = v.num(0, { exclusiveMin: true, allowInfinity: true });
const TIME_BUDGET_FIELDS: v.Fields<ResolvedTimeBudget> = { totalMs: duration, attemptMs: duration, propagateHeader: v.header };

/**
 * Resolves `timeBudget` over `base`.
 * @throws {ConfigError} naming the first invalid field under `path`.
 */
export function resolveTimeBudget(path: string, raw: unknown, base: ResolvedTimeBudget): ResolvedTimeBudget {
  return v.section(path, raw, TIME_BUDGET_FIELDS, base);
}

/**
 * The per-attempt limit of a call, in ms (`Infinity`: none). An explicit
 * `attemptMs` wins; else the request's axios `timeout` when one was given
 * (`0` meaning no limit, as in axios); else {@link DEFAULT_ATTEMPT_MS}.
 * @param axiosTimeout the request's `timeout`, or undefined when nobody set one.
 */
export function attemptLimitMs(budget: ResolvedTimeBudget, axiosTimeout: number | undefined): number {
  if (budget.attemptMs !== undefined) return budget.attemptMs;
  if (axiosTimeout === undefined) return DEFAULT_ATTEMPT_MS;
  return axiosTimeout > 0 ? axiosTimeout : Infinity;
}
