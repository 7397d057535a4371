import { ConfigError } from '../../lib/common/config-error.js';
import { DEFAULT_REDACTION, REDACTED, SENSITIVE_HEADERS, SENSITIVE_QUERY, resolveRedaction } from '../../lib/report/redaction.js';

describe('the default secrets', () => {
  it('are the SPEC lists, lower case', () => {
    expect(REDACTED).toBe('[REDACTED]');
    expect([...SENSITIVE_HEADERS].sort()).toEqual([
      'api-key', 'authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-amz-security-token', 'x-api-key', 'x-auth-token',
    ]);
    expect([...SENSITIVE_QUERY].sort()).toEqual([
      'access_token', 'api_key', 'apikey', 'client_secret', 'id_token', 'password', 'refresh_token', 'secret', 'sig', 'signature',
      'token', 'x-amz-credential', 'x-amz-security-token', 'x-amz-signature',
    ]);
    expect([...DEFAULT_REDACTION.headers]).toEqual([...SENSITIVE_HEADERS]);
    expect([...DEFAULT_REDACTION.query]).toEqual([...SENSITIVE_QUERY]);
    expect(Object.isFrozen(DEFAULT_REDACTION)).toBe(true);
    expect(Object.isFrozen(SENSITIVE_HEADERS)).toBe(true);
  });
});

describe('resolveRedaction', () => {
  it('returns the base when nothing is added', () => {
    expect(resolveRedaction()).toBe(DEFAULT_REDACTION);
    const base = resolveRedaction(['x-a']);
    expect(resolveRedaction(undefined, undefined, base)).toBe(base);
  });

  it('adds extra names, lower-cased, to the defaults', () => {
    const r = resolveRedaction(['X-Tenant-Key'], ['Session_ID']);
    expect([...r.headers]).toEqual([...SENSITIVE_HEADERS, 'x-tenant-key']);
    expect([...r.query]).toEqual([...SENSITIVE_QUERY, 'session_id']);
    expect(Object.isFrozen(r)).toBe(true);
    expect(resolveRedaction([], []).headers.size).toBe(SENSITIVE_HEADERS.length);
  });

  it('keeps the base list that is not given (configure changes one list only)', () => {
    const base = resolveRedaction(['x-a'], ['q1']);
    const onlyQuery = resolveRedaction(undefined, ['q2'], base);
    expect(onlyQuery.headers).toBe(base.headers);
    expect(onlyQuery.query.has('q2')).toBe(true);
    expect(onlyQuery.query.has('q1')).toBe(false);
    const onlyHeaders = resolveRedaction(['x-b'], undefined, base);
    expect(onlyHeaders.query).toBe(base.query);
    expect(onlyHeaders.headers.has('x-a')).toBe(false);
  });

  it.each<[unknown, unknown, string]>([
    ['x-api-key', undefined, 'redactHeaders must be an array, got "x-api-key"'],
    [['ok', 'bad header'], undefined, 'redactHeaders[1] must be a valid HTTP header name, got "bad header"'],
    [undefined, 'token', 'redactQuery must be an array, got "token"'],
    [undefined, ['a', ''], 'redactQuery[1] must be a non-empty string, got ""'],
    [undefined, [3], 'redactQuery[0] must be a non-empty string, got 3'],
  ])('rejects redactHeaders %p / redactQuery %p', (headers, query, message) => {
    let thrown: unknown;
    try {
      resolveRedaction(headers, query);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toBe(message);
  });
});
