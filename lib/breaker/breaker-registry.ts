/**
 * One circuit breaker per key (e.g. per origin), created on first use and bounded in
 * number: a least-recently-used cache that prefers to forget CLOSED breakers, because
 * dropping an OPEN one would silently let traffic through to a backend known to be down.
 */
import type { ResolvedBreaker } from './breaker-options.js';
import type { BreakerObserver } from './circuit-breaker.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { Clock, RandomSource } from '../time/clock.js';

/** The breakers of a client, by key, least recently used first. */
export class BreakerRegistry {
  /** Insertion order is recency order: the least recently used key comes first. */
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** The most recently used breaker: `get()` of its key again skips the Map entirely. */
  private last: CircuitBreaker | undefined;
  private options: ResolvedBreaker;

  /**
   * @param options the resolved `circuitBreaker`. `options.maxKeys` (integer >= 1) bounds the breakers
   *   kept: beyond it the least recently used CLOSED breaker goes; only when none is CLOSED does an
   *   OPEN or HALF_OPEN one go (memory stays bounded).
   * @param clock monotonic ms, shared by every breaker.
   * @param random uniform in [0, 1), for the open periods' jitter.
   */
  constructor(
    options: ResolvedBreaker,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly random: RandomSource,
    private readonly observer?: BreakerObserver,
  ) {
    this.options = options;
  }

  /** Breakers held. */
  get size(): number {
    return this.breakers.size;
  }

  /** The breaker for `key`, created on first use; marks it most recently used. */
  get(key: string): CircuitBreaker {
    const last = this.last;
    if (last !== undefined && last.key === key) return last;
    let breaker = this.breakers.get(key);
    if (breaker === undefined) {
      if (this.breakers.size >= this.options.maxKeys) this.evict();
      breaker = new CircuitBreaker(key, this.options, this.clock, this.random, this.observer);
    } else {
      this.breakers.delete(key);
    }
    this.breakers.set(key, breaker);
    this.last = breaker;
    return breaker;
  }

  /** The breaker for key if it exists, without creating it or touching recency. */
  peek(key: string): CircuitBreaker | undefined {
    return this.breakers.get(key);
  }

  /** Every breaker, least recently used first. */
  values(): IterableIterator<CircuitBreaker> {
    return this.breakers.values();
  }

  /**
   * New options for every breaker, existing and future; drops breakers (as on insertion)
   * if `maxKeys` fell below the number held.
   */
  setOptions(options: ResolvedBreaker): void {
    this.options = options;
    for (const breaker of this.breakers.values()) breaker.setOptions(options);
    while (this.breakers.size > options.maxKeys) this.evict();
  }

  /** Drops the least recently used CLOSED breaker, or the least recently used of all if none is CLOSED. */
  private evict(): void {
    let victim: string | undefined;
    for (const [key, breaker] of this.breakers) {
      if (breaker.isClosed) {
        victim = key;
        break;
      }
    }
    // None CLOSED: the least recently used of all goes (the map is never empty here).
    victim ??= this.breakers.keys().next().value as string;
    this.breakers.delete(victim);
    if (victim === this.last?.key) this.last = undefined;
  }
}
