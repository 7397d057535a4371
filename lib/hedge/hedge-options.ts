/**
 * `hedge` options: their types, their resolver, and the checks that tie them
 * to `retry`. Off by default. Resolved options keep the user's keys, complete
 * and frozen.
 *
 * Hedges are attempts: they count against `retry.maxAttempts`, carry the same
 * numbering and events, and a call that may not be sent again (`retry: false`)
 * is never hedged. So a client whose `retry.maxAttempts` leaves no room for its
 * `hedge.maxHedges` is a `ConfigError` rather than a silent cap. The one
 * exception is a request's own `resilience.retry: false`: "send this once"
 * turns hedging off for that call.
 * @see https://github.com/grpc/proposal/blob/master/A6-client-retries.md (hedging policy; at most 5 attempts)
 */
import { ConfigError } from '../common/config-error.js';
import * as v from '../common/validate.js';
import type { ResolvedRetry } from '../retry/retry-options.js';

/** Send a second copy of a slow idempotent request and take the first answer. */
export interface HedgeOptions {
  /**
   * ms without an answer, after the last attempt was sent, before the next
   * copy goes out (0: all copies at once). Set it above the backend's healthy
   * latency (its p95 or so), not at it. Required when hedging is turned on.
   */
  delayMs?: number;
  /** Extra copies per call (integer 1-4); they count against `retry.maxAttempts`. @default 1 */
  maxHedges?: number;
  /**
   * Methods that may be hedged. POST and PATCH are hedged only when listed
   * *and* the call carries an idempotency key. @default retry.methods
   */
  methods?: readonly string[];
}

/**
 * `hedge` after validation (`false` in the resolved options when off).
 * @inline
 */
export interface ResolvedHedge {
  /** ms an attempt may go unanswered before the next copy is sent. */
  readonly delayMs: number;
  /** Copies sent at most for one call (1-4), besides its first attempt. */
  readonly maxHedges: number;
  /** Upper-case methods, or undefined: the call's `retry.methods`. */
  readonly methods: ReadonlySet<string> | undefined;
}

/** gRPC caps a hedged call at 5 attempts: the first and 4 hedges. */
export const MAX_HEDGES = 4;

const HEDGE_FIELDS: v.Fields<ResolvedHedge> = { delayMs: v.num(0), maxHedges, methods: v.methodSet };
/** What a hedge turned on without a base starts from (`delayMs` must be given). */
const HEDGE_START: ResolvedHedge = { delayMs: 0, maxHedges: 1, methods: undefined };

/**
 * Resolves `hedge` (an object, or `false`) over `base` (the settings in force,
 * `false` when hedging is off: `delayMs` must then be given).
 * @throws {ConfigError} naming the first invalid field under `path`.
 */
export function resolveHedge(path: string, raw: unknown, base: ResolvedHedge | false): ResolvedHedge | false {
  if (raw === false) return false;
  const r = v.record(path, raw, Object.keys(HEDGE_FIELDS), 'an object or false');
  if (base === false && r.delayMs === undefined) {
    throw new ConfigError(`${path}.delayMs`, undefined, 'a finite number >= 0 (required: ms without an answer before a hedge is sent)');
  }
  return v.fill(path, r, HEDGE_FIELDS, base || HEDGE_START);
}

function maxHedges(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_HEDGES) {
    throw new ConfigError(path, value, `an integer from 1 to ${MAX_HEDGES}`);
  }
  return value;
}

/**
 * Hedges count as attempts: `retry.maxAttempts` must leave room for every hedge.
 * `prefix` is '' for the client's options, 'resilience.' for a request's;
 * `blameHedge`: the retry settings were not given here, so the error names the hedge field.
 * @throws {ConfigError} on `<prefix>retry`, `<prefix>retry.maxAttempts` or `<prefix>hedge.maxHedges`.
 */
export function checkHedgeRoom(prefix: string, hedge: ResolvedHedge | false, retry: ResolvedRetry | false, blameHedge: boolean): void {
  if (hedge === false) return;
  const maxAttempts = retry === false ? 1 : retry.maxAttempts;
  if (maxAttempts > hedge.maxHedges) return;
  if (blameHedge) {
    throw new ConfigError(`${prefix}hedge.maxHedges`, hedge.maxHedges, `< retry.maxAttempts (${retry === false ? 'retry is off' : maxAttempts}; hedges count as attempts)`);
  }
  if (retry === false) throw new ConfigError(`${prefix}retry`, false, `retry options while hedging is on (hedges are attempts), or set hedge: false too`);
  throw new ConfigError(`${prefix}retry.maxAttempts`, maxAttempts, `> hedge.maxHedges (${hedge.maxHedges}; hedges count as attempts)`);
}

/** The method may be hedged: listed (or a retry method when `methods` is not set); POST/PATCH only with an idempotency key. */
export function mayHedgeMethod(hedge: ResolvedHedge, retry: ResolvedRetry, method: string, hasIdempotencyKey: boolean): boolean {
  if (!(hedge.methods ?? retry.methods).has(method)) return false;
  return (method !== 'POST' && method !== 'PATCH') || hasIdempotencyKey;
}
