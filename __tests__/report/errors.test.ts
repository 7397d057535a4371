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
  errorView,
  isBulkheadFullError,
  isCircuitOpenError,
  isDeadlineExceededError,
  isThrottledError,
  protectError,
  resilienceOf,
} from '../../lib/report/errors.js';
import type { ResilienceInfo, WithResilience } from '../../lib/report/errors.js';
import { REDACTED } from '../../lib/report/redact.js';

const SENSITIVE: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const WITH_API_KEY: ReadonlySet<string> = new Set([...SENSITIVE, 'x-api-key']);
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
  it('redacts the config and keeps name, code and message', () => {
    const err = new CircuitOpenError('k', 10, makeConfig());
    const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', message: 'Circuit open for k: retry in 10 ms' });
    expect(json.config).toMatchObject({
      method: 'get',
      url: `https://alice:${REDACTED}@api.example/items`,
      headers: { Authorization: REDACTED, 'X-Api-Key': 'k-123', Accept: 'application/json' },
      auth: { username: 'alice', password: REDACTED },
    });
    expect(json.config).not.toHaveProperty('httpAgent');
    expect(json.config).not.toHaveProperty('signal');
    expect(json).not.toHaveProperty('response');
    expect(json).not.toHaveProperty('resilience');
    expectNoSecret(JSON.stringify(err), ['Bearer sekrit', 'hunter2', 'pa55']);
  });

  it('includes resilience, the redacted response (no body) and the redacted cause', () => {
    const config = makeConfig();
    const cause = new AxiosError('Request failed with status code 503', 'ERR_BAD_RESPONSE', config, {}, makeResponse(config));
    const err = new DeadlineExceededError(500, config, cause, makeResponse(config));
    const info: ResilienceInfo = { attempts: 2, elapsedMs: 510, reason: 'deadline' };
    (err as WithResilience).resilience = info;
    const json = err.toJSON() as Record<string, unknown>;
    expect(json.resilience).toEqual(info);
    expect(json.status).toBe(503);
    expect(json.response).toEqual({ status: 503, statusText: 'Service Unavailable', headers: { 'Set-Cookie': REDACTED, 'Retry-After': '1' } });
    expect(json.cause).toMatchObject({
      name: 'AxiosError',
      code: 'ERR_BAD_RESPONSE',
      message: 'Request failed with status code 503',
      config: { headers: { Authorization: REDACTED } },
      response: { status: 503, headers: { 'Set-Cookie': REDACTED } },
    });
    expectNoSecret(JSON.stringify(err), ['Bearer sekrit', 'hunter2', 'pa55', 'sid=42', 'busy']);
  });

  it('renders a non-axios cause as name, message and code', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const json = new DeadlineExceededError(5, undefined, cause).toJSON() as Record<string, unknown>;
    expect(json.cause).toEqual({ name: 'Error', message: 'socket hang up', code: 'ECONNRESET' });
    expect(json.config).toBeUndefined();
  });

  it('leaves a non-Error cause out', () => {
    const json = new DeadlineExceededError(5, undefined, 'just a string').toJSON() as Record<string, unknown>;
    expect(json).not.toHaveProperty('cause');
  });
});

describe('protectError', () => {
  it('makes JSON.stringify redact while err.config stays as sent', () => {
    const config = makeConfig();
    const err = new AxiosError('Network Error', 'ERR_NETWORK', config, { raw: true });
    const plainJSON = JSON.stringify(err);
    expect(plainJSON).toContain('Bearer sekrit');
    expect(protectError(err, WITH_API_KEY)).toBe(err);
    const text = JSON.stringify(err);
    expectNoSecret(text, ['Bearer sekrit', 'hunter2', 'pa55', 'k-123']);
    expect(JSON.parse(text)).toMatchObject({ name: 'AxiosError', code: 'ERR_NETWORK', message: 'Network Error' });
    expect(err.config).toBe(config);
    expect(err.config?.headers.get('Authorization')).toBe('Bearer sekrit');
    expect(err.config?.auth?.password).toBe('hunter2');
    expect(err.config?.url).toBe('https://alice:pa55@api.example/items');
    expect(Object.keys(err)).not.toContain('toJSON');
  });

  it('includes err.resilience and the redacted response', () => {
    const config = makeConfig();
    const err = new AxiosError('fail', 'ERR_BAD_RESPONSE', config, {}, makeResponse(config));
    (err as WithResilience).resilience = { attempts: 3, elapsedMs: 9, reason: 'exhausted' };
    protectError(err, SENSITIVE);
    const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
    expect(json.resilience).toEqual({ attempts: 3, elapsedMs: 9, reason: 'exhausted' });
    expect(json.response).toEqual({ status: 503, statusText: 'Service Unavailable', headers: { 'Set-Cookie': REDACTED, 'Retry-After': '1' } });
    expect(err.response?.headers['Set-Cookie']).toBe('sid=42');
  });

  it('can be applied again with another set of headers', () => {
    const err = new AxiosError('x', 'ERR_NETWORK', makeConfig());
    protectError(err, SENSITIVE);
    expect(JSON.stringify(err)).toContain('k-123');
    protectError(err, WITH_API_KEY);
    expect(JSON.stringify(err)).not.toContain('k-123');
  });

  it('redacts the extra headers inside an axios cause too', () => {
    const config = makeConfig();
    const cause = new AxiosError('timeout', 'ECONNABORTED', config);
    const err = protectError(new DeadlineExceededError(100, config, cause), WITH_API_KEY);
    expect(JSON.stringify(err.toJSON())).not.toContain('k-123');
    expect(JSON.stringify(err)).not.toContain('k-123');
  });

  it('leaves anything that is not an AxiosError alone', () => {
    const plain = new Error('x');
    expect(protectError(plain, SENSITIVE)).toBe(plain);
    expect(Object.getOwnPropertyNames(plain)).not.toContain('toJSON');
    expect(protectError(undefined, SENSITIVE)).toBeUndefined();
  });
});

describe('errorView', () => {
  function sample(): { err: CircuitOpenError; config: InternalAxiosRequestConfig } {
    const config = makeConfig();
    const err = new CircuitOpenError('k', 25, config);
    (err as WithResilience).resilience = { attempts: 0, elapsedMs: 0, reason: 'circuit-open' };
    return { err, config };
  }

  it('passes non-axios values through', () => {
    const e = new Error('x');
    expect(errorView(e, SENSITIVE)).toBe(e);
    expect(errorView('x', SENSITIVE)).toBe('x');
    expect(errorView(undefined, SENSITIVE)).toBeUndefined();
  });

  it('keeps the prototype, code, fields and stack', () => {
    const { err } = sample();
    const view = errorView(err, SENSITIVE) as CircuitOpenError & WithResilience<object>;
    expect(view).not.toBe(err);
    expect(Object.getPrototypeOf(view)).toBe(CircuitOpenError.prototype);
    expect(view).toBeInstanceOf(CircuitOpenError);
    expect(axios.isAxiosError(view)).toBe(true);
    expect(isCircuitOpenError(view)).toBe(true);
    expect(view.name).toBe('CircuitOpenError');
    expect(view.message).toBe(err.message);
    expect(view.key).toBe('k');
    expect(view.remainingMs).toBe(25);
    expect(view.resilience).toBe(resilienceOf(err));
    expect(view.stack).toBe(err.stack);
    expect(Object.keys(view)).not.toEqual(expect.arrayContaining(['stack']));
  });

  it('redacts the config and drops the request, leaving the error itself untouched', () => {
    const config = makeConfig();
    const err = new AxiosError('fail', 'ERR_BAD_RESPONSE', config, { socket: 'raw' }, makeResponse(config));
    const view = errorView(err, WITH_API_KEY) as AxiosError;
    expect(view.request).toBeUndefined();
    expect(Object.keys(view)).not.toContain('request');
    expect(view.config).toMatchObject({
      url: `https://alice:${REDACTED}@api.example/items`,
      headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, Accept: 'application/json' },
      auth: { password: REDACTED },
    });
    expect(view.status).toBe(503);
    expect(view.code).toBe('ERR_BAD_RESPONSE');
    expect(view.response?.status).toBe(503);
    expect(view.response?.statusText).toBe('Service Unavailable');
    expect(view.response?.headers).toEqual({ 'Set-Cookie': REDACTED, 'Retry-After': '1' });
    expect(view.response?.data).toEqual({ error: 'busy' });
    expect(view.response?.config).toBe(view.config);
    expect(view.response).not.toHaveProperty('request');
    // the original is as the request really was
    expect(err.request).toEqual({ socket: 'raw' });
    expect(err.config).toBe(config);
    expect(config.headers.get('Authorization')).toBe('Bearer sekrit');
    expect(err.response?.headers['Set-Cookie']).toBe('sid=42');
  });

  it('has no response when the error had none', () => {
    const view = errorView(new AxiosError('x', 'ECONNRESET', makeConfig()), SENSITIVE) as AxiosError;
    expect(view.response).toBeUndefined();
    expect(Object.keys(view)).not.toContain('response');
  });

  it('views the cause too (non-enumerable)', () => {
    const config = makeConfig();
    const cause = new AxiosError('timeout', 'ECONNABORTED', config, { raw: 1 });
    const err = new DeadlineExceededError(100, config, cause);
    const view = errorView(err, WITH_API_KEY) as DeadlineExceededError;
    const causeView = view.cause as AxiosError;
    expect(causeView).not.toBe(cause);
    expect(causeView).toBeInstanceOf(AxiosError);
    expect(causeView.code).toBe('ECONNABORTED');
    expect(causeView.request).toBeUndefined();
    expect(causeView.config?.headers).toEqual({ Authorization: REDACTED, 'X-Api-Key': REDACTED, Accept: 'application/json' });
    expect(Object.keys(view)).not.toContain('cause');
    const plainCause = new Error('boom');
    expect((errorView(new DeadlineExceededError(1, undefined, plainCause), SENSITIVE) as Error).cause).toBe(plainCause);
  });

  it('serialises redacted, with its resilience info and its set of headers', () => {
    const { err } = sample();
    const view = errorView(err, WITH_API_KEY);
    const text = JSON.stringify(view);
    expectNoSecret(text, ['Bearer sekrit', 'hunter2', 'pa55', 'k-123']);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', resilience: { reason: 'circuit-open' } });
    expect(Object.keys(view as object)).not.toContain('toJSON');
  });

  it('serialises a viewed cause with the same set of headers', () => {
    const config = makeConfig();
    const view = errorView(new DeadlineExceededError(100, config, new AxiosError('t', 'ECONNABORTED', config)), WITH_API_KEY);
    const json = JSON.parse(JSON.stringify(view)) as { cause: { config: { headers: Record<string, unknown> } } };
    expect(json.cause.config.headers['X-Api-Key']).toBe(REDACTED);
  });
});
