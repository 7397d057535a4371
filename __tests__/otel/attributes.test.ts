import { errorTypeOf, fullUrlOf, targetOf } from '../../lib/otel/attributes.js';

const SECRETS: ReadonlySet<string> = new Set(['access_token', 'token']);

describe('targetOf', () => {
  test('a plain URL: method, address, port (the scheme\u2019s default when none), url.full as it is', () => {
    expect(targetOf('GET', 'https://api.example.com/v1/items?page=2', SECRETS)).toEqual({
      method: 'GET', methodOriginal: undefined, spanName: 'GET', urlFull: 'https://api.example.com/v1/items?page=2', address: 'api.example.com', port: 443,
    });
    expect(targetOf('POST', 'http://10.0.0.1:8080/x', SECRETS)).toMatchObject({ address: '10.0.0.1', port: 8080, spanName: 'POST' });
    expect(targetOf('GET', 'http://h/', SECRETS).port).toBe(80);
    expect(targetOf('GET', 'ftp://h/file', SECRETS).port).toBeUndefined();
    expect(targetOf('GET', 'HTTPS://h', SECRETS)).toMatchObject({ urlFull: 'HTTPS://h', port: 443 });
    expect(targetOf('GET', 'http://h:bad/x', SECRETS)).toMatchObject({ address: 'h:bad', port: 80 });
    expect(targetOf('GET', 'file:///etc/hosts', SECRETS)).toMatchObject({ urlFull: 'file:///etc/hosts', address: undefined, port: undefined });
  });

  test('userinfo becomes REDACTED:REDACTED; secret query and fragment values become REDACTED, names kept', () => {
    const t = targetOf('GET', 'https://u:p@h.test/a?access_token=t1&x=1&Token=t2&X-Amz-Signature=s&AWSAccessKeyId=k#token=t3', SECRETS);
    expect(t.urlFull).toBe('https://REDACTED:REDACTED@h.test/a?access_token=REDACTED&x=1&Token=REDACTED&X-Amz-Signature=REDACTED&AWSAccessKeyId=REDACTED#token=REDACTED');
    expect(targetOf('GET', 'https://user@h.test/', SECRETS).urlFull).toBe('https://REDACTED:REDACTED@h.test/');
  });

  test('percent-encoded and malformed parameter names are matched as far as they decode', () => {
    expect(targetOf('GET', 'https://h/?access%5Ftoken=t&%E0%A4%A=v&flag&=x', SECRETS).urlFull).toBe('https://h/?access%5Ftoken=REDACTED&%E0%A4%A=v&flag&=x');
  });

  test('IPv6 hosts lose their brackets in server.address', () => {
    expect(targetOf('GET', 'http://[::1]:3000/', SECRETS)).toMatchObject({ address: '::1', port: 3000 });
  });

  test('an unknown method is _OTHER (span name HTTP) and keeps its original', () => {
    expect(targetOf('PURGE', 'http://h/', SECRETS)).toMatchObject({ method: '_OTHER', methodOriginal: 'PURGE', spanName: 'HTTP' });
  });

  test('a relative URL resolves against the page address when given; otherwise no url.full nor server', () => {
    expect(targetOf('GET', '/api/x?token=t', SECRETS, 'https://app.test/page')).toMatchObject({ urlFull: 'https://app.test/api/x?token=REDACTED', address: 'app.test', port: 443 });
    expect(targetOf('GET', '/api/x?token=t', SECRETS)).toEqual({ method: 'GET', methodOriginal: undefined, spanName: 'GET', urlFull: undefined, address: undefined, port: undefined });
  });
});

describe('fullUrlOf', () => {
  const never = (): string => {
    throw new Error('getUri is only for params');
  };

  test('joins baseURL and url as axios does, unless url is absolute', () => {
    expect(fullUrlOf({ baseURL: 'http://h/api//', url: '//x' }, never)).toBe('//x'); // protocol-relative: absolute, as axios takes it
    expect(fullUrlOf({ baseURL: 'http://h/api//', url: '/x/y' }, never)).toBe('http://h/api/x/y');
    expect(fullUrlOf({ baseURL: 'http://h/api', url: 'x' }, never)).toBe('http://h/api/x');
    expect(fullUrlOf({ baseURL: 'http://h/api', url: 'https://other/z' }, never)).toBe('https://other/z');
    expect(fullUrlOf({ baseURL: 'http://h/api', url: '' }, never)).toBe('http://h/api');
    expect(fullUrlOf({ url: '/only' }, never)).toBe('/only');
    expect(fullUrlOf({}, never)).toBe('');
  });

  test('allowAbsoluteUrls: false joins even an absolute url; params go through axios\u2019s getUri', () => {
    expect(fullUrlOf({ baseURL: 'http://h', url: 'https://other/z', allowAbsoluteUrls: false }, never)).toBe('http://h/https://other/z');
    expect(fullUrlOf({ baseURL: 'http://h', url: '/p', params: { a: 1 } }, () => 'http://h/p?a=1')).toBe('http://h/p?a=1');
  });
});

describe('errorTypeOf', () => {
  test.each([
    ['a 2xx or 3xx response', { outcome: 'response', status: 204, code: undefined }, undefined],
    ['a 4xx response', { outcome: 'response', status: 404, code: 'ERR_BAD_REQUEST' }, '404'],
    ['a 5xx response', { outcome: 'response', status: 503, code: undefined }, '503'],
    ['a body lost after a 200 status line', { outcome: 'response', status: 200, code: 'ECONNRESET' }, 'ECONNRESET'],
    ['a network error', { outcome: 'error', status: undefined, code: 'ECONNREFUSED' }, 'ECONNREFUSED'],
    ['an attempt cut by attemptMs', { outcome: 'error', status: undefined, code: 'ETIMEDOUT' }, 'ETIMEDOUT'],
    ['an error without a code', { outcome: 'error', status: undefined, code: undefined }, '_OTHER'],
    ['an attempt cut by the deadline', { outcome: 'aborted', status: undefined, code: 'ERR_DEADLINE_EXCEEDED' }, 'ERR_DEADLINE_EXCEEDED'],
    ['an abort without a code', { outcome: 'aborted', status: undefined, code: undefined }, '_OTHER'],
    ['a cancellation by the caller or dispose()', { outcome: 'aborted', status: undefined, code: 'ERR_CANCELED' }, undefined],
  ] as const)('%s', (_what, end, expected) => {
    expect(errorTypeOf(end)).toBe(expected);
  });
});
