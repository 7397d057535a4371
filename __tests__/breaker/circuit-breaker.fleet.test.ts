/**
 * The two transitions a fleet makes on a local breaker: `halfOpen()` (a remote
 * open, `adopt: 'verify'`) and `holdOpen(ms)` (`'trust'`, or another process
 * holds the trial): observer calls, permit generations, and open periods.
 */
import { CircuitBreaker, PERMIT_REFUSED } from '../../lib/breaker/circuit-breaker.js';
import type { BreakerObserver, BreakerOptions } from '../../lib/breaker/circuit-breaker.js';

const OPTIONS: BreakerOptions = {
  trip: { type: 'consecutive', failures: 3 },
  openMs: 1_000,
  maxOpenMs: 60_000,
  openJitter: 0,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
};

function setup() {
  const clock = { t: 0, now(): number { return this.t; } };
  const log: string[] = [];
  const observer: BreakerObserver = {
    onOpen: (_b, failures) => log.push(`open ${failures}`),
    onHalfOpen: () => log.push('half-open'),
    onClose: () => log.push('close'),
  };
  const breaker = new CircuitBreaker('api', OPTIONS, clock, () => 0.5, observer);
  return { clock, log, breaker };
}

function trip(breaker: CircuitBreaker): void {
  for (let i = 0; i < 3; i++) breaker.release(breaker.acquire(), 'failure');
}

describe('halfOpen(): a remote open, verified locally', () => {
  test('CLOSED -> HALF_OPEN now: one trial slot; a failed trial opens it for openMs (a first open, not doubled)', () => {
    const { clock, log, breaker } = setup();
    const before = breaker.acquire(); // granted while CLOSED: stale after the transition
    expect(breaker.halfOpen()).toBe(true);
    expect(log).toEqual(['half-open']);
    const trial = breaker.acquire();
    expect(trial).not.toBe(PERMIT_REFUSED);
    expect(breaker.acquire()).toBe(PERMIT_REFUSED);
    breaker.release(before, 'failure'); // stale: counted, changes nothing
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.release(trial, 'failure');
    expect(log).toEqual(['half-open', 'open 1']);
    expect(breaker.remainingMs()).toBe(1_000);
    clock.t = 1_000;
    // The next failed trial is a retrial: it doubles, as usual.
    breaker.release(breaker.acquire(), 'failure');
    expect(breaker.remainingMs()).toBe(2_000);
  });

  test('a successful trial closes it; outside CLOSED it does nothing', () => {
    const { log, breaker } = setup();
    breaker.halfOpen();
    expect(breaker.halfOpen()).toBe(false);
    breaker.release(breaker.acquire(), 'success');
    expect(breaker.state).toBe('CLOSED');
    trip(breaker);
    expect(breaker.halfOpen()).toBe(false);
    expect(log).toEqual(['half-open', 'close', 'open 3']);
    expect(breaker.stats().state).toBe('OPEN');
  });
});

describe('holdOpen(ms): the fleet says OPEN for so long', () => {
  test('from CLOSED: OPEN for exactly ms, whatever openMs says; then a trial as usual', () => {
    const { clock, log, breaker } = setup();
    breaker.holdOpen(2_500, 4);
    expect(log).toEqual(['open 4']);
    expect(breaker.stats()).toMatchObject({ state: 'OPEN', openedAt: 0 });
    expect(breaker.acquire()).toBe(PERMIT_REFUSED);
    clock.t = 2_499;
    expect(breaker.remainingMs()).toBe(1);
    clock.t = 2_500;
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.release(breaker.acquire(), 'failure');
    // Held open is no failed trial: this first failed trial doubles openMs once.
    expect(breaker.remainingMs()).toBe(2_000);
  });

  test('from HALF_OPEN: the trial permit goes stale, and the period does not double', () => {
    const { clock, log, breaker } = setup();
    trip(breaker);
    clock.t = 1_000;
    const trial = breaker.acquire();
    breaker.holdOpen(300, 0);
    breaker.release(trial, 'ignore');
    expect(breaker.stats()).toMatchObject({ state: 'OPEN', ignored: 1, failures: 3 });
    clock.t = 1_300;
    breaker.release(breaker.acquire(), 'success');
    expect(log).toEqual(['open 3', 'half-open', 'open 0', 'half-open', 'close']);
  });
});
