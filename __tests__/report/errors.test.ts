import axios, { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import {
  BulkheadFullError,
  CircuitOpenError,
  DeadlineExceededError,
  ERR_BULKHEAD_FULL,
  ERR_CIRCUIT_OPEN,
  ERR_DEADLINE_EXCEEDED,
  ERR_THROTTLED,
  ResilientAxiosError,
  ThrottledError,
  isBulkheadFullError,
  isCircuitOpenError,
  isDeadlineExceededError,
  isThrottledError,
  resilienceOf,
} from '../../lib/report/errors.js';
import type { ResilienceInfo, WithResilience } from '../../lib/report/errors.js';
import { REDACTED } from '../../lib/report/redaction.js';

const SECRETS = ['Bearer sekrit', 'hunter2', 'pa55', 'k-123', 'sid=42'];

function makeConfig(): InternalAxiosRequestConfig {
  return {
    method: 'get',
    url: 'https://alice:pa55@api.example/items',
    headers: new AxiosHeaders({ Authorization: 'Bearer sekrit', 'X-Api-Key': 'k-123', Accept: 'application/json' }),
    auth: { username: 'alice', password: 'hunter2' },
    httpAgent: { sockets: {} },
    signal: new AbortController().signal,
  } as InternalAxiosRequestConfig;
}

function makeResponse(config: InternalAxiosRequestConfig, status = 503): AxiosResponse {
  return {
    status,
    statusText: 'Service Unavailable',
    headers: new AxiosHeaders({ 'Set-Cookie': 'sid=42', 'Retry-After': '1' }),
    data: { error: 'busy' },
    config,
    request: { socket: 'raw' },
  };
}

function expectNoSecret(text: string, secrets: readonly string[] = SECRETS): void {
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('error classes', () => {
  it('CircuitOpenError has a literal name and code, its key and remainingMs', () => {
    const config = makeConfig();
    const err = new CircuitOpenError('https://api.example:443', 1234.2, config);
    expect(err.name).toBe('CircuitOpenError');
    expect(err.code).toBe('ERR_CIRCUIT_OPEN');
    expect(ERR_CIRCUIT_OPEN).toBe('ERR_CIRCUIT_OPEN');
    expect(err.key).toBe('https://api.example:443');
    expect(err.remainingMs).toBe(1234.2);
    expect(err.message).toBe('Circuit open for https://api.example:443: retry in 1235 ms');
    expect(err.config).toBe(config);
    expect(err.response).toBeUndefined();
    expect(err.request).toBeUndefined();
  });

  it('DeadlineExceededError carries totalMs, a non-enumerable cause and the last response', () => {
    const config = makeConfig();
    const cause = new AxiosError('timeout of 100ms exceeded', 'ECONNABORTED', config);
    const response = makeResponse(config);
    const err = new DeadlineExceededError(500, config, cause, response);
    expect(err.name).toBe('DeadlineExceededError');
    expect(err.code).toBe('ERR_DEADLINE_EXCEEDED');
    expect(ERR_DEADLINE_EXCEEDED).toBe('ERR_DEADLINE_EXCEEDED');
    expect(err.totalMs).toBe(500);
    expect(err.message).toBe('Deadline of 500 ms exceeded');
    expect(err.cause).toBe(cause);
    expect(Object.keys(err)).not.toContain('cause');
    expect(err.response).toBe(response);
    expect(err.status).toBe(503);
  });

  it('DeadlineExceededError without a cause or response has neither', () => {
    const err = new DeadlineExceededError(10);
    expect(err.cause).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(err, 'cause')).toBe(false);
    expect(err.response).toBeUndefined();
    expect(err.config).toBeUndefined();
  });

  it('BulkheadFullError and ThrottledError describe the local refusal', () => {
    const b = new BulkheadFullError(4, 2);
    expect(b.name).toBe('BulkheadFullError');
    expect(b.code).toBe('ERR_BULKHEAD_FULL');
    expect(ERR_BULKHEAD_FULL).toBe('ERR_BULKHEAD_FULL');
    expect(b.message).toBe('Bulkhead full: 4 calls in flight and 2 waiting');
    expect(b.max).toBe(4);
    expect(b.queue).toBe(2);
    const t = new ThrottledError('https://api.example:443', 0.75);
    expect(t.name).toBe('ThrottledError');
    expect(t.code).toBe('ERR_THROTTLED');
    expect(ERR_THROTTLED).toBe('ERR_THROTTLED');
    expect(t.key).toBe('https://api.example:443');
    expect(t.probability).toBe(0.75);
    expect(t.message).toBe('Throttled locally: https://api.example:443 is rejecting requests (p=0.75)');
  });

  it.each([
    ['CircuitOpenError', () => new CircuitOpenError('k', 1)],
    ['DeadlineExceededError', () => new DeadlineExceededError(1)],
    ['BulkheadFullError', () => new BulkheadFullError(1, 0)],
    ['ThrottledError', () => new ThrottledError('k', 0.5)],
  ])('%s is an AxiosError', (name, make) => {
    const err = make();
    expect(err).toBeInstanceOf(ResilientAxiosError);
    expect(err).toBeInstanceOf(AxiosError);
    expect(err).toBeInstanceOf(Error);
    expect(axios.isAxiosError(err)).toBe(true);
    expect(axios.isCancel(err)).toBe(false);
    expect(String(err)).toMatch(new RegExp(`^${name}: `));
    expect(err.stack).toContain(name);
  });
});

describe('guards', () => {
  const guards = [
    [isCircuitOpenError, ERR_CIRCUIT_OPEN, () => new CircuitOpenError('k', 1)],
    [isDeadlineExceededError, ERR_DEADLINE_EXCEEDED, () => new DeadlineExceededError(1)],
    [isBulkheadFullError, ERR_BULKHEAD_FULL, () => new BulkheadFullError(1, 0)],
    [isThrottledError, ERR_THROTTLED, () => new ThrottledError('k', 0.5)],
  ] as const;

  it.each(guards)('%p recognises its own class', (guard, _code, make) => {
    expect(guard(make())).toBe(true);
  });

  it.each(guards)('%p recognises a plain AxiosError with its code (the other module build)', (guard, code) => {
    expect(guard(new AxiosError('from the other build', code))).toBe(true);
    expect(guard({ isAxiosError: true, code, message: 'structurally an AxiosError' })).toBe(true);
  });

  it.each(guards)('%p rejects other codes and non-axios values', (guard, code) => {
    for (const [, other, make] of guards) {
      if (other !== code) {
        expect(guard(make())).toBe(false);
        expect(guard(new AxiosError('x', other))).toBe(false);
      }
    }
    expect(guard(new AxiosError('x', 'ECONNRESET'))).toBe(false);
    expect(guard(Object.assign(new Error('x'), { code }))).toBe(false);
    expect(guard(undefined)).toBe(false);
    expect(guard(null)).toBe(false);
    expect(guard(code)).toBe(false);
  });
});

describe('resilienceOf', () => {
  it('reads err.resilience', () => {
    const info: ResilienceInfo = { attempts: 3, elapsedMs: 120, reason: 'exhausted' };
    const err: WithResilience = Object.assign(new AxiosError('x'), { resilience: info });
    expect(resilienceOf(err)).toBe(info);
  });

  it('is undefined for anything else', () => {
    expect(resilienceOf(new AxiosError('x'))).toBeUndefined();
    expect(resilienceOf(new Error('x'))).toBeUndefined();
    expect(resilienceOf(null)).toBeUndefined();
    expect(resilienceOf(undefined)).toBeUndefined();
    expect(resilienceOf('x')).toBeUndefined();
    expect(resilienceOf(42)).toBeUndefined();
  });
});

describe('serialisation of our errors (toJSON)', () => {
  it('is compact: name, code, message, fields, method and redacted url, stack; never the config', () => {
    const err = new CircuitOpenError('k', 10, makeConfig());
    const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', message: 'Circuit open for k: retry in 10 ms', key: 'k', remainingMs: 10,
      method: 'GET', url: `https://${REDACTED}@api.example/items`,
    });
    expect(typeof json.stack).toBe('string');
    for (const key of ['config', 'request', 'response', 'resilience']) expect(json).not.toHaveProperty(key);
    expectNoSecret(JSON.stringify(err));
  });

  it('includes resilience and status, the cause in the same form, and no response body or headers', () => {
    const config = makeConfig();
    const cause = new AxiosError('Request failed with status code 503', 'ERR_BAD_RESPONSE', config, {}, makeResponse(config));
    const err = new DeadlineExceededError(500, config, cause, makeResponse(config));
    const info: ResilienceInfo = { attempts: 2, elapsedMs: 510, reason: 'deadline' };
    (err as WithResilience).resilience = info;
    const json = err.toJSON() as Record<string, unknown>;
    expect(json.resilience).toEqual(info);
    expect(json.status).toBe(503);
    expect(json).not.toHaveProperty('response');
    expect(json.cause).toMatchObject({ name: 'AxiosError', code: 'ERR_BAD_RESPONSE', status: 503, message: 'Request failed with status code 503' });
    expect(json.cause).not.toHaveProperty('config');
    expect(json.cause).not.toHaveProperty('response');
    expectNoSecret(JSON.stringify(err), [...SECRETS, 'busy']);
  });

  it('renders a non-axios cause as an error, and a primitive cause as it is', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const json = new DeadlineExceededError(5, undefined, cause).toJSON() as Record<string, unknown>;
    expect(json.cause).toMatchObject({ name: 'Error', message: 'socket hang up', code: 'ECONNRESET' });
    expect(json).not.toHaveProperty('config');
    expect(new DeadlineExceededError(5, undefined, 'just a string').toJSON()).toMatchObject({ cause: 'just a string' });
  });

  it('hides config, request and response from birth; the values stay', () => {
    const config = makeConfig();
    const response = makeResponse(config);
    const err = new DeadlineExceededError(5, config, undefined, response);
    expect(err.config).toBe(config);
    expect(err.response).toBe(response);
    expect(Object.keys(err)).toEqual(expect.not.arrayContaining(['config', 'response', 'request']));
  });
});
