import fc from 'fast-check';
import { ConfigError } from '../lib/common/config-error.js';
import {
  DEFAULT_ERROR_CODES,
  DEFAULT_IDEMPOTENCY_HEADER,
  DEFAULT_METHODS,
  DEFAULT_STATUS_CODES,
  DEFAULTS,
  resolveConfigure,
  resolveOptions,
  resolveRequestOptions,
  splitClientConfig,
} from '../lib/options.js';
import type { ResolvedOptions, ResolvedRetry } from '../lib/options.js';
import { configError } from './helpers/engine-harness.js';


/** Builds `{ a: { b: value } }` from `['a', 'b']`. */
function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]]: out };
  return out as Record<string, unknown>;
}

function retryOf(o: ResolvedOptions): ResolvedRetry {
  if (o.retry === undefined) throw new Error('retry is off');
  return o.retry;
}

/** Every object reachable from `value` (Sets and functions aside) is frozen. */
function expectDeepFrozen(value: unknown, path = 'options'): void {
  if (value === null || typeof value !== 'object' || value instanceof Set) return;
  expect({ path, frozen: Object.isFrozen(value) }).toEqual({ path, frozen: true });
  for (const [k, child] of Object.entries(value)) expectDeepFrozen(child, `${path}.${k}`);
}

describe('DEFAULTS and resolveOptions({})', () => {
  const o = resolveOptions({});

  it('gives the documented retry defaults', () => {
    const r = retryOf(o);
    expect(r.maxAttempts).toBe(3);
    expect([...r.methods]).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
    expect([...r.statusCodes]).toEqual([408, 429, 500, 502, 503, 504]);
    expect([...r.errorCodes]).toEqual([
      'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_NETWORK',
    ]);
    expect(r.retryIf).toBeUndefined();
    expect(r.backoff).toEqual({ type: 'exponential', baseMs: 100, factor: 2, maxMs: 20_000, jitter: 'full' });
    expect(r.retryAfterRespect).toBe(true);
    expect(r.retryAfterMaxMs).toBe(60_000);
    expect(r.idempotencyHeader).toBeUndefined();
  });

  it('exports the default lists', () => {
    expect(DEFAULT_METHODS).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
    expect(DEFAULT_STATUS_CODES).toEqual([408, 429, 500, 502, 503, 504]);
    expect(DEFAULT_ERROR_CODES).toContain('ETIMEDOUT');
    expect(DEFAULT_ERROR_CODES).toContain('ERR_NETWORK');
    expect(DEFAULT_IDEMPOTENCY_HEADER).toBe('Idempotency-Key');
  });

  it('gives the documented time budget defaults', () => {
    expect(o.timeBudget).toEqual({ totalMs: 30_000, attemptMs: 10_000, attemptExplicit: false, propagateHeader: undefined });
  });

  it('gives the documented breaker defaults', () => {
    expect(o.breaker).toEqual({
      key: 'origin',
      options: { trip: { type: 'consecutive', failures: 5 }, openMs: 30_000, halfOpenMaxCalls: 1, successThreshold: 1 },
      maxKeys: 1_000,
    });
  });

  it('gives the documented overload-protection defaults', () => {
    expect(o.retryBudget).toEqual({ ratio: 0.1, minPerSecond: 10, windowMs: 10_000 });
    expect(o.concurrency).toBeUndefined();
    expect(o.throttle).toBeUndefined();
  });

  it('redacts the sensitive headers by default', () => {
    expect([...o.redactHeaders].sort()).toEqual(['authorization', 'cookie', 'proxy-authorization', 'set-cookie']);
    expect(o.idempotencyValue).toBeUndefined();
  });

  it('equals DEFAULTS and is frozen all the way down', () => {
    expect(o).toEqual(DEFAULTS);
    expectDeepFrozen(o);
    expectDeepFrozen(DEFAULTS, 'DEFAULTS');
  });

  it('treats undefined fields as absent', () => {
    const u = resolveOptions({
      retry: { maxAttempts: undefined, backoff: { baseMs: undefined }, retryAfter: { respect: undefined } },
      timeBudget: { totalMs: undefined },
      circuitBreaker: { openMs: undefined },
      retryBudget: { ratio: undefined },
      concurrency: undefined,
      adaptiveThrottle: undefined,
      redactHeaders: undefined,
    });
    expect(u).toEqual(DEFAULTS);
  });
});

describe('resolveOptions: valid values', () => {
  it('resolves every retry field', () => {
    const retryIf = (): boolean => true;
    const type = (attempt: number): number => attempt * 7;
    const r = retryOf(resolveOptions({
      retry: {
        maxAttempts: 1,
        methods: ['get', 'Post'],
        statusCodes: [100, 599],
        errorCodes: ['EFOO'],
        retryIf,
        backoff: { type, baseMs: 0, factor: 1, maxMs: 0, jitter: 0.5 },
        retryAfter: { respect: false, maxMs: Infinity },
        idempotencyKey: 'X-Idem',
      },
    }));
    expect(r.maxAttempts).toBe(1);
    expect([...r.methods]).toEqual(['GET', 'POST']);
    expect([...r.statusCodes]).toEqual([100, 599]);
    expect([...r.errorCodes]).toEqual(['EFOO']);
    expect(r.retryIf).toBe(retryIf);
    expect(r.backoff).toEqual({ type, baseMs: 0, factor: 1, maxMs: 0, jitter: 0.5 });
    expect(r.retryAfterRespect).toBe(false);
    expect(r.retryAfterMaxMs).toBe(Infinity);
    expect(r.idempotencyHeader).toBe('X-Idem');
  });

  it.each(['exponential', 'linear', 'constant', 'fibonacci', 'decorrelated'])('accepts backoff.type %s', (type) => {
    expect(retryOf(resolveOptions({ retry: { backoff: { type } } })).backoff.type).toBe(type);
  });

  it.each<[unknown]>([['none'], ['full'], ['equal'], [1], [0.001]])('accepts backoff.jitter %p', (jitter) => {
    expect(retryOf(resolveOptions({ retry: { backoff: { jitter } } })).backoff.jitter).toBe(jitter);
  });

  it.each<[unknown, string | undefined]>([[true, 'Idempotency-Key'], [false, undefined], ['x-key', 'x-key']])(
    'retry.idempotencyKey %p -> header %p', (idempotencyKey, header) => {
      expect(retryOf(resolveOptions({ retry: { idempotencyKey } })).idempotencyHeader).toBe(header);
    });

  it('accepts empty lists (nothing retried by that criterion)', () => {
    const r = retryOf(resolveOptions({ retry: { methods: [], statusCodes: [], errorCodes: [] } }));
    expect(r.methods.size + r.statusCodes.size + r.errorCodes.size).toBe(0);
  });

  it('retry: false turns retries off and retry: true keeps the base', () => {
    expect(resolveOptions({ retry: false }).retry).toBeUndefined();
    expect(resolveOptions({ retry: true }).retry).toBe(DEFAULTS.retry);
    const base = resolveOptions({ retry: { maxAttempts: 7 } });
    expect(retryOf(resolveOptions({ retry: true }, base)).maxAttempts).toBe(7);
  });

  it('retry: true or a partial over a base without retry starts from the defaults', () => {
    const off = resolveOptions({ retry: false });
    expect(resolveOptions({ retry: true }, off).retry).toEqual(DEFAULTS.retry);
    const r = retryOf(resolveOptions({ retry: { maxAttempts: 2 } }, off));
    expect(r.maxAttempts).toBe(2);
    expect(r.backoff).toEqual(DEFAULTS.retry?.backoff);
  });

  it('merges a partial retry over the base, field by field', () => {
    const base = resolveOptions({ retry: { maxAttempts: 5, statusCodes: [503], backoff: { baseMs: 7, jitter: 'none' } } });
    const r = retryOf(resolveOptions({ retry: { backoff: { factor: 3 }, retryAfter: { maxMs: 5 } } }, base));
    expect(r.maxAttempts).toBe(5);
    expect([...r.statusCodes]).toEqual([503]);
    expect(r.backoff).toEqual({ type: 'exponential', baseMs: 7, factor: 3, maxMs: 20_000, jitter: 'none' });
    expect(r.retryAfterRespect).toBe(true);
    expect(r.retryAfterMaxMs).toBe(5);
  });

  it('resolves the time budget and remembers an explicit attemptMs', () => {
    const t = resolveOptions({ timeBudget: { totalMs: Infinity, attemptMs: 250, propagateHeader: 'X-Deadline-Ms' } }).timeBudget;
    expect(t).toEqual({ totalMs: Infinity, attemptMs: 250, attemptExplicit: true, propagateHeader: 'X-Deadline-Ms' });
    const later = resolveOptions({ timeBudget: { totalMs: 1_000 } }, resolveOptions({ timeBudget: { attemptMs: 250 } })).timeBudget;
    expect(later).toEqual({ totalMs: 1_000, attemptMs: 250, attemptExplicit: true, propagateHeader: undefined });
    expect(resolveOptions({ timeBudget: { attemptMs: Infinity } }).timeBudget.attemptMs).toBe(Infinity);
  });

  it('resolves every breaker field', () => {
    const key = (): string => 'k';
    const b = resolveOptions({
      circuitBreaker: {
        key,
        trip: { type: 'rate', threshold: 1, minimumCalls: 1, windowMs: 0.5 },
        openMs: 1,
        halfOpenMaxCalls: 2,
        successThreshold: 3,
        maxKeys: 1,
      },
    }).breaker;
    expect(b).toEqual({
      key,
      options: { trip: { type: 'rate', threshold: 1, minimumCalls: 1, windowMs: 0.5 }, openMs: 1, halfOpenMaxCalls: 2, successThreshold: 3 },
      maxKeys: 1,
    });
    expect(resolveOptions({ circuitBreaker: { key: 'client', trip: { type: 'consecutive', failures: 1 } } }).breaker).toMatchObject({
      key: 'client',
      options: { trip: { type: 'consecutive', failures: 1 }, openMs: 30_000 },
    });
  });

  it('circuitBreaker: false removes the breaker and true restores it', () => {
    const off = resolveOptions({ circuitBreaker: false });
    expect(off.breaker).toBeUndefined();
    expect(resolveOptions({ circuitBreaker: true }, off).breaker).toEqual(DEFAULTS.breaker);
    const custom = resolveOptions({ circuitBreaker: { openMs: 5 } });
    expect(resolveOptions({ circuitBreaker: true }, custom).breaker).toBe(custom.breaker);
    expect(resolveOptions({ circuitBreaker: { maxKeys: 3 } }, custom).breaker?.options.openMs).toBe(5);
  });

  it('resolves the retry budget, false and true', () => {
    expect(resolveOptions({ retryBudget: { ratio: 0, minPerSecond: 0, windowMs: 1 } }).retryBudget).toEqual({ ratio: 0, minPerSecond: 0, windowMs: 1 });
    const off = resolveOptions({ retryBudget: false });
    expect(off.retryBudget).toBeUndefined();
    expect(resolveOptions({ retryBudget: true }, off).retryBudget).toEqual({ ratio: 0.1, minPerSecond: 10, windowMs: 10_000 });
    expect(resolveOptions({ retryBudget: { ratio: 0.5 } }).retryBudget).toEqual({ ratio: 0.5, minPerSecond: 10, windowMs: 10_000 });
  });

  it('resolves the bulkhead', () => {
    expect(resolveOptions({ concurrency: { max: 2 } }).concurrency).toEqual({ max: 2, queue: 0 });
    const on = resolveOptions({ concurrency: { max: 1, queue: 5 } });
    expect(on.concurrency).toEqual({ max: 1, queue: 5 });
    expect(resolveOptions({ concurrency: false }, on).concurrency).toBeUndefined();
    expect(resolveOptions({}, on).concurrency).toBe(on.concurrency);
  });

  it('resolves adaptive throttling', () => {
    const on = resolveOptions({ adaptiveThrottle: true });
    expect(on.throttle).toEqual({ k: 2, windowMs: 120_000, minRequests: 10 });
    expect(resolveOptions({ adaptiveThrottle: { k: 1, windowMs: 5, minRequests: 0 } }).throttle).toEqual({ k: 1, windowMs: 5, minRequests: 0 });
    expect(resolveOptions({ adaptiveThrottle: { k: 3 } }, on).throttle).toEqual({ k: 3, windowMs: 120_000, minRequests: 10 });
    expect(resolveOptions({ adaptiveThrottle: false }, on).throttle).toBeUndefined();
  });

  it('adds extra redacted headers, lower-cased, to the sensitive ones', () => {
    const o = resolveOptions({ redactHeaders: ['X-Api-Key'] });
    expect([...o.redactHeaders].sort()).toEqual(['authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-api-key']);
    expect(resolveOptions({ redactHeaders: [] }).redactHeaders.size).toBe(4);
  });

  it('keeps every base field it is not given and never carries an idempotency value', () => {
    const base = resolveRequestOptions({ idempotencyKey: 'k' }, resolveOptions({ concurrency: { max: 1 }, redactHeaders: ['x-a'] }));
    expect(base.idempotencyValue).toBe('k');
    const o = resolveOptions({}, base);
    expect(o.retry).toBe(base.retry);
    expect(o.timeBudget).toBe(base.timeBudget);
    expect(o.breaker).toBe(base.breaker);
    expect(o.retryBudget).toBe(base.retryBudget);
    expect(o.concurrency).toBe(base.concurrency);
    expect(o.redactHeaders).toBe(base.redactHeaders);
    expect(o.idempotencyValue).toBeUndefined();
  });

  it('freezes a fully customised result', () => {
    expectDeepFrozen(resolveOptions({
      retry: { backoff: { baseMs: 1 }, retryAfter: { respect: false } },
      timeBudget: { totalMs: 1 },
      circuitBreaker: { trip: { type: 'rate', threshold: 0.5, minimumCalls: 2, windowMs: 10 } },
      retryBudget: { ratio: 1 },
      concurrency: { max: 1 },
      adaptiveThrottle: { k: 2 },
    }));
  });
});

describe('resolveOptions: invalid values', () => {
  const HTTP_STATUS = 'an HTTP status code (an integer from 100 to 599)';
  const BACKOFF_TYPES = "one of 'exponential', 'linear', 'constant', 'fibonacci', 'decorrelated'";
  it.each<[string[], unknown, string]>([
    [['retry'], 'yes', 'retry must be an object, got "yes"'],
    [['retry'], null, 'retry must be an object, got null'],
    [['retry'], [], 'retry must be an object, got an array of 0'],
    [['retry', 'maxAttempts'], -1, 'retry.maxAttempts must be an integer >= 1, got -1'],
    [['retry', 'maxAttempts'], 0, 'retry.maxAttempts must be an integer >= 1, got 0'],
    [['retry', 'maxAttempts'], 2.5, 'retry.maxAttempts must be an integer >= 1, got 2.5'],
    [['retry', 'maxAttempts'], '3', 'retry.maxAttempts must be an integer >= 1, got "3"'],
    [['retry', 'methods'], 'GET', 'retry.methods must be an array, got "GET"'],
    [['retry', 'methods'], ['GET', ''], 'retry.methods[1] must be a non-empty string, got ""'],
    [['retry', 'statusCodes'], [99], `retry.statusCodes[0] must be ${HTTP_STATUS}, got 99`],
    [['retry', 'statusCodes'], [503, 600], `retry.statusCodes[1] must be ${HTTP_STATUS}, got 600`],
    [['retry', 'statusCodes'], [500.5], `retry.statusCodes[0] must be ${HTTP_STATUS}, got 500.5`],
    [['retry', 'statusCodes'], ['500'], `retry.statusCodes[0] must be ${HTTP_STATUS}, got "500"`],
    [['retry', 'errorCodes'], [1], 'retry.errorCodes[0] must be a non-empty string, got 1'],
    [['retry', 'retryIf'], true, 'retry.retryIf must be a function, got true'],
    [['retry', 'backoff'], 5, 'retry.backoff must be an object, got 5'],
    [['retry', 'backoff', 'type'], 'quadratic', `retry.backoff.type must be ${BACKOFF_TYPES}, got "quadratic"`],
    [['retry', 'backoff', 'baseMs'], -1, 'retry.backoff.baseMs must be a finite number >= 0, got -1'],
    [['retry', 'backoff', 'baseMs'], NaN, 'retry.backoff.baseMs must be a finite number >= 0, got NaN'],
    [['retry', 'backoff', 'factor'], 0.5, 'retry.backoff.factor must be a finite number >= 1, got 0.5'],
    [['retry', 'backoff', 'maxMs'], Infinity, 'retry.backoff.maxMs must be a finite number >= 0, got Infinity'],
    [['retry', 'backoff', 'jitter'], 0, 'retry.backoff.jitter must be a finite number > 0 and <= 1, got 0'],
    [['retry', 'backoff', 'jitter'], 1.5, 'retry.backoff.jitter must be a finite number > 0 and <= 1, got 1.5'],
    [['retry', 'backoff', 'jitter'], 'half', "retry.backoff.jitter must be 'none', 'full', 'equal' or a number in (0, 1], got \"half\""],
    [['retry', 'backoff', 'jitter'], true, "retry.backoff.jitter must be 'none', 'full', 'equal' or a number in (0, 1], got true"],
    [['retry', 'retryAfter'], true, 'retry.retryAfter must be an object, got true'],
    [['retry', 'retryAfter', 'respect'], 'yes', 'retry.retryAfter.respect must be a boolean, got "yes"'],
    [['retry', 'retryAfter', 'maxMs'], -1, 'retry.retryAfter.maxMs must be a number >= 0, got -1'],
    [['retry', 'idempotencyKey'], 1, 'retry.idempotencyKey must be a boolean or a header name, got 1'],
    [['retry', 'idempotencyKey'], 'bad header', 'retry.idempotencyKey must be a valid HTTP header name, got "bad header"'],
    [['retry', 'idempotencyKey'], '', 'retry.idempotencyKey must be a valid HTTP header name, got ""'],
    [['timeBudget'], 1000, 'timeBudget must be an object, got 1000'],
    [['timeBudget', 'totalMs'], 0, 'timeBudget.totalMs must be a number > 0, got 0'],
    [['timeBudget', 'totalMs'], -5, 'timeBudget.totalMs must be a number > 0, got -5'],
    [['timeBudget', 'totalMs'], '1000', 'timeBudget.totalMs must be a number > 0, got "1000"'],
    [['timeBudget', 'attemptMs'], 0, 'timeBudget.attemptMs must be a number > 0, got 0'],
    [['timeBudget', 'attemptMs'], NaN, 'timeBudget.attemptMs must be a number > 0, got NaN'],
    [['timeBudget', 'propagateHeader'], 'x y', 'timeBudget.propagateHeader must be a valid HTTP header name, got "x y"'],
    [['timeBudget', 'propagateHeader'], true, 'timeBudget.propagateHeader must be a valid HTTP header name, got true'],
    [['circuitBreaker'], 'on', 'circuitBreaker must be an object, got "on"'],
    [['circuitBreaker', 'key'], 'host', "circuitBreaker.key must be one of 'origin', 'client', got \"host\""],
    [['circuitBreaker', 'trip'], { type: 'count' }, "circuitBreaker.trip.type must be one of 'consecutive', 'rate', got \"count\""],
    [['circuitBreaker', 'trip'], {}, "circuitBreaker.trip.type must be one of 'consecutive', 'rate', got undefined"],
    // Not an object: the message must name the value received, not a missing `type`.
    [['circuitBreaker', 'trip'], null, "circuitBreaker.trip must be an object such as { type: 'consecutive', failures: 5 }, got null"],
    [['circuitBreaker', 'trip'], 'consecutive', "circuitBreaker.trip must be an object such as { type: 'consecutive', failures: 5 }, got \"consecutive\""],
    [['circuitBreaker', 'trip'], { type: 'consecutive', failures: 0 }, 'circuitBreaker.trip.failures must be an integer >= 1, got 0'],
    [['circuitBreaker', 'trip'], { type: 'consecutive' }, 'circuitBreaker.trip.failures must be an integer >= 1, got undefined'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0, minimumCalls: 1, windowMs: 1 }, 'circuitBreaker.trip.threshold must be a finite number > 0 and <= 1, got 0'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 1.01, minimumCalls: 1, windowMs: 1 }, 'circuitBreaker.trip.threshold must be a finite number > 0 and <= 1, got 1.01'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0.5, minimumCalls: 0, windowMs: 1 }, 'circuitBreaker.trip.minimumCalls must be an integer >= 1, got 0'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 0 }, 'circuitBreaker.trip.windowMs must be a finite number > 0, got 0'],
    [['circuitBreaker', 'openMs'], 0, 'circuitBreaker.openMs must be a finite number > 0, got 0'],
    [['circuitBreaker', 'halfOpenMaxCalls'], 0, 'circuitBreaker.halfOpenMaxCalls must be an integer >= 1, got 0'],
    [['circuitBreaker', 'successThreshold'], 1.5, 'circuitBreaker.successThreshold must be an integer >= 1, got 1.5'],
    [['circuitBreaker', 'maxKeys'], 0, 'circuitBreaker.maxKeys must be an integer >= 1, got 0'],
    [['retryBudget'], 'x', 'retryBudget must be an object, got "x"'],
    [['retryBudget', 'ratio'], -0.1, 'retryBudget.ratio must be a finite number >= 0, got -0.1'],
    [['retryBudget', 'minPerSecond'], -1, 'retryBudget.minPerSecond must be a finite number >= 0, got -1'],
    [['retryBudget', 'windowMs'], 0, 'retryBudget.windowMs must be a finite number > 0, got 0'],
    [['concurrency'], true, 'concurrency must be an object, got true'],
    [['concurrency'], {}, 'concurrency.max must be an integer >= 1, got undefined'],
    [['concurrency', 'max'], 0, 'concurrency.max must be an integer >= 1, got 0'],
    [['adaptiveThrottle'], 'x', 'adaptiveThrottle must be an object, got "x"'],
    [['adaptiveThrottle', 'k'], 0.5, 'adaptiveThrottle.k must be a finite number >= 1, got 0.5'],
    [['adaptiveThrottle', 'windowMs'], 0, 'adaptiveThrottle.windowMs must be a finite number > 0, got 0'],
    [['adaptiveThrottle', 'minRequests'], -1, 'adaptiveThrottle.minRequests must be an integer >= 0, got -1'],
    [['redactHeaders'], 'x-api-key', 'redactHeaders must be an array, got "x-api-key"'],
    [['redactHeaders'], ['ok', 'bad header'], 'redactHeaders[1] must be a valid HTTP header name, got "bad header"'],
  ])('%j = %p', (path, value, message) => {
    const err = configError(() => resolveOptions(nest(path, value)));
    expect(err.message).toBe(message);
    expect(err.code).toBe('ERR_RESILIENT_CONFIG');
    expect(message.startsWith(`${err.path} must be`)).toBe(true);
  });

  it('reports the offending value itself', () => {
    const fn = { maxAttempts: -1 };
    const err = configError(() => resolveOptions({ retry: fn }));
    expect(err.path).toBe('retry.maxAttempts');
    expect(err.value).toBe(-1);
  });

  it('rejects a bulkhead queue that is not a non-negative integer', () => {
    expect(configError(() => resolveOptions({ concurrency: { max: 1, queue: -1 } })).message).toBe('concurrency.queue must be an integer >= 0, got -1');
    expect(configError(() => resolveOptions({ concurrency: { max: 1, queue: 0.5 } })).path).toBe('concurrency.queue');
  });

  it.each<[string[], string]>([
    [['retry', 'maxAttempt'], 'retry.maxAttempt'],
    [['retry', 'backoff', 'base'], 'retry.backoff.base'],
    [['retry', 'retryAfter', 'max'], 'retry.retryAfter.max'],
    [['timeBudget', 'total'], 'timeBudget.total'],
    [['circuitBreaker', 'tripp'], 'circuitBreaker.tripp'],
    [['circuitBreaker', 'trip', 'windowMs'], 'circuitBreaker.trip.windowMs'],
    [['retryBudget', 'ratios'], 'retryBudget.ratios'],
    [['concurrency', 'size'], 'concurrency.size'],
    [['adaptiveThrottle', 'K'], 'adaptiveThrottle.K'],
  ])('rejects the unknown key %j', (path, expectedPath) => {
    const raw = nest(path, 3);
    // Give the trip a valid type so that the unknown key is what fails.
    if (path[1] === 'trip') (raw.circuitBreaker as { trip: Record<string, unknown> }).trip = { type: 'consecutive', failures: 2, windowMs: 3 };
    if (path[0] === 'concurrency') (raw.concurrency as Record<string, unknown>).max = 1;
    const err = configError(() => resolveOptions(raw));
    expect(err.path).toBe(expectedPath);
    expect(err.message).toMatch(new RegExp(`^${expectedPath.replace(/\./g, '\\.')} must be one of the known options \\(.+\\), got 3$`));
  });

  it('names the known options when rejecting a typo', () => {
    expect(configError(() => resolveOptions({ retry: { maxAttempt: 3 } })).message).toBe(
      'retry.maxAttempt must be one of the known options (maxAttempts, methods, statusCodes, errorCodes, retryIf, backoff, retryAfter, idempotencyKey), got 3',
    );
  });
});

describe('resolveConfigure', () => {
  const base = resolveOptions({ retry: { maxAttempts: 4 }, timeBudget: { totalMs: 900 } });

  it('merges the given resilience fields over the current settings', () => {
    const o = resolveConfigure({ retry: { backoff: { baseMs: 1 } } }, base);
    expect(retryOf(o).maxAttempts).toBe(4);
    expect(retryOf(o).backoff.baseMs).toBe(1);
    expect(o.timeBudget).toBe(base.timeBudget);
    expect(Object.isFrozen(o)).toBe(true);
    expect(resolveConfigure({}, base)).toEqual(base);
  });

  it.each(['clock', 'random', 'baseURL', 'headers', 'axios', 'idempotencyKey', 'maxAttempts'])('rejects the non-resilience key %s', (key) => {
    const err = configError(() => resolveConfigure({ [key]: 1 }, base));
    expect(err.path).toBe(`configure.${key}`);
    expect(err.message).toMatch(new RegExp(`^configure\\.${key} must be one of the known options \\(retry, timeBudget, circuitBreaker, retryBudget, `));
  });

  it('rejects a non-object and reports nested paths without a prefix', () => {
    expect(configError(() => resolveConfigure(null, base)).message).toBe('configure must be an object, got null');
    expect(configError(() => resolveConfigure([], base)).message).toBe('configure must be an object, got an array of 0');
    expect(configError(() => resolveConfigure({ retry: { maxAttempts: 0 } }, base)).message).toBe('retry.maxAttempts must be an integer >= 1, got 0');
  });
});

describe('resolveRequestOptions', () => {
  const base = resolveOptions({ retry: { maxAttempts: 5, idempotencyKey: 'X-Idem' }, redactHeaders: ['x-a'], concurrency: { max: 2 } });
  const plain = resolveOptions({});

  it('keeps the client settings when given nothing', () => {
    const o = resolveRequestOptions({}, base);
    expect(o.retry).toBe(base.retry);
    expect(o.timeBudget).toBe(base.timeBudget);
    expect(o.breaker).toBe(base.breaker);
    expect(o.retryBudget).toBe(base.retryBudget);
    expect(o.concurrency).toBe(base.concurrency);
    expect(o.throttle).toBe(base.throttle);
    expect(o.redactHeaders).toBe(base.redactHeaders);
    expect(o.idempotencyValue).toBeUndefined();
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('merges a partial retry over the client retry', () => {
    const r = retryOf(resolveRequestOptions({ retry: { backoff: { baseMs: 1 } } }, base));
    expect(r.maxAttempts).toBe(5);
    expect(r.idempotencyHeader).toBe('X-Idem');
    expect(r.backoff.baseMs).toBe(1);
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('retry: false turns retries off for the call, true keeps the client retry', () => {
    expect(resolveRequestOptions({ retry: false }, base).retry).toBeUndefined();
    expect(resolveRequestOptions({ retry: true }, base).retry).toBe(base.retry);
    expect(resolveRequestOptions({ retry: true }, resolveOptions({ retry: false })).retry).toEqual(DEFAULTS.retry);
  });

  it('merges a partial time budget', () => {
    expect(resolveRequestOptions({ timeBudget: { totalMs: 500 } }, plain).timeBudget).toEqual({
      totalMs: 500, attemptMs: 10_000, attemptExplicit: false, propagateHeader: undefined,
    });
  });

  it('circuitBreaker: false bypasses the breaker for the call only', () => {
    const o = resolveRequestOptions({ circuitBreaker: false }, base);
    expect(o.breaker).toBeUndefined();
    expect(base.breaker).toBeDefined();
    expect(resolveRequestOptions({ circuitBreaker: undefined }, base).breaker).toBe(base.breaker);
  });

  it.each<[unknown]>([[true], [{ openMs: 5 }], ['off']])('rejects circuitBreaker: %p', (value) => {
    const err = configError(() => resolveRequestOptions({ circuitBreaker: value }, base));
    expect(err.path).toBe('resilience.circuitBreaker');
    expect(err.message).toMatch(/^resilience\.circuitBreaker must be false \(/);
  });

  it("idempotencyKey: 'k' turns the default header on with that fixed value", () => {
    const o = resolveRequestOptions({ idempotencyKey: 'order-42' }, plain);
    expect(o.idempotencyValue).toBe('order-42');
    expect(retryOf(o).idempotencyHeader).toBe('Idempotency-Key');
    expect(retryOf(o).maxAttempts).toBe(3);
    expect(Object.isFrozen(o.retry)).toBe(true);
    expect(plain.retry?.idempotencyHeader).toBeUndefined();
  });

  it("idempotencyKey: 'k' keeps the client's header name", () => {
    const o = resolveRequestOptions({ idempotencyKey: 'order-42' }, base);
    expect(retryOf(o).idempotencyHeader).toBe('X-Idem');
    expect(o.idempotencyValue).toBe('order-42');
  });

  it('idempotencyKey: true generates keys, false turns the header off', () => {
    const on = resolveRequestOptions({ idempotencyKey: true }, plain);
    expect(retryOf(on).idempotencyHeader).toBe('Idempotency-Key');
    expect(on.idempotencyValue).toBeUndefined();
    const off = resolveRequestOptions({ idempotencyKey: false }, base);
    expect(retryOf(off).idempotencyHeader).toBeUndefined();
    expect(off.idempotencyValue).toBeUndefined();
  });

  it('applies the idempotency key over the per-request retry', () => {
    const o = resolveRequestOptions({ retry: { idempotencyKey: 'X-Other' }, idempotencyKey: 'v' }, plain);
    expect(retryOf(o).idempotencyHeader).toBe('X-Other');
    expect(o.idempotencyValue).toBe('v');
  });

  it('keeps a fixed key value even when retry is off for the call', () => {
    const o = resolveRequestOptions({ retry: false, idempotencyKey: 'v' }, plain);
    expect(o.retry).toBeUndefined();
    expect(o.idempotencyValue).toBe('v');
  });

  it.each<[unknown, RegExp]>([
    [null, /^resilience must be an object, got null$/],
    ['x', /^resilience must be an object, got "x"$/],
    [{ retries: 1 }, /^resilience\.retries must be one of the known options \(retry, timeBudget, circuitBreaker, idempotencyKey\), got 1$/],
    [{ retryBudget: false }, /^resilience\.retryBudget must be one of the known options/],
    [{ redactHeaders: [] }, /^resilience\.redactHeaders must be one of the known options/],
    [{ retry: { maxAttempts: 0 } }, /^resilience\.retry\.maxAttempts must be an integer >= 1, got 0$/],
    [{ retry: { maxAttempt: 2 } }, /^resilience\.retry\.maxAttempt must be one of the known options/],
    [{ retry: { backoff: { baseMs: -1 } } }, /^resilience\.retry\.backoff\.baseMs must be a finite number >= 0, got -1$/],
    [{ retry: { retryAfter: { respect: 1 } } }, /^resilience\.retry\.retryAfter\.respect must be a boolean, got 1$/],
    [{ retry: { idempotencyKey: 'a b' } }, /^resilience\.retry\.idempotencyKey must be a valid HTTP header name/],
    [{ retry: 'no' }, /^resilience\.retry must be an object, got "no"$/],
    [{ timeBudget: { totalMs: 0 } }, /^resilience\.timeBudget\.totalMs must be a number > 0, got 0$/],
    [{ timeBudget: { attemptMs: -1 } }, /^resilience\.timeBudget\.attemptMs must be a number > 0, got -1$/],
    [{ timeBudget: { propagateHeader: '' } }, /^resilience\.timeBudget\.propagateHeader must be a valid HTTP header name, got ""$/],
    [{ idempotencyKey: '' }, /^resilience\.idempotencyKey must be .+, got ""$/],
    [{ idempotencyKey: 42 }, /^resilience\.idempotencyKey must be .+, got 42$/],
  ])('rejects %j with a resilience. path', (raw, message) => {
    const err = configError(() => resolveRequestOptions(raw, base));
    expect(err.message).toMatch(message);
    expect(err.path.startsWith('resilience')).toBe(true);
  });
});

describe('splitClientConfig', () => {
  it('separates axios fields from resilience fields', () => {
    const clock = { now: () => 0, sleep: () => Promise.resolve() };
    const instance = {};
    const { axios, resilience } = splitClientConfig({
      baseURL: 'https://a', headers: { x: '1' }, timeout: 5,
      retry: false, timeBudget: {}, circuitBreaker: false, retryBudget: false, concurrency: false, adaptiveThrottle: false,
      redactHeaders: [], clock, random: Math.random, axios: instance,
    });
    expect(axios).toEqual({ baseURL: 'https://a', headers: { x: '1' }, timeout: 5 });
    expect(Object.keys(resilience).sort()).toEqual([
      'adaptiveThrottle', 'axios', 'circuitBreaker', 'clock', 'concurrency', 'random', 'redactHeaders', 'retry', 'retryBudget', 'timeBudget',
    ]);
    expect(resilience.clock).toBe(clock);
    expect(resilience.axios).toBe(instance);
  });
});

/**
 * The error is about the value at `dotted`, a field below it, or a sibling the
 * value's parent needs (a trip with only `failures` lacks its `type`).
 */
function concerns(dotted: string, err: ConfigError): boolean {
  const parent = dotted.includes('.') ? dotted.slice(0, dotted.lastIndexOf('.')) : undefined;
  const under = (p: string): boolean => err.path === p || err.path.startsWith(`${p}.`) || err.path.startsWith(`${p}[`);
  return under(dotted) || (parent !== undefined && under(parent));
}

describe('property: any value at any option path', () => {
  const PATHS: readonly string[][] = [
    ['retry'], ['retry', 'maxAttempts'], ['retry', 'methods'], ['retry', 'statusCodes'], ['retry', 'errorCodes'],
    ['retry', 'retryIf'], ['retry', 'backoff'], ['retry', 'backoff', 'type'], ['retry', 'backoff', 'baseMs'],
    ['retry', 'backoff', 'factor'], ['retry', 'backoff', 'maxMs'], ['retry', 'backoff', 'jitter'],
    ['retry', 'retryAfter'], ['retry', 'retryAfter', 'respect'], ['retry', 'retryAfter', 'maxMs'], ['retry', 'idempotencyKey'],
    ['timeBudget'], ['timeBudget', 'totalMs'], ['timeBudget', 'attemptMs'], ['timeBudget', 'propagateHeader'],
    ['circuitBreaker'], ['circuitBreaker', 'key'], ['circuitBreaker', 'trip'], ['circuitBreaker', 'trip', 'type'],
    ['circuitBreaker', 'trip', 'failures'], ['circuitBreaker', 'openMs'], ['circuitBreaker', 'halfOpenMaxCalls'],
    ['circuitBreaker', 'successThreshold'], ['circuitBreaker', 'maxKeys'],
    ['retryBudget'], ['retryBudget', 'ratio'], ['retryBudget', 'minPerSecond'], ['retryBudget', 'windowMs'],
    ['concurrency'], ['concurrency', 'max'], ['concurrency', 'queue'],
    ['adaptiveThrottle'], ['adaptiveThrottle', 'k'], ['adaptiveThrottle', 'windowMs'], ['adaptiveThrottle', 'minRequests'],
    ['redactHeaders'],
    // typos
    ['retry', 'maxAttempt'], ['timeBudget', 'totalMS'], ['circuitBreaker', 'open'],
  ];
  const value = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom<unknown>(undefined, NaN, Infinity, -Infinity, -0, 0, 1, 0.5, true, false, '', 'full', 'rate', 'origin', () => 1),
    fc.array(fc.oneof(fc.integer({ min: -1, max: 700 }), fc.string()), { maxLength: 4 }),
    fc.record({ type: fc.constantFrom('consecutive', 'rate', 'x'), failures: fc.integer({ min: -1, max: 3 }) }, { requiredKeys: [] }),
  );

  it('resolveOptions returns frozen options or throws a ConfigError naming the path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), value, (path, v) => {
        const dotted = path.join('.');
        let out: ResolvedOptions;
        try {
          out = resolveOptions(nest(path, v));
        } catch (err) {
          return err instanceof ConfigError && concerns(dotted, err) && err.message.startsWith(`${err.path} must be `);
        }
        return Object.isFrozen(out) && (out.retry === undefined || Object.isFrozen(out.retry)) && Object.isFrozen(out.timeBudget);
      }),
      { numRuns: 600 },
    );
  });

  it('resolveRequestOptions prefixes every error path with resilience.', () => {
    const REQUEST_PATHS = PATHS.filter((p) => p[0] === 'retry' || p[0] === 'timeBudget').concat([['circuitBreaker'], ['idempotencyKey']]);
    fc.assert(
      fc.property(fc.constantFrom(...REQUEST_PATHS), value, (path, v) => {
        try {
          const out = resolveRequestOptions(nest(path, v), DEFAULTS);
          return Object.isFrozen(out);
        } catch (err) {
          return err instanceof ConfigError && concerns(`resilience.${path.join('.')}`, err) && err.message.startsWith(`${err.path} must be `);
        }
      }),
      { numRuns: 400 },
    );
  });
});
