/**
 * A client's breakers as members of a fleet (through a {@link FleetLink}).
 *
 * - Local transitions are published from the breaker observer: an open (with
 *   its remaining period), and a close made by a trial after this process's
 *   own open period. Transitions the fleet caused are not published again, and
 *   neither is a close that only verified a remote open.
 * - A remote open moves a CLOSED local breaker that exists (none is created):
 *   to HALF_OPEN (`adopt: 'verify'`; its trial takes no lease) or OPEN until the
 *   sender's period ends (`'trust'`). A remote close closes a breaker that is
 *   not CLOSED and has no trial in flight.
 * - The trial lease: the first trial after a local open period asks the fleet,
 *   waiting at most `opTimeoutMs`. `held`: the breaker goes back to OPEN for
 *   the holder's time and the trial is refused, nothing sent; granted, failed
 *   or late: the trial goes out, as it would without a fleet. A remote close
 *   that arrives while the trial asks wins over a `held` answer: the trial
 *   goes out, unleased, and verifies it (a trial in flight is left alone).
 */
import type { BreakerObserver, CircuitBreaker } from '../breaker/circuit-breaker.js';
import type { Clock } from '../time/clock.js';
import { LiteSignal } from '../time/lite-signal.js';
import type { FleetChange, FleetLink, TrialLease } from './fleet-link.js';

/** A trial lease outlives the longest trial it covers by this much (ms)... */
const LEASE_SLACK_MS = 1_000;
/** ...and covers at most this much of it (ms): a longer trial's lease just expires. */
const LEASE_MAX_MS = 60_000;

/**
 * Where a breaker's current HALF_OPEN period stands with the fleet:
 * `verify` (started by a remote open: no lease), `ask` (after a local open
 * period: the first trial asks), the pending answer, or `granted`.
 */
type Mark = 'verify' | 'ask' | Promise<boolean> | 'granted';

export class FleetBreakers implements BreakerObserver {
  private readonly marks = new WeakMap<CircuitBreaker, Mark>();
  /** The lease waits in progress (their timers stop on `close()`). */
  private readonly waits = new Set<LiteSignal>();
  private readonly unsubscribe: () => void;
  /** True while a remote change is applied: the transitions it causes are not published. */
  private applying = false;

  /**
   * @param link the fleet.
   * @param clock bounds the lease wait (`opTimeoutMs`).
   * @param find the local breaker for a key, if it exists (never created).
   */
  constructor(
    private readonly link: FleetLink,
    private readonly clock: Clock,
    private readonly find: (key: string) => CircuitBreaker | undefined,
  ) {
    this.unsubscribe = link.onRemote(this.applyRemote);
  }

  onOpen(breaker: CircuitBreaker, failures: number): void {
    this.marks.delete(breaker);
    if (!this.applying) this.publish({ type: 'open', key: breaker.key, remainingMs: breaker.remainingMs(), failures });
  }

  onHalfOpen(breaker: CircuitBreaker): void {
    this.marks.set(breaker, this.applying ? 'verify' : 'ask');
  }

  onClose(breaker: CircuitBreaker): void {
    const mark = this.marks.get(breaker);
    this.marks.delete(breaker);
    // A trial after our own open period closed it: the backend is back for the fleet.
    if (!this.applying && mark !== undefined && mark !== 'verify') this.publish({ type: 'close', key: breaker.key });
  }

  /**
   * Called for a trial permit (the breaker is HALF_OPEN). Undefined: send the trial
   * now. Otherwise a promise, settled within `opTimeoutMs`: true to send it, false
   * when another process holds the trial (the breaker is OPEN again; refuse it).
   * @param attemptLimitMs how long the trial may take (sets the lease's lifetime).
   */
  trialLease(breaker: CircuitBreaker, attemptLimitMs: number): Promise<boolean> | undefined {
    const mark = this.marks.get(breaker);
    if (mark === 'ask') {
      const answer = this.ask(breaker, Math.min(attemptLimitMs, LEASE_MAX_MS) + LEASE_SLACK_MS);
      this.marks.set(breaker, answer);
      return answer;
    }
    return typeof mark === 'object' ? mark : undefined; // a second trial waits with the first
  }

  /** Stops listening and waiting, and closes the link. */
  close(): Promise<void> {
    this.unsubscribe();
    for (const wait of this.waits) wait.abort(undefined);
    this.waits.clear();
    return this.link.close().catch(() => undefined);
  }

  private ask(breaker: CircuitBreaker, ttlMs: number): Promise<boolean> {
    let asked: Promise<TrialLease>;
    try {
      asked = this.link.acquireTrialLease(breaker.key, ttlMs);
    } catch (err) {
      asked = Promise.reject(err);
    }
    const answer: Promise<boolean> = this.within(asked).then((lease) => {
      const mark = this.marks.get(breaker);
      // 'verify': a remote close came while we asked (see applyRemote), so the trial goes out and verifies it.
      if (mark !== answer && mark !== 'verify') return lease?.kind !== 'held' || breaker.isClosed; // it moved on meanwhile
      if (lease?.kind !== 'held') {
        this.marks.set(breaker, 'granted'); // the lease may be ours: its close frees it
        return true;
      }
      if (mark === 'verify') return true;
      this.apply(() => breaker.holdOpen(lease.remainingMs, 0));
      return false;
    });
    return answer;
  }

  /** `p`'s value, or undefined if it rejects or takes longer than `opTimeoutMs`. */
  private within<T>(p: Promise<T>): Promise<T | undefined> {
    const stop = new LiteSignal();
    this.waits.add(stop);
    const late = this.clock.sleep(this.link.opTimeoutMs, stop).then(noValue, noValue);
    return Promise.race([p.then(undefined, noValue), late]).then((value) => {
      this.waits.delete(stop);
      stop.abort(undefined);
      return value;
    });
  }

  private readonly applyRemote = (change: FleetChange): void => {
    const breaker = this.find(change.key);
    if (breaker === undefined) return;
    if (change.type === 'open') {
      if (!breaker.isClosed) return;
      if (this.link.adopt === 'trust') this.apply(() => breaker.holdOpen(change.remainingMs, change.failures));
      else this.apply(() => breaker.halfOpen());
    } else if (breaker.isClosed) {
      return;
    } else if (breaker.trialsInFlight === 0) {
      this.apply(() => breaker.reset());
    } else if (typeof this.marks.get(breaker) === 'object') {
      // The trial is still asking for the lease. The lease's answer and this close come over two
      // connections, in either order: a 'held' computed before the close must not hold it OPEN.
      this.marks.set(breaker, 'verify');
    }
  };

  private apply(change: () => void): void {
    this.applying = true;
    try {
      change();
    } finally {
      this.applying = false;
    }
  }

  private publish(change: FleetChange): void {
    try {
      this.link.publish(change);
    } catch {
      // A link must not throw; if one does, the breaker goes on alone.
    }
  }
}

function noValue(): undefined {
  return undefined;
}
