import fc from 'fast-check';
import { DEFAULT_BREAKER } from '../lib/breaker/breaker-options.js';
import { splitClientConfig } from '../lib/client-config.js';
import { ConfigError } from '../lib/common/config-error.js';
import { DEFAULT_RATIO_BUDGET, DEFAULT_RETRY_BUDGET, DEFAULT_THROTTLE } from '../lib/gates/gate-options.js';
import { CLIENT_KEYS, DEFAULTS, resolveConfigure, resolveOptions, resolveRequestOptions } from '../lib/options.js';
import type { ResolvedOptions } from '../lib/options.js';
import {
  DEFAULT_ERROR_CODES, DEFAULT_IDEMPOTENCY_HEADER, DEFAULT_METHODS, DEFAULT_RETRY, DEFAULT_STATUS_CODES,
} from '../lib/retry/retry-options.js';
import type { ResolvedRetry } from '../lib/retry/retry-options.js';
import { DEFAULT_TIME_BUDGET } from '../lib/time/time-budget.js';
import { configError } from './helpers/engine-harness.js';

/** The resolved key of a client option: the two redaction lists resolve into one `redaction`. */
function resolvedKey(key: (typeof CLIENT_KEYS)[number]): keyof ResolvedOptions {
  return key === 'redactHeaders' || key === 'redactQuery' ? 'redaction' : key;
}

/** Builds `{ a: { b: value } }` from `['a', 'b']`. */
function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]]: out };
  return out as Record<string, unknown>;
}

function retryOf(o: ResolvedOptions): ResolvedRetry {
  if (o.retry === false) throw new Error('retry is off');
  return o.retry;
}

/** Every object reachable from `value` (Sets and functions aside) is frozen. */
function deepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Set) return true;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

function expectDeepFrozen(value: unknown, path = 'options'): void {
  if (value === null || typeof value !== 'object' || value instanceof Set) return;
  expect({ path, frozen: Object.isFrozen(value) }).toEqual({ path, frozen: true });
  for (const [k, child] of Object.entries(value)) expectDeepFrozen(child, `${path}.${k}`);
}

/**
 * Runs `fn` with `values` set on Object.prototype by plain assignment (so they
 * are enumerable, the worst case), removing them afterwards. Assertions belong
 * after it returns: Jest's own code must not run on a polluted prototype.
 */
function withPollutedPrototype<T>(values: Record<string, unknown>, fn: () => T): { value: T } | { error: unknown } {
  const proto = Object.prototype as Record<string, unknown>;
  const keys = Object.keys(values);
  for (const k of keys) expect(Object.prototype.hasOwnProperty.call(proto, k)).toBe(false);
  try {
    for (const k of keys) proto[k] = values[k];
    try {
      return { value: fn() };
    } catch (error) {
      return { error };
    }
  } finally {
    for (const k of keys) delete proto[k];
  }
}

function valueOf<T>(r: { value: T } | { error: unknown }): T {
  if ('error' in r) throw r.error;
  return r.value;
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
    expect(r.validateResponse).toBeUndefined();
    expect(r.backoff).toEqual({ type: 'exponential', baseMs: 100, factor: 2, maxMs: 20_000, jitter: 'full' });
    expect(r.retryAfter).toEqual({ respect: true, maxMs: 60_000 });
    expect(r.idempotencyKey).toBe(false);
    expect(r).toBe(DEFAULT_RETRY);
  });

  it('exports the default lists', () => {
    expect(DEFAULT_METHODS).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
    expect(DEFAULT_STATUS_CODES).toEqual([408, 429, 500, 502, 503, 504]);
    expect(DEFAULT_ERROR_CODES).toContain('ETIMEDOUT');
    expect(DEFAULT_ERROR_CODES).toContain('ERR_NETWORK');
    expect(DEFAULT_IDEMPOTENCY_HEADER).toBe('Idempotency-Key');
  });

  it('gives the documented time budget defaults (attemptMs left to axios timeout or 10 s)', () => {
    expect(o.timeBudget).toEqual({ totalMs: 30_000, attemptMs: undefined, propagateHeader: undefined });
    expect(o.timeBudget).toBe(DEFAULT_TIME_BUDGET);
  });

  it('gives the documented breaker defaults (their values: breaker-options.test.ts)', () => {
    expect(o.circuitBreaker).toBe(DEFAULT_BREAKER);
  });

  it('gives the documented overload-protection defaults', () => {
    expect(o.retryBudget).toEqual({ type: 'tokens', capacity: 500, retryCost: 5, timeoutCost: 10, successRefund: 1 });
    expect(o.retryBudget).toBe(DEFAULT_RETRY_BUDGET);
    expect(o.concurrency).toBe(false);
    expect(o.adaptiveThrottle).toBe(false);
  });

  it('redacts the sensitive headers by default', () => {
    expect([...o.redaction.headers].sort()).toEqual(['api-key', 'authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-amz-security-token', 'x-api-key', 'x-auth-token']);
  });

  it("keeps the user's keys and nothing else", () => {
    expect(Object.keys(o).sort()).toEqual([...new Set(CLIENT_KEYS.map(resolvedKey))].sort());
    expect(CLIENT_KEYS).toEqual(['retry', 'timeBudget', 'circuitBreaker', 'retryBudget', 'concurrency', 'adaptiveThrottle', 'hedge', 'redactHeaders', 'redactQuery']);
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
    const validateResponse = (): boolean => true;
    const type = (attempt: number): number => attempt * 7;
    const r = retryOf(resolveOptions({
      retry: {
        maxAttempts: 1,
        methods: ['get', 'Post'],
        statusCodes: [100, 599],
        errorCodes: ['EFOO'],
        retryIf,
        validateResponse,
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
    expect(r.validateResponse).toBe(validateResponse);
    expect(r.backoff).toEqual({ type, baseMs: 0, factor: 1, maxMs: 0, jitter: 0.5 });
    expect(r.retryAfter).toEqual({ respect: false, maxMs: Infinity });
    expect(r.idempotencyKey).toBe('X-Idem');
  });

  it('accepts backoff.maxMs: Infinity (no cap)', () => {
    expect(retryOf(resolveOptions({ retry: { backoff: { maxMs: Infinity } } })).backoff.maxMs).toBe(Infinity);
  });

  it.each(['exponential', 'linear', 'constant', 'fibonacci', 'decorrelated'])('accepts backoff.type %s', (type) => {
    expect(retryOf(resolveOptions({ retry: { backoff: { type } } })).backoff.type).toBe(type);
  });

  it.each<[unknown]>([['none'], ['full'], ['equal'], [1], [0.001]])('accepts backoff.jitter %p', (jitter) => {
    expect(retryOf(resolveOptions({ retry: { backoff: { jitter } } })).backoff.jitter).toBe(jitter);
  });

  it.each<[unknown, string | false]>([[true, 'Idempotency-Key'], [false, false], ['x-key', 'x-key']])(
    'retry.idempotencyKey %p -> header %p', (idempotencyKey, header) => {
      expect(retryOf(resolveOptions({ retry: { idempotencyKey } })).idempotencyKey).toBe(header);
    });

  it('accepts empty lists (nothing retried by that criterion)', () => {
    const r = retryOf(resolveOptions({ retry: { methods: [], statusCodes: [], errorCodes: [] } }));
    expect(r.methods.size + r.statusCodes.size + r.errorCodes.size).toBe(0);
  });

  it('retry: false turns retries off and retry: true keeps the base', () => {
    expect(resolveOptions({ retry: false }).retry).toBe(false);
    expect(resolveOptions({ retry: true }).retry).toBe(DEFAULTS.retry);
    const base = resolveOptions({ retry: { maxAttempts: 7 } });
    expect(resolveOptions({ retry: true }, base).retry).toBe(base.retry);
    expect(retryOf(resolveOptions({ retry: true }, base)).maxAttempts).toBe(7);
  });

  it('retry: true or a partial over a base without retry starts from the defaults', () => {
    const off = resolveOptions({ retry: false });
    expect(resolveOptions({ retry: true }, off).retry).toEqual(DEFAULTS.retry);
    const r = retryOf(resolveOptions({ retry: { maxAttempts: 2 } }, off));
    expect(r.maxAttempts).toBe(2);
    expect(r.backoff).toEqual(DEFAULT_RETRY.backoff);
    expect(resolveOptions({}, off).retry).toBe(false);
  });

  it('merges a partial retry over the base, field by field', () => {
    const base = resolveOptions({ retry: { maxAttempts: 5, statusCodes: [503], backoff: { baseMs: 7, jitter: 'none' }, retryAfter: { respect: false } } });
    const r = retryOf(resolveOptions({ retry: { backoff: { factor: 3 }, retryAfter: { maxMs: 5 } } }, base));
    expect(r.maxAttempts).toBe(5);
    expect([...r.statusCodes]).toEqual([503]);
    expect(r.backoff).toEqual({ type: 'exponential', baseMs: 7, factor: 3, maxMs: 20_000, jitter: 'none' });
    expect(r.retryAfter).toEqual({ respect: false, maxMs: 5 });
  });

  it('resolves the time budget and keeps a given attemptMs over later partial updates', () => {
    const t = resolveOptions({ timeBudget: { totalMs: Infinity, attemptMs: 250, propagateHeader: 'X-Deadline-Ms' } }).timeBudget;
    expect(t).toEqual({ totalMs: Infinity, attemptMs: 250, propagateHeader: 'X-Deadline-Ms' });
    const later = resolveOptions({ timeBudget: { totalMs: 1_000 } }, resolveOptions({ timeBudget: { attemptMs: 250 } })).timeBudget;
    expect(later).toEqual({ totalMs: 1_000, attemptMs: 250, propagateHeader: undefined });
    expect(resolveOptions({ timeBudget: { attemptMs: Infinity } }).timeBudget.attemptMs).toBe(Infinity);
    expect(resolveOptions({ timeBudget: {} }).timeBudget.attemptMs).toBeUndefined();
  });

  it('resolves every breaker field', () => {
    const key = (): string => 'k';
    const every = {
      key,
      trip: { type: 'rate', threshold: 1, minimumCalls: 1, windowMs: 1, consecutive: 4 },
      openMs: 1,
      maxOpenMs: 2,
      openJitter: 0,
      halfOpenMaxCalls: 2,
      successThreshold: 3,
      maxKeys: 1,
    } as const;
    expect(resolveOptions({ circuitBreaker: every }).circuitBreaker).toEqual(every);
    expect(resolveOptions({ circuitBreaker: { key: 'client', trip: { type: 'consecutive', failures: 1 } } }).circuitBreaker).toEqual({
      ...DEFAULT_BREAKER, key: 'client', trip: { type: 'consecutive', failures: 1 },
    });
  });

  it('circuitBreaker: false removes the breaker and true restores it', () => {
    const off = resolveOptions({ circuitBreaker: false });
    expect(off.circuitBreaker).toBe(false);
    expect(resolveOptions({ circuitBreaker: true }, off).circuitBreaker).toEqual(DEFAULTS.circuitBreaker);
    expect(resolveOptions({ circuitBreaker: { openMs: 5 } }, off).circuitBreaker).toEqual({ ...DEFAULT_BREAKER, openMs: 5 });
    // maxOpenMs left out is never below openMs
    expect(resolveOptions({ circuitBreaker: { openMs: 120_000 } }).circuitBreaker).toMatchObject({ openMs: 120_000, maxOpenMs: 120_000 });
    const custom = resolveOptions({ circuitBreaker: { openMs: 5 } });
    expect(resolveOptions({ circuitBreaker: true }, custom).circuitBreaker).toBe(custom.circuitBreaker);
    const merged = resolveOptions({ circuitBreaker: { maxKeys: 3 } }, custom).circuitBreaker;
    expect(merged).toEqual({ ...DEFAULT_BREAKER, openMs: 5, maxKeys: 3 });
  });

  it('resolves the retry budget, false and true', () => {
    const off = resolveOptions({ retryBudget: false });
    expect(off.retryBudget).toBe(false);
    expect(resolveOptions({ retryBudget: true }, off).retryBudget).toBe(DEFAULT_RETRY_BUDGET);
    expect(resolveOptions({ retryBudget: {} }).retryBudget).toEqual(DEFAULT_RETRY_BUDGET);
  });

  it('resolves a token retry budget, its type given or told by its fields', () => {
    expect(resolveOptions({ retryBudget: { capacity: 100 } }).retryBudget).toEqual({ ...DEFAULT_RETRY_BUDGET, capacity: 100 });
    expect(resolveOptions({ retryBudget: { type: 'tokens', capacity: 1, retryCost: 0.5, timeoutCost: 2, successRefund: 0 } }).retryBudget)
      .toEqual({ type: 'tokens', capacity: 1, retryCost: 0.5, timeoutCost: 2, successRefund: 0 });
  });

  it('resolves a ratio retry budget from the ratio defaults, its type given or told by its fields', () => {
    expect(DEFAULT_RATIO_BUDGET).toEqual({ type: 'ratio', ratio: 0.2, minPerSecond: 10, windowMs: 10_000 });
    expect(resolveOptions({ retryBudget: { ratio: 0, minPerSecond: 0, windowMs: 1 } }).retryBudget).toEqual({ type: 'ratio', ratio: 0, minPerSecond: 0, windowMs: 1 });
    expect(resolveOptions({ retryBudget: { ratio: 0.5 } }).retryBudget).toEqual({ ...DEFAULT_RATIO_BUDGET, ratio: 0.5 });
    expect(resolveOptions({ retryBudget: { type: 'ratio' } }).retryBudget).toEqual(DEFAULT_RATIO_BUDGET);
    const ratio = resolveOptions({ retryBudget: { ratio: 0.5 } });
    expect(resolveOptions({ retryBudget: { windowMs: 2_000 } }, ratio).retryBudget).toEqual({ ...DEFAULT_RATIO_BUDGET, ratio: 0.5, windowMs: 2_000 });
    expect(resolveOptions({ retryBudget: { capacity: 50 } }, ratio).retryBudget).toEqual({ ...DEFAULT_RETRY_BUDGET, capacity: 50 });
  });

  it('resolves the bulkhead', () => {
    expect(resolveOptions({ concurrency: { max: 2 } }).concurrency).toEqual({ max: 2, queue: 0 });
    const on = resolveOptions({ concurrency: { max: 1, queue: 5 } });
    expect(on.concurrency).toEqual({ max: 1, queue: 5 });
    expect(resolveOptions({ concurrency: { queue: 2 } }, on).concurrency).toEqual({ max: 1, queue: 2 });
    expect(resolveOptions({ concurrency: false }, on).concurrency).toBe(false);
    expect(resolveOptions({}, on).concurrency).toBe(on.concurrency);
  });

  it('resolves adaptive throttling', () => {
    const on = resolveOptions({ adaptiveThrottle: true });
    expect(on.adaptiveThrottle).toEqual({ k: 2, windowMs: 120_000, minRequests: 10 });
    expect(on.adaptiveThrottle).toBe(DEFAULT_THROTTLE);
    expect(resolveOptions({ adaptiveThrottle: { k: 1, windowMs: 5, minRequests: 0 } }).adaptiveThrottle).toEqual({ k: 1, windowMs: 5, minRequests: 0 });
    expect(resolveOptions({ adaptiveThrottle: { k: 3 } }, on).adaptiveThrottle).toEqual({ k: 3, windowMs: 120_000, minRequests: 10 });
    expect(resolveOptions({ adaptiveThrottle: false }, on).adaptiveThrottle).toBe(false);
  });

  it('adds extra redacted headers, lower-cased, to the sensitive ones', () => {
    const o = resolveOptions({ redactHeaders: ['X-Tenant-Secret'] });
    expect([...o.redaction.headers].sort()).toEqual([...['api-key', 'authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-amz-security-token', 'x-api-key', 'x-auth-token'], 'x-tenant-secret'].sort());
    expect(resolveOptions({ redactHeaders: [] }).redaction.headers.size).toBe(8);
  });

  it('keeps every base field it is not given', () => {
    const base = resolveOptions({
      retry: { maxAttempts: 4 }, timeBudget: { attemptMs: 5 }, circuitBreaker: { openMs: 9 }, retryBudget: { ratio: 1 },
      concurrency: { max: 1 }, adaptiveThrottle: true, redactHeaders: ['x-a'],
    });
    const o = resolveOptions({}, base);
    for (const key of CLIENT_KEYS.map(resolvedKey)) expect({ key, same: o[key] === base[key] }).toEqual({ key, same: true });
    expect(o).not.toHaveProperty('idempotencyValue');
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
  const BUDGETS = "{ type: 'tokens', capacity, retryCost, timeoutCost, successRefund } or { type: 'ratio', ratio, minPerSecond, windowMs }";
  const TRIP = "an object such as { type: 'rate', threshold: 0.5, minimumCalls: 40, windowMs: 10_000 }";
  it.each<[string[], unknown, string]>([
    [['retry'], 'yes', 'retry must be an object or a boolean, got "yes"'],
    [['retry'], 3, 'retry must be an object or a boolean, got 3'],
    [['retry'], null, 'retry must be an object or a boolean, got null'],
    [['retry'], [], 'retry must be an object or a boolean, got an array of 0'],
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
    [['retry', 'validateResponse'], 'yes', 'retry.validateResponse must be a function, got "yes"'],
    [['retry', 'backoff'], 5, 'retry.backoff must be an object, got 5'],
    [['retry', 'backoff', 'type'], 'quadratic', `retry.backoff.type must be ${BACKOFF_TYPES}, got "quadratic"`],
    [['retry', 'backoff', 'baseMs'], -1, 'retry.backoff.baseMs must be a finite number >= 0, got -1'],
    [['retry', 'backoff', 'baseMs'], NaN, 'retry.backoff.baseMs must be a finite number >= 0, got NaN'],
    [['retry', 'backoff', 'baseMs'], Infinity, 'retry.backoff.baseMs must be a finite number >= 0, got Infinity'],
    [['retry', 'backoff', 'factor'], 0.5, 'retry.backoff.factor must be a finite number >= 1, got 0.5'],
    [['retry', 'backoff', 'maxMs'], -1, 'retry.backoff.maxMs must be a number >= 0, got -1'],
    [['retry', 'backoff', 'maxMs'], NaN, 'retry.backoff.maxMs must be a number >= 0, got NaN'],
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
    [['circuitBreaker'], 'on', 'circuitBreaker must be an object or a boolean, got "on"'],
    [['circuitBreaker', 'key'], 'host', "circuitBreaker.key must be one of 'origin', 'client', got \"host\""],
    [['circuitBreaker', 'trip'], { type: 'count' }, "circuitBreaker.trip.type must be one of 'consecutive', 'rate', got \"count\""],
    [['circuitBreaker', 'trip'], {}, "circuitBreaker.trip.type must be one of 'consecutive', 'rate', got undefined"],
    // Not an object: the message must name the value received, not a missing `type`.
    [['circuitBreaker', 'trip'], null, `circuitBreaker.trip must be ${TRIP}, got null`],
    [['circuitBreaker', 'trip'], 'consecutive', `circuitBreaker.trip must be ${TRIP}, got "consecutive"`],
    [['circuitBreaker', 'trip'], { type: 'consecutive', failures: 0 }, 'circuitBreaker.trip.failures must be an integer >= 1, got 0'],
    [['circuitBreaker', 'trip'], { type: 'consecutive' }, 'circuitBreaker.trip.failures must be an integer >= 1, got undefined'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0, minimumCalls: 1, windowMs: 1 }, 'circuitBreaker.trip.threshold must be a finite number > 0 and <= 1, got 0'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 1.01, minimumCalls: 1, windowMs: 1 }, 'circuitBreaker.trip.threshold must be a finite number > 0 and <= 1, got 1.01'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0.5, minimumCalls: 0, windowMs: 1 }, 'circuitBreaker.trip.minimumCalls must be an integer >= 1, got 0'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 0 }, 'circuitBreaker.trip.windowMs must be a finite number >= 1, got 0'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 5e-324 }, 'circuitBreaker.trip.windowMs must be a finite number >= 1, got 5e-324'],
    [['circuitBreaker', 'trip'], { type: 'rate', threshold: 0.5, minimumCalls: 1, windowMs: 1, consecutive: 0 }, 'circuitBreaker.trip.consecutive must be an integer >= 1, got 0'],
    [['circuitBreaker', 'openMs'], 0, 'circuitBreaker.openMs must be a finite number > 0, got 0'],
    [['circuitBreaker', 'maxOpenMs'], 0, 'circuitBreaker.maxOpenMs must be a finite number > 0, got 0'],
    [['circuitBreaker', 'maxOpenMs'], 4_999, 'circuitBreaker.maxOpenMs must be a finite number >= openMs (5000), got 4999'],
    [['circuitBreaker', 'openJitter'], 1, 'circuitBreaker.openJitter must be a number >= 0 and < 1, got 1'],
    [['circuitBreaker', 'openJitter'], -0.1, 'circuitBreaker.openJitter must be a number >= 0 and < 1, got -0.1'],
    [['circuitBreaker', 'halfOpenMaxCalls'], 0, 'circuitBreaker.halfOpenMaxCalls must be an integer >= 1, got 0'],
    [['circuitBreaker', 'successThreshold'], 1.5, 'circuitBreaker.successThreshold must be an integer >= 1, got 1.5'],
    [['circuitBreaker', 'maxKeys'], 0, 'circuitBreaker.maxKeys must be an integer >= 1, got 0'],
    [['retryBudget'], 'x', 'retryBudget must be an object or a boolean, got "x"'],
    [['retryBudget', 'ratio'], -0.1, 'retryBudget.ratio must be a finite number >= 0, got -0.1'],
    [['retryBudget', 'minPerSecond'], -1, 'retryBudget.minPerSecond must be a finite number >= 0, got -1'],
    [['retryBudget', 'windowMs'], 0, 'retryBudget.windowMs must be a finite number >= 1, got 0'],
    [['retryBudget', 'windowMs'], 5e-324, 'retryBudget.windowMs must be a finite number >= 1, got 5e-324'],
    [['retryBudget'], { ratio: 0.1, capacity: 5 }, `retryBudget.capacity must be left out beside ratio fields (ratio); a budget is ${BUDGETS}, got 5`],
    [['retryBudget'], { type: 'tokens', windowMs: 100 }, `retryBudget.windowMs must be left out of a 'tokens' budget; a budget is ${BUDGETS}, got 100`],
    [['retryBudget', 'type'], 'leaky', "retryBudget.type must be one of 'tokens', 'ratio', got \"leaky\""],
    [['retryBudget', 'capacity'], 0, 'retryBudget.capacity must be a finite number > 0, got 0'],
    [['retryBudget', 'retryCost'], -1, 'retryBudget.retryCost must be a finite number > 0, got -1'],
    [['retryBudget', 'successRefund'], -1, 'retryBudget.successRefund must be a finite number >= 0, got -1'],
    [['concurrency'], true, 'concurrency must be an object or false, got true'],
    [['concurrency'], {}, 'concurrency.max must be an integer >= 1, got undefined'],
    [['concurrency', 'max'], 0, 'concurrency.max must be an integer >= 1, got 0'],
    [['adaptiveThrottle'], 'x', 'adaptiveThrottle must be an object or a boolean, got "x"'],
    [['adaptiveThrottle', 'k'], 0.5, 'adaptiveThrottle.k must be a finite number >= 1, got 0.5'],
    [['adaptiveThrottle', 'windowMs'], 0, 'adaptiveThrottle.windowMs must be a finite number >= 1, got 0'],
    [['adaptiveThrottle', 'windowMs'], 5e-324, 'adaptiveThrottle.windowMs must be a finite number >= 1, got 5e-324'],
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
    const arr = ['a b'];
    const err2 = configError(() => resolveOptions({ redactHeaders: arr }));
    expect(err2.value).toBe('a b');
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
    [['circuitBreaker', 'maxOpen'], 'circuitBreaker.maxOpen'],
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
      'retry.maxAttempt must be one of the known options (maxAttempts, methods, statusCodes, errorCodes, retryIf, validateResponse, backoff, retryAfter, idempotencyKey), got 3',
    );
  });
});

describe('inherited properties are never options', () => {
  it('resolveOptions ignores a value set on Object.prototype', () => {
    const out = valueOf(withPollutedPrototype(
      { retry: false, circuitBreaker: false, concurrency: { max: 1 }, maxAttempts: 0, openMs: -1, totalMs: 0 },
      () => [resolveOptions({}), resolveOptions({ retry: {}, circuitBreaker: {}, timeBudget: {} })],
    ));
    expect(out[0]).toEqual(DEFAULTS);
    expect(out[1]).toEqual(DEFAULTS);
  });

  it('resolveConfigure and resolveRequestOptions ignore a value set on Object.prototype', () => {
    const base = resolveOptions({ retry: { maxAttempts: 4 } });
    const out = valueOf(withPollutedPrototype(
      { retry: false, circuitBreaker: false, idempotencyKey: 'polluted', timeBudget: { totalMs: 1 }, maxAttempts: 0 },
      () => ({ configured: resolveConfigure({}, base), request: resolveRequestOptions({}, base), nested: resolveRequestOptions({ retry: {} }, base) }),
    ));
    expect(out.configured).toEqual(base);
    expect(out.request).toEqual({ options: base, idempotencyValue: undefined, bypassBreaker: false });
    expect(retryOf(out.nested.options).maxAttempts).toBe(4);
  });

  it('a client config split and resolved ignores a value set on Object.prototype', () => {
    const out = valueOf(withPollutedPrototype(
      { retry: false, circuitBreaker: false, clock: 5, random: 5, axios: 5, timeout: 1 },
      () => {
        const parts = splitClientConfig({ baseURL: 'https://a' });
        return { parts, options: resolveOptions(parts.resilience) };
      },
    ));
    expect(out.options).toEqual(DEFAULTS);
    expect(out.parts.clock).toBeUndefined();
    expect(out.parts.instance).toBeUndefined();
    expect(out.parts.random).toBe(Math.random);
    expect(out.parts.timeoutGiven).toBe(false);
    expect(out.parts.axiosDefaults).toEqual({ baseURL: 'https://a' });
  });

  it('the pollution helper really pollutes (so the tests above can fail)', () => {
    const seen = valueOf(withPollutedPrototype({ retry: false }, () => ({} as { retry?: unknown }).retry));
    expect(seen).toBe(false);
    expect(({} as { retry?: unknown }).retry).toBeUndefined();
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
    expect(resolveConfigure({ circuitBreaker: false, concurrency: { max: 3 } }, base)).toMatchObject({ circuitBreaker: false, concurrency: { max: 3, queue: 0 } });
  });

  it.each(['clock', 'random', 'baseURL', 'headers', 'axios', 'idempotencyKey', 'maxAttempts'])('rejects the non-resilience key %s', (key) => {
    const err = configError(() => resolveConfigure({ [key]: 1 }, base));
    expect(err.path).toBe(`configure.${key}`);
    expect(err.message).toBe(
      `configure.${key} must be one of the known options (retry, timeBudget, circuitBreaker, retryBudget, concurrency, adaptiveThrottle, hedge, redactHeaders, redactQuery), got 1`,
    );
  });

  it('rejects a non-object and reports nested paths without a prefix', () => {
    expect(configError(() => resolveConfigure(null, base)).message).toBe('configure must be an object, got null');
    expect(configError(() => resolveConfigure([], base)).message).toBe('configure must be an object, got an array of 0');
    expect(configError(() => resolveConfigure('retry', base)).message).toBe('configure must be an object, got "retry"');
    expect(configError(() => resolveConfigure({ retry: { maxAttempts: 0 } }, base)).message).toBe('retry.maxAttempts must be an integer >= 1, got 0');
    expect(configError(() => resolveConfigure({ retry: 3 }, base)).message).toBe('retry must be an object or a boolean, got 3');
  });
});

describe('resolveRequestOptions', () => {
  const base = resolveOptions({ retry: { maxAttempts: 5, idempotencyKey: 'X-Idem' }, redactHeaders: ['x-a'], concurrency: { max: 2 } });
  const plain = resolveOptions({});

  it('keeps the client settings when given nothing', () => {
    const s = resolveRequestOptions({}, base);
    expect(s.options).toBe(base);
    expect(s.idempotencyValue).toBeUndefined();
    expect(s.bypassBreaker).toBe(false);
    expect(resolveRequestOptions({ retry: undefined, timeBudget: undefined, circuitBreaker: undefined, idempotencyKey: undefined }, base))
      .toEqual({ options: base, idempotencyValue: undefined, bypassBreaker: false });
  });

  it('merges a partial retry over the client retry, keeping every other field', () => {
    const s = resolveRequestOptions({ retry: { backoff: { baseMs: 1 } } }, base);
    const r = retryOf(s.options);
    expect(r.maxAttempts).toBe(5);
    expect(r.idempotencyKey).toBe('X-Idem');
    expect(r.backoff.baseMs).toBe(1);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(s.options)).toBe(true);
    for (const key of CLIENT_KEYS.filter((k) => k !== 'retry').map(resolvedKey)) expect({ key, same: s.options[key] === base[key] }).toEqual({ key, same: true });
  });

  it('retry: false turns retries off for the call, true keeps the client retry', () => {
    expect(resolveRequestOptions({ retry: false }, base).options.retry).toBe(false);
    expect(base.retry).not.toBe(false);
    expect(resolveRequestOptions({ retry: true }, base).options).toBe(base);
    expect(resolveRequestOptions({ retry: true }, resolveOptions({ retry: false })).options.retry).toEqual(DEFAULTS.retry);
  });

  it('merges a partial time budget', () => {
    expect(resolveRequestOptions({ timeBudget: { totalMs: 500 } }, plain).options.timeBudget).toEqual({
      totalMs: 500, attemptMs: undefined, propagateHeader: undefined,
    });
    const withAttempt = resolveOptions({ timeBudget: { attemptMs: 250 } });
    expect(resolveRequestOptions({ timeBudget: { totalMs: 500 } }, withAttempt).options.timeBudget).toEqual({
      totalMs: 500, attemptMs: 250, propagateHeader: undefined,
    });
  });

  it('circuitBreaker: false bypasses the breaker for the call only', () => {
    const s = resolveRequestOptions({ circuitBreaker: false }, base);
    expect(s.bypassBreaker).toBe(true);
    expect(s.options).toBe(base);
    expect(base.circuitBreaker).toEqual(DEFAULT_BREAKER);
    expect(resolveRequestOptions({ circuitBreaker: undefined }, base).bypassBreaker).toBe(false);
  });

  it.each<[unknown]>([[true], [{ openMs: 5 }], ['off'], [null]])('rejects circuitBreaker: %p', (value) => {
    const err = configError(() => resolveRequestOptions({ circuitBreaker: value }, base));
    expect(err.path).toBe('resilience.circuitBreaker');
    expect(err.message).toMatch(/^resilience\.circuitBreaker must be false \(/);
  });

  it("idempotencyKey: 'k' turns the default header on with that fixed value", () => {
    const s = resolveRequestOptions({ idempotencyKey: 'order-42' }, plain);
    expect(s.idempotencyValue).toBe('order-42');
    expect(retryOf(s.options).idempotencyKey).toBe('Idempotency-Key');
    expect(retryOf(s.options).maxAttempts).toBe(3);
    expect(Object.isFrozen(s.options.retry)).toBe(true);
    expect(retryOf(plain).idempotencyKey).toBe(false);
  });

  it("idempotencyKey: 'k' keeps the client's header name", () => {
    const s = resolveRequestOptions({ idempotencyKey: 'order-42' }, base);
    expect(retryOf(s.options).idempotencyKey).toBe('X-Idem');
    expect(s.idempotencyValue).toBe('order-42');
  });

  it('idempotencyKey: true generates keys, false turns the header off', () => {
    const on = resolveRequestOptions({ idempotencyKey: true }, plain);
    expect(retryOf(on.options).idempotencyKey).toBe('Idempotency-Key');
    expect(on.idempotencyValue).toBeUndefined();
    const onBase = resolveRequestOptions({ idempotencyKey: true }, base);
    expect(retryOf(onBase.options).idempotencyKey).toBe('X-Idem');
    const off = resolveRequestOptions({ idempotencyKey: false }, base);
    expect(retryOf(off.options).idempotencyKey).toBe(false);
    expect(off.idempotencyValue).toBeUndefined();
    expect(retryOf(off.options).maxAttempts).toBe(5);
  });

  it('applies the idempotency key over the per-request retry', () => {
    const s = resolveRequestOptions({ retry: { idempotencyKey: 'X-Other' }, idempotencyKey: 'v' }, plain);
    expect(retryOf(s.options).idempotencyKey).toBe('X-Other');
    expect(s.idempotencyValue).toBe('v');
  });

  it('keeps a fixed key value even when retry is off for the call', () => {
    const s = resolveRequestOptions({ retry: false, idempotencyKey: 'v' }, plain);
    expect(s.options.retry).toBe(false);
    expect(s.idempotencyValue).toBe('v');
    const offClient = resolveRequestOptions({ idempotencyKey: 'w' }, resolveOptions({ retry: false }));
    expect(offClient.options.retry).toBe(false);
    expect(offClient.idempotencyValue).toBe('w');
  });

  it.each<[unknown, RegExp]>([
    [null, /^resilience must be an object, got null$/],
    ['x', /^resilience must be an object, got "x"$/],
    [[], /^resilience must be an object, got an array of 0$/],
    [{ retries: 1 }, /^resilience\.retries must be one of the known options \(retry, timeBudget, circuitBreaker, idempotencyKey, hedge\), got 1$/],
    [{ retryBudget: false }, /^resilience\.retryBudget must be one of the known options/],
    [{ redactHeaders: [] }, /^resilience\.redactHeaders must be one of the known options/],
    [{ retry: { maxAttempts: 0 } }, /^resilience\.retry\.maxAttempts must be an integer >= 1, got 0$/],
    [{ retry: { maxAttempt: 2 } }, /^resilience\.retry\.maxAttempt must be one of the known options/],
    [{ retry: { backoff: { baseMs: -1 } } }, /^resilience\.retry\.backoff\.baseMs must be a finite number >= 0, got -1$/],
    [{ retry: { retryAfter: { respect: 1 } } }, /^resilience\.retry\.retryAfter\.respect must be a boolean, got 1$/],
    [{ retry: { idempotencyKey: 'a b' } }, /^resilience\.retry\.idempotencyKey must be a valid HTTP header name/],
    [{ retry: 'no' }, /^resilience\.retry must be an object or a boolean, got "no"$/],
    [{ retry: 3 }, /^resilience\.retry must be an object or a boolean, got 3$/],
    [{ timeBudget: 5 }, /^resilience\.timeBudget must be an object, got 5$/],
    [{ timeBudget: { totalMs: 0 } }, /^resilience\.timeBudget\.totalMs must be a number > 0, got 0$/],
    [{ timeBudget: { attemptMs: -1 } }, /^resilience\.timeBudget\.attemptMs must be a number > 0, got -1$/],
    [{ timeBudget: { propagateHeader: '' } }, /^resilience\.timeBudget\.propagateHeader must be a valid HTTP header name, got ""$/],
    [{ idempotencyKey: '' }, /^resilience\.idempotencyKey must be a non-empty key string or a boolean, got ""$/],
    [{ idempotencyKey: 42 }, /^resilience\.idempotencyKey must be a non-empty key string or a boolean, got 42$/],
  ])('rejects %j with a resilience. path', (raw, message) => {
    const err = configError(() => resolveRequestOptions(raw, base));
    expect(err.message).toMatch(message);
    expect(err.path.startsWith('resilience')).toBe(true);
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
    ['retry', 'retryIf'], ['retry', 'validateResponse'], ['retry', 'backoff'], ['retry', 'backoff', 'type'], ['retry', 'backoff', 'baseMs'],
    ['retry', 'backoff', 'factor'], ['retry', 'backoff', 'maxMs'], ['retry', 'backoff', 'jitter'],
    ['retry', 'retryAfter'], ['retry', 'retryAfter', 'respect'], ['retry', 'retryAfter', 'maxMs'], ['retry', 'idempotencyKey'],
    ['timeBudget'], ['timeBudget', 'totalMs'], ['timeBudget', 'attemptMs'], ['timeBudget', 'propagateHeader'],
    ['circuitBreaker'], ['circuitBreaker', 'key'], ['circuitBreaker', 'trip'], ['circuitBreaker', 'trip', 'type'],
    ['circuitBreaker', 'trip', 'failures'], ['circuitBreaker', 'trip', 'windowMs'], ['circuitBreaker', 'trip', 'consecutive'],
    ['circuitBreaker', 'openMs'], ['circuitBreaker', 'maxOpenMs'], ['circuitBreaker', 'openJitter'], ['circuitBreaker', 'halfOpenMaxCalls'],
    ['circuitBreaker', 'successThreshold'], ['circuitBreaker', 'maxKeys'],
    ['retryBudget'], ['retryBudget', 'type'], ['retryBudget', 'capacity'], ['retryBudget', 'retryCost'], ['retryBudget', 'timeoutCost'],
    ['retryBudget', 'successRefund'], ['retryBudget', 'ratio'], ['retryBudget', 'minPerSecond'], ['retryBudget', 'windowMs'],
    ['concurrency'], ['concurrency', 'max'], ['concurrency', 'queue'],
    ['adaptiveThrottle'], ['adaptiveThrottle', 'k'], ['adaptiveThrottle', 'windowMs'], ['adaptiveThrottle', 'minRequests'],
    ['redactHeaders'],
    // typos
    ['retry', 'maxAttempt'], ['timeBudget', 'totalMS'], ['circuitBreaker', 'open'],
  ];
  const value = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom<unknown>(undefined, NaN, Infinity, -Infinity, -0, 0, 1, 0.5, 5e-324, true, false, '', 'full', 'rate', 'origin', () => 1),
    fc.array(fc.oneof(fc.integer({ min: -1, max: 700 }), fc.string()), { maxLength: 4 }),
    fc.record({ type: fc.constantFrom('consecutive', 'rate', 'x'), failures: fc.integer({ min: -1, max: 3 }) }, { requiredKeys: [] }),
  );

  it('resolveOptions returns deeply frozen options with every key, or throws a ConfigError naming the path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), value, (path, v) => {
        const dotted = path.join('.');
        let out: ResolvedOptions;
        try {
          out = resolveOptions(nest(path, v));
        } catch (err) {
          return err instanceof ConfigError && concerns(dotted, err) && err.message.startsWith(`${err.path} must be `);
        }
        return deepFrozen(out) && CLIENT_KEYS.map(resolvedKey).every((k) => out[k] !== undefined);
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
          return deepFrozen(out.options);
        } catch (err) {
          return err instanceof ConfigError && concerns(`resilience.${path.join('.')}`, err) && err.message.startsWith(`${err.path} must be `);
        }
      }),
      { numRuns: 400 },
    );
  });
});
