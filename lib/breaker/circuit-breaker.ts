/**
 * A circuit breaker for one backend: a tagged-union state machine CLOSED -> OPEN -> HALF_OPEN
 * -> CLOSED | OPEN, "when to open" delegated to a {@link TripRule}. It holds no timer: OPEN ->
 * HALF_OPEN is computed from the clock when used or read. In CLOSED, `acquire()` and `release()`
 * do O(1) work and allocate nothing.
 */
import type { Clock } from '../time/clock.js';
import { createTripRule, sameTripRule } from './trip-rules.js';
import type { TripRule, TripRuleOptions } from './trip-rules.js';

/** Where a breaker stands: letting calls through, refusing them, or letting a few trials through. */
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/**
 * How a breaker behaves, resolved and validated (`breaker-options.ts`): no
 * defaults and no checks here.
 * @inline
 */
export interface BreakerOptions {
  /** When CLOSED turns OPEN. */
  readonly trip: TripRuleOptions;
  /** Time spent OPEN before trial calls are let through (ms, > 0). */
  readonly openMs: number;
  /** Trial calls let through at once in HALF_OPEN (integer >= 1). */
  readonly halfOpenMaxCalls: number;
  /** Trial successes that close the breaker (integer >= 1); one trial failure reopens it. */
  readonly successThreshold: number;
}

/** Counters since the breaker was created (never reset). `calls === successes + failures + ignored + in flight`. */
export interface BreakerStats {
  readonly state: CircuitState;
  readonly calls: number; // permits granted (attempts let through)
  readonly successes: number;
  readonly failures: number;
  readonly ignored: number; // attempts released with 'ignore' (e.g. aborted by the caller)
  readonly rejections: number; // acquire() refusals
  readonly stateChanges: number;
  /** Clock time (ms) of the last state change; OPEN -> HALF_OPEN is dated when it was noticed. */
  readonly lastChangeAt: number | undefined;
  /** Clock time (ms) the breaker last opened (kept after it closes); undefined if it never opened. */
  readonly openedAt: number | undefined;
}

/** Observer of transitions (the client turns these into events). Called synchronously, after the state changed. */
export interface BreakerObserver {
  /** `failures`: what the trip rule counted, or 1 for a failed trial in HALF_OPEN. */
  onOpen(breaker: CircuitBreaker, failures: number): void;
  onHalfOpen(breaker: CircuitBreaker): void;
  onClose(breaker: CircuitBreaker): void;
}

/** How an attempt went. `'ignore'` (e.g. the caller aborted) counts as neither, but frees a trial slot. */
export type BreakerOutcome = 'success' | 'failure' | 'ignore';

/** What `acquire()` returns when it refuses. */
export const PERMIT_REFUSED = -1;

type HalfOpenState = { readonly kind: 'HALF_OPEN'; inFlight: number; successes: number };
type State = { readonly kind: 'CLOSED' } | { readonly kind: 'OPEN'; readonly openedAt: number } | HalfOpenState;
type Counters = { -readonly [K in Exclude<keyof BreakerStats, 'state'>]: BreakerStats[K] };

const CLOSED_STATE: State = Object.freeze({ kind: 'CLOSED' });
const NO_PERMIT = -2; // the current permit while OPEN: matches no real (>= 0) permit

/** A circuit breaker; see the module comment. */
export class CircuitBreaker {
  private options: BreakerOptions;
  private rule: TripRule;
  private current: State = CLOSED_STATE;
  /** Permit of the current generation: 2 * stateChanges, +1 for HALF_OPEN trials. Older ones are stale. */
  private permit = 0;
  private readonly n: Counters = {
    calls: 0, successes: 0, failures: 0, ignored: 0, rejections: 0, stateChanges: 0,
    lastChangeAt: undefined, openedAt: undefined,
  };

  /**
   * @param key the backend this breaker guards (e.g. an origin).
   * @param clock monotonic ms; read only when the breaker needs the time.
   */
  constructor(
    readonly key: string,
    options: BreakerOptions,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly observer?: BreakerObserver,
  ) {
    this.options = options;
    this.rule = createTripRule(options.trip);
  }

  /** Current state; reading it may move OPEN -> HALF_OPEN when openMs has passed (calls onHalfOpen). */
  get state(): CircuitState {
    return this.refresh().kind;
  }

  /** True in CLOSED. Unlike `state` it never moves the breaker (CLOSED is never entered lazily). */
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
   */
  acquire(): number {
    let state = this.current;
    if (state.kind === 'OPEN') state = this.refresh();
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

  /** ms until a trial call would be let through: >0 while OPEN, 0 when HALF_OPEN (trials in flight) or CLOSED. */
  remainingMs(): number {
    const state = this.refresh();
    return state.kind === 'OPEN' ? state.openedAt + this.options.openMs - this.clock.now() : 0;
  }

  /**
   * Reports how the attempt of `permit` went. Each permit must be released exactly once (releasing
   * -1 is a no-op); a stale permit (granted before a state change) updates counters but cannot
   * change the state, nor feed the trip rule.
   */
  release(permit: number, outcome: BreakerOutcome): void {
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
      if (rule.record(outcome === 'failure', rule.usesTime ? this.clock.now() : 0)) {
        const now = this.clock.now();
        this.open(now, rule.failures(now));
      }
    }
  }

  /** Back to CLOSED with a fresh trip rule (calls observer.onClose if it was not CLOSED). Counters are kept. */
  reset(): void {
    if (this.current.kind === 'CLOSED') this.rule.reset();
    else this.close(this.clock.now());
  }

  /**
   * Swap options at run time. The trip rule is rebuilt (forgetting its history) only if its
   * options changed; a new `openMs` applies to the current open period too.
   */
  setOptions(options: BreakerOptions): void {
    if (!sameTripRule(this.options.trip, options.trip)) this.rule = createTripRule(options.trip);
    this.options = options;
  }

  /** A snapshot of the counters (may move OPEN -> HALF_OPEN, like `state`). */
  stats(): BreakerStats {
    return { state: this.refresh().kind, ...this.n };
  }

  private releaseTrial(state: HalfOpenState, outcome: BreakerOutcome): void {
    state.inFlight--;
    if (outcome === 'failure') this.open(this.clock.now(), 1);
    else if (outcome === 'success' && ++state.successes >= this.options.successThreshold) this.close(this.clock.now());
  }

  /** Moves OPEN -> HALF_OPEN once openMs has passed; returns the (possibly new) state. */
  private refresh(): State {
    const state = this.current;
    const now = state.kind === 'OPEN' ? this.clock.now() : 0;
    if (state.kind === 'OPEN' && now >= state.openedAt + this.options.openMs) {
      this.moveTo({ kind: 'HALF_OPEN', inFlight: 0, successes: 0 }, now);
      this.observer?.onHalfOpen(this);
    }
    return this.current;
  }

  private open(now: number, failures: number): void {
    this.n.openedAt = now;
    this.moveTo({ kind: 'OPEN', openedAt: now }, now);
    this.observer?.onOpen(this, failures);
  }

  private close(now: number): void {
    this.rule.reset();
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
