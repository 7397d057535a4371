import { inspect } from 'node:util';
import { AxiosError, AxiosHeaders } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import { CircuitOpenError, DeadlineExceededError } from '../../lib/report/errors.js';
import type { WithResilience } from '../../lib/report/errors.js';
import { DEFAULT_REDACTION, REDACTED, resolveRedaction } from '../../lib/report/redaction.js';
import { protectError } from '../../lib/report/safe-error.js';
import { S, SAFE_URL, expectNoSecret, make503, makeConfig } from '../helpers/secret-errors.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const R = DEFAULT_REDACTION;

describe('protectError', () => {
  it('hides config, request and response, keeping every value for a replay', () => {
    const err = make503();
    const { config, request, response } = err;
    expect(protectError(err, R)).toBe(err);
    expect(err.config).toBe(config);
    expect(err.request).toBe(request);
    expect(err.response).toBe(response);
    expect(Object.keys(err)).not.toEqual(expect.arrayContaining(['config']));
    for (const key of ['config', 'request', 'response', 'toJSON']) expect(Object.keys(err)).not.toContain(key);
    expect(err.config?.headers.get('Authorization')).toBe(`Bearer ${S.bearer}`);
    expect(err.config?.data).toContain(S.body);
    expect(err.config?.url).toContain(S.query);
    expect(err.response?.data).toEqual({ echo: S.body });
    expect(err.status).toBe(503);
  });

  it('adds the upper-case method and the full redacted URL as enumerable fields', () => {
    const err = protectError(make503(), R) as WithResilience;
    expect(err.method).toBe('POST');
    expect(err.url).toBe(SAFE_URL);
    expect(Object.keys(err)).toEqual(expect.arrayContaining(['method', 'url', 'code', 'status', 'resilience']));
  });

  it('bounds a very long URL', () => {
    const err = new AxiosError('x', 'ERR_BAD_REQUEST', { url: `https://h/${'a'.repeat(1000)}`, headers: new AxiosHeaders() } as InternalAxiosRequestConfig);
    const url = (protectError(err, R) as WithResilience).url ?? '';
    expect(url).toHaveLength(300);
    expect(url.endsWith('…')).toBe(true);
  });

  it('writes a compact toJSON: no config, request, response nor body', () => {
    const err = protectError(make503(), R);
    const json = err.toJSON() as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['name', 'message', 'isAxiosError', 'code', 'status', 'resilience', 'method', 'url', 'stack']);
    expect(json).toMatchObject({ name: 'AxiosError', code: 'ERR_BAD_RESPONSE', status: 503, method: 'POST', url: SAFE_URL });
    expect(json.resilience).toEqual({ attempts: 3, elapsedMs: 42, reason: 'exhausted' });
    expect(JSON.parse(JSON.stringify(err))).toEqual(JSON.parse(JSON.stringify(json)));
    expectNoSecret(JSON.stringify(err));
  });

  it('redacts message, stack and string fields in place', () => {
    const err = new AxiosError(`Redirected to https://u:${S.pass}@h/?token=${S.query}`, 'ERR_FR_TOO_MANY_REDIRECTS');
    (err as unknown as { hint: string }).hint = `see https://h/?sig=${S.param}`;
    protectError(err, R);
    expect(err.message).toBe(`Redirected to https://${REDACTED}@h/?token=${REDACTED}`);
    expect(String(err)).toBe(`AxiosError: ${err.message}`);
    expect(err.stack?.startsWith(`AxiosError: ${err.message}\n`)).toBe(true);
    expect((err as unknown as { hint: string }).hint).toBe(`see https://h/?sig=${REDACTED}`);
    expect(Object.keys(err)).toContain('message');
  });

  it("redacts a Node TypeError's input (an unparseable URL with a password)", () => {
    let err: unknown;
    try {
      new URL(`http://${S.user}:${S.pass}#x@host/`);
    } catch (e) {
      err = e;
    }
    expect((err as { input: string }).input).toContain(S.pass);
    protectError(err, R);
    expect((err as { input: string }).input).toBe(`http://${REDACTED}@host/`);
    expectNoSecret(inspect(err) + JSON.stringify(err) + String((err as Error).stack));
    expect((err as Error).name).toBe('TypeError'); // Node's own realm: not jest's TypeError
    expect((err as { code: string }).code).toBe('ERR_INVALID_URL');
  });

  it('protects the whole cause chain and the errors held in fields', () => {
    const inner = make503();
    const deadline = new DeadlineExceededError(500, inner.config, inner, inner.response);
    const wrapped = Object.assign(new Error('wrapper'), { original: make503() });
    protectError(deadline, R);
    protectError(wrapped, R);
    for (const e of [inner, wrapped.original]) {
      expect(Object.keys(e)).not.toContain('config');
      expect(e.config?.headers.get('X-Api-Key')).toBe(S.apiKey);
      expect((e as WithResilience).url).toBe(SAFE_URL);
    }
    const json = JSON.parse(JSON.stringify(deadline)) as { cause: Record<string, unknown>; status: number };
    expect(json.status).toBe(503);
    expect(json.cause).toMatchObject({ name: 'AxiosError', code: 'ERR_BAD_RESPONSE', url: SAFE_URL });
    expect(json.cause).not.toHaveProperty('config');
    expectNoSecret(JSON.stringify(deadline) + inspect(deadline) + inspect(wrapped));
  });

  it('survives a cause cycle', () => {
    const a = new AxiosError('a', 'E1', makeConfig());
    const b = new AxiosError('b', 'E2', makeConfig());
    Object.defineProperty(a, 'cause', { value: b });
    Object.defineProperty(b, 'cause', { value: a });
    protectError(a, R);
    expectNoSecret(JSON.stringify(a) + inspect(a));
  });

  it('makes util.inspect print the safe view', () => {
    const err = protectError(make503(), R);
    const text = inspect(err, { showHidden: true, getters: true, depth: Infinity });
    expectNoSecret(text);
    expect(text).toContain("code: 'ERR_BAD_RESPONSE'");
    expect(text).toContain(`url: '${SAFE_URL}'`);
    expect(typeof (err as unknown as Record<symbol, unknown>)[INSPECT]).toBe('function');
  });

  it('uses the names of the redaction given, and can be applied again', () => {
    const config = { url: '/p?session=s1', headers: new AxiosHeaders({ 'X-Tenant': 'tenant-secret' }) } as InternalAxiosRequestConfig;
    const err = new AxiosError('x', 'ERR_NETWORK', config);
    protectError(err, R);
    expect((err as WithResilience).url).toBe('/p?session=s1');
    protectError(err, resolveRedaction(['x-tenant'], ['session']));
    expect((err as WithResilience).url).toBe(`/p?session=${REDACTED}`);
    const view = inspect(err, { showHidden: true, getters: true, depth: Infinity });
    expect(view).not.toContain('tenant-secret');
    expect(view).not.toContain('s1');
  });

  it('returns anything else unchanged and never throws', () => {
    expect(protectError(undefined, R)).toBeUndefined();
    expect(protectError('boom', R)).toBe('boom');
    const plain = { message: 42 };
    expect(protectError(plain, R)).toBe(plain);
    expect(Object.getOwnPropertyNames(plain)).toEqual(['message']);
    const frozen = Object.freeze(new AxiosError(`https://u:${S.pass}@h/`, 'X'));
    expect(() => protectError(frozen, R)).not.toThrow();
  });
});

describe('our error classes are safe to log from birth', () => {
  it('CircuitOpenError: config hidden but there, compact toJSON', () => {
    const config = makeConfig();
    const err = new CircuitOpenError('https://api.example:443', 10, config);
    expect(err.config).toBe(config);
    expect(Object.keys(err)).not.toContain('config');
    expect(err.toJSON()).toMatchObject({ name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', key: 'https://api.example:443', remainingMs: 10, method: 'POST', url: SAFE_URL });
    expectNoSecret(JSON.stringify(err) + inspect(err));
  });
});
