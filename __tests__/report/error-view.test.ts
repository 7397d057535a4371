import axios, { AxiosError } from 'axios';
import { errorView } from '../../lib/report/error-view.js';
import { DeadlineExceededError } from '../../lib/report/errors.js';
import type { WithResilience } from '../../lib/report/errors.js';
import { DEFAULT_REDACTION, REDACTED } from '../../lib/report/redaction.js';
import { reachableStrings } from '../helpers/log-sinks.js';
import { S, SAFE_URL, expectNoSecret, make503 } from '../helpers/secret-errors.js';

const R = DEFAULT_REDACTION;

describe('errorView', () => {
  it('is a stand-in of the same class, holding no secret anywhere', () => {
    const err = make503();
    const view = errorView(err, R);
    expect(view).not.toBe(err);
    expect(view).toBeInstanceOf(AxiosError);
    expect(axios.isAxiosError(view)).toBe(true);
    expect(view.code).toBe('ERR_BAD_RESPONSE');
    expect(view.status).toBe(503);
    expect(view.response?.status).toBe(503);
    expect(view.response?.statusText).toBe('Service Unavailable');
    expect(view.response?.headers).toEqual({ 'Set-Cookie': REDACTED, 'Retry-After': '1' });
    expect(view.response).not.toHaveProperty('data');
    expect(view.request).toBeUndefined();
    expect(view.config).toMatchObject({ method: 'post', headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, Cookie: REDACTED } });
    expect(view.config).not.toHaveProperty('data');
    expect((view as WithResilience).resilience).toBe((err as WithResilience).resilience);
    expect((view as WithResilience).url).toBe(SAFE_URL);
    expect(view.stack).toContain('Request failed with status code 503');
    const reachable = reachableStrings(view).join('\n');
    expect(reachable).toContain(SAFE_URL);
    expectNoSecret(reachable);
  });

  it('leaves the error itself untouched', () => {
    const err = make503();
    const keys = Object.keys(err);
    errorView(err, R);
    expect(Object.keys(err)).toEqual(keys);
    expect(err.config?.headers.get('Authorization')).toBe(`Bearer ${S.bearer}`);
    expect(JSON.stringify(err)).toContain(S.bearer);
  });

  it('keeps a class of ours with its fields, and views the cause', () => {
    const inner = make503();
    const err = new DeadlineExceededError(500, inner.config, inner);
    const view = errorView(err, R);
    expect(view).toBeInstanceOf(DeadlineExceededError);
    expect(view.totalMs).toBe(500);
    expect(view.name).toBe('DeadlineExceededError');
    const cause = view.cause as AxiosError;
    expect(cause).not.toBe(inner);
    expect(cause).toBeInstanceOf(AxiosError);
    expect(cause.response?.status).toBe(503);
    expect(Object.keys(view)).not.toContain('cause');
    expectNoSecret(reachableStrings(view).join('\n'));
    expect(JSON.parse(JSON.stringify(view))).toMatchObject({ name: 'DeadlineExceededError', code: 'ERR_DEADLINE_EXCEEDED', totalMs: 500, cause: { status: 503 } });
  });

  it('views a non-axios error and leaves out a cause that is a plain object', () => {
    const err = Object.assign(new TypeError('Invalid URL'), { input: `https://u:${S.pass}@h/`, code: 'ERR_INVALID_URL' });
    Object.defineProperty(err, 'cause', { value: { headers: { authorization: S.bearer } } });
    const view = errorView(err, R);
    expect(view).toBeInstanceOf(TypeError);
    expect(view.input).toBe(`https://${REDACTED}@h/`);
    expect(view.cause).toBeUndefined();
    expect(String(view)).toBe('TypeError: Invalid URL');
    expectNoSecret(reachableStrings(view).join('\n'));
  });

  it('passes values that are not errors through', () => {
    const plain = { reason: 'x' };
    expect(errorView(plain, R)).toBe(plain);
    expect(errorView(undefined, R)).toBeUndefined();
    expect(errorView('x', R)).toBe('x');
  });

  it('computes stack, config and response only when read, and lets them be set', () => {
    const err = make503();
    const view = errorView(err, R);
    for (const key of ['stack', 'config', 'response']) expect(Object.getOwnPropertyDescriptor(view, key)?.get).toBeDefined();
    const config = view.config;
    expect(Object.getOwnPropertyDescriptor(view, 'config')).toMatchObject({ value: config, enumerable: false });
    expect(view.config).toBe(config);
    view.stack = 'replaced';
    expect(view.stack).toBe('replaced');
    expect(Object.getOwnPropertyDescriptor(view, 'stack')?.enumerable).toBe(false);
  });
});
