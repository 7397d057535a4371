import { DEFAULT_BREAKER, resolveBreaker, resolveTrip } from '../../lib/breaker/breaker-options.js';
import { configError } from '../helpers/engine-harness.js';

describe('resolveBreaker', () => {
  it('has the SPEC defaults', () => {
    expect(DEFAULT_BREAKER).toEqual({
      key: 'origin',
      trip: { type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000, consecutive: 10 },
      openMs: 5_000,
      maxOpenMs: 60_000,
      openJitter: 0.2,
      halfOpenMaxCalls: 1,
      successThreshold: 1,
      maxKeys: 1_000,
    });
    expect(Object.isFrozen(DEFAULT_BREAKER) && Object.isFrozen(DEFAULT_BREAKER.trip)).toBe(true);
    expect(resolveBreaker('circuitBreaker', {}, DEFAULT_BREAKER)).toEqual(DEFAULT_BREAKER);
  });

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
    [{ maxOpenMs: 4_999 }, 'circuitBreaker.maxOpenMs', 'a finite number >= openMs (5000), got 4999'],
    [{ openMs: 2_000, maxOpenMs: 1_000 }, 'circuitBreaker.maxOpenMs', 'a finite number >= openMs (2000), got 1000'],
    [{ maxOpenMs: 0 }, 'circuitBreaker.maxOpenMs', 'a finite number > 0, got 0'],
    [{ maxOpenMs: Infinity }, 'circuitBreaker.maxOpenMs', 'a finite number > 0, got Infinity'],
    [{ openJitter: 1 }, 'circuitBreaker.openJitter', 'a number >= 0 and < 1, got 1'],
    [{ openJitter: -0.1 }, 'circuitBreaker.openJitter', 'a number >= 0 and < 1, got -0.1'],
    [{ openJitter: NaN }, 'circuitBreaker.openJitter', 'a number >= 0 and < 1, got NaN'],
    [{ openJitter: '0.2' }, 'circuitBreaker.openJitter', 'a number >= 0 and < 1, got "0.2"'],
  ])('rejects %j at its path', (raw, path, expected) => {
    const err = configError(() => resolveBreaker('circuitBreaker', raw, DEFAULT_BREAKER));
    expect(err.path).toBe(path);
    expect(err.message).toBe(`${path} must be ${expected}`);
  });

  it('accepts maxOpenMs equal to openMs (a fixed period) and openJitter in [0, 1)', () => {
    expect(resolveBreaker('circuitBreaker', { openMs: 1_000, maxOpenMs: 1_000, openJitter: 0 }, DEFAULT_BREAKER)).toMatchObject({
      openMs: 1_000, maxOpenMs: 1_000, openJitter: 0,
    });
    expect(resolveBreaker('circuitBreaker', { openJitter: 0.99 }, DEFAULT_BREAKER)).toMatchObject({ openJitter: 0.99 });
  });

  it('without maxOpenMs, a longer openMs raises the cap to it (a 0.1.0 config keeps its fixed period)', () => {
    expect(resolveBreaker('circuitBreaker', { openMs: 120_000 }, DEFAULT_BREAKER)).toMatchObject({ openMs: 120_000, maxOpenMs: 120_000 });
    expect(resolveBreaker('circuitBreaker', { openMs: 1_000 }, DEFAULT_BREAKER)).toMatchObject({ openMs: 1_000, maxOpenMs: 60_000 });
    const custom = resolveBreaker('circuitBreaker', { openMs: 1_000, maxOpenMs: 8_000 }, DEFAULT_BREAKER);
    if (custom === false) throw new Error('unreachable');
    expect(resolveBreaker('circuitBreaker', { openMs: 2_000 }, custom)).toMatchObject({ openMs: 2_000, maxOpenMs: 8_000 });
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
    [{ type: 'consecutive', failures: 3, consecutive: 2 }, 'trip.consecutive'],
    [{ type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 1, consecutive: 0 }, 'trip.consecutive'],
    [{ type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 1, consecutive: 2.5 }, 'trip.consecutive'],
    [{ type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 1, consecutive: null }, 'trip.consecutive'],
    [null, 'trip'],
  ])('rejects %j at %s', (raw, path) => {
    expect(configError(() => resolveTrip('trip', raw)).path).toBe(path);
  });

  it('accepts complete rules, frozen', () => {
    const rate = resolveTrip('trip', { type: 'rate', threshold: 0.5, minimumCalls: 10, windowMs: 1000 });
    expect(rate).toEqual({ type: 'rate', threshold: 0.5, minimumCalls: 10, windowMs: 1000 });
    expect(Object.isFrozen(rate)).toBe(true);
    expect('consecutive' in rate).toBe(false);
    const withRun = resolveTrip('trip', { type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000, consecutive: 10 });
    expect(withRun).toEqual({ type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000, consecutive: 10 });
    expect(Object.isFrozen(withRun)).toBe(true);
  });

  it('an explicit consecutive: undefined means no run clause', () => {
    expect(resolveTrip('trip', { type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 1, consecutive: undefined })).toEqual({
      type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 1,
    });
  });
});
