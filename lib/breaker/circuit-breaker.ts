/**
 * A circuit breaker for one backend: a tagged-union state machine CLOSED -> OPEN -> HALF_OPEN
 * -> CLOSED | OPEN, "when to open" delegated to a {@link TripRule} and "how long" to
 * {@link openPeriodMs}. It holds no timer. Reading it (`state`, `stats()`, `remainingMs()`)
 * never changes it and never calls the observer: once the open period has ended it reads
 * HALF_OPEN, and the transition (with `onHalfOpen`) happens in the first `acquire()` that
 * finds it so. In CLOSED, `acquire()` and `release()` do O(1) work and allocate nothing.
 */
import type { Clock, RandomSource } from '../time/clock.js';
import { openPeriodMs } from './open-period.js';
import type { OpenPeriodOptions } from './open-period.js';
import { createTripRule, sameTripRule } from './trip-rules.js';
import type { TripRule, TripRuleOptions } from './trip-rules.js';

/** Where a breaker stands: letting calls through, refusing them, or letting a few trials through. */
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/**
 * How a breaker behaves, resolved and validated (`breaker-options.ts`): no defaults and no
 * checks here. A `ResolvedBreaker` is one (the breaker reads only these fields).
 * @inline
 */
export interface BreakerOptions extends OpenPeriodOptions {
  /** When CLOSED turns OPEN. */
  readonly trip: TripRuleOptions;
  /** Trial calls let through at once in HALF_OPEN (integer >= 1). */
  readonly halfOpenMaxCalls: number;
  /** Trial successes that close the breaker (integer >= 1); one trial failure reopens it. */
  readonly successThreshold: number;
}

/** Counters since the breaker was created (never reset). `calls === successes + failures + ignored + in flight`. */
export interface BreakerStats {
  /** As `breaker.state` reads: HALF_OPEN once the open period has ended, even before a call noticed. */
  readonly state: CircuitState;
  /** Permits granted (attempts let through). */
  readonly calls: number;
  /** Attempts released as successes (a response other than 408, 429 or 5xx). */
  readonly successes: number;
  /** Attempts released as failures (network error, timeout, 408, 429, 5xx, a response `validateResponse` rejected). */
  readonly failures: number;
  /** Attempts released with 'ignore' (e.g. aborted by the caller). */
  readonly ignored: number;
  /** `acquire()` refusals. */
  readonly rejections: number;
  /** Transitions made (an OPEN breaker that merely reads HALF_OPEN has not made one yet). */
  readonly stateChanges: number;
  /** Clock time (ms) of the last transition; OPEN -> HALF_OPEN is dated by the `acquire()` that made it. */
  readonly lastChangeAt: number | undefined;
  /** Clock time (ms) the breaker last opened (kept after it closes); undefined if it never opened. */
  readonly openedAt: number | undefined;
}

/** Observer of transitions (the client turns these into events). Called synchronously, after the state changed. */
export interface BreakerObserver {
  /** `failures`: what the trip rule counted, or 1 for a failed trial in HALF_OPEN. */
  onOpen(breaker: CircuitBreaker, failures: number): void;
  /** Called from the `acquire()` that found the open period ended, before it takes a trial permit. */
  onHalfOpen(breaker: CircuitBreaker): void;
  onClose(breaker: CircuitBreaker): void;
}

/** How an attempt went. `'ignore'` (e.g. the caller aborted) counts as neither, but frees a trial slot. */
export type BreakerOutcome = 'success' | 'failure' | 'ignore';

/** What `acquire()` returns when it refuses. */
export const PERMIT_REFUSED = -1;

type HalfOpenState = { readonly kind: 'HALF_OPEN'; inFlight: number; successes: number };
/** `draw`: the uniform number in [0, 1) drawn for this period's jitter; `untilMs`: a fixed end (the fleet's word). */
type OpenState = { readonly kind: 'OPEN'; readonly openedAt: number; readonly draw: number; readonly untilMs: number | undefined };
type State = { readonly kind: 'CLOSED' } | OpenState | HalfOpenState;
type Counters = { -readonly [K in Exclude<keyof BreakerStats, 'state'>]: BreakerStats[K] };

const CLOSED_STATE: State = Object.freeze({ kind: 'CLOSED' });
const NO_PERMIT = -2; // the current permit while OPEN: matches no real (>= 0) permit

/** A circuit breaker; see the module comment. */
export class CircuitBreaker {
  private options: BreakerOptions;
  private rule: TripRule;
  private current: State = CLOSED_STATE;
  /** HALF_OPEN trials that failed since the breaker last closed: each doubles the open period. */
  private failedTrials = 0;
  /** Permit of the current generation: 2 * stateChanges, +1 for HALF_OPEN trials. Older ones are stale. */
  private permit = 0;
  private readonly n: Counters = {
    calls: 0, successes: 0, failures: 0, ignored: 0, rejections: 0, stateChanges: 0,
    lastChangeAt: undefined, openedAt: undefined,
  };

  /**
   * @param key the backend this breaker guards (e.g. an origin).
   * @param options the resolved `circuitBreaker` (a `ResolvedBreaker`).
   * @param clock monotonic ms; read only when the breaker needs the time.
   * @param random uniform in [0, 1); called once each time the breaker opens (when `openJitter` > 0).
   * @param observer told of every transition.
   */
  constructor(
    readonly key: string,
    options: BreakerOptions,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly random: RandomSource,
    private readonly observer?: BreakerObserver,
  ) {
    this.options = options;
    this.rule = createTripRule(options.trip);
  }

  /** Current state, computed: an OPEN breaker whose period has ended reads HALF_OPEN. Never moves it. */
  get state(): CircuitState {
    const state = this.current;
    if (state.kind !== 'OPEN') return state.kind;
    return this.clock.now() >= this.openUntil(state) ? 'HALF_OPEN' : 'OPEN';
  }

  /** True in CLOSED (CLOSED is never entered lazily, so this reads no clock). */
  get isClosed(): boolean {
    return this.current.kind === 'CLOSED';
  }

  /** Attempts in flight under a HALF_OPEN trial permit of the current trial period. */
  get trialsInFlight(): number {
    const state = this.current;
    return state.kind === 'HALF_OPEN' ? state.inFlight : 0;
  }

  /**
   * Asks to send one attempt. Returns a permit >= 0 to pass to release(), or -1 ({@link PERMIT_REFUSED}) when
   * refused (OPEN, or HALF_OPEN with all trial slots in flight); a refusal counts in stats.rejections.
   * The first call after the open period moves OPEN -> HALF_OPEN (calling `onHalfOpen`) and takes a trial.
   */
  acquire(): number {
    if (this.current.kind === 'CLOSED') {
      this.n.calls++;
      return this.permit;
    }
    return this.acquireSlow();
  }

  /** ms until a trial call would be let through: > 0 while OPEN, 0 when it reads HALF_OPEN or CLOSED. */
  remainingMs(): number {
    const state = this.current;
    if (state.kind !== 'OPEN') return 0;
    return Math.max(0, this.openUntil(state) - this.clock.now());
  }

  /**
   * Reports how the attempt of `permit` went. Each permit must be released exactly once (releasing
   * -1 is a no-op); a stale permit (granted before a state change) updates counters but cannot
   * change the state, nor feed the trip rule. `now`: the clock's time, when the caller has read it already.
   */
  release(permit: number, outcome: BreakerOutcome, now?: number): void {
    if (permit < 0) return;
    if (outcome === 'failure') this.n.failures++;
    else if (outcome === 'success') this.n.successes++;
    else this.n.ignored++;
    if (permit !== this.permit) return;
    const state = this.current;
    if (state.kind === 'HALF_OPEN') {
      this.releaseTrial(state, outcome);
    } else if (outcome !== 'ignore') {
      const rule = this.rule;
      const at = rule.usesTime ? (now ?? this.clock.now()) : 0;
      if (rule.record(outcome === 'failure', at)) {
        const openedAt = rule.usesTime ? at : this.clock.now();
        this.open(openedAt, rule.failures(openedAt));
      }
    }
  }

  /** Back to CLOSED with a fresh trip rule and open period (calls observer.onClose if it was not CLOSED). Counters are kept. */
  reset(): void {
    if (this.current.kind === 'CLOSED') this.rule.reset();
    else this.close(this.clock.now());
  }

  /**
   * Swap options at run time. The trip rule is rebuilt (forgetting its history) only if its
   * options changed; new `openMs`, `maxOpenMs` and `openJitter` apply to the current open period too.
   */
  setOptions(options: BreakerOptions): void {
    if (!sameTripRule(this.options.trip, options.trip)) this.rule = createTripRule(options.trip);
    this.options = options;
  }

  /**
   * The fleet saw this backend fail in another process (`adopt: 'verify'`): CLOSED -> HALF_OPEN
   * now (calling `onHalfOpen`), so this process's own trials decide; a failed one opens it for
   * `openMs`, as a trip would (it is not a retrial). Returns false, doing nothing, unless CLOSED.
   */
  halfOpen(): boolean {
    if (this.current.kind !== 'CLOSED') return false;
    this.failedTrials = -1; // the failed trial's +1 makes the first open period
    this.moveTo({ kind: 'HALF_OPEN', inFlight: 0, successes: 0 }, this.clock.now());
    this.observer?.onHalfOpen(this);
    return true;
  }

  /**
   * OPEN for exactly `ms` from now, whatever the open period options say (calling `onOpen` with
   * `failures`): the fleet's word (`adopt: 'trust'`, or another process holds the trial). Not a
   * failed trial, so the next open period does not double. Permits granted before are stale.
   */
  holdOpen(ms: number, failures: number): void {
    const now = this.clock.now();
    this.open(now, failures, now + ms);
  }

  /** A snapshot of the counters, with `state` as the getter reads it. Never moves the breaker. */
  stats(): BreakerStats {
    return { state: this.state, ...this.n };
  }

  /** acquire() outside CLOSED: makes the due OPEN -> HALF_OPEN transition, then asks for a trial slot. */
  private acquireSlow(): number {
    const open = this.current;
    if (open.kind === 'OPEN') {
      const now = this.clock.now();
      if (now < this.openUntil(open)) {
        this.n.rejections++;
        return PERMIT_REFUSED;
      }
      this.moveTo({ kind: 'HALF_OPEN', inFlight: 0, successes: 0 }, now);
      this.observer?.onHalfOpen(this);
    }
    const state = this.current; // the observer may have reset it
    if (state.kind === 'CLOSED') {
      this.n.calls++;
      return this.permit;
    }
    if (state.kind === 'HALF_OPEN' && state.inFlight < this.options.halfOpenMaxCalls) {
      state.inFlight++;
      this.n.calls++;
      return this.permit;
    }
    this.n.rejections++;
    return PERMIT_REFUSED;
  }

  /** Clock time at which `state`'s open period ends, under the current options. */
  private openUntil(state: OpenState): number {
    return state.untilMs ?? state.openedAt + openPeriodMs(this.options, this.failedTrials, state.draw);
  }

  private releaseTrial(state: HalfOpenState, outcome: BreakerOutcome): void {
    state.inFlight--;
    if (outcome === 'failure') {
      this.failedTrials++;
      this.open(this.clock.now(), 1);
    } else if (outcome === 'success' && ++state.successes >= this.options.successThreshold) {
      this.close(this.clock.now());
    }
  }

  /** OPEN from `now` for the open period, or until `untilMs` when given (the fleet's word: no jitter). */
  private open(now: number, failures: number, untilMs?: number): void {
    // No jitter, no draw: 0.5 is neutral should a later setOptions turn jitter on.
    const draw = untilMs === undefined && this.options.openJitter > 0 ? this.random() : 0.5;
    this.n.openedAt = now;
    this.moveTo({ kind: 'OPEN', openedAt: now, draw, untilMs }, now);
    this.observer?.onOpen(this, failures);
  }

  private close(now: number): void {
    this.rule.reset();
    this.failedTrials = 0;
    this.moveTo(CLOSED_STATE, now);
    this.observer?.onClose(this);
  }

  /** State first, observers after: an observer that throws leaves a consistent breaker. */
  private moveTo(next: State, now: number): void {
    this.current = next;
    const generation = ++this.n.stateChanges;
    this.n.lastChangeAt = now;
    // A new generation: permits granted before are stale from now on. OPEN grants none.
    this.permit = next.kind === 'OPEN' ? NO_PERMIT : generation * 2 + (next.kind === 'HALF_OPEN' ? 1 : 0);
  }
}
