import { CircuitBreaker, PERMIT_REFUSED } from '../../lib/breaker/circuit-breaker.js';
import type { BreakerObserver, BreakerOptions } from '../../lib/breaker/circuit-breaker.js';
import { seededRandom } from '../../samples/support/seeded-random.js';

interface TestClock {
  t: number;
  now(): number;
}

/** A random source that must not be called (openJitter 0 draws nothing). */
const noRandom = (): number => {
  throw new Error('random() called');
};

const options = (overrides: Partial<BreakerOptions> = {}): BreakerOptions => ({
  trip: { type: 'consecutive', failures: 3 },
  openMs: 1000,
  maxOpenMs: 1000,
  openJitter: 0,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
  ...overrides,
});

/** Records every observer call as a string. */
function recorder(): BreakerObserver & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    onOpen: (b, failures) => log.push(`open:${b.key}:${failures}`),
    onHalfOpen: (b) => log.push(`half-open:${b.key}`),
    onClose: (b) => log.push(`close:${b.key}`),
  };
}

function setup(overrides: Partial<BreakerOptions> = {}) {
  const clock: TestClock = { t: 0, now() { return this.t; } };
  const observer = recorder();
  const breaker = new CircuitBreaker('api', options(overrides), clock, noRandom, observer);
  return { clock, observer, breaker, log: observer.log };
}

/** Acquires and fails `n` attempts one after another. */
function fail(breaker: CircuitBreaker, n: number): void {
  for (let i = 0; i < n; i++) breaker.release(breaker.acquire(), 'failure');
}

/** Opens the breaker (3 consecutive failures) and lets openMs pass, so the next use moves to HALF_OPEN. */
function openThenWait(s: ReturnType<typeof setup>): void {
  fail(s.breaker, 3);
  s.clock.t += 1000;
}

describe('CLOSED', () => {
  it('grants every acquire and counts outcomes', () => {
    const { breaker } = setup();
    expect(breaker.key).toBe('api');
    expect(breaker.state).toBe('CLOSED');
    const [a, b, c] = [breaker.acquire(), breaker.acquire(), breaker.acquire()];
    expect([a, b, c].every((p) => p >= 0)).toBe(true);
    breaker.release(a, 'success');
    breaker.release(b, 'failure');
    breaker.release(c, 'ignore');
    expect(breaker.remainingMs()).toBe(0);
    expect(breaker.trialsInFlight).toBe(0);
    expect(breaker.stats()).toEqual({
      state: 'CLOSED', calls: 3, successes: 1, failures: 1, ignored: 1,
      rejections: 0, stateChanges: 0, lastChangeAt: undefined, openedAt: undefined,
    });
  });

  it('opens when the trip rule says so, reporting its failures', () => {
    const { breaker, clock, log } = setup();
    clock.t = 500;
    fail(breaker, 2);
    breaker.release(breaker.acquire(), 'success'); // resets the run
    fail(breaker, 2);
    expect(breaker.state).toBe('CLOSED');
    fail(breaker, 1);
    expect(breaker.state).toBe('OPEN');
    expect(breaker.isClosed).toBe(false);
    expect(log).toEqual(['open:api:3']);
    expect(breaker.stats()).toMatchObject({ stateChanges: 1, lastChangeAt: 500, openedAt: 500, failures: 5 });
  });

  it('the hot path reads the clock only for a rule that uses time', () => {
    let reads = 0;
    const clock = { now: () => ++reads };
    const consecutive = new CircuitBreaker('c', options(), clock, noRandom);
    for (let i = 0; i < 10; i++) consecutive.release(consecutive.acquire(), i % 2 ? 'failure' : 'success');
    expect(reads).toBe(0);
    const rate = new CircuitBreaker('r', options({ trip: { type: 'rate', threshold: 1, minimumCalls: 99, windowMs: 1 } }), clock, noRandom);
    rate.release(rate.acquire(), 'failure');
    expect(reads).toBe(1);
  });

  it('takes the time its caller read instead of reading the clock, and dates the opening with it', () => {
    let reads = 0;
    const clock = { now: () => ++reads };
    const rate = new CircuitBreaker('r', options({ trip: { type: 'rate', threshold: 0.5, minimumCalls: 2, windowMs: 1_000 } }), clock, noRandom);
    rate.release(rate.acquire(), 'failure', 5_000);
    rate.release(rate.acquire(), 'failure', 5_100);
    expect(reads).toBe(0);
    expect(rate.stats()).toMatchObject({ state: 'OPEN', openedAt: 5_100 });
  });

  it("'ignore' neither feeds the rule nor breaks a run of failures", () => {
    const { breaker } = setup();
    fail(breaker, 2);
    breaker.release(breaker.acquire(), 'ignore');
    fail(breaker, 1);
    expect(breaker.state).toBe('OPEN');
  });

  it('releasing a refusal (-1) is a no-op', () => {
    const { breaker } = setup();
    breaker.release(PERMIT_REFUSED, 'failure');
    expect(breaker.stats()).toMatchObject({ calls: 0, failures: 0 });
  });

  it('a rate rule opens with the failures of its window', () => {
    const { breaker, log } = setup({ trip: { type: 'rate', threshold: 0.5, minimumCalls: 4, windowMs: 10_000 } });
    breaker.release(breaker.acquire(), 'success');
    breaker.release(breaker.acquire(), 'success');
    fail(breaker, 2);
    expect(breaker.state).toBe('OPEN');
    expect(log).toEqual(['open:api:2']);
  });
});

describe('OPEN', () => {
  it('refuses until openMs has passed, counting rejections', () => {
    const s = setup();
    fail(s.breaker, 3);
    expect(s.breaker.acquire()).toBe(PERMIT_REFUSED);
    s.clock.t = 999;
    expect(s.breaker.remainingMs()).toBe(1);
    expect(s.breaker.acquire()).toBe(-1);
    expect(s.breaker.stats()).toMatchObject({ state: 'OPEN', rejections: 2, calls: 3 });
  });

  it('remainingMs counts down to the trial', () => {
    const s = setup();
    s.clock.t = 100;
    fail(s.breaker, 3);
    expect(s.breaker.remainingMs()).toBe(1000);
    s.clock.t = 350;
    expect(s.breaker.remainingMs()).toBe(750);
  });

  it.each([
    ['state', (b: CircuitBreaker) => b.state],
    ['remainingMs', (b: CircuitBreaker) => b.remainingMs()],
    ['stats', (b: CircuitBreaker) => b.stats()],
    ['isClosed', (b: CircuitBreaker) => b.isClosed],
    ['trialsInFlight', (b: CircuitBreaker) => b.trialsInFlight],
  ])('reading %s after openMs never moves it nor calls the observer', (_name, read) => {
    const s = setup();
    openThenWait(s);
    for (let i = 0; i < 3; i++) read(s.breaker);
    s.clock.t += 5000;
    read(s.breaker);
    expect(s.log).toEqual(['open:api:3']);
    expect(s.breaker.state).toBe('HALF_OPEN'); // computed
    expect(s.breaker.remainingMs()).toBe(0);
    expect(s.breaker.stats()).toMatchObject({ state: 'HALF_OPEN', stateChanges: 1, lastChangeAt: 0, openedAt: 0 });
  });

  it('the first acquire after openMs makes the transition, dated then, and takes the trial', () => {
    const s = setup();
    openThenWait(s);
    s.clock.t = 1500;
    const trial = s.breaker.acquire();
    expect(trial).toBeGreaterThanOrEqual(0);
    expect(s.log).toEqual(['open:api:3', 'half-open:api']);
    expect(s.breaker.trialsInFlight).toBe(1);
    expect(s.breaker.acquire()).toBe(PERMIT_REFUSED);
    expect(s.log).toEqual(['open:api:3', 'half-open:api']);
    expect(s.breaker.stats()).toMatchObject({ state: 'HALF_OPEN', stateChanges: 2, lastChangeAt: 1500, openedAt: 0 });
  });

  it('a slow CLOSED-era failure does not extend the open period', () => {
    const s = setup();
    const slow = s.breaker.acquire();
    fail(s.breaker, 3);
    s.clock.t = 900;
    s.breaker.release(slow, 'failure');
    expect(s.breaker.remainingMs()).toBe(100);
    expect(s.breaker.stats()).toMatchObject({ failures: 4, stateChanges: 1 });
    expect(s.log).toEqual(['open:api:3']);
  });
});

describe('HALF_OPEN', () => {
  it('with halfOpenMaxCalls = 3, twenty acquires in a row grant exactly 3', () => {
    const s = setup({ halfOpenMaxCalls: 3 });
    openThenWait(s);
    const permits = Array.from({ length: 20 }, () => s.breaker.acquire());
    expect(permits.filter((p) => p >= 0)).toHaveLength(3);
    expect(permits.slice(3).every((p) => p === PERMIT_REFUSED)).toBe(true);
    expect(s.breaker.trialsInFlight).toBe(3);
    expect(s.breaker.remainingMs()).toBe(0);
    expect(s.breaker.stats()).toMatchObject({ state: 'HALF_OPEN', rejections: 17 });
  });

  it('a trial success closes it (successThreshold 1) with a fresh trip rule', () => {
    const s = setup();
    fail(s.breaker, 2); // a run of 2 before opening must not survive
    fail(s.breaker, 1);
    s.clock.t = 1000;
    s.breaker.release(s.breaker.acquire(), 'success');
    expect(s.breaker.state).toBe('CLOSED');
    expect(s.breaker.isClosed).toBe(true);
    expect(s.log).toEqual(['open:api:3', 'half-open:api', 'close:api']);
    fail(s.breaker, 2);
    expect(s.breaker.state).toBe('CLOSED');
    expect(s.breaker.stats()).toMatchObject({ stateChanges: 3, lastChangeAt: 1000, openedAt: 0 });
  });

  it('successThreshold 3 needs three trial successes; each frees its slot', () => {
    const s = setup({ halfOpenMaxCalls: 2, successThreshold: 3 });
    openThenWait(s);
    const a = s.breaker.acquire();
    const b = s.breaker.acquire();
    expect(s.breaker.acquire()).toBe(-1);
    s.breaker.release(a, 'success');
    expect(s.breaker.trialsInFlight).toBe(1);
    const c = s.breaker.acquire();
    expect(c).toBeGreaterThanOrEqual(0);
    s.breaker.release(b, 'success');
    expect(s.breaker.state).toBe('HALF_OPEN');
    s.breaker.release(c, 'success');
    expect(s.breaker.state).toBe('CLOSED');
    expect(s.breaker.trialsInFlight).toBe(0);
  });

  it('a trial failure reopens it for another openMs', () => {
    const s = setup({ halfOpenMaxCalls: 2 });
    openThenWait(s);
    const a = s.breaker.acquire();
    const b = s.breaker.acquire();
    s.clock.t = 1200;
    s.breaker.release(a, 'failure');
    expect(s.breaker.state).toBe('OPEN');
    expect(s.breaker.remainingMs()).toBe(1000);
    expect(s.breaker.trialsInFlight).toBe(0);
    expect(s.log).toEqual(['open:api:3', 'half-open:api', 'open:api:1']);
    s.breaker.release(b, 'success'); // stale trial: counted, changes nothing
    expect(s.breaker.state).toBe('OPEN');
    expect(s.breaker.stats()).toMatchObject({ openedAt: 1200, lastChangeAt: 1200, successes: 1 });
    s.clock.t = 2199;
    expect(s.breaker.acquire()).toBe(-1);
    s.clock.t = 2200;
    expect(s.breaker.acquire()).toBeGreaterThanOrEqual(0);
  });

  it("a trial released with 'ignore' frees its slot without counting", () => {
    const s = setup({ successThreshold: 1 });
    openThenWait(s);
    const a = s.breaker.acquire();
    expect(s.breaker.acquire()).toBe(-1);
    s.breaker.release(a, 'ignore');
    expect(s.breaker.state).toBe('HALF_OPEN');
    expect(s.breaker.trialsInFlight).toBe(0);
    s.breaker.release(s.breaker.acquire(), 'success');
    expect(s.breaker.state).toBe('CLOSED');
    expect(s.breaker.stats()).toMatchObject({ ignored: 1, successes: 1 });
  });
});

describe('the open period', () => {
  /** Fails the trial let through at the current time. */
  function failTrial(breaker: CircuitBreaker): void {
    const trial = breaker.acquire();
    expect(trial).toBeGreaterThanOrEqual(0);
    breaker.release(trial, 'failure');
  }

  it('no trial at openedAt + period - 1, one at openedAt + period', () => {
    const s = setup({ openMs: 5000, maxOpenMs: 60_000 });
    s.clock.t = 10_000;
    fail(s.breaker, 3);
    s.clock.t = 14_999;
    expect(s.breaker.state).toBe('OPEN');
    expect(s.breaker.remainingMs()).toBe(1);
    expect(s.breaker.acquire()).toBe(PERMIT_REFUSED);
    s.clock.t = 15_000;
    expect(s.breaker.state).toBe('HALF_OPEN');
    expect(s.breaker.acquire()).toBeGreaterThanOrEqual(0);
  });

  it('each failed trial doubles it up to maxOpenMs; closing resets it to openMs', () => {
    const s = setup({ openMs: 5000, maxOpenMs: 60_000 });
    fail(s.breaker, 3);
    const periods: number[] = [];
    for (let i = 0; i < 7; i++) {
      const period = s.breaker.remainingMs();
      periods.push(period);
      s.clock.t += period - 1;
      expect(s.breaker.acquire()).toBe(PERMIT_REFUSED);
      s.clock.t += 1;
      failTrial(s.breaker);
    }
    expect(periods).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    s.clock.t += 60_000;
    s.breaker.release(s.breaker.acquire(), 'success');
    expect(s.breaker.state).toBe('CLOSED');
    fail(s.breaker, 3);
    expect(s.breaker.remainingMs()).toBe(5000);
  });

  it('a trial that is ignored neither doubles nor resets it', () => {
    const s = setup({ openMs: 1000, maxOpenMs: 8000 });
    fail(s.breaker, 3);
    s.clock.t += 1000;
    failTrial(s.breaker);
    s.clock.t += 2000;
    s.breaker.release(s.breaker.acquire(), 'ignore');
    failTrial(s.breaker);
    expect(s.breaker.remainingMs()).toBe(4000);
  });

  it('reset() starts the next trip at openMs again', () => {
    const s = setup({ openMs: 1000, maxOpenMs: 8000 });
    fail(s.breaker, 3);
    s.clock.t += 1000;
    failTrial(s.breaker);
    expect(s.breaker.remainingMs()).toBe(2000);
    s.breaker.reset();
    fail(s.breaker, 3);
    expect(s.breaker.remainingMs()).toBe(1000);
  });

  it('is jittered by one draw per opening, as period x (1 - f + 2 f draw)', () => {
    const draws = [0, 0.5, 0.999];
    let calls = 0;
    const random = (): number => draws[calls++ % draws.length];
    const clock = { t: 0, now() { return this.t; } };
    const breaker = new CircuitBreaker('j', options({ openMs: 1000, maxOpenMs: 4000, openJitter: 0.2 }), clock, random);
    fail(breaker, 3);
    expect(calls).toBe(1);
    expect(breaker.remainingMs()).toBe(800);
    breaker.remainingMs();
    breaker.stats();
    expect(calls).toBe(1); // reads draw nothing
    clock.t = 800;
    breaker.release(breaker.acquire(), 'failure');
    expect(calls).toBe(2);
    expect(breaker.remainingMs()).toBeCloseTo(2000, 9);
    clock.t += 2000;
    breaker.release(breaker.acquire(), 'failure');
    expect(breaker.remainingMs()).toBeCloseTo(4000 * 1.1996, 9);
  });

  it('with the defaults (5 s, 60 s, 0.2) and a seeded random, every period is within [0.8, 1.2] x the doubled, capped one', () => {
    const random = seededRandom(12);
    const clock = { t: 0, now() { return this.t; } };
    const breaker = new CircuitBreaker('d', options({ openMs: 5000, maxOpenMs: 60_000, openJitter: 0.2 }), clock, random);
    fail(breaker, 3);
    const ratios: number[] = [];
    for (let i = 0; i < 200; i++) {
      const period = breaker.remainingMs();
      ratios.push(period / Math.min(5000 * 2 ** i, 60_000));
      clock.t += period;
      breaker.release(breaker.acquire(), 'failure');
    }
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...ratios)).toBeLessThan(1.2);
    // The draws spread over the range rather than sticking to one value.
    expect(Math.min(...ratios)).toBeLessThan(0.85);
    expect(Math.max(...ratios)).toBeGreaterThan(1.15);
  });

  it('setOptions() applies new open-period options to the current period', () => {
    const s = setup({ openMs: 1000, maxOpenMs: 1000 });
    fail(s.breaker, 3);
    s.clock.t = 1000;
    s.breaker.release(s.breaker.acquire(), 'failure');
    expect(s.breaker.remainingMs()).toBe(1000);
    s.breaker.setOptions(options({ openMs: 1000, maxOpenMs: 10_000 }));
    expect(s.breaker.remainingMs()).toBe(2000);
  });
});

describe('stale permits', () => {
  it('a CLOSED-era success arriving in HALF_OPEN does not close it, nor free a slot', () => {
    const s = setup();
    const slow = s.breaker.acquire();
    openThenWait(s);
    const trial = s.breaker.acquire();
    s.breaker.release(slow, 'success');
    expect(s.breaker.state).toBe('HALF_OPEN');
    expect(s.breaker.trialsInFlight).toBe(1);
    s.breaker.release(trial, 'success');
    expect(s.breaker.state).toBe('CLOSED');
  });

  it('a CLOSED-era failure arriving in HALF_OPEN does not reopen it', () => {
    const s = setup();
    const slow = s.breaker.acquire();
    openThenWait(s);
    expect(s.breaker.state).toBe('HALF_OPEN');
    s.breaker.release(slow, 'failure');
    expect(s.breaker.state).toBe('HALF_OPEN');
    expect(s.breaker.stats().failures).toBe(4);
  });

  it('a trial permit of an earlier HALF_OPEN period is stale in the next one', () => {
    const s = setup({ halfOpenMaxCalls: 2 });
    openThenWait(s);
    const old = s.breaker.acquire();
    s.breaker.release(s.breaker.acquire(), 'failure'); // reopen
    s.clock.t += 1000;
    const fresh = s.breaker.acquire();
    expect(fresh).not.toBe(old);
    s.breaker.release(old, 'failure');
    expect(s.breaker.state).toBe('HALF_OPEN');
    expect(s.breaker.trialsInFlight).toBe(1);
  });

  it('a failure from before a re-close does not feed the new trip rule', () => {
    const s = setup({ trip: { type: 'consecutive', failures: 1 } });
    const slow = s.breaker.acquire();
    fail(s.breaker, 1);
    s.clock.t = 1000;
    s.breaker.release(s.breaker.acquire(), 'success');
    expect(s.breaker.state).toBe('CLOSED');
    s.breaker.release(slow, 'failure');
    expect(s.breaker.state).toBe('CLOSED');
  });
});

describe('reset()', () => {
  it('closes an OPEN breaker, keeping counters', () => {
    const s = setup();
    fail(s.breaker, 3);
    s.breaker.acquire();
    s.clock.t = 10;
    s.breaker.reset();
    expect(s.breaker.state).toBe('CLOSED');
    expect(s.log).toEqual(['open:api:3', 'close:api']);
    expect(s.breaker.stats()).toMatchObject({ calls: 3, failures: 3, rejections: 1, stateChanges: 2, lastChangeAt: 10 });
  });

  it('in CLOSED it only forgets the trip rule (no event, no state change)', () => {
    const s = setup();
    fail(s.breaker, 2);
    s.breaker.reset();
    fail(s.breaker, 2);
    expect(s.breaker.state).toBe('CLOSED');
    expect(s.log).toEqual([]);
    expect(s.breaker.stats().stateChanges).toBe(0);
  });

  it('closes a HALF_OPEN breaker; its trials become stale', () => {
    const s = setup();
    openThenWait(s);
    const trial = s.breaker.acquire();
    s.breaker.reset();
    expect(s.breaker.trialsInFlight).toBe(0);
    s.breaker.release(trial, 'failure');
    expect(s.breaker.state).toBe('CLOSED');
  });
});

describe('setOptions()', () => {
  it('keeps the trip rule history when the trip options are the same', () => {
    const s = setup();
    fail(s.breaker, 2);
    s.breaker.setOptions(options({ openMs: 5000, maxOpenMs: 5000 }));
    fail(s.breaker, 1);
    expect(s.breaker.state).toBe('OPEN');
    expect(s.breaker.remainingMs()).toBe(5000);
  });

  it('rebuilds the trip rule when its options changed', () => {
    const s = setup();
    fail(s.breaker, 2);
    s.breaker.setOptions(options({ trip: { type: 'consecutive', failures: 2 } }));
    fail(s.breaker, 1);
    expect(s.breaker.state).toBe('CLOSED');
    fail(s.breaker, 1);
    expect(s.breaker.state).toBe('OPEN');
  });

  it('a new openMs applies to the current open period; a new halfOpenMaxCalls at once', () => {
    const s = setup();
    fail(s.breaker, 3);
    s.clock.t = 300;
    s.breaker.setOptions(options({ openMs: 200, halfOpenMaxCalls: 2 }));
    expect(s.breaker.acquire()).toBeGreaterThanOrEqual(0);
    expect(s.breaker.acquire()).toBeGreaterThanOrEqual(0);
    expect(s.breaker.acquire()).toBe(-1);
  });
});

describe('observer', () => {
  it('is optional', () => {
    const clock = { t: 0, now() { return this.t; } };
    const breaker = new CircuitBreaker('k', options(), clock, noRandom);
    fail(breaker, 3);
    clock.t = 1000;
    breaker.release(breaker.acquire(), 'success');
    expect(breaker.stats()).toMatchObject({ state: 'CLOSED', stateChanges: 3 });
  });

  it('sees the new state when called', () => {
    const seen: string[] = [];
    const clock = { t: 0, now() { return this.t; } };
    const breaker: CircuitBreaker = new CircuitBreaker('k', options(), clock, noRandom, {
      onOpen: (b) => seen.push(b.stats().state),
      onHalfOpen: (b) => seen.push(b.stats().state),
      onClose: (b) => seen.push(b.state),
    });
    fail(breaker, 3);
    clock.t = 1000;
    breaker.release(breaker.acquire(), 'success');
    expect(seen).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
  });

  it('an observer that throws leaves the state consistent', () => {
    const clock = { t: 0, now() { return this.t; } };
    const boom = (): never => {
      throw new Error('boom');
    };
    const breaker = new CircuitBreaker('k', options(), clock, noRandom, { onOpen: boom, onHalfOpen: boom, onClose: boom });
    breaker.release(breaker.acquire(), 'failure');
    breaker.release(breaker.acquire(), 'failure');
    const last = breaker.acquire();
    expect(() => breaker.release(last, 'failure')).toThrow('boom');
    expect(breaker.isClosed).toBe(false);
    expect(breaker.acquire()).toBe(-1);
    clock.t = 1000;
    expect(() => breaker.acquire()).toThrow('boom'); // moved to HALF_OPEN, then the observer threw: no permit
    expect(breaker.trialsInFlight).toBe(0);
    const trial = breaker.acquire();
    expect(trial).toBeGreaterThanOrEqual(0);
    expect(() => breaker.release(trial, 'success')).toThrow('boom');
    expect(breaker.stats()).toMatchObject({ state: 'CLOSED', calls: 4, successes: 1, failures: 3, stateChanges: 3 });
  });

  it('may reset the breaker from onHalfOpen (the acquire then gets a CLOSED permit)', () => {
    const clock = { t: 0, now() { return this.t; } };
    const breaker: CircuitBreaker = new CircuitBreaker('k', options(), clock, noRandom, {
      onOpen: () => undefined,
      onHalfOpen: (b) => b.reset(),
      onClose: () => undefined,
    });
    fail(breaker, 3);
    clock.t = 1000;
    const permit = breaker.acquire();
    expect(permit).toBeGreaterThanOrEqual(0);
    expect(breaker.state).toBe('CLOSED');
    breaker.release(permit, 'failure');
    expect(breaker.stats()).toMatchObject({ calls: 4, failures: 4, stateChanges: 3 });
  });
});
