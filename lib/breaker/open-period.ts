/**
 * How long a breaker stays OPEN: a pure function of the options, the failed trials
 * since it last closed and one uniform draw. The period doubles with each failed
 * trial up to a cap, as Finagle's and Envoy's ejections grow, and is jittered so that
 * a fleet of clients that opened together does not probe together.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */

/** The options the open period depends on (fields of the resolved `circuitBreaker`). */
export interface OpenPeriodOptions {
  /** The period after the first trip, in ms (> 0). */
  readonly openMs: number;
  /** Cap on the doubled period, in ms (>= openMs); the jitter applies after it. */
  readonly maxOpenMs: number;
  /** Relative jitter f in [0, 1): the period is multiplied by U(1 - f, 1 + f). */
  readonly openJitter: number;
}

/**
 * The open period in ms: `min(openMs x 2^failedTrials, maxOpenMs) x (1 - f + 2 f draw)`,
 * so within `[1 - f, 1 + f)` times the capped period. Always > 0 and finite for valid
 * options (a huge `failedTrials` saturates at the cap).
 *
 * @param failedTrials HALF_OPEN trials that failed since the breaker last closed (0 on the first trip).
 * @param draw a uniform number in [0, 1), drawn once when the breaker opens.
 */
export function openPeriodMs(options: OpenPeriodOptions, failedTrials: number, draw: number): number {
  const f = options.openJitter;
  const capped = Math.min(options.openMs * 2 ** failedTrials, options.maxOpenMs);
  return capped * (1 - f + 2 * f * draw);
}
