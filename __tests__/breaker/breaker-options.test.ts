import { DEFAULT_BREAKER, resolveBreaker, resolveTrip } from '../../lib/breaker/breaker-options.js';
import { configError } from '../helpers/engine-harness.js';

describe('resolveBreaker', () => {
  it('gives the defaults for true, and false for false', () => {
    expect(resolveBreaker('circuitBreaker', true, DEFAULT_BREAKER)).toBe(DEFAULT_BREAKER);
    expect(resolveBreaker('circuitBreaker', false, DEFAULT_BREAKER)).toBe(false);
  });

  it('merges the given fields over the base, keeping the user’s keys', () => {
    const r = resolveBreaker('circuitBreaker', { openMs: 500, key: 'client' }, DEFAULT_BREAKER);
    expect(r).toEqual({ ...DEFAULT_BREAKER, openMs: 500, key: 'client' });
    expect(Object.isFrozen(r)).toBe(true);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ openMs: 0 }, 'circuitBreaker.openMs', 'a finite number > 0, got 0'],
    [{ openMs: Infinity }, 'circuitBreaker.openMs', 'a finite number > 0, got Infinity'],
    [{ halfOpenMaxCalls: 0 }, 'circuitBreaker.halfOpenMaxCalls', 'an integer >= 1, got 0'],
    [{ successThreshold: 1.5 }, 'circuitBreaker.successThreshold', 'an integer >= 1, got 1.5'],
    [{ maxKeys: 0 }, 'circuitBreaker.maxKeys', 'an integer >= 1, got 0'],
    [{ key: 'host' }, 'circuitBreaker.key', "one of 'origin', 'client', got \"host\""],
    [{ trip: { type: 'consecutive', failures: 0 } }, 'circuitBreaker.trip.failures', 'an integer >= 1, got 0'],
  ])('rejects %j at its path', (raw, path, expected) => {
    const err = configError(() => resolveBreaker('circuitBreaker', raw, DEFAULT_BREAKER));
    expect(err.path).toBe(path);
    expect(err.message).toBe(`${path} must be ${expected}`);
  });

  it('names both accepted forms when given neither an object nor a boolean', () => {
    expect(configError(() => resolveBreaker('circuitBreaker', 3, DEFAULT_BREAKER)).message).toBe('circuitBreaker must be an object or a boolean, got 3');
  });
});

describe('resolveTrip', () => {
  it.each<[unknown, string]>([
    [{ type: 'consecutive', failures: 0 }, 'trip.failures'],
    [{ type: 'consecutive', failures: 1.5 }, 'trip.failures'],
    [{ type: 'rate', threshold: 0, minimumCalls: 1, windowMs: 1 }, 'trip.threshold'],
    [{ type: 'rate', threshold: 1.01, minimumCalls: 1, windowMs: 1 }, 'trip.threshold'],
    [{ type: 'rate', threshold: NaN, minimumCalls: 1, windowMs: 1 }, 'trip.threshold'],
    [{ type: 'rate', threshold: 0.5, minimumCalls: 0, windowMs: 1 }, 'trip.minimumCalls'],
    [{ type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 0 }, 'trip.windowMs'],
    [{ type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 5e-324 }, 'trip.windowMs'],
    [{ type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: Infinity }, 'trip.windowMs'],
    [{ type: 'bogus' }, 'trip.type'],
    [{ type: 'consecutive', failures: 3, extra: 1 }, 'trip.extra'],
    [null, 'trip'],
  ])('rejects %j at %s', (raw, path) => {
    expect(configError(() => resolveTrip('trip', raw)).path).toBe(path);
  });

  it('accepts complete rules, frozen', () => {
    const rate = resolveTrip('trip', { type: 'rate', threshold: 0.5, minimumCalls: 10, windowMs: 1000 });
    expect(rate).toEqual({ type: 'rate', threshold: 0.5, minimumCalls: 10, windowMs: 1000 });
    expect(Object.isFrozen(rate)).toBe(true);
  });
});
