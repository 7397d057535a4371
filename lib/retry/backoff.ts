/**
 * Backoff: how long to wait before the next attempt after one failed.
 *
 * Pure functions only: randomness is passed in, and nothing here reads the clock.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 *   (AWS Architecture Blog, "Exponential Backoff And Jitter")
 */
import { ConfigError } from '../common/config-error.js';

/** Built-in delay curves (see `retry.backoff.type` in the README for each formula). */
export type BackoffType = 'exponential' | 'linear' | 'constant' | 'fibonacci' | 'decorrelated';

/**
 * A custom delay function: `(attempt, outcome) => ms`, where `attempt` is the 1-based
 * number of the attempt that just failed and `outcome` is what it produced.
 * Must return a number of milliseconds >= 0 (it is capped at `maxMs`; jitter is not applied).
 */
export type BackoffFunction<O = unknown> = (attempt: number, outcome: O) => number;

/**
 * How to randomise a delay `d` (ms), with `r = random()` uniform in `[0, 1)`:
 * - `'none'`: `d`;
 * - `'full'`: `r * d`, in `[0, d]`;
 * - `'equal'`: `d/2 + r * d/2`, in `[d/2, d]`;
 * - a number `f` in `(0, 1]`: `d * (1 - f + 2 * f * r)`, in `[d(1 - f), d(1 + f)]`.
 *
 * (The upper bounds are exclusive in exact arithmetic but may be reached through rounding.)
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export type Jitter = 'none' | 'full' | 'equal' | number;

/**
 * Backoff options after defaults and validation have been applied.
 * @inline
 */
export interface ResolvedBackoff<O = unknown> {
  /** A built-in curve or a custom function. */
  readonly type: BackoffType | BackoffFunction<O>;
  /** Base delay in ms (>= 0): the first delay, and the unit of the curves. */
  readonly baseMs: number;
  /** Multiplier per attempt for `'exponential'` (>= 1). Ignored by the other types. */
  readonly factor: number;
  /** Cap in ms on any single delay (>= 0), applied before and after jitter. */
  readonly maxMs: number;
  /** Jitter for the deterministic built-in types; ignored by `'decorrelated'` and custom functions. */
  readonly jitter: Jitter;
}

/** Polly's decorrelated-jitter V2 constants (smoothing of the first delay, median scaling). */
const P_FACTOR = 4;
const RP_SCALING_FACTOR = 1 / 1.4;

/**
 * Delay in ms before the next attempt, after attempt `attempt` (1-based) failed.
 *
 * `carry` is opaque state threaded from the previous call for the same request (start
 * with 0); returns `[delayMs, nextCarry]`. Pure: the same inputs give the same output.
 * The result is always within `[0, maxMs]`, never NaN.
 *
 * - Deterministic types: `d' = min(baseDelay(...), maxMs)`, then `min(maxMs, applyJitter(d'))`.
 * - `'decorrelated'`: Polly's "decorrelated jitter backoff V2" with the median first delay
 *   near `baseMs`; it is jittered by construction, so the `jitter` option is NOT applied,
 *   and `factor` is ignored (the curve roughly doubles per attempt). Uses and returns `carry`.
 * - A custom function: its result, capped at `maxMs`; jitter is NOT applied.
 *   Throws {@link ConfigError} if it returns anything but a number >= 0 (a non-number, NaN,
 *   a negative number); an error thrown by the function propagates unchanged.
 *
 * Other types return `carry` unchanged.
 *
 * @param random uniform source in `[0, 1)`, called at most once.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @see https://github.com/Polly-Contrib/Polly.Contrib.WaitAndRetry#new-jitter-recommendation
 */
export function backoffDelay<O>(
  options: ResolvedBackoff<O>,
  attempt: number,
  carry: number,
  random: () => number,
  outcome: O,
): readonly [number, number] {
  const { type, maxMs } = options;
  if (typeof type === 'function') return [customDelay(type, attempt, outcome, maxMs), carry];
  if (type === 'decorrelated') return decorrelatedDelay(options.baseMs, maxMs, attempt, carry, random);
  const cappedMs = cappedBaseDelay(type, options.baseMs, options.factor, attempt, maxMs);
  return [clampDelay(applyJitter(cappedMs, options.jitter, random), maxMs), carry];
}

/**
 * The un-jittered delay `d` in ms for attempt `attempt` (1-based) of a deterministic
 * built-in type, before the `maxMs` cap:
 * - exponential: `baseMs * factor^(attempt - 1)`;
 * - linear: `baseMs * attempt`;
 * - constant: `baseMs`;
 * - fibonacci: `baseMs * F(attempt)` with F = 1, 2, 3, 5, 8, 13, ...
 *
 * Saturates to `Infinity` for huge attempts (never NaN; `baseMs` 0 always gives 0).
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function baseDelay(
  type: 'exponential' | 'linear' | 'constant' | 'fibonacci',
  baseMs: number,
  factor: number,
  attempt: number,
): number {
  return cappedBaseDelay(type, baseMs, factor, attempt, Infinity);
}

/**
 * Randomises a delay `delayMs` (ms) according to `jitter` (see {@link Jitter}):
 * `'none'` -> `d`; `'full'` -> `random() * d`; `'equal'` -> `d/2 + random() * d/2`;
 * a number `f` -> `d * (1 - f + 2 * f * random())`. Does not cap; {@link backoffDelay} does.
 *
 * @param random uniform source in `[0, 1)`, called once unless `jitter` is `'none'`.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function applyJitter(delayMs: number, jitter: Jitter, random: () => number): number {
  switch (jitter) {
    case 'none':
      return delayMs;
    case 'full':
      return random() * delayMs;
    case 'equal':
      // min: for subnormal delays the halves round up and their sum can pass d.
      return Math.min(delayMs, delayMs / 2 + (random() * delayMs) / 2);
    default:
      return delayMs * (1 - jitter + 2 * jitter * random());
  }
}

/** `min(d, maxMs)` for a deterministic type, stopping early once the cap is reached. */
function cappedBaseDelay(
  type: 'exponential' | 'linear' | 'constant' | 'fibonacci',
  baseMs: number,
  factor: number,
  attempt: number,
  maxMs: number,
): number {
  if (baseMs === 0) return 0; // the curves may reach Infinity, and 0 * Infinity is NaN
  switch (type) {
    case 'exponential':
      return Math.min(baseMs * factor ** (attempt - 1), maxMs);
    case 'linear':
      return Math.min(baseMs * attempt, maxMs);
    case 'constant':
      return Math.min(baseMs, maxMs);
    case 'fibonacci':
      return Math.min(fibonacciDelay(baseMs, attempt, maxMs), maxMs);
  }
}

/**
 * `baseMs * F(attempt)` (F = 1, 2, 3, 5, ...), or an earlier term once that reaches
 * `capMs`. At most ~1,500 steps: the terms overflow to Infinity by then.
 */
function fibonacciDelay(baseMs: number, attempt: number, capMs: number): number {
  let current = 1;
  let next = 2;
  for (let n = 1; n < attempt && baseMs * current < capMs; n++) {
    const sum = current + next;
    current = next;
    next = sum;
  }
  return baseMs * current;
}

/**
 * Polly's `DecorrelatedJitterBackoffV2` step (Polly v8 `DelayBackoffType.Exponential` with
 * `UseJitter`), with `medianFirstRetryDelay = baseMs` and a 1-based `attempt`.
 */
function decorrelatedDelay(
  baseMs: number,
  maxMs: number,
  attempt: number,
  prev: number,
  random: () => number,
): readonly [number, number] {
  const t = attempt - 1 + random();
  const next = 2 ** t * Math.tanh(Math.sqrt(P_FACTOR * t));
  // Past t ~ 1024, 2^t overflows: Infinity - Infinity would be NaN, so saturate at the cap.
  if (next === Infinity) return [baseMs === 0 ? 0 : maxMs, next];
  return [clampDelay((next - prev) * RP_SCALING_FACTOR * baseMs, maxMs), next];
}

/** Calls a custom delay function and validates its result; caps it at `maxMs`. */
function customDelay<O>(fn: BackoffFunction<O>, attempt: number, outcome: O, maxMs: number): number {
  const delayMs: unknown = fn(attempt, outcome);
  if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
    throw new ConfigError('retry.backoff.type', delayMs, 'a function returning a number of milliseconds >= 0');
  }
  return Math.min(delayMs, maxMs);
}

/** Clamps to `[0, maxMs]`; NaN (e.g. `0 * Infinity`) becomes 0. */
function clampDelay(delayMs: number, maxMs: number): number {
  return delayMs > 0 ? Math.min(delayMs, maxMs) : 0;
}
