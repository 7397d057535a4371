import { AxiosHeaders } from 'axios';
import { REDACTED, redactConfig, redactHeaders, redactUrl } from '../../lib/report/redact.js';

const SENSITIVE: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

describe('redactUrl', () => {
  it.each<[string, string]>([
    ['https://user:secret@host/p', `https://user:${REDACTED}@host/p`],
    ['https://user:secret@host', `https://user:${REDACTED}@host`],
    ['https://user:secret@host:8443?q=1', `https://user:${REDACTED}@host:8443?q=1`],
    ['https://user:secret@host#frag', `https://user:${REDACTED}@host#frag`],
    ['http://user:p@ss:w@rd@host/x', `http://user:${REDACTED}@host/x`],
    ['https://:secret@host/', `https://:${REDACTED}@host/`],
    ['https://TOKEN@host/p', `https://${REDACTED}@host/p`],
    ['HTTPS://u:p@[::1]:8080/a', `HTTPS://u:${REDACTED}@[::1]:8080/a`],
    ['//user:secret@host/p', `//user:${REDACTED}@host/p`],
    ['//token@host', `//${REDACTED}@host`],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    'https://host/p',
    'https://host/users/a@b.com',
    'https://host/p?email=a@b.com',
    'https://host?email=a@b.com',
    'https://host#a@b',
    'https://host/p?next=https://u:p@other/',
    '/users/a@b.com',
    '/search?q=a@b',
    'users/a@b.com',
    'mailto:a@b.com',
    '',
  ])('leaves %p unchanged', (url) => {
    expect(redactUrl(url)).toBe(url);
  });

  it('passes non-strings through', () => {
    expect(redactUrl(undefined)).toBeUndefined();
    expect(redactUrl(null)).toBeNull();
    const u = new URL('https://u:p@h/');
    expect(redactUrl(u)).toBe(u);
  });
});

describe('redactHeaders', () => {
  it('redacts sensitive headers in a plain object, case-insensitively, and copies it', () => {
    const headers = { Authorization: 'Bearer t', COOKIE: 'a=b', 'x-trace': '1', 'Set-Cookie': ['a=1', 'b=2'], n: 3 };
    const out = redactHeaders(headers, SENSITIVE);
    expect(out).toEqual({ Authorization: REDACTED, COOKIE: REDACTED, 'x-trace': '1', 'Set-Cookie': REDACTED, n: 3 });
    expect(out).not.toBe(headers);
    expect(headers.Authorization).toBe('Bearer t');
  });

  it('redacts inside method buckets such as common', () => {
    const headers = {
      common: { Accept: 'application/json', authorization: 'Basic x' },
      post: { 'Proxy-Authorization': 'Basic y', 'Content-Type': 'text/plain' },
      'X-Id': 'a',
    };
    expect(redactHeaders(headers, SENSITIVE)).toEqual({
      common: { Accept: 'application/json', authorization: REDACTED },
      post: { 'Proxy-Authorization': REDACTED, 'Content-Type': 'text/plain' },
      'X-Id': 'a',
    });
    expect(headers.common.authorization).toBe('Basic x');
  });

  it('turns AxiosHeaders into a redacted plain object and leaves the instance alone', () => {
    const headers = new AxiosHeaders({ Authorization: 'Bearer t', 'X-Api-Key': 'k', Accept: 'text/html' });
    const out = redactHeaders(headers, new Set([...SENSITIVE, 'x-api-key']));
    expect(out).toEqual({ Authorization: REDACTED, 'X-Api-Key': REDACTED, Accept: 'text/html' });
    expect(out).not.toBeInstanceOf(AxiosHeaders);
    expect(headers.get('Authorization')).toBe('Bearer t');
    expect(headers.get('x-api-key')).toBe('k');
  });

  it('handles AxiosHeaders nested in a plain bag', () => {
    const out = redactHeaders({ common: new AxiosHeaders({ cookie: 'c' }), 'x-a': '1' }, SENSITIVE);
    expect(out).toEqual({ common: { cookie: REDACTED }, 'x-a': '1' });
  });

  it('redacts only names in the set given', () => {
    expect(redactHeaders({ Authorization: 'a', 'X-Api-Key': 'k' }, new Set(['x-api-key']))).toEqual({ Authorization: 'a', 'X-Api-Key': REDACTED });
  });

  it('keeps null values and arrays of non-sensitive headers', () => {
    expect(redactHeaders({ a: null, b: ['1', '2'], c: undefined }, SENSITIVE)).toEqual({ a: null, b: ['1', '2'], c: undefined });
  });

  it('passes non-objects through', () => {
    expect(redactHeaders(undefined, SENSITIVE)).toBeUndefined();
    expect(redactHeaders(null, SENSITIVE)).toBeNull();
    expect(redactHeaders('Authorization: x', SENSITIVE)).toBe('Authorization: x');
  });
});

describe('redactConfig', () => {
  it('returns undefined for a non-object', () => {
    expect(redactConfig(undefined, SENSITIVE)).toBeUndefined();
    expect(redactConfig(null, SENSITIVE)).toBeUndefined();
    expect(redactConfig('x', SENSITIVE)).toBeUndefined();
  });

  it('drops agents, signals, adapters, our namespace and internal __ keys', () => {
    const config = {
      method: 'get',
      url: '/p',
      timeout: 5,
      httpAgent: {},
      httpsAgent: {},
      signal: new AbortController().signal,
      cancelToken: {},
      adapter: () => Promise.resolve(),
      resilience: { retry: false },
      __resilientCall: {},
      __retryCount: 1,
      _kept: 1,
    };
    const out = redactConfig(config, SENSITIVE);
    expect(Object.keys(out ?? {}).sort()).toEqual(['_kept', 'headers', 'method', 'timeout', 'url']);
    expect(out).toMatchObject({ method: 'get', url: '/p', timeout: 5, _kept: 1 });
  });

  it('redacts headers, url and baseURL passwords, auth and proxy.auth, without touching the original', () => {
    const headers = new AxiosHeaders({ Authorization: 'Bearer t', Accept: '*/*' });
    const config = {
      url: 'https://u:pw@api.example/p',
      baseURL: 'https://tok@api.example',
      headers,
      auth: { username: 'alice', password: 'hunter2' },
      proxy: { protocol: 'http', host: 'proxy', port: 8080, auth: { username: 'bob', password: 's3cret' } },
      data: '{"a":1}',
    };
    const out = redactConfig(config, SENSITIVE);
    expect(out).toEqual({
      url: `https://u:${REDACTED}@api.example/p`,
      baseURL: `https://${REDACTED}@api.example`,
      headers: { Authorization: REDACTED, Accept: '*/*' },
      auth: { username: 'alice', password: REDACTED },
      proxy: { protocol: 'http', host: 'proxy', port: 8080, auth: { username: 'bob', password: REDACTED } },
      data: '{"a":1}',
    });
    expect(config.auth.password).toBe('hunter2');
    expect(config.proxy.auth.password).toBe('s3cret');
    expect(config.url).toBe('https://u:pw@api.example/p');
    expect(config.headers).toBe(headers);
    expect(headers.get('Authorization')).toBe('Bearer t');
    const text = JSON.stringify(out);
    for (const secret of ['hunter2', 's3cret', 'pw@', 'tok@', 'Bearer t']) expect(text).not.toContain(secret);
  });

  it('keeps a proxy without auth, proxy: false, and a config without baseURL', () => {
    const proxy = { host: 'p', port: 1 };
    const out = redactConfig({ url: '/x', proxy, auth: undefined }, SENSITIVE);
    expect(out?.proxy).toBe(proxy);
    expect(out).not.toHaveProperty('baseURL');
    expect(out?.auth).toBeUndefined();
    expect(redactConfig({ proxy: false }, SENSITIVE)?.proxy).toBe(false);
  });
});
