/**
 * The fleet link: what a client needs from a store shared by several processes
 * (`resilient-axios/redis` provides one) to share what it learns about a
 * backend. The core knows only this interface: it imports no store client and
 * stays browser-safe.
 *
 * The core calls the link only when something changed: a breaker transition
 * (`publish`), a HALF_OPEN trial after this process's own open period
 * (`acquireTrialLease`), and at most once a second while its retry budget's
 * tokens moved (`reconcileBudget`). A healthy call with a CLOSED breaker
 * never reaches the link. Durations are relative: no process compares its
 * wall clock with another's.
 */

/** A breaker change, as one process tells the others (tagged by `type`). */
export type FleetChange =
  | {
    /** The sender's breaker opened. */
    readonly type: 'open';
    /** The breaker key (an origin, 'client', or the user's key). */
    readonly key: string;
    /** ms until the sender lets a trial through. */
    readonly remainingMs: number;
    /** What the sender's trip rule counted (1 for a failed trial, 0 when it was itself told by the fleet). */
    readonly failures: number;
  }
  | {
    /** The sender's breaker closed. */
    readonly type: 'close';
    /** The breaker key. */
    readonly key: string;
  };

/** The answer to a trial lease request (tagged by `kind`). */
export type TrialLease =
  /** This process sends the fleet's trial. */
  | {
    /** Granted to this process. */
    readonly kind: 'granted';
  }
  /** Another process holds the trial (or its open period) for `remainingMs` more. */
  | {
    /** Held by another process. */
    readonly kind: 'held';
    /** ms until the holder's lease ends. */
    readonly remainingMs: number;
  };

/**
 * How a remote open is applied to a CLOSED local breaker:
 * - `'verify'`: to HALF_OPEN, so this process's own trial (at most `halfOpenMaxCalls`
 *   requests) decides; a process whose path to the backend is fine is never silenced;
 * - `'trust'`: to OPEN until the sender's open period ends (no request at all).
 */
export type FleetAdopt = 'verify' | 'trust';

/**
 * A link to the fleet: one per client (its `dispose()` closes it). Methods
 * never throw; every promise settles within `opTimeoutMs` (the core bounds
 * the lease wait itself too). A rejected or late answer means "the fleet is
 * unreachable": the client goes on with its own state.
 */
export interface FleetLink {
  /** What a remote open does to a CLOSED local breaker. */
  readonly adopt: FleetAdopt;
  /** Bound on every operation, in ms; the longest a HALF_OPEN trial waits for its lease. */
  readonly opTimeoutMs: number;
  /**
   * Tells the other processes, fire-and-forget: returns at once, never awaited by a call.
   * An `open` also makes the fleet's next trial this process's until `remainingMs` has
   * passed (unless another process holds it longer; this process's own lease is
   * replaced); a `close` (sent when this process's trial closed the breaker) frees it.
   */
  publish(change: FleetChange): void;
  /**
   * Asks for the fleet's trial of `key`'s open period: `granted` (held for `ttlMs`, or
   * until this process publishes the trial's outcome) or `held` by another process.
   */
  acquireTrialLease(key: string, ttlMs: number): Promise<TrialLease>;
  /**
   * Adds `change` (tokens: negative spent, positive refunded) to the fleet's token
   * bucket, kept within [0, `capacity`] (a missing bucket starts full); resolves with
   * the bucket's tokens after the change.
   */
  reconcileBudget(change: number, capacity: number): Promise<number>;
  /** Calls `listener` with every change another process publishes. Returns the unsubscribe. */
  onRemote(listener: (change: FleetChange) => void): () => void;
  /** Releases what the link opened for this client (never the user's own store client). */
  close(): Promise<void>;
}
