import { BreakerRegistry } from '../../lib/breaker/breaker-registry.js';
import type { ResolvedBreaker } from '../../lib/breaker/breaker-options.js';
import type { BreakerObserver, CircuitBreaker } from '../../lib/breaker/circuit-breaker.js';

const base: ResolvedBreaker = {
  key: 'origin',
  trip: { type: 'consecutive', failures: 1 },
  openMs: 1000,
  maxOpenMs: 1000,
  openJitter: 0,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
  maxKeys: 10,
};

const options = (maxKeys: number, overrides: Partial<ResolvedBreaker> = {}): ResolvedBreaker => ({ ...base, maxKeys, ...overrides });

const noRandom = (): number => {
  throw new Error('random() called');
};

function setup(maxKeys: number, observer?: BreakerObserver) {
  const clock = { t: 0, now() { return this.t; } };
  const registry = new BreakerRegistry(options(maxKeys), clock, noRandom, observer);
  return { clock, registry };
}

const keys = (registry: BreakerRegistry): string[] => [...registry.values()].map((b) => b.key);

/** Opens a breaker with one failure (the trip rule above). */
function open(breaker: CircuitBreaker): void {
  breaker.release(breaker.acquire(), 'failure');
}

describe('BreakerRegistry', () => {
  it('creates a breaker per key on first use and returns the same one after', () => {
    const { registry } = setup(10);
    expect(registry.size).toBe(0);
    expect(registry.peek('a')).toBeUndefined();
    const a = registry.get('a');
    expect(a.key).toBe('a');
    expect(a.state).toBe('CLOSED');
    expect(registry.get('a')).toBe(a);
    const b = registry.get('b');
    expect(b).not.toBe(a);
    expect(registry.get('a')).toBe(a);
    expect(registry.peek('b')).toBe(b);
    expect(registry.size).toBe(2);
  });

  it('passes the random source to its breakers (the open period jitter)', () => {
    const clock = { t: 0, now() { return this.t; } };
    const registry = new BreakerRegistry(options(10, { openJitter: 0.5 }), clock, () => 0);
    open(registry.get('x'));
    expect(registry.get('x').remainingMs()).toBe(500);
  });

  it('passes options, clock and observer to its breakers', () => {
    const opened: string[] = [];
    const { registry, clock } = setup(10, {
      onOpen: (b) => opened.push(b.key),
      onHalfOpen: () => undefined,
      onClose: () => undefined,
    });
    open(registry.get('x'));
    expect(opened).toEqual(['x']);
    clock.t = 999;
    expect(registry.get('x').remainingMs()).toBe(1);
  });

  it('get() marks most recently used; peek() does not', () => {
    const { registry } = setup(10);
    registry.get('a');
    registry.get('b');
    registry.get('c');
    expect(keys(registry)).toEqual(['a', 'b', 'c']);
    registry.get('a');
    expect(keys(registry)).toEqual(['b', 'c', 'a']);
    registry.get('a');
    registry.peek('b');
    expect(keys(registry)).toEqual(['b', 'c', 'a']);
    registry.get('b');
    expect(keys(registry)).toEqual(['c', 'a', 'b']);
  });

  it('beyond maxKeys evicts the least recently used CLOSED breaker, keeping OPEN ones', () => {
    const { registry } = setup(3);
    open(registry.get('a'));
    registry.get('b');
    open(registry.get('c'));
    registry.get('d');
    expect(keys(registry)).toEqual(['a', 'c', 'd']);
    expect(registry.peek('a')?.state).toBe('OPEN');
    registry.get('e'); // d is the only CLOSED one, even though it was the most recently used
    expect(keys(registry)).toEqual(['a', 'c', 'e']);
    expect(registry.get('e')).toBe(registry.peek('e'));
  });

  it('keeps HALF_OPEN breakers over CLOSED ones too', () => {
    const { registry, clock } = setup(2);
    open(registry.get('a'));
    clock.t = 1000;
    expect(registry.get('a').acquire()).toBeGreaterThanOrEqual(0); // a trial: really HALF_OPEN
    expect(registry.get('a').trialsInFlight).toBe(1);
    registry.get('b');
    registry.get('c');
    expect(keys(registry)).toEqual(['a', 'c']);
  });

  it('when every breaker is OPEN, drops the least recently used of all: memory stays bounded', () => {
    const { registry } = setup(3);
    for (const key of ['a', 'b', 'c']) open(registry.get(key));
    registry.get('a');
    registry.get('d');
    expect(keys(registry)).toEqual(['c', 'a', 'd']);
    for (let i = 0; i < 50; i++) open(registry.get(`k${i}`));
    expect(registry.size).toBe(3);
  });

  it('forgets an evicted breaker: getting its key again makes a fresh one', () => {
    const { registry } = setup(1);
    const a = registry.get('a');
    registry.get('b');
    expect(registry.peek('a')).toBeUndefined();
    expect(registry.get('a')).not.toBe(a);
    expect(registry.size).toBe(1);
  });

  it('100k distinct keys with maxKeys 1000 stays at 1000', () => {
    const { registry } = setup(1000);
    for (let i = 0; i < 100_000; i++) registry.get(`https://host-${i}.example`);
    expect(registry.size).toBe(1000);
    expect(registry.peek('https://host-99999.example')).toBeDefined();
    expect(registry.peek('https://host-98999.example')).toBeUndefined();
    expect(registry.peek('https://host-99000.example')).toBeDefined();
  });

  it('setOptions() reaches existing and future breakers', () => {
    const { registry } = setup(10);
    const a = registry.get('a');
    registry.setOptions(options(10, { trip: { type: 'consecutive', failures: 2 }, openMs: 50, maxOpenMs: 50 }));
    open(a);
    expect(a.state).toBe('CLOSED');
    open(a);
    expect(a.remainingMs()).toBe(50);
    const b = registry.get('b');
    open(b);
    expect(b.state).toBe('CLOSED');
  });

  it('setOptions() shrinks to a lower maxKeys, CLOSED breakers first', () => {
    const { registry } = setup(10);
    open(registry.get('a'));
    registry.get('b');
    open(registry.get('c'));
    registry.get('d');
    registry.setOptions(options(2));
    expect(keys(registry)).toEqual(['a', 'c']);
    registry.setOptions(options(1));
    expect(keys(registry)).toEqual(['c']);
    registry.get('e');
    expect(keys(registry)).toEqual(['e']);
  });

  it('the most recently used breaker may be evicted by a shrink; get() then makes a new one', () => {
    const { registry } = setup(10);
    open(registry.get('a'));
    const b = registry.get('b');
    registry.setOptions(options(1));
    expect(keys(registry)).toEqual(['a']);
    expect(registry.get('b')).not.toBe(b);
  });
});
