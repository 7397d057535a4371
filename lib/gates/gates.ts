/**
 * The gates of a client, "may this go out?": the breakers (by key), the
 * bulkhead, adaptive throttling and the retry budget. Each is on or off by its
 * options; each answers with a value (a breaker, a slot, a probability, a
 * cost), never by calling back into the call. `configure()` swaps options
 * while keeping the state that still applies.
 */
import { BreakerRegistry } from '../breaker/breaker-registry.js';
import type { ResolvedBreaker } from '../breaker/breaker-options.js';
import type { BreakerObserver, CircuitBreaker } from '../breaker/circuit-breaker.js';
import { FleetBreakers } from '../fleet/fleet-breakers.js';
import type { FleetLink } from '../fleet/fleet-link.js';
import { BudgetSync, scheduleOn } from '../fleet/shared-budget.js';
import type { Clock, RandomSource } from '../time/clock.js';
import { AdaptiveThrottle } from './adaptive-throttle.js';
import { Bulkhead } from './bulkhead.js';
import type { BulkheadWaiter } from './bulkhead.js';
import type { ResolvedConcurrency, ResolvedRetryBudget, ResolvedThrottle } from './gate-options.js';
import { createRetryBudget } from './retry-budget.js';
import type { RetryBudget } from './retry-budget.js';

/** The options the gates run with (a part of the client's resolved options). */
export interface GateOptions {
  readonly circuitBreaker: ResolvedBreaker | false;
  readonly retryBudget: ResolvedRetryBudget | false;
  readonly concurrency: ResolvedConcurrency | false;
  readonly adaptiveThrottle: ResolvedThrottle | false;
}

/** Bulkhead, throttle and retry budget counters, as `stats()` shows them (undefined: off). */
export interface GateStats {
  /** The retry budget now (tokens: the bucket; ratio: the counts in the window); undefined when `retryBudget` is off. */
  readonly retryBudget: ReturnType<RetryBudget['stats']> | undefined;
  /** The bulkhead's slots, queue and refusals; undefined when `concurrency` is off. */
  readonly bulkhead: ReturnType<Bulkhead['stats']> | undefined;
  /** Adaptive throttling's keys and refusals; undefined when `adaptiveThrottle` is off. */
  readonly throttle: ReturnType<AdaptiveThrottle['stats']> | undefined;
}

export class Gates {
  private registry: BreakerRegistry | undefined = undefined;
  private breakersOn = false;
  /** The bulkhead, when `concurrency` is on. */
  bulkhead: Bulkhead | undefined = undefined;
  /** Adaptive throttling, when on. */
  throttle: AdaptiveThrottle | undefined = undefined;
  /** The retry budget, when on. */
  budget: RetryBudget | undefined = undefined;
  /** The breakers' side of the fleet link, when one is attached (`attachFleet`). */
  fleet: FleetBreakers | undefined = undefined;
  private budgetSync: BudgetSync | undefined = undefined;
  private readonly observer: BreakerObserver;

  constructor(
    private readonly clock: Clock,
    private readonly random: RandomSource,
    observer: BreakerObserver,
    options: GateOptions,
  ) {
    // Every transition goes to `observer` (the events), then to the fleet when one is attached.
    this.observer = {
      onOpen: (b, failures) => {
        observer.onOpen(b, failures);
        this.fleet?.onOpen(b, failures);
      },
      onHalfOpen: (b) => {
        observer.onHalfOpen(b);
        this.fleet?.onHalfOpen(b);
      },
      onClose: (b) => {
        observer.onClose(b);
        this.fleet?.onClose(b);
      },
    };
    this.configure(options);
  }

  /**
   * Shares breaker transitions and the token quota with the other processes of `link`'s
   * fleet (see `fleet/`). Called once, by the client's constructor.
   */
  attachFleet(link: FleetLink): void {
    this.fleet = new FleetBreakers(link, this.clock, (key) => this.peekBreaker(key));
    this.budgetSync = new BudgetSync(link, this.clock, scheduleOn(this.clock));
    if (this.budget !== undefined) this.budget = this.budgetSync.share(this.budget);
  }

  /** Stops sharing (no timer left behind) and closes the fleet link. */
  detachFleet(): Promise<void> {
    this.budgetSync?.close();
    const fleet = this.fleet;
    this.fleet = undefined;
    return fleet === undefined ? Promise.resolve() : fleet.close();
  }

  /** New options; breakers keep their state, a bulkhead switched off lets its queue through. */
  configure(options: GateOptions): void {
    const b = options.circuitBreaker;
    this.breakersOn = b !== false;
    if (b !== false) {
      if (this.registry === undefined) this.registry = new BreakerRegistry(b, this.clock, this.random, this.observer);
      else this.registry.setOptions(b);
    }
    const rb = options.retryBudget;
    this.budget = rb === false ? undefined : (this.budget?.withOptions(rb) ?? createRetryBudget(rb));
    if (this.budgetSync !== undefined && this.budget !== undefined) this.budget = this.budgetSync.share(this.budget);
    const c = options.concurrency;
    if (c === false) {
      const old = this.bulkhead;
      this.bulkhead = undefined;
      old?.drain();
    } else if (this.bulkhead === undefined) this.bulkhead = new Bulkhead(c);
    else this.bulkhead.setOptions(c);
    const t = options.adaptiveThrottle;
    const maxKeys = b === false ? 1_000 : b.maxKeys;
    if (t === false) this.throttle = undefined;
    else if (this.throttle === undefined) this.throttle = new AdaptiveThrottle(t, this.random, maxKeys);
    else this.throttle.setOptions(t, maxKeys);
  }

  /** The breaker for `key`, created on first use; undefined when breakers are off. */
  breaker(key: string): CircuitBreaker | undefined {
    return this.breakersOn ? this.registry?.get(key) : undefined;
  }

  /** The breaker for `key` if a call has used it (no creation, no recency change). */
  peekBreaker(key: string): CircuitBreaker | undefined {
    return this.breakersOn ? this.registry?.peek(key) : undefined;
  }

  /** Every breaker, least recently used first. */
  breakers(): CircuitBreaker[] {
    return this.breakersOn && this.registry !== undefined ? [...this.registry.values()] : [];
  }

  /**
   * Asks the bulkhead for a slot: 'entered', 'queued' (the waiter's `grant()`
   * is called later) or 'full'. 'entered' when the bulkhead is off.
   */
  enter(waiter: BulkheadWaiter): 'entered' | 'queued' | 'full' {
    const bulkhead = this.bulkhead;
    if (bulkhead === undefined || bulkhead.tryEnter()) return 'entered';
    return bulkhead.enqueue(waiter) ? 'queued' : 'full';
  }

  stats(now: number): GateStats {
    return { retryBudget: this.budget?.stats(now), bulkhead: this.bulkhead?.stats(), throttle: this.throttle?.stats() };
  }
}
