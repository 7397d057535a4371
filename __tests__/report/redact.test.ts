import { AxiosHeaders } from 'axios';
import { DEFAULT_REDACTION, REDACTED, redactConfig, redactHeaders, redactParamsObject, redactText, redactUrl, resolveRedaction } from '../../lib/report/redact.js';

const R = DEFAULT_REDACTION;
const X = REDACTED;

describe('redactUrl: user and password', () => {
  it.each<[string, string]>([
    ['https://user:secret@host/p', `https://${X}@host/p`],
    ['https://user:secret@host', `https://${X}@host`],
    ['https://user:secret@host:8443?q=1', `https://${X}@host:8443?q=1`],
    ['https://user:secret@host#frag', `https://${X}@host#frag`],
    ['http://user:p@ss:w@rd@host/x', `http://${X}@host/x`],
    ['https://:secret@host/', `https://${X}@host/`],
    ['https://TOKEN@host/p', `https://${X}@host/p`],
    ['HTTPS://u:p@[::1]:8080/a', `HTTPS://${X}@[::1]:8080/a`],
    ['//user:secret@host/p', `//${X}@host/p`],
    ['//token@host', `//${X}@host`],
    // unparseable: the password holds a delimiter, so the authority is not a host
    ['http://user:p#ss@host/', `http://${X}@host/`],
    ['http://user:pa/ss@host:80/x', `http://${X}@host:80/x`],
    ['http://user:pa?ss@host/', `http://${X}@host/`],
    ['http://u:p ss@host/', `http://${X}@host/`],
    // a URL nested in another one
    ['https://host/p?next=https://u:p@other/', `https://host/p?next=https://${X}@other/`],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url, R)).toBe(expected);
  });

  it.each([
    'https://host/p',
    'https://host/users/a@b.com',
    'https://host/p?email=a@b.com',
    'https://host?email=a@b.com',
    'https://host:8443/a@b',
    'https://host#a@b',
    '/users/a@b.com',
    '/search?q=a@b',
    'users/a@b.com',
    'mailto:a@b.com',
    '',
  ])('leaves %p unchanged', (url) => {
    expect(redactUrl(url, R)).toBe(url);
  });

  it('passes non-strings through', () => {
    expect(redactUrl(undefined, R)).toBeUndefined();
    expect(redactUrl(null, R)).toBeNull();
    const u = new URL('https://u:p@h/');
    expect(redactUrl(u, R)).toBe(u);
  });
});

describe('redactUrl: query and fragment parameters', () => {
  it.each<[string, string]>([
    ['/p?access_token=abc', `/p?access_token=${X}`],
    ['/p?a=1&api_key=k&b=2', `/p?a=1&api_key=${X}&b=2`],
    ['/p?ACCESS_TOKEN=abc&Token=t', `/p?ACCESS_TOKEN=${X}&Token=${X}`],
    ['/p?access%5Ftoken=abc', `/p?access%5Ftoken=${X}`],
    ['/p?sig=a%26b&x=1', `/p?sig=${X}&x=1`],
    ['/cb#access_token=abc&token_type=bearer', `/cb#access_token=${X}&token_type=bearer`],
    ['/p?password=a=b=c#f', `/p?password=${X}#f`],
    [
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=ff&X-Amz-Security-Token=st',
      `https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=${X}&X-Amz-Signature=${X}&X-Amz-Security-Token=${X}`,
    ],
    ['https://u:p@h/p?token=t', `https://${X}@h/p?token=${X}`],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url, R)).toBe(expected);
  });

  it('leaves other parameters, empty values and look-alike names alone', () => {
    for (const url of ['/p?tokens=1&my_token=2&q=token', '/p?token=', '/p?token', '/p?a=token%3Dx', '/token=abc']) {
      expect(redactUrl(url, R)).toBe(url);
    }
  });

  it('redacts the parameters named in redactQuery too, and is idempotent', () => {
    const r = resolveRedaction(undefined, ['Session']);
    const once = redactUrl('/p?session=s1&SESSION=s2&token=t', r);
    expect(once).toBe(`/p?session=${X}&SESSION=${X}&token=${X}`);
    expect(redactUrl(once, r)).toBe(once);
    expect(redactUrl('/p?session=s1', R)).toBe('/p?session=s1');
  });
});

describe('redactText', () => {
  it('redacts URLs inside free text and stops each at whitespace or a quote', () => {
    expect(redactText('GET http://u:p@h/x?token=t failed', R)).toBe(`GET http://${X}@h/x?token=${X} failed`);
    expect(redactText('Invalid URL "https://u:p@h/?api_key=k" given', R)).toBe(`Invalid URL "https://${X}@h/?api_key=${X}" given`);
    expect(redactText("at 'http://a@b' and http://c:d@e/", R)).toBe(`at 'http://${X}@b' and http://${X}@e/`);
  });

  it('redacts every URL of a stack', () => {
    const stack = 'Error: boom\n    at f (https://cdn/app.js?sig=s1:1:2)\n    at g (https://u:pw@cdn/b.js:3:4)';
    expect(redactText(stack, R)).toBe(`Error: boom\n    at f (https://cdn/app.js?sig=${X}\n    at g (https://${X}@cdn/b.js:3:4)`);
  });

  it('leaves text without URL secrets unchanged (same string)', () => {
    for (const text of ['connect ECONNREFUSED 127.0.0.1:1', 'mail a@b.com', 'a = b', 'what? token=1', 'x&y', '']) {
      expect(redactText(text, R)).toBe(text);
    }
  });
});

describe('redactHeaders', () => {
  it('redacts every default header in any case, and copies', () => {
    const headers = {
      Authorization: 'a', 'PROXY-AUTHORIZATION': 'b', cookie: 'c', 'Set-Cookie': ['d=1', 'e=2'], 'x-api-key': 'f',
      'Api-Key': 'g', 'X-AUTH-TOKEN': 'h', 'x-amz-security-token': 'i', 'x-trace': '1', n: 3,
    };
    const out = redactHeaders(headers, R);
    expect(out).toEqual({
      Authorization: X, 'PROXY-AUTHORIZATION': X, cookie: X, 'Set-Cookie': X, 'x-api-key': X,
      'Api-Key': X, 'X-AUTH-TOKEN': X, 'x-amz-security-token': X, 'x-trace': '1', n: 3,
    });
    expect(out).not.toBe(headers);
    expect(headers.Authorization).toBe('a');
  });

  it('redacts inside method buckets such as common', () => {
    const headers = { common: { Accept: 'application/json', authorization: 'Basic x' }, post: { 'Proxy-Authorization': 'Basic y' }, 'X-Id': 'a' };
    expect(redactHeaders(headers, R)).toEqual({ common: { Accept: 'application/json', authorization: X }, post: { 'Proxy-Authorization': X }, 'X-Id': 'a' });
    expect(headers.common.authorization).toBe('Basic x');
  });

  it('turns AxiosHeaders into a redacted plain object and leaves the instance alone', () => {
    const headers = new AxiosHeaders({ Authorization: 'Bearer t', 'X-Tenant-Key': 'k', Accept: 'text/html' });
    const out = redactHeaders(headers, resolveRedaction(['x-tenant-key']));
    expect(out).toEqual({ Authorization: X, 'X-Tenant-Key': X, Accept: 'text/html' });
    expect(out).not.toBeInstanceOf(AxiosHeaders);
    expect(headers.get('Authorization')).toBe('Bearer t');
    expect(redactHeaders({ common: new AxiosHeaders({ cookie: 'c' }), 'x-a': '1' }, R)).toEqual({ common: { cookie: X }, 'x-a': '1' });
  });

  it('keeps null values and arrays of other headers; passes non-objects through', () => {
    expect(redactHeaders({ a: null, b: ['1', '2'], c: undefined }, R)).toEqual({ a: null, b: ['1', '2'], c: undefined });
    expect(redactHeaders(undefined, R)).toBeUndefined();
    expect(redactHeaders('Authorization: x', R)).toBe('Authorization: x');
  });
});

describe('redactParamsObject', () => {
  it('redacts secret params of a plain object or URLSearchParams', () => {
    expect(redactParamsObject({ API_KEY: 'k', page: 2 }, R)).toEqual({ API_KEY: X, page: 2 });
    expect(redactParamsObject(new URLSearchParams('token=t&q=x'), R)).toEqual({ token: X, q: 'x' });
    expect(redactParamsObject(undefined, R)).toBeUndefined();
  });
});

describe('redactConfig', () => {
  it('returns undefined for a non-object', () => {
    expect(redactConfig(undefined, R)).toBeUndefined();
    expect(redactConfig('x', R)).toBeUndefined();
  });

  it('drops the body, functions, agents, signals, adapters, our namespace and internal __ keys', () => {
    const config = {
      method: 'post', url: '/p', timeout: 5, data: '{"card":"4111"}', httpAgent: {}, httpsAgent: {}, env: {},
      signal: new AbortController().signal, cancelToken: {}, adapter: ['http'], transformRequest: () => 1, validateStatus: () => true,
      resilience: { retry: false }, __resilientCall: {}, _kept: 1,
    };
    const out = redactConfig(config, R);
    expect(Object.keys(out ?? {}).sort()).toEqual(['_kept', 'headers', 'method', 'timeout', 'url']);
    expect(config.data).toBe('{"card":"4111"}');
  });

  it('redacts headers, URLs, params, auth and proxy.auth without touching the original', () => {
    const headers = new AxiosHeaders({ Authorization: 'Bearer t', Accept: '*/*' });
    const config = {
      url: 'https://u:pw@api.example/p?token=qt',
      baseURL: 'https://tok@api.example',
      headers,
      params: { api_key: 'pk', page: 1 },
      auth: { username: 'alice', password: 'hunter2' },
      proxy: { protocol: 'http', host: 'proxy', port: 8080, auth: { username: 'bob', password: 's3cret' } },
    };
    expect(redactConfig(config, R)).toEqual({
      url: `https://${X}@api.example/p?token=${X}`,
      baseURL: `https://${X}@api.example`,
      headers: { Authorization: X, Accept: '*/*' },
      params: { api_key: X, page: 1 },
      auth: { username: 'alice', password: X },
      proxy: { protocol: 'http', host: 'proxy', port: 8080, auth: { username: 'bob', password: X } },
    });
    expect(config.auth.password).toBe('hunter2');
    expect(config.proxy.auth.password).toBe('s3cret');
    expect(config.url).toBe('https://u:pw@api.example/p?token=qt');
    expect(config.params.api_key).toBe('pk');
    expect(headers.get('Authorization')).toBe('Bearer t');
  });

  it('keeps a proxy without auth and proxy: false', () => {
    const proxy = { host: 'p', port: 1 };
    expect(redactConfig({ url: '/x', proxy }, R)?.proxy).toBe(proxy);
    expect(redactConfig({ proxy: false }, R)?.proxy).toBe(false);
    expect(redactConfig({ url: '/x' }, R)).not.toHaveProperty('baseURL');
  });
});
