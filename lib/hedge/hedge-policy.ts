/**
 * The hedging rules that need no effect: how a failed attempt weighs while
 * its siblings are still in flight, what counts as the server pushing back,
 * and whether one more copy may go now. Pure over their inputs; the runner's
 * hedger applies them.
 *
 * - The first **final** outcome wins: a success, or a failure the retry lists
 *   would never retry (and no `retryIf` to ask).
 * - A **retryable** failure (listed) is dropped; the next copy goes at once
 *   when one may still go (gRPC A6: a non-fatal status sends the next hedge
 *   immediately). A failure only `retryIf` could call retryable waits for the
 *   siblings; when none is left, the ordinary retry decision asks `retryIf`.
 * - **Pushback** (429, 503, or any `Retry-After`) stops hedging for the call:
 *   the server asked for less load, not more (gRPC A6 "server pushback").
 * @see https://github.com/grpc/proposal/blob/master/A6-client-retries.md
 */
import type { AttemptEnd } from '../retry/retry-policy.js';
import { isListed } from '../retry/retry-policy.js';
import type { ResolvedRetry } from '../retry/retry-options.js';

/** How a failed attempt weighs in a race: it ends the call, it sends the next copy now, or it waits for the siblings. */
export type FailureWeight = 'final' | 'retryable' | 'undecided';

export function failureWeight(retry: ResolvedRetry, end: AttemptEnd, idempotent: boolean): FailureWeight {
  if (isListed(retry, end, idempotent)) return 'retryable';
  return retry.retryIf === undefined ? 'final' : 'undecided';
}

/** The server asked for less load: 429, 503, or a `Retry-After` header on any response. */
export function isPushback(end: AttemptEnd): boolean {
  if (end.kind !== 'response') return false;
  return end.status === 429 || end.status === 503 || (end.retryAfter !== undefined && end.retryAfter !== null);
}

/** What the hedger knows when a copy could go out. */
export interface HedgeRoom {
  /** Hedges this call has sent (or is sending). */
  readonly hedges: number;
  readonly maxHedges: number;
  /** Attempts sent or being sent, the first included. */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** Pushback seen in this call. */
  readonly pushback: boolean;
  /** ms until the call's deadline. */
  readonly remainingMs: number;
}

/** One more copy may be sent: hedges and attempts left, no pushback, time left. */
export function hedgeRoom(room: HedgeRoom): boolean {
  return room.hedges < room.maxHedges && room.attempts < room.maxAttempts && !room.pushback && room.remainingMs > 0;
}
